// kafka-topics: create, list, describe, grow and delete topics, with Kafka's
// options and output (Kafka's TopicCommand).
//
//   bazel run //:kafka-topics -- --bootstrap-server 127.0.0.1:9092
//       --create --topic t --partitions 3 --replication-factor 3
//       --config min.insync.replicas=2
//   bazel run //:kafka-topics -- --bootstrap-server B --describe [--topic t]
//   bazel run //:kafka-topics -- --bootstrap-server B --describe
//       --under-replicated-partitions
//   bazel run //:kafka-topics -- --bootstrap-server B --alter --topic t
//       --partitions 6
//   bazel run //:kafka-topics -- --bootstrap-server B --delete --topic t
//   bazel run //:kafka-topics -- --bootstrap-server B --list
//
// Every action but --create first lists the topics (Metadata) and applies
// --topic to them, a regular expression as in Kafka; --describe then asks
// for their configs (DescribeConfigs: the configs that are not defaults, and
// min.insync.replicas for --under-min-isr-partitions). A request's error is
// printed as Kafka prints it ("Error while executing topic command : ...")
// and the exit code is 1.
#include <CLI/CLI.hpp>
#include <iostream>
#include <optional>

#include "chapters/05_controller/tools/admin_client.h"
#include "chapters/05_controller/tools/topic_command.h"

namespace kafka {
namespace {

// Versions as Kafka 3.x's Admin client sends them to a current broker.
constexpr int16_t kMetadataVersion = 12;
constexpr int16_t kCreateTopicsVersion = 7;
constexpr int16_t kCreatePartitionsVersion = 3;
constexpr int16_t kDeleteTopicsVersion = 6;
constexpr int16_t kDescribeConfigsVersion = 4;

enum class Action { kCreate, kList, kDescribe, kAlter, kDelete };

struct TopicsOptions {
  Action action = Action::kList;
  std::optional<std::string> topic;
  std::optional<int32_t> partitions;
  std::optional<int32_t> replication_factor;
  std::vector<CreateTopicsRequest::Config> configs;
  DescribeOptions describe;
  bool if_exists = false;
  bool if_not_exists = false;
  bool exclude_internal = false;
};

// Each action's requests, one after another on an AdminClient.
class TopicsCommand {
 public:
  TopicsCommand(AdminClient& client, TopicsOptions options)
      : client_(client), options_(std::move(options)) {}

  void Run() {
    if (options_.action == Action::kCreate) return Create();
    MetadataRequest all;  // null topics: every topic
    all.allow_auto_topic_creation = false;
    client_.Call<MetadataRequest, MetadataResponse>(
        ApiKey::kMetadata, kMetadataVersion, all,
        [this](MetadataResponse metadata) { OnTopics(std::move(metadata)); });
  }

 private:
  void Create() {
    CreateTopicsRequest request;
    request.topics.push_back(
        {.name = *options_.topic,
         .num_partitions = options_.partitions.value_or(-1),
         .replication_factor =
             int16_t(options_.replication_factor.value_or(-1)),
         .configs = options_.configs});
    client_.Call<CreateTopicsRequest, CreateTopicsResponse>(
        ApiKey::kCreateTopics, kCreateTopicsVersion, request,
        [this](CreateTopicsResponse created) {
          const auto& result = created.topics.at(0);
          const bool exists_ok =
              result.error_code == ErrorCode::kTopicAlreadyExists &&
              options_.if_not_exists;
          if (result.error_code == ErrorCode::kNone) {
            std::cout << "Created topic " << result.name << ".\n";
          } else if (!exists_ok) {
            return Fail(result.error_code, result.error_message);
          }
          client_.Finish(0);
        });
  }

  void OnTopics(MetadataResponse metadata) {
    metadata_ = std::move(metadata);
    Result<std::vector<std::string>> selected =
        SelectTopics(metadata_, options_.topic, options_.exclude_internal);
    if (!selected.ok()) return Usage(selected.error().message);
    topics_ = std::move(selected).value();
    const bool must_exist =
        options_.action != Action::kList && !options_.if_exists;
    if (must_exist && options_.topic && !options_.topic->empty() &&
        topics_.empty()) {
      return Usage(TopicDoesNotExist(*options_.topic));
    }
    switch (options_.action) {
      case Action::kList:
        std::cout << ListTopics(topics_);
        return client_.Finish(0);
      case Action::kDescribe:
        return DescribeConfigs();
      case Action::kAlter:
        return Alter();
      case Action::kDelete:
        return Delete();
      case Action::kCreate:
        break;  // handled in Run
    }
  }

