/// \file
/// The static controller: Chapter 4's stand-in for Kafka's controller.
///
/// Replication needs someone above the brokers to decide where each
/// partition's replicas live, which replica leads, and who is in sync, and
/// to count those decisions with epochs, so that a broker acting on an old
/// decision can be told so. In Kafka that is the controller (in KRaft the
/// QuorumController, its partition rules in ReplicationControlManager). This
/// chapter's controller is a single node that knows a fixed list of brokers
/// and keeps its decisions in memory only; Chapter 5 replaces it with a
/// quorum of controllers that write every decision to the metadata log, so
/// that it survives a crash. The interfaces stay: brokers send it the
/// requests they will send Chapter 5's controller, and take its decisions
/// the same way.
///
/// What it does, with Kafka's rules:
///
///   - CreateTopics and CreatePartitions: places replicas with Kafka's
///     rack-unaware assignment (AdminUtils.assignReplicasToBrokers: a random
///     first broker, followers shifted so that they spread), the first
///     replica leads, the ISR is every replica, epochs start at 0. These
///     rules, and AlterPartition's, are replication_control.h's, which
///     Chapter 5's controller shares.
///   - DeleteTopics: forgets the topic; the brokers delete their replicas
///     when the next UpdateMetadata no longer names it.
///   - IncrementalAlterConfigs of topics (forwarded by the brokers): keeps
///     each topic's configs, as ConfigurationControlManager does, and sends
///     them with the partitions (a field of UpdateMetadata that is this
///     project's: Kafka's brokers read configs from the metadata log).
///   - AlterPartition: a leader's proposed ISR, checked as
///     ReplicationControlManager checks it; accepted, the partition epoch
///     rises.
///   - ElectLeader, FenceBroker, UnfenceBroker: what Kafka's controller does
///     when an operator asks for an election or a broker's session ends or
///     begins again; here tests and demos call them.
///   - UpdateMetadata to every broker after each change and every
///     push_interval_ms: the whole cluster each time, so a broker that was
///     down learns it all from the next push.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "chapters/01_log/log_config.h"
#include "chapters/02_partitions/log_manager.h"
#include "chapters/02_partitions/metadata_cache.h"
#include "chapters/04_replication/partition_state.h"
#include "chapters/04_replication/replication_control.h"
#include "lib/node/request_handlers.h"
#include "lib/protocol/admin.h"
#include "lib/protocol/alter_partition.h"
#include "lib/protocol/create_topics.h"
#include "lib/protocol/messages/delete_topics_request.h"
#include "lib/protocol/messages/delete_topics_response.h"

namespace kafka {

/// The controller epoch UpdateMetadata carries: one controller that never
/// changes. (Chapter 5's elected controllers count their terms.)
inline constexpr int32_t kControllerEpoch = 1;

struct StaticControllerConfig {
  /// The controller's node id; Chapter 5's controllers use 3000 and up.
  NodeId node_id = 3000;
  /// The brokers: their ids, where they listen, their racks.
  std::vector<BrokerEndpoint> brokers;
  int16_t default_replication_factor = 1;  ///< default.replication.factor
  int32_t num_partitions = 1;              ///< num.partitions
  /// The topic configs' defaults CreateTopics reports (min.insync.replicas
  /// among them); the brokers must be configured alike.
  LogConfig log;
  /// How often every broker is sent the whole state, changed or not.
  int64_t push_interval_ms = 2000;
  int64_t request_timeout_ms = 30'000;  ///< for the UpdateMetadata pushes
};

class StaticController : public ServingNode {
 public:
  explicit StaticController(StaticControllerConfig config)
      : config_(std::move(config)) {}

  void Start(Environment& env) override;

  /// Every partition's state, topic by topic, partition by partition.
  std::vector<PartitionState> states() const;
  /// Every topic's configs set.
  TopicConfigsByTopic topic_configs() const;
  std::optional<PartitionState> state(const TopicPartition& partition) const;

  /// Makes `leader` lead `partition`: a new leader epoch and partition
  /// epoch; the ISR stays. A leader outside the ISR (or fenced) is
  /// ELIGIBLE_LEADERS_NOT_AVAILABLE unless `unclean`, which makes it the
  /// ISR's only member: what it lacks of the old leader's log is lost
  /// (unclean.leader.election.enable). Pushes the change.
  Status ElectLeader(const TopicPartition& partition, NodeId leader,
                     bool unclean = false);
  /// The broker's session ended (Kafka's handleBrokerFenced): it leaves
  /// every ISR it is in (but the last member stays, so that the partition
  /// can come back with it), and the partitions it led get the first
  /// unfenced ISR replica as leader, or none (-1). Pushes the changes.
  void FenceBroker(NodeId broker);
  /// The broker is back (handleBrokerUnfenced): the leaderless partitions
  /// whose ISR holds it elect it. It rejoins the ISRs by catching up, through
  /// its leaders' AlterPartition.
  void UnfenceBroker(NodeId broker);

  Status HandleCreateTopics(const Request& request, Responder respond);
  Status HandleCreatePartitions(const Request& request, Responder respond);
  Status HandleDeleteTopics(const Request& request, Responder respond);
  Status HandleAlterPartition(const Request& request, Responder respond);
  Status HandleIncrementalAlterConfigs(const Request& request,
                                       Responder respond);

 private:
  struct Topic {
    Uuid id;
    TopicConfigOverrides configs;
    std::vector<PartitionState> partitions;  ///< by partition index
  };

  CreateTopicsResponse::Result CreateTopic(
      const CreateTopicsRequest& request,
      const CreateTopicsRequest::Topic& topic);
  /// A new partition: its unfenced replicas in sync, the first leading.
  PartitionState NewPartition(const TopicPartition& partition,
                              const Uuid& topic_id,
                              const std::vector<NodeId>& replicas) const;
  Status CreatePartitions(const CreatePartitionsRequest::Topic& topic,
                          bool validate_only);
  DeleteTopicsResponse::Result DeleteTopic(
      const std::optional<std::string>& name, const Uuid& id);
  /// One resource of IncrementalAlterConfigs: a topic's configs changed,
  /// or only checked if `validate_only`.
  Status AlterTopicConfigs(
      const IncrementalAlterConfigsRequest::Resource& resource,
      bool validate_only);
  /// The topic an AlterPartition names: by name (v0-1) or by id (v2+);
  /// nullopt for an unknown id.
  std::optional<std::string> TopicNameOf(
      const AlterPartitionRequest::Topic& topic) const;
  AlterPartitionResponse::Partition AlterPartition(
      const std::string& topic, NodeId broker,
      const AlterPartitionRequest::Partition& proposal, int16_t version);

  PartitionState* Find(const TopicPartition& partition);
  /// The configured brokers; the unfenced ones are active.
  ClusterBrokers Brokers() const;
  std::vector<BrokerEndpoint> LiveBrokers() const;
  NewTopicDefaults Defaults() const;
  /// Moves `state` to `leader` (or -1): the next leader epoch.
  void ChangeLeader(PartitionState& state, NodeId leader);
  /// The first replica, in assignment order, in the ISR and not fenced.
  NodeId FirstEligibleLeader(const PartitionState& state) const;

  /// Sends the whole state to every broker now.
  void PushMetadata();
  void SchedulePush();

  StaticControllerConfig config_;
  Environment* env_ = nullptr;
  std::map<std::string, Topic> topics_;
  std::set<NodeId> fenced_;
};

}  // namespace kafka
