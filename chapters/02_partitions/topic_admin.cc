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

}  // namespace

void LocalTopicAdmin::CreateTopic(const CreateTopicsRequest::Topic& topic,
                                  bool validate_only, Done done) {
  done(Create(topic, validate_only));
}

void LocalTopicAdmin::CreatePartitions(
    const CreatePartitionsRequest::Topic& topic, bool validate_only,
    Done done) {
  done(Grow(topic, validate_only));
}

Status LocalTopicAdmin::Create(const CreateTopicsRequest::Topic& topic,
                               bool validate_only) {
  const NodeId self = defaults_.broker_id;
  int32_t partitions = topic.num_partitions == -1 ? defaults_.num_partitions
                                                  : topic.num_partitions;
  if (!topic.assignments.empty()) {
    partitions = int32_t(topic.assignments.size());
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
  Status created = logs_.CreateTopic(topic.name, partitions, *log_config,
                                     env_.NowMs(), Uuid::Random(env_.random()));
  if (created.ok()) LeadPartitionsFrom(topic.name, 0);
  return created;
}

Status LocalTopicAdmin::Grow(const CreatePartitionsRequest::Topic& topic,
                             bool validate_only) {
  for (const auto& replicas :
       topic.assignments.value_or(std::vector<std::vector<int32_t>>{})) {
    if (!IsOnlyThisBroker(replicas, defaults_.broker_id)) {
      return OneBrokerOnly(defaults_.broker_id);
    }
  }
  if (validate_only) return logs_.CanAddPartitions(topic.name, topic.count);
  const int32_t before = logs_.PartitionCount(topic.name);
  Status grown = logs_.AddPartitions(topic.name, topic.count, env_.NowMs());
  if (grown.ok()) LeadPartitionsFrom(topic.name, before);
  return grown;
}

void LocalTopicAdmin::LeadPartitionsFrom(const std::string& topic,
                                         int32_t first) {
  std::vector<TopicPartition> created;
  for (int32_t p = first; p < logs_.PartitionCount(topic); ++p) {
    created.push_back({topic, p});
  }
  replicas_.BecomeLeader(created);
}

}  // namespace kafka