  void DescribeConfigs() {
    if (topics_.empty()) return client_.Finish(0);
    DescribeConfigsRequest request;
    for (const std::string& name : topics_) {
      request.resources.push_back({.resource_type = kTopicResource,
                                   .resource_name = name,
                                   .configuration_keys = std::nullopt});
    }
    client_.Call<DescribeConfigsRequest, DescribeConfigsResponse>(
        ApiKey::kDescribeConfigs, kDescribeConfigsVersion, request,
        [this](DescribeConfigsResponse described) {
          std::map<std::string, TopicConfigs> configs;
          for (auto& result : described.results) {
            if (result.error_code != ErrorCode::kNone) {
              return Fail(result.error_code, result.error_message);
            }
            configs[result.resource_name] = std::move(result.configs);
          }
          std::set<int32_t> live_brokers;
          for (const auto& broker : metadata_.brokers) {
            live_brokers.insert(broker.node_id);
          }
          std::cout << DescribeTopics(metadata_, topics_, configs, live_brokers,
                                      options_.describe);
          client_.Finish(0);
        });
  }

  void Alter() {
    if (topics_.empty()) return client_.Finish(0);
    CreatePartitionsRequest request;
    for (const std::string& name : topics_) {
      request.topics.push_back({.name = name,
                                .count = *options_.partitions,
                                .assignments = std::nullopt});
    }
    client_.Call<CreatePartitionsRequest, CreatePartitionsResponse>(
        ApiKey::kCreatePartitions, kCreatePartitionsVersion, request,
        [this](CreatePartitionsResponse grown) {
          for (const auto& result : grown.results) {
            if (result.error_code != ErrorCode::kNone) {
              return Fail(result.error_code, result.error_message);
            }
          }
          client_.Finish(0);
        });
  }

  void Delete() {
    if (topics_.empty()) return client_.Finish(0);
    DeleteTopicsRequest request;
    for (const std::string& name : topics_) {
      request.topics.push_back({.name = name, .topic_id = Uuid()});
    }
    client_.Call<DeleteTopicsRequest, DeleteTopicsResponse>(
        ApiKey::kDeleteTopics, kDeleteTopicsVersion, request,
        [this](DeleteTopicsResponse deleted) {
          for (const auto& result : deleted.responses) {
            if (result.error_code != ErrorCode::kNone) {
              return Fail(result.error_code, result.error_message);
            }
          }
          client_.Finish(0);
        });
  }

  // A request failed: Kafka prints the exception on stdout.
  void Fail(ErrorCode code, const std::optional<std::string>& message) {
    std::cout << TopicCommandError(code, message) << "\n";
    client_.Finish(1);
  }

  // A wrong argument (IllegalArgumentException): on stderr.
  void Usage(const std::string& message) {
    std::cerr << message << "\n";
    client_.Finish(1);
  }

  AdminClient& client_;
  TopicsOptions options_;
  MetadataResponse metadata_;
  std::vector<std::string> topics_;
};

std::string_view ActionName(Action action) {
  switch (action) {
    case Action::kCreate:
      return "create";
    case Action::kList:
      return "list";
    case Action::kDescribe:
      return "describe";
    case Action::kAlter:
      return "alter";
    case Action::kDelete:
      return "delete";
  }
  return "";
}

// Kafka's CommandLineUtils.checkInvalidArgs text.
std::string CannotBeUsedWith(std::string_view option, Action action) {
  return "Option \"[" + std::string(option) +
         "]\" can't be used with option \"[" + std::string(ActionName(action)) +
         "]\"";
}

// The checks TopicCommandOptions makes before connecting; empty if fine.
std::string CheckArguments(const CLI::App& app, int actions,
                           const TopicsOptions& options) {
  if (actions != 1) {
    return "Command must include exactly one action: --list, --describe, "
           "--create, --alter or --delete";
  }
  if (app.count("--bootstrap-server") == 0) {
    return "--bootstrap-server must be specified";
  }
  const Action action = options.action;
  const bool lists = action == Action::kList || action == Action::kDescribe;
  if (!lists && !options.topic) return "Missing required argument \"[topic]\"";
  if (action == Action::kAlter && !options.partitions) {
    return "Missing required argument \"[partitions]\"";
  }
  if (!options.configs.empty() && action != Action::kCreate) {
    return CannotBeUsedWith("config", action);
  }
  if (options.partitions && action != Action::kCreate &&
      action != Action::kAlter) {
    return CannotBeUsedWith("partitions", action);
  }
  if (options.replication_factor && action != Action::kCreate) {
    return CannotBeUsedWith("replication-factor", action);
  }
  const DescribeOptions& report = options.describe;
  if ((report.ReportsPartitions() || report.topics_with_overrides) &&
      action != Action::kDescribe) {
    return CannotBeUsedWith("report option", action);
  }
  return "";
}

// --create's own checks (Kafka's IllegalArgumentException texts).
std::string CheckCreate(const TopicsOptions& options) {
  if (options.replication_factor && (*options.replication_factor < 1 ||
                                     *options.replication_factor > 32767)) {
    return "The replication factor must be between 1 and 32767 inclusive";
  }
  if (options.partitions && *options.partitions < 1) {
    return "The partitions must be greater than 0";
  }
  return "";
}

}  // namespace
}  // namespace kafka

