#include "chapters/02_partitions/topic_admin.h"

#include <string>
#include <utility>
#include <vector>

namespace kafka {
namespace {

// With one broker, a replica set is this broker alone.
bool IsOnlyThisBroker(const std::vector<int32_t>& replicas, NodeId self) {
  return replicas.size() == 1 && replicas[0] == self;
}

Error OneBrokerOnly(NodeId self) {
  return Error{ErrorCode::kInvalidReplicaAssignment,
               "this cluster has one broker, " + std::to_string(self)};
}

// Kafka's file.delete.delay.ms default: how long a deleted partition's
// renamed directory stays before it is removed.
constexpr int64_t kFileDeleteDelayMs = 60'000;

bool IsTopicConfig(const std::string& name) {
  for (const TopicConfigDefinition& config : TopicConfigDefinitions()) {
    if (config.name == name) return true;
  }
  return false;
}

const char* OperationName(ConfigChange::Operation operation) {
  return operation == ConfigChange::Operation::kAppend ? "APPEND" : "SUBTRACT";
}

Status ApplyConfigChange(const ConfigChange& change,
                         TopicConfigOverrides& configs) {
  if (!IsTopicConfig(change.name)) {
    return Error{ErrorCode::kInvalidConfig,
                 "Unknown topic config name: " + change.name};
  }
  switch (change.operation) {
    case ConfigChange::Operation::kSet:
      configs[change.name] = change.value;
      return Status();
    case ConfigChange::Operation::kDelete:
      configs.erase(change.name);
      return Status();
    case ConfigChange::Operation::kAppend:
    case ConfigChange::Operation::kSubtract:
      break;
  }
  return Error{ErrorCode::kInvalidConfig,
               std::string("Can't ") + OperationName(change.operation) +
                   " to key " + change.name + " because its type is not LIST."};
}

// DescribeConfigs' sources (Kafka's ConfigSource).
constexpr int8_t kDynamicTopicConfig = 1;
constexpr int8_t kStaticBrokerConfig = 4;
constexpr int8_t kDefaultConfig = 5;

// A config of a new topic, as DescribeConfigs would show it: set for the
// topic, else the broker's setting if server.properties changed it, else
// Kafka's default.
CreateTopicsResponse::Config ConfigOf(const TopicConfigDefinition& definition,
                                      const TopicConfigOverrides& set,
                                      const LogConfig& broker_defaults) {
  CreateTopicsResponse::Config config{.name = std::string(definition.name)};
  const std::string broker_value =
      TopicConfigValue(broker_defaults, definition.name);
  if (auto found = set.find(config.name); found != set.end()) {
    config.value = found->second;
    config.config_source = kDynamicTopicConfig;
  } else {
    config.value = broker_value;
    config.config_source =
        broker_value == TopicConfigValue(LogConfig{}, definition.name)
            ? kDefaultConfig
            : kStaticBrokerConfig;
  }
  return config;
}

}  // namespace

Result<TopicConfigOverrides> ApplyConfigChanges(
    TopicConfigOverrides configs, const std::vector<ConfigChange>& changes) {
  for (const ConfigChange& change : changes) {
    if (Status applied = ApplyConfigChange(change, configs); !applied.ok()) {
      return applied.error();
    }
  }
  return configs;
}

void LocalTopicAdmin::CreateTopic(const CreateTopicsRequest::Topic& topic,
                                  bool validate_only, Done done) {
  done(Create(topic, validate_only));
}

void LocalTopicAdmin::CreatePartitions(
    const CreatePartitionsRequest::Topic& topic, bool validate_only,
    Done done) {
  done(Grow(topic, validate_only));
}

void LocalTopicAdmin::AlterTopicConfigs(
    const std::string& topic, const std::vector<ConfigChange>& changes,
    bool validate_only, Done done) {
  done(AlterConfigs(topic, changes, validate_only));
}

void LocalTopicAdmin::DeleteTopic(const std::string& topic, Done done) {
  done(Delete(topic));
}

void LocalTopicAdmin::AddPartitionsDeletedListener(
    PartitionsDeletedListener listener) {
  deletion_listeners_.push_back(std::move(listener));
}

int32_t LocalTopicAdmin::PartitionCountOf(
    const CreateTopicsRequest::Topic& topic) const {
  if (!topic.assignments.empty()) return int32_t(topic.assignments.size());
  return topic.num_partitions == -1 ? defaults_.num_partitions
                                    : topic.num_partitions;
}

Status LocalTopicAdmin::Create(const CreateTopicsRequest::Topic& topic,
                               bool validate_only) {
  const NodeId self = defaults_.broker_id;
  const int32_t partitions = PartitionCountOf(topic);
  if (!topic.assignments.empty()) {
    for (const auto& assignment : topic.assignments) {
      if (!IsOnlyThisBroker(assignment.broker_ids, self)) {
        return OneBrokerOnly(self);
      }
    }
  } else if (topic.replication_factor != -1 && topic.replication_factor != 1) {
    return Error{ErrorCode::kInvalidReplicationFactor,
                 "replication factor " +
                     std::to_string(topic.replication_factor) +
                     " larger than available brokers: 1"};
  }
  std::vector<std::pair<std::string, std::string>> configs;
  for (const auto& config : topic.configs) {
    if (config.value) configs.emplace_back(config.name, *config.value);
  }
  Result<LogConfig> log_config = ParseTopicConfigs(configs, defaults_.log);
  if (!log_config.ok()) return log_config.status();
  if (validate_only) return logs_.CanCreateTopic(topic.name, partitions);
  // The controller draws a new topic's id in Kafka; here, this broker does.
  Status created =
      logs_.CreateTopic(topic.name, partitions,
                        TopicConfigOverrides(configs.begin(), configs.end()),
                        env_.NowMs(), Uuid::Random(env_.random()));
  if (created.ok()) LeadPartitionsFrom(topic.name, 0);
  return created;
}

CreatedTopic LocalTopicAdmin::DescribeCreatedTopic(
    const CreateTopicsRequest::Topic& topic) const {
  CreatedTopic created;
  created.topic_id = logs_.TopicId(topic.name).value_or(Uuid());
  created.num_partitions = PartitionCountOf(topic);
  created.replication_factor = 1;  // one broker, one replica
  TopicConfigOverrides set;
  for (const auto& config : topic.configs) {
    if (config.value) set.emplace(config.name, *config.value);
  }
  for (const TopicConfigDefinition& definition : TopicConfigDefinitions()) {
    created.configs.push_back(ConfigOf(definition, set, defaults_.log));
  }
  return created;
}

Status LocalTopicAdmin::Grow(const CreatePartitionsRequest::Topic& topic,
                             bool validate_only) {
  for (const auto& assignment : topic.assignments.value_or(
           std::vector<CreatePartitionsRequest::Assignment>{})) {
    if (!IsOnlyThisBroker(assignment.broker_ids, defaults_.broker_id)) {
      return OneBrokerOnly(defaults_.broker_id);
    }
  }
  if (validate_only) return logs_.CanAddPartitions(topic.name, topic.count);
  const int32_t before = logs_.PartitionCount(topic.name);
  Status grown = logs_.AddPartitions(topic.name, topic.count, env_.NowMs());
  if (grown.ok()) LeadPartitionsFrom(topic.name, before);
  return grown;
}

Status LocalTopicAdmin::AlterConfigs(const std::string& topic,
                                     const std::vector<ConfigChange>& changes,
                                     bool validate_only) {
  std::optional<TopicConfigOverrides> current = logs_.TopicConfigs(topic);
  if (!current) {
    return Error{ErrorCode::kUnknownTopicOrPartition,
                 "topic '" + topic + "' does not exist"};
  }
  Result<TopicConfigOverrides> configs =
      ApplyConfigChanges(std::move(*current), changes);
  if (!configs.ok()) return configs.status();
  if (validate_only) {
    return ParseTopicConfigs({configs->begin(), configs->end()}, defaults_.log)
        .status();
  }
  return logs_.AlterTopicConfigs(topic, *configs);
}

//! [delete topic]
Status LocalTopicAdmin::Delete(const std::string& topic) {
  const int32_t partitions = logs_.PartitionCount(topic);
  if (partitions == 0) {
    return Error{ErrorCode::kUnknownTopicOrPartition,
                 "topic '" + topic + "' does not exist"};
  }
  // Kafka's broker would delete it (only its tools refuse); here the group
  // coordinator keeps its state in __consumer_offsets and cannot lose it.
  if (IsInternalTopic(topic)) {
    return Error{
        ErrorCode::kInvalidRequest,
        "topic '" + topic + "' is an internal topic and cannot be deleted"};
  }
  std::vector<TopicPartition> deleted;
  for (int32_t p = 0; p < partitions; ++p) deleted.push_back({topic, p});
  // No append or read may reach the logs once they are gone.
  replicas_.StopReplicas(deleted);
  Status marked = logs_.DeleteTopic(topic, env_.random());
  env_.StartTimer(kFileDeleteDelayMs,
                  [this] { logs_.DeleteLogsMarkedForDeletion(); });
  if (marked.ok()) {
    for (const auto& listener : deletion_listeners_) listener(deleted);
  }
  return marked;
}
//! [delete topic]

void LocalTopicAdmin::LeadPartitionsFrom(const std::string& topic,
                                         int32_t first) {
  std::vector<TopicPartition> created;
  for (int32_t p = first; p < logs_.PartitionCount(topic); ++p) {
    created.push_back({topic, p});
  }
  replicas_.BecomeLeader(created);
}

}  // namespace kafka
