/// \file
/// Replication control: the controller's rules for where a topic's replicas
/// go and how its partitions and configs may change, shared by Chapter 4's
/// StaticController and Chapter 5's QuorumController.
///
/// In Kafka these rules are ReplicationControlManager's (createTopics,
/// createPartitions, and validateAlterPartitionData for AlterPartition),
/// with its replica placer, and ConfigurationControlManager's for topic
/// configs. Here they are functions that decide and change nothing: each
/// controller keeps its own state (the static controller in memory, the
/// quorum controller in the MetadataImage the metadata log builds) and
/// carries out what they decide its own way (in place, or as metadata
/// records). What they need to know of that state is passed in: the brokers
/// as the controller sees them now (ClusterBrokers), the topic's partitions
/// or configs, and the defaults new topics take.
///
/// The placement is Kafka's rack-unaware one (AdminUtils.
/// assignReplicasToBrokers); KRaft's StripedReplicaPlacer spreads replicas
/// over racks too, and is otherwise alike.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "chapters/01_log/log_config.h"
#include "chapters/02_partitions/log_manager.h"
#include "chapters/04_replication/partition_state.h"
#include "lib/error.h"
#include "lib/protocol/admin.h"
#include "lib/protocol/alter_partition.h"
#include "lib/protocol/create_topics.h"

namespace kafka {

/// The brokers as a controller sees them now.
struct ClusterBrokers {
  /// Every broker the controller knows of, in id order.
  std::vector<NodeId> registered;
  /// The registered brokers that may take new replicas, lead, and join an
  /// ISR: not fenced and not in controlled shutdown; in id order.
  std::vector<NodeId> active;
  /// Each registered broker's epoch (KRaft: the offset of its registration
  /// record); empty where brokers have none (Chapter 4's static controller).
  std::map<NodeId, int64_t> epochs;