int main(int argc, char** argv) {
  using kafka::Action;
  CLI::App app{
      "This tool helps to create, delete, describe, or change a topic."};
  kafka::TopicsOptions options;
  std::string bootstrap;
  bool create = false, list = false, describe = false, alter = false,
       remove = false;
  std::vector<std::string> configs;
  app.add_option("--bootstrap-server", bootstrap,
                 "REQUIRED: The Kafka server to connect to.");
  app.add_flag("--create", create, "Create a new topic.");
  app.add_flag("--list", list, "List all available topics.");
  app.add_flag("--describe", describe, "List details for the given topics.");
  app.add_flag("--alter", alter, "Alter the number of partitions.");
  app.add_flag("--delete", remove, "Delete a topic.");
  app.add_option("--topic", options.topic,
                 "The topic to create, alter, describe or delete. It also "
                 "accepts a regular expression, except for --create option.");
  app.add_option("--partitions", options.partitions,
                 "The number of partitions for the topic being created or "
                 "altered.");
  app.add_option("--replication-factor", options.replication_factor,
                 "The replication factor for each partition in the topic "
                 "being created.");
  app.add_option("--config", configs,
                 "A topic configuration override for the topic being "
                 "created, name=value (repeatable).");
  app.add_flag("--under-replicated-partitions",
               options.describe.under_replicated_partitions,
               "When describing topics, only show under-replicated "
               "partitions.");
  app.add_flag("--under-min-isr-partitions",
               options.describe.under_min_isr_partitions,
               "When describing topics, only show partitions whose isr count "
               "is less than the configured minimum.");
  app.add_flag("--at-min-isr-partitions",
               options.describe.at_min_isr_partitions,
               "When describing topics, only show partitions whose isr count "
               "is equal to the configured minimum.");
  app.add_flag("--unavailable-partitions",
               options.describe.unavailable_partitions,
               "When describing topics, only show partitions whose leader is "
               "not available.");
  app.add_flag("--topics-with-overrides",
               options.describe.topics_with_overrides,
               "When describing topics, only show topics that have "
               "overridden configs.");
  app.add_flag("--if-exists", options.if_exists,
               "When altering, deleting or describing topics, act only if "
               "the topic exists.");
  app.add_flag("--if-not-exists", options.if_not_exists,
               "When creating a topic, do not fail if it already exists.");
  app.add_flag("--exclude-internal", options.exclude_internal,
               "Exclude internal topics when listing or describing topics.");
  CLI11_PARSE(app, argc, argv);

  const int actions = create + list + describe + alter + remove;
  options.action = create     ? Action::kCreate
                   : describe ? Action::kDescribe
                   : alter    ? Action::kAlter
                   : remove   ? Action::kDelete
                              : Action::kList;
  auto parsed = kafka::ParseTopicConfigs(configs);
  if (!parsed.ok()) {
    std::cerr << parsed.error().message << "\n";
    return 1;
  }
  options.configs = std::move(parsed).value();
  std::string wrong = kafka::CheckArguments(app, actions, options);
  if (wrong.empty() && create) wrong = kafka::CheckCreate(options);
  if (!wrong.empty()) {
    std::cerr << wrong << "\n";
    return 1;
  }
  auto servers = kafka::ParseBootstrapServers(bootstrap);
  if (!servers.ok()) {
    std::cerr << "--bootstrap-server: " << servers.error().message << "\n";
    return 1;
  }
  if (create) {
    if (std::string warning = kafka::CollisionWarning(*options.topic);
        !warning.empty()) {
      std::cout << warning << "\n";
    }
  }
  std::optional<kafka::TopicsCommand> command;
  return kafka::RunAdminClient(std::move(servers).value(), "kafka-topics",
                               [&](kafka::AdminClient& client) {
                                 command.emplace(client, std::move(options));
                                 command->Run();
                               });
}
