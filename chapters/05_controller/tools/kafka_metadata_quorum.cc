// kafka-metadata-quorum: the state of the KRaft quorum that replicates the
// metadata log (Kafka's MetadataQuorumCommand).
//
//   bazel run //:kafka-metadata-quorum -- --bootstrap-server 127.0.0.1:9092
//       describe --status
//   bazel run //:kafka-metadata-quorum -- --bootstrap-server B
//       describe --replication [--human-readable]
//
// --status asks DescribeCluster for the cluster id, then DescribeQuorum (v1)
// for the quorum; --replication only the latter. The broker forwards
// DescribeQuorum to the active controller.
#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>

#include "chapters/05_controller/tools/admin_client.h"
#include "chapters/05_controller/tools/admin_errors.h"
#include "chapters/05_controller/tools/metadata_quorum_command.h"
#include "lib/protocol/admin.h"

namespace kafka {
namespace {

// v1 adds each replica's last fetch and last caught-up times (KIP-836).
constexpr int16_t kDescribeQuorumVersion = 1;
constexpr int16_t kDescribeClusterVersion = 0;

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Asks for the quorum and prints what `format` makes of it.
void DescribeQuorum(
    AdminClient& client,
    std::function<std::string(const DescribeQuorumResponse::Partition&)>
        format) {
  client.Call<DescribeQuorumRequest, DescribeQuorumResponse>(
      ApiKey::kDescribeQuorum, kDescribeQuorumVersion, MetadataQuorumRequest(),
      [&client, format](DescribeQuorumResponse response) {
        Result<DescribeQuorumResponse::Partition> quorum =
            MetadataQuorumState(response);
        if (!quorum.ok()) {
          std::cerr << quorum.error().message << "\n";
          return client.Finish(1);
        }
        std::cout << format(*quorum);
        client.Finish(0);
      });
}

void DescribeStatus(AdminClient& client) {
  client.Call<DescribeClusterRequest, DescribeClusterResponse>(
      ApiKey::kDescribeCluster, kDescribeClusterVersion, {},
      [&client](DescribeClusterResponse cluster) {
        if (cluster.error_code != ErrorCode::kNone) {
          std::cerr << ExceptionMessage(cluster.error_code,
                                        cluster.error_message)
                    << "\n";
          return client.Finish(1);
        }
        DescribeQuorum(client, [id = cluster.cluster_id](const auto& quorum) {
          return FormatQuorumStatus(id, quorum);
        });
      });
}

}  // namespace
}  // namespace kafka

int main(int argc, char** argv) {
  CLI::App app{"This tool describes kraft metadata quorum status."};
  std::string bootstrap;
  bool status = false, replication = false, human_readable = false;
  app.add_option("--bootstrap-server", bootstrap,
                 "A comma-separated list of host:port pairs to use for "
                 "establishing the connection to the Kafka cluster.")
      ->required();
  CLI::App* describe =
      app.add_subcommand("describe", "Describe the metadata quorum info");
  describe->add_flag("--status", status,
                     "A short summary of the quorum status.");
  describe->add_flag("--replication", replication,
                     "Detailed information about the status of replication");
  describe->add_flag("--human-readable", human_readable,
                     "Human-readable output");
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);

  std::string wrong;
  if (status && replication) {
    wrong =
        "Only one of --status or --replication should be specified with "
        "describe sub-command";
  } else if (!status && !replication) {
    wrong =
        "One of --status or --replication must be specified with "
        "describe sub-command";
  } else if (status && human_readable) {
    wrong =
        "The option --human-readable is only supported along with "
        "--replication";
  }
  if (!wrong.empty()) {
    std::cerr << wrong << "\n";
    return 1;
  }
  auto servers = kafka::ParseBootstrapServers(bootstrap);
  if (!servers.ok()) {
    std::cerr << "--bootstrap-server: " << servers.error().message << "\n";
    return 1;
  }
  return kafka::RunAdminClient(
      std::move(servers).value(), "kafka-metadata-quorum",
      [&](kafka::AdminClient& client) {
        if (status) return kafka::DescribeStatus(client);
        kafka::DescribeQuorum(client, [human_readable](const auto& quorum) {
          return kafka::FormatQuorumReplication(
              quorum, human_readable ? std::optional(kafka::WallClockMs())
                                     : std::nullopt);
        });
      });
}
