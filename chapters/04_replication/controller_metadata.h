/// \file
/// The broker's side of the controller's metadata: what UpdateMetadata
/// brings, kept in a MetadataCache, and handed to the ReplicaManager.
///
/// In Chapter 2 a broker knew a cluster of one, itself. From here on the
/// controller decides where each partition's replicas live, who leads and
/// who is in sync, and tells every broker. Chapter 4's static controller
/// tells them with UpdateMetadata (api 6), as Kafka's ZooKeeper-era
/// controller did; each message carries the whole cluster: the live brokers
/// with their addresses, every partition's PartitionState and every topic's
/// configs. Two parts of the broker take it in:
///
///   ControllerMetadataCache     the MetadataCache that Metadata,
///                               FindCoordinator and DescribeCluster answer
///                               from (Kafka's ZkMetadataCache, and in KRaft
///                               KRaftMetadataCache)
///   ControllerMetadataListener  the UpdateMetadata handler: it fills the
///                               cache, teaches the runtime where the other
///                               brokers listen (a follower connects to its
///                               leader), and hands the update on
///                               (MetadataUpdate): to the ReplicaManager,
///                               which becomes leader or follower of the
///                               partitions assigned here (LeaderAndIsr's
///                               job in ZooKeeper mode, the metadata log's
///                               in KRaft: Kafka's ReplicaManager.applyDelta),
///                               and to the group coordinator, which forgets
///                               the offsets of deleted partitions
///
/// Kafka's controller sent changes only, and marked a deleted partition with
/// the leader -2; the stand-in sends a snapshot every time, so a topic that
/// is missing from it is gone, and a restarted broker learns everything from
/// the next push. Chapter 5 replaces the push with the metadata log, which
/// each broker replays into a MetadataImage (its KRaftMetadataCache reads
/// it), and hands the same MetadataUpdate on.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "chapters/02_partitions/metadata_cache.h"
#include "chapters/04_replication/partition_state.h"
#include "lib/node/node.h"
#include "lib/node/request_handlers.h"
#include "lib/protocol/update_metadata.h"

namespace kafka {

/// The UpdateMetadata version the controller sends and the brokers serve.
inline constexpr int16_t kUpdateMetadataVersion = 7;

/// An UpdateMetadata carrying `brokers`, every partition in `states`,
/// grouped by topic (in the order the topics first appear), and the
/// topics' `configs`.
UpdateMetadataRequest UpdateMetadataOf(
    NodeId controller_id, int32_t controller_epoch,
    const std::vector<BrokerEndpoint>& brokers,
    const std::vector<PartitionState>& states,
    const TopicConfigsByTopic& configs);

/// Every partition's state in `update`, topic by topic.
std::vector<PartitionState> PartitionStatesOf(
    const UpdateMetadataRequest& update);

/// Every topic's configs in `update` (each topic of it has an entry).
TopicConfigsByTopic TopicConfigsOf(const UpdateMetadataRequest& update);

/// The live brokers in `update`, with their first endpoint's address.
std::vector<BrokerEndpoint> BrokersOf(const UpdateMetadataRequest& update);

/// A MetadataCache holding the last UpdateMetadata's cluster.
class ControllerMetadataCache : public MetadataCache {
 public:
  explicit ControllerMetadataCache(std::string cluster_id)
      : cluster_id_(std::move(cluster_id)) {}

  /// Replaces what the cache knows with `brokers` and `states`.
  void Update(const std::vector<BrokerEndpoint>& brokers,
              const std::vector<PartitionState>& states);

  std::string cluster_id() const override { return cluster_id_; }
  /// The lowest live broker: clients send their admin requests to the
  /// "controller" Metadata names, and the static controller is no broker
  /// they can reach; any broker forwards them (KIP-590). Kafka's KRaft
  /// brokers name a random live broker for the same reason. -1 if none.
  NodeId controller_id() const override;
  std::vector<BrokerEndpoint> AliveBrokers() const override;
  std::optional<BrokerEndpoint> GetBroker(NodeId id) const override;
  std::vector<std::string> TopicNames() const override;
  std::optional<Uuid> TopicId(const std::string& topic) const override;
  std::optional<std::vector<PartitionMetadata>> TopicPartitions(
      const std::string& topic) const override;

  /// One partition's state as the controller last sent it.
  std::optional<PartitionState> GetPartitionState(
      const TopicPartition& partition) const;

 private:
  struct Topic {
    Uuid id;
    std::map<int32_t, PartitionState> partitions;
  };

  std::string cluster_id_;
  std::map<NodeId, BrokerEndpoint> brokers_;
  std::map<std::string, Topic> topics_;
};

/// What one UpdateMetadata tells the broker's components, as Kafka's
/// brokers publish each MetadataDelta with its new image.
struct MetadataUpdate {
  /// Every partition's state (the ReplicaManager's ApplyPartitionStates).
  std::vector<PartitionState> states;
  /// Every topic's configs (the LogManager's topic configs).
  TopicConfigsByTopic topic_configs;
  /// The partitions of the previous update that this one lacks: deleted
  /// (the group coordinator's onPartitionsDeleted).
  std::vector<TopicPartition> deleted_partitions;
};

/// Serves UpdateMetadata: fills the cache and hands on the update.
class ControllerMetadataListener {
 public:
  using UpdateListener = std::function<void(const MetadataUpdate& update)>;

  ControllerMetadataListener(Environment& env, ControllerMetadataCache& cache,
                             UpdateListener on_update)
      : env_(env), cache_(cache), on_update_(std::move(on_update)) {}

  void RegisterWith(RequestHandlers& handlers);
  Status HandleUpdateMetadata(const Request& request, Responder respond);

 private:
  /// Tells the runtime where each broker listens, so that a follower's
  /// fetches reach its leader (Kafka's brokers learn it the same way).
  void LearnAddresses(const std::vector<BrokerEndpoint>& brokers);
  /// The partitions in the cache that `states` lacks.
  std::vector<TopicPartition> PartitionsMissingFrom(
      const std::vector<PartitionState>& states) const;

  Environment& env_;
  ControllerMetadataCache& cache_;
  UpdateListener on_update_;
};

}  // namespace kafka