  bool IsRegistered(NodeId id) const;
  bool IsActive(NodeId id) const;
  /// Whether `member` may join an ISR (Kafka's isEligibleReplica): active,
  /// and, when the leader names the epoch it saw `member` fetch with (not
  /// -1), that epoch is the broker's registration's. A fetch from an
  /// incarnation that has since restarted names an older one (KIP-903).
  bool IsIsrEligible(const AlterPartitionRequest::BrokerState& member) const;
};

/// What a new topic gets when CreateTopics leaves it to the controller.
struct NewTopicDefaults {
  int32_t num_partitions = 1;              ///< num.partitions
  int16_t default_replication_factor = 1;  ///< default.replication.factor
  /// The topic configs' defaults: new and changed configs are checked
  /// against them, and CreateTopics reports them.
  LogConfig log;
};

/// Each partition's replicas, by partition index from the first one meant.
using ReplicaAssignment = std::vector<std::vector<NodeId>>;

/// Kafka's LeaderRecoveryState as AlterPartition carries it (KIP-704):
/// a leader elected uncleanly is RECOVERING until it says RECOVERED.
inline constexpr int8_t kLeaderRecovered = 0;
inline constexpr int8_t kLeaderRecovering = 1;

/// UNKNOWN_TOPIC_OR_PARTITION, naming the topic.
Error UnknownTopic(const std::string& topic);

/// Kafka's rack-unaware replica assignment (AdminUtils): `partitions` new
/// partitions, numbered from `first_partition`, of `replication_factor`
/// replicas each, on `brokers` (sorted ids). Partition p's first replica is
/// brokers[(p + start_index) % n]; its followers follow it at a distance
/// that `shift` sets and that grows by one every n partitions, so that a
/// broker's followers are spread over the others rather than bunched on its
/// neighbour. The replication factor must not exceed the brokers.
ReplicaAssignment AssignReplicasToBrokers(const std::vector<NodeId>& brokers,
                                          int32_t first_partition,
                                          int32_t partitions,
                                          int16_t replication_factor,
                                          int32_t start_index, int32_t shift);

/// Checks a manual assignment (INVALID_REPLICA_ASSIGNMENT): every partition
/// the same number of replicas, at least one, no broker twice, every broker
/// registered, an active broker in each (it will lead).
Status CheckAssignment(const ReplicaAssignment& replicas,
                       const ClusterBrokers& brokers);

/// Whether `topic`, one of `request`'s topics, may be created, and if so
/// its partitions' replicas: a name given once in the request, a legal
/// name, no topic of that name (`exists`), replicas as assigned or placed on
/// the active brokers (from a random start), configs that parse.
Result<ReplicaAssignment> CheckNewTopic(const CreateTopicsRequest& request,
                                        const CreateTopicsRequest::Topic& topic,
                                        bool exists,
                                        const ClusterBrokers& brokers,
                                        const NewTopicDefaults& defaults,
                                        std::mt19937_64& random);

/// The configs CreateTopics sets for `topic`: those with a value.
TopicConfigOverrides ConfigsOf(const CreateTopicsRequest::Topic& topic);

/// CreateTopics' answer for `topic` but its id: why it may not be created,
/// or its partitions, replication factor and configs (v5+: every config,
/// set for the topic, else the default with its source).
CreateTopicsResponse::Result NewTopicResult(
    const CreateTopicsRequest::Topic& topic,
    const Result<ReplicaAssignment>& placed, const LogConfig& defaults);

/// The replicas of the partitions CreatePartitions adds to a topic of
/// `current` partitions whose partition 0 has `first_replicas`: as assigned
/// (checked with partition 0's size), or placed on the active brokers
/// from where partition 0's leader stands, as Kafka grows a topic.
Result<ReplicaAssignment> PlacePartitions(
    const CreatePartitionsRequest::Topic& topic, int32_t current,
    const std::vector<NodeId>& first_replicas, const ClusterBrokers& brokers);

/// A new partition's ISR: its active replicas, in assignment order (after
/// CheckAssignment or placement, at least one; the first leads).
std::vector<NodeId> InitialIsr(const std::vector<NodeId>& replicas,
                               const ClusterBrokers& brokers);

/// Whether DeleteTopics may delete `topic`: not an internal topic (as
/// Chapter 2's broker, the group coordinator's topic stays).
Status CheckDeletable(const std::string& topic);

/// IncrementalAlterConfigs of one resource: the topic's configs after the
/// changes, if they parse against `defaults`. Only topics (INVALID_REQUEST
/// otherwise); `current` is the topic's configs now, null if there is no
/// such topic (UNKNOWN_TOPIC_OR_PARTITION).
Result<TopicConfigOverrides> AlterTopicConfigs(
    const IncrementalAlterConfigsRequest::Resource& resource,
    const TopicConfigOverrides* current, const LogConfig& defaults);

/// unclean.leader.election.enable for a topic with these configs: its own
/// value, else the cluster's (Kafka's ConfigurationControlManager.
/// uncleanLeaderElectionEnabledForTopic).
bool UncleanLeaderElectionEnabled(const TopicConfigOverrides& topic_configs,
                                  bool cluster_default);

/// Kafka's checks of one AlterPartition proposal from `broker`
/// (ReplicationControlManager.validateAlterPartitionData), in its order, on
/// a partition now in `current` whose leader recovery state is
/// `recovery_state`: NOT_CONTROLLER for epochs newer than the controller's
/// (the asker has heard of a newer controller), FENCED_LEADER_EPOCH for an
/// older leader epoch, INVALID_REQUEST if `broker` does not lead,
/// INVALID_UPDATE_VERSION for an older partition epoch, INVALID_REQUEST for
/// an ISR that is not a set of the replicas or lacks the leader, for
/// RECOVERING with more than the leader in the ISR, or for RECOVERING once
/// RECOVERED; for an ISR naming a broker that is not eligible (see
/// ClusterBrokers::IsIsrEligible), OPERATION_NOT_ATTEMPTED in request
/// `version` 0 or 1, INELIGIBLE_REPLICA from 2 (KIP-841). NONE if it may be
/// applied.
ErrorCode CheckAlterPartition(const PartitionState& current,
                              int8_t recovery_state, NodeId broker,
                              const AlterPartitionRequest::Partition& proposal,
                              const ClusterBrokers& brokers, int16_t version);

}  // namespace kafka
