#include "chapters/04_replication/replication_control.h"

#include <algorithm>

#include "chapters/02_partitions/topic_admin.h"

namespace kafka {
namespace {

bool Contains(const std::vector<NodeId>& ids, NodeId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

bool HasRepeats(std::vector<NodeId> ids) {
  std::sort(ids.begin(), ids.end());
  return std::adjacent_find(ids.begin(), ids.end()) != ids.end();
}

// Kafka's Replicas.validateIsr: every member a replica, none twice.
bool IsSetOfReplicas(const std::vector<NodeId>& isr,
                     const std::vector<NodeId>& replicas) {
  return !HasRepeats(isr) &&
         std::all_of(isr.begin(), isr.end(),
                     [&](NodeId id) { return Contains(replicas, id); });
}

Error InvalidAssignment(const std::string& message) {
  return Error{ErrorCode::kInvalidReplicaAssignment, message};
}

Error TooFewBrokers(int32_t replication_factor, size_t brokers) {
  const std::string factor = std::to_string(replication_factor);
  return Error{ErrorCode::kInvalidReplicationFactor,
               "Unable to replicate the partition " + factor +
                   " time(s): The target replication factor of " + factor +
                   " cannot be reached because only " +
                   std::to_string(brokers) + " broker(s) are registered."};
}

Status CheckPartitionAssignment(const std::vector<NodeId>& partition,
                                size_t replication_factor,
                                const ClusterBrokers& brokers) {
  if (partition.empty() || partition.size() != replication_factor) {
    return InvalidAssignment(
        "every partition needs the same number of replicas, at least one");
  }
  if (HasRepeats(partition)) {
    return InvalidAssignment("a partition names a broker more than once");
  }
  for (NodeId id : partition) {
    if (!brokers.IsRegistered(id)) {
      return InvalidAssignment("no broker " + std::to_string(id) +
                               " is registered");
    }
  }
  if (std::none_of(partition.begin(), partition.end(),
                   [&](NodeId id) { return brokers.IsActive(id); })) {
    return InvalidAssignment(
        "every broker assigned a partition is fenced or in controlled "
        "shutdown");
  }
  return Status();
}

// CreateTopics' replica_assignment: partitions in order from 0.
Result<ReplicaAssignment> AssignedReplicas(
    const CreateTopicsRequest::Topic& topic, const ClusterBrokers& brokers) {
  if (topic.num_partitions != -1 || topic.replication_factor != -1) {
    return Error{ErrorCode::kInvalidRequest,
                 "A manual partition assignment was specified, but the "
                 "partitions or replication factor was not -1."};
  }
  ReplicaAssignment replicas;
  for (const auto& assignment : topic.assignments) {
    if (assignment.partition_index != int32_t(replicas.size())) {
      return InvalidAssignment("partitions must be assigned in order from 0");
    }
    replicas.push_back(assignment.broker_ids);
  }
  if (Status checked = CheckAssignment(replicas, brokers); !checked.ok()) {
    return checked.error();
  }
  return replicas;
}

// Each partition's replicas as asked, or as placed; or why not.
Result<ReplicaAssignment> PlaceTopic(const CreateTopicsRequest::Topic& topic,
                                     const ClusterBrokers& brokers,
                                     const NewTopicDefaults& defaults,
                                     std::mt19937_64& random) {
  if (!topic.assignments.empty()) return AssignedReplicas(topic, brokers);
  const int32_t partitions = topic.num_partitions == -1
                                 ? defaults.num_partitions
                                 : topic.num_partitions;
  const int16_t factor = topic.replication_factor == -1
                             ? defaults.default_replication_factor
                             : topic.replication_factor;
  if (partitions <= 0) {
    return Error{ErrorCode::kInvalidPartitions,
                 "Number of partitions was set to an invalid non-positive "
                 "value."};
  }
  if (factor <= 0) {
    return Error{ErrorCode::kInvalidReplicationFactor,
                 "Replication factor must be larger than 0, or -1 to use "
                 "the default value."};
  }
  const std::vector<NodeId>& active = brokers.active;
  if (size_t(factor) > active.size()) {
    return TooFewBrokers(factor, active.size());
  }
  std::uniform_int_distribution<int32_t> any(0, int32_t(active.size()) - 1);
  const int32_t start = any(random);
  const int32_t shift = any(random);
  return AssignReplicasToBrokers(active, 0, partitions, factor, start, shift);
}

// A new topic's configs as CreateTopics (v5+) reports them: set for the
// topic, else the default the controller was given, with its source.
std::vector<CreateTopicsResponse::Config> DescribeConfigs(
    const TopicConfigOverrides& set, const LogConfig& defaults) {
  std::vector<CreateTopicsResponse::Config> configs;
  for (const TopicConfigDefinition& definition : TopicConfigDefinitions()) {
    CreateTopicsResponse::Config& config = configs.emplace_back(
        CreateTopicsResponse::Config{.name = std::string(definition.name)});
    const std::string value = TopicConfigValue(defaults, definition.name);
    if (auto found = set.find(config.name); found != set.end()) {
      config.value = found->second;
      config.config_source = kDynamicTopicConfig;
    } else {
      config.value = value;
      config.config_source =
          value == TopicConfigValue(LogConfig{}, definition.name)
              ? kDefaultConfig
              : kStaticBrokerConfig;
    }
  }
  return configs;
}

Status CheckConfigs(const TopicConfigOverrides& configs,
                    const LogConfig& defaults) {
  return ParseTopicConfigs({configs.begin(), configs.end()}, defaults).status();
}

}  // namespace

bool ClusterBrokers::IsRegistered(NodeId id) const {
  return Contains(registered, id);
}

bool ClusterBrokers::IsActive(NodeId id) const { return Contains(active, id); }

bool ClusterBrokers::IsIsrEligible(
    const AlterPartitionRequest::BrokerState& member) const {
  if (!IsActive(member.broker_id)) return false;
  auto registered = epochs.find(member.broker_id);
  return member.broker_epoch == -1 || registered == epochs.end() ||
         registered->second == member.broker_epoch;
}

Error UnknownTopic(const std::string& topic) {
  return Error{ErrorCode::kUnknownTopicOrPartition,
               "topic '" + topic + "' does not exist"};
}

//! [assign replicas]
ReplicaAssignment AssignReplicasToBrokers(const std::vector<NodeId>& brokers,
                                          int32_t first_partition,
                                          int32_t partitions,
                                          int16_t replication_factor,
                                          int32_t start_index, int32_t shift) {
  const int32_t n = int32_t(brokers.size());
  ReplicaAssignment assignment;
  for (int32_t p = first_partition; p < first_partition + partitions; ++p) {
    // Every n partitions the followers move one further away, so that two
    // rounds of leaders do not have the same followers.
    if (p > 0 && p % n == 0) ++shift;
    const int32_t first = (p + start_index) % n;
    std::vector<NodeId>& replicas = assignment.emplace_back();
    replicas.push_back(brokers[size_t(first)]);
    for (int32_t j = 0; j < replication_factor - 1; ++j) {
      // 1 to n-1 brokers on: never the first replica's own broker again.
      const int32_t distance = 1 + (shift + j) % (n - 1);
      replicas.push_back(brokers[size_t((first + distance) % n)]);
    }
  }
  return assignment;
}
//! [assign replicas]

Status CheckAssignment(const ReplicaAssignment& replicas,
                       const ClusterBrokers& brokers) {
  for (const std::vector<NodeId>& partition : replicas) {
    Status checked =
        CheckPartitionAssignment(partition, replicas[0].size(), brokers);
    if (!checked.ok()) return checked;
  }
  return Status();
}

Result<ReplicaAssignment> CheckNewTopic(const CreateTopicsRequest& request,
                                        const CreateTopicsRequest::Topic& topic,
                                        bool exists,
                                        const ClusterBrokers& brokers,
                                        const NewTopicDefaults& defaults,
                                        std::mt19937_64& random) {
  if (std::count_if(request.topics.begin(), request.topics.end(),
                    [&](const auto& t) { return t.name == topic.name; }) > 1) {
    return Error{ErrorCode::kInvalidRequest, "Duplicate topic name."};
  }
  if (Status valid = ValidateTopicName(topic.name); !valid.ok()) {
    return valid.error();
  }
  if (exists) {
    return Error{ErrorCode::kTopicAlreadyExists,
                 "Topic '" + topic.name + "' already exists."};
  }
  Result<ReplicaAssignment> placed =
      PlaceTopic(topic, brokers, defaults, random);
  if (!placed.ok()) return placed;
  if (Status parsed = CheckConfigs(ConfigsOf(topic), defaults.log);
      !parsed.ok()) {
    return parsed.error();
  }
  return placed;
}

TopicConfigOverrides ConfigsOf(const CreateTopicsRequest::Topic& topic) {
  TopicConfigOverrides configs;
  for (const auto& config : topic.configs) {
    if (config.value) configs[config.name] = *config.value;
  }
  return configs;
}

CreateTopicsResponse::Result NewTopicResult(
    const CreateTopicsRequest::Topic& topic,
    const Result<ReplicaAssignment>& placed, const LogConfig& defaults) {
  CreateTopicsResponse::Result result{.name = topic.name};
  result.configs.emplace();  // none, rather than withheld (null)
  if (!placed.ok()) {
    result.error_code = placed.error().code;
    result.error_message = placed.error().message;
    return result;
  }
  result.num_partitions = int32_t(placed->size());
  result.replication_factor = int16_t((*placed)[0].size());
  result.configs = DescribeConfigs(ConfigsOf(topic), defaults);
  return result;
}

Result<ReplicaAssignment> PlacePartitions(
    const CreatePartitionsRequest::Topic& topic, int32_t current,
    const std::vector<NodeId>& first_replicas, const ClusterBrokers& brokers) {
  if (topic.count < current) {
    return Error{ErrorCode::kInvalidPartitions,
                 "Topic currently has " + std::to_string(current) +
                     " partitions, which is higher than the requested " +
                     std::to_string(topic.count) + "."};
  }
  if (topic.count == current) {
    return Error{
        ErrorCode::kInvalidPartitions,
        "Topic already has " + std::to_string(current) + " partition(s)."};
  }
  if (topic.assignments) {
    if (int32_t(topic.assignments->size()) != topic.count - current) {
      return InvalidAssignment("Attempted to add " +
                               std::to_string(topic.count - current) +
                               " additional partition(s), but only " +
                               std::to_string(topic.assignments->size()) +
                               " assignment(s) were specified.");
    }
    ReplicaAssignment replicas;
    for (const auto& assignment : *topic.assignments) {
      Status checked = CheckPartitionAssignment(assignment.broker_ids,
                                                first_replicas.size(), brokers);
      if (!checked.ok()) return checked.error();
      replicas.push_back(assignment.broker_ids);
    }
    return replicas;
  }
  const std::vector<NodeId>& active = brokers.active;
  if (first_replicas.size() > active.size()) {
    return TooFewBrokers(int32_t(first_replicas.size()), active.size());
  }
  // As Kafka grows a topic: start where partition 0's leader stands.
  const auto at =
      std::lower_bound(active.begin(), active.end(), first_replicas[0]);
  const int32_t start =
      at == active.end() ? 0 : int32_t(std::distance(active.begin(), at));
  return AssignReplicasToBrokers(active, current, topic.count - current,
                                 int16_t(first_replicas.size()), start, start);
}

std::vector<NodeId> InitialIsr(const std::vector<NodeId>& replicas,
                               const ClusterBrokers& brokers) {
  std::vector<NodeId> isr;
  for (NodeId replica : replicas) {
    if (brokers.IsActive(replica)) isr.push_back(replica);
  }
  return isr;
}

Status CheckDeletable(const std::string& topic) {
  if (IsInternalTopic(topic)) {
    return Error{
        ErrorCode::kInvalidRequest,
        "topic '" + topic + "' is an internal topic and cannot be deleted"};
  }
  return Status();
}

Result<TopicConfigOverrides> AlterTopicConfigs(
    const IncrementalAlterConfigsRequest::Resource& resource,
    const TopicConfigOverrides* current, const LogConfig& defaults) {
  if (resource.resource_type != kTopicResource) {
    return Error{ErrorCode::kInvalidRequest,
                 "the controller changes topic configs only"};
  }
  if (!current) return UnknownTopic(resource.resource_name);
  std::vector<ConfigChange> changes;
  for (const auto& config : resource.configs) {
    changes.push_back({config.name,
                       ConfigChange::Operation(config.config_operation),
                       config.value.value_or("")});
  }
  Result<TopicConfigOverrides> after = ApplyConfigChanges(*current, changes);
  if (!after.ok()) return after;
  if (Status legal = CheckConfigs(*after, defaults); !legal.ok()) {
    return legal.error();
  }
  return after;
}

bool UncleanLeaderElectionEnabled(const TopicConfigOverrides& topic_configs,
                                  bool cluster_default) {
  auto set = topic_configs.find(std::string(kUncleanLeaderElectionEnable));
  if (set == topic_configs.end()) return cluster_default;
  // Stored only after ParseTopicConfigs accepted it.
  return ParseBooleanConfig(set->second).value_or(cluster_default);
}

//! [check alter partition]
ErrorCode CheckAlterPartition(const PartitionState& current,
                              int8_t recovery_state, NodeId broker,
                              const AlterPartitionRequest::Partition& proposal,
                              const ClusterBrokers& brokers, int16_t version) {
  const std::vector<NodeId> new_isr = ProposedIsr(proposal);
  if (proposal.leader_epoch > current.leader_epoch ||
      proposal.partition_epoch > current.partition_epoch) {
    return ErrorCode::kNotController;
  }
  if (proposal.leader_epoch < current.leader_epoch) {
    return ErrorCode::kFencedLeaderEpoch;
  }
  if (broker != current.leader) return ErrorCode::kInvalidRequest;
  if (proposal.partition_epoch < current.partition_epoch) {
    return ErrorCode::kInvalidUpdateVersion;
  }
  if (!IsSetOfReplicas(new_isr, current.replicas) ||
      !Contains(new_isr, current.leader)) {
    return ErrorCode::kInvalidRequest;
  }
  // A leader elected uncleanly (KIP-704) keeps the ISR to itself until it
  // says RECOVERED: nobody else's log is known to match its own. And a
  // recovered partition never goes back to recovering.
  if (proposal.leader_recovery_state == kLeaderRecovering &&
      (new_isr.size() > 1 || recovery_state == kLeaderRecovered)) {
    return ErrorCode::kInvalidRequest;
  }
  if (proposal.leader_recovery_state != kLeaderRecovering &&
      proposal.leader_recovery_state != kLeaderRecovered) {
    return ErrorCode::kInvalidRequest;  // no such state
  }
  for (const AlterPartitionRequest::BrokerState& member :
       ProposedIsrWithEpochs(proposal)) {
    if (!brokers.IsIsrEligible(member)) {
      return version >= 2 ? ErrorCode::kIneligibleReplica
                          : ErrorCode::kOperationNotAttempted;
    }
  }
  return ErrorCode::kNone;
}
//! [check alter partition]

}  // namespace kafka
