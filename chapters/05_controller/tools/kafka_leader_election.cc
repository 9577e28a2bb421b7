// kafka-leader-election: elect the preferred (or, unclean, any live) replica
// leader of partitions, through the active controller (Kafka's
// LeaderElectionCommand).
//
//   bazel run //:kafka-leader-election -- --bootstrap-server 127.0.0.1:9092
//       --election-type preferred --topic t --partition 0
//   bazel run //:kafka-leader-election -- --bootstrap-server B
//       --election-type preferred --all-topic-partitions
//   bazel run //:kafka-leader-election -- --bootstrap-server B
//       --election-type unclean --path-to-json-file partitions.json
//
// One ElectLeaders (v2) to the bootstrap broker, which forwards it to the
// active controller; the answer printed per partition as Kafka prints it.
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "chapters/05_controller/tools/admin_client.h"
#include "chapters/05_controller/tools/leader_election_command.h"
#include "lib/user_path.h"

namespace kafka {
namespace {

// The version Kafka's Admin client and confluent-kafka send: flexible.
constexpr int16_t kElectLeadersVersion = 2;

struct ElectionOptions {
  std::string bootstrap_server;
  std::string election_type;
  std::optional<std::string> topic;
  std::optional<int32_t> partition;
  bool all_topic_partitions = false;
  std::optional<std::string> path_to_json_file;
};

// LeaderElectionCommandOptions.validate's checks; empty if fine.
std::string CheckArguments(const ElectionOptions& options) {
  std::vector<std::string> missing;
  if (options.bootstrap_server.empty()) missing.push_back("bootstrap-server");
  if (options.election_type.empty()) missing.push_back("election-type");
  if (!missing.empty()) {
    std::string names = missing[0];
    if (missing.size() > 1) names += ", " + missing[1];
    return "Missing required option(s): " + names;
  }
  const int chosen = bool(options.topic) + options.all_topic_partitions +
                     bool(options.path_to_json_file);
  if (chosen != 1) {
    return "One and only one of the following options is required: topic, "
           "all-topic-partitions, path-to-json-file";
  }
  if (options.topic && !options.partition) {
    return "Missing required option(s): partition";
  }
  if (!options.topic && options.partition) {
    return "Option partition is only allowed if topic is used";
  }
  return "";
}

// The partitions to elect: nullopt for all of them.
Result<std::optional<std::vector<ElectionPartition>>> PartitionsToElect(
    const ElectionOptions& options) {
  if (options.topic) {
    return std::optional(
        std::vector<ElectionPartition>{{*options.topic, *options.partition}});
  }
  if (!options.path_to_json_file) {
    return std::optional<std::vector<ElectionPartition>>();
  }
  const std::string path = FromUserDirectory(*options.path_to_json_file);
  std::ifstream file(path);
  if (!file) {
    return Error{ErrorCode::kInvalidRequest, "cannot read " + path};
  }
  std::stringstream contents;
  contents << file.rdbuf();
  Result<std::vector<ElectionPartition>> parsed =
      ParseElectionJson(contents.str());
  if (!parsed.ok()) return parsed.error();
  return std::optional(std::move(parsed).value());
}

}  // namespace
}  // namespace kafka

int main(int argc, char** argv) {
  CLI::App app{
      "This tool attempts to elect a new leader for a set of topic "
      "partitions. The type of elections supported are preferred replicas "
      "and unclean replicas."};
  kafka::ElectionOptions options;
  app.add_option("--bootstrap-server", options.bootstrap_server,
                 "A hostname and port for the broker to connect to, in the "
                 "form host:port. Multiple comma separated URLs can be given. "
                 "REQUIRED.");
  app.add_option("--election-type", options.election_type,
                 "Type of election to attempt: \"preferred\" or \"unclean\". "
                 "REQUIRED.");
  app.add_option("--topic", options.topic,
                 "Name of topic for which to perform an election.");
  app.add_option("--partition", options.partition,
                 "Partition id for which to perform an election. REQUIRED if "
                 "--topic is specified.");
  app.add_flag("--all-topic-partitions", options.all_topic_partitions,
               "Perform election on all of the eligible topic partitions.");
  app.add_option("--path-to-json-file", options.path_to_json_file,
                 "The JSON file with the partitions to elect leaders for: "
                 "{\"partitions\": [{\"topic\": \"foo\", \"partition\": 1}]}");
  CLI11_PARSE(app, argc, argv);

  if (std::string wrong = kafka::CheckArguments(options); !wrong.empty()) {
    std::cerr << wrong << "\n";
    return 1;
  }
  auto type = kafka::ParseElectionType(options.election_type);
  auto servers = kafka::ParseBootstrapServers(options.bootstrap_server);
  auto partitions = kafka::PartitionsToElect(options);
  for (const kafka::Status& status :
       {type.status(), servers.status(), partitions.status()}) {
    if (!status.ok()) {
      std::cerr << status.error().message << "\n";
      return 1;
    }
  }
  const kafka::ElectLeadersRequest request =
      kafka::BuildElectLeadersRequest(*type, *partitions);
  return kafka::RunAdminClient(
      std::move(servers).value(), "kafka-leader-election",
      [&](kafka::AdminClient& client) {
        client.Call<kafka::ElectLeadersRequest, kafka::ElectLeadersResponse>(
            kafka::ApiKey::kElectLeaders, kafka::kElectLeadersVersion, request,
            [&client, &type](kafka::ElectLeadersResponse response) {
              kafka::ElectionReport report =
                  kafka::ReportElection(*type, response);
              std::cout << report.out;
              std::cerr << report.err;
              client.Finish(report.exit_code);
            });
      });
}
