/// \file
/// The metadata image: the cluster's state as the metadata log says it is,
/// after replaying the log's committed records in order.
///
/// Kafka's controllers keep this state in their control managers
/// (ClusterControlManager, ReplicationControlManager,
/// ConfigurationControlManager, FeatureControlManager,
/// ProducerIdControlManager), and its brokers in a MetadataImage that their
/// MetadataLoader builds from the same records. Here one type serves both:
/// the QuorumController decides on it, and the broker's KRaftMetadataCache
/// answers Metadata from it. The image knows nothing of who wrote a record or
/// why; it applies each the same way on every node, so that every node that
/// replayed the same offsets holds the same image.
///
/// Two rules of Kafka's live here, because they are how a record is read:
/// a broker's epoch is the offset of its RegisterBrokerRecord (the record
/// carries it), and applying a PartitionChangeRecord raises the partition
/// epoch, and the leader epoch if the leader changed
/// (PartitionRegistration.merge).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "chapters/02_partitions/log_manager.h"
#include "chapters/04_replication/partition_state.h"
#include "chapters/05_controller/controller/metadata_records.h"
#include "lib/node/node.h"
#include "lib/uuid.h"

namespace kafka {

/// A registered broker (Kafka's BrokerRegistration).
struct BrokerRegistration {
  NodeId id = -1;
  /// The offset of its RegisterBrokerRecord: a restarted broker registers
  /// again and gets a new epoch, so a request of its old life is stale.
  int64_t epoch = -1;
  Uuid incarnation_id;
  std::string listener = "PLAINTEXT";
  std::string host;
  int32_t port = 0;
  std::optional<std::string> rack;
  /// Fenced: it may not lead or join an ISR (it has not caught up with the
  /// metadata log since it registered, or its session ended).
  bool fenced = true;
  bool in_controlled_shutdown = false;

  bool operator==(const BrokerRegistration&) const = default;
};

/// Whether a partition's leader was elected uncleanly and has not yet told
/// the controller it recovered (Kafka's LeaderRecoveryState, KIP-704).
enum class LeaderRecoveryState : int8_t { kRecovered = 0, kRecovering = 1 };

/// A partition's replication state, as its PartitionRecord and the
/// PartitionChangeRecords after it left it (PartitionRegistration).
struct PartitionRegistration {
  PartitionState state;
  LeaderRecoveryState leader_recovery_state = LeaderRecoveryState::kRecovered;

  bool operator==(const PartitionRegistration&) const = default;
};

/// A topic: its id and its partitions, by index.
struct TopicImage {
  std::string name;
  Uuid id;
  std::vector<PartitionRegistration> partitions;

  bool operator==(const TopicImage&) const = default;
};

class MetadataImage {
 public:
  /// Applies `record`, which the log holds at `offset`. A record that names
  /// what the image lacks (a partition of an unknown topic, a change of an
  /// unknown broker) changes nothing: the image follows the log, and the
  /// controller never writes such a record.
  void Apply(const MetadataRecord& record, int64_t offset);

  /// The image as records that rebuild it, applied in order to an empty
  /// image: a snapshot's contents. Features first, then brokers, topics with
  /// their partitions, configs and the producer id block.
  std::vector<MetadataRecord> ToRecords() const;

  /// The offset of the last record applied; -1 for none. A snapshot loaded
  /// sets it to the snapshot's end offset minus one.
  int64_t last_applied_offset() const { return last_applied_offset_; }
  void set_last_applied_offset(int64_t offset) {
    last_applied_offset_ = offset;
  }

  const std::map<NodeId, BrokerRegistration>& brokers() const {
    return brokers_;
  }
  const BrokerRegistration* broker(NodeId id) const;
  /// Registered, unfenced and not shutting down: may lead, join an ISR and
  /// take new replicas (Kafka's isActive / usable brokers), in id order.
  std::vector<NodeId> ActiveBrokers() const;
  bool IsActive(NodeId id) const;

  /// The topics, by name.
  const std::map<std::string, TopicImage>& topics() const { return topics_; }
  const TopicImage* topic(const std::string& name) const;
  const TopicImage* topic(const Uuid& id) const;
  const PartitionRegistration* partition(const TopicPartition& tp) const;
  /// Every partition's state, topic by topic (the broker's MetadataUpdate).
  std::vector<PartitionState> partition_states() const;

  /// Each topic's configs that are set (ConfigRecords of topics).
  const TopicConfigsByTopic& topic_configs() const { return topic_configs_; }
  /// The finalized features, metadata.version among them.
  const std::map<std::string, int16_t>& features() const { return features_; }
  /// The first producer id of the next block AllocateProducerIds hands out.
  int64_t next_producer_id() const { return next_producer_id_; }

  bool operator==(const MetadataImage&) const = default;

 private:
  void Replay(const RegisterBrokerRecord& record);
  void Replay(const TopicRecord& record);
  void Replay(const PartitionRecord& record);
  void Replay(const ConfigRecord& record);
  void Replay(const PartitionChangeRecord& record);
  void Replay(const FenceBrokerRecord& record);
  void Replay(const UnfenceBrokerRecord& record);
  void Replay(const RemoveTopicRecord& record);
  void Replay(const FeatureLevelRecord& record);
  void Replay(const ProducerIdsRecord& record);
  void Replay(const BrokerRegistrationChangeRecord& record);
  void Replay(const NoOpRecord&) {}

  TopicImage* MutableTopic(const Uuid& id);
  BrokerRegistration* MutableBroker(NodeId id, int64_t epoch);

  int64_t last_applied_offset_ = -1;
  std::map<NodeId, BrokerRegistration> brokers_;
  std::map<std::string, TopicImage> topics_;
  std::map<Uuid, std::string> topic_names_;  ///< by topic id
  TopicConfigsByTopic topic_configs_;
  std::map<std::string, int16_t> features_;
  int64_t next_producer_id_ = 0;
};

}  // namespace kafka
