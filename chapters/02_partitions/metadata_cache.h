/// \file
/// The MetadataCache: what this broker knows about the cluster.
///
/// Every Kafka broker keeps a copy of the cluster's metadata: the brokers
/// and where they listen, the topics, and for each partition its replicas,
/// its leader, its in-sync replicas and their epochs. Metadata requests
/// (where do I send this partition's records?) and FindCoordinator (which
/// broker keeps this group?) are answered from it, never by asking anyone.
///
/// This file is the interface; where the knowledge comes from changes with
/// the chapters. Chapter 2's LocalMetadataCache knows a cluster of one: this
/// broker, leading every partition in its LogManager. Chapter 4's static
/// controller, and Chapter 5's metadata log (KRaft: each broker replays the
/// controller's records into its cache), feed later ones.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chapters/02_partitions/log_manager.h"
#include "chapters/02_partitions/partition.h"
#include "lib/node/node.h"
#include "lib/uuid.h"

namespace kafka {

/// A broker and where clients reach it (its advertised listener).
struct BrokerEndpoint {
  NodeId id = -1;
  std::string host;
  int32_t port = 0;
  std::optional<std::string> rack;
};

/// One partition's placement.
struct PartitionMetadata {
  int32_t partition = 0;
  NodeId leader = -1;  ///< -1: none (LEADER_NOT_AVAILABLE)
  /// Counts the partition's leaders: the first has epoch 0, and each new
  /// one (Chapter 4's controller elects them) the next.
  int32_t leader_epoch = 0;
  std::vector<NodeId> replicas;
  std::vector<NodeId> isr;  ///< in-sync replicas
};

class MetadataCache {
 public:
  virtual ~MetadataCache() = default;

  virtual std::string cluster_id() const = 0;
  /// The controller clients are told of (Metadata's controller_id).
  virtual NodeId controller_id() const = 0;
  /// The brokers that are up, in id order.
  virtual std::vector<BrokerEndpoint> AliveBrokers() const = 0;
  virtual std::optional<BrokerEndpoint> GetBroker(NodeId id) const = 0;
  /// The epoch of an alive broker (Kafka's getAliveBrokerEpoch): in KRaft
  /// (Chapter 5) the offset of its registration record, which each
  /// restart renews; -1 where brokers have no epochs; nullopt for a broker
  /// that is not alive.
  virtual std::optional<int64_t> GetAliveBrokerEpoch(NodeId id) const;

  virtual std::vector<std::string> TopicNames() const = 0;
  /// A topic's id (KIP-516); nullopt for an unknown topic.
  virtual std::optional<Uuid> TopicId(const std::string& topic) const = 0;
  /// A topic's partitions in partition order; nullopt for an unknown topic.
  virtual std::optional<std::vector<PartitionMetadata>> TopicPartitions(
      const std::string& topic) const = 0;
  /// The topic with id `id` (Metadata v12, Fetch v13 name topics by id);
  /// nullopt if there is none.
  std::optional<std::string> TopicName(const Uuid& id) const;
  /// One partition; nullopt if there is no such partition.
  std::optional<PartitionMetadata> GetPartition(
      const TopicPartition& partition) const;
};

/// The one-broker cluster of Chapter 2: this broker is the controller, the
/// only broker, and the leader and only replica of every partition it has.
class LocalMetadataCache : public MetadataCache {
 public:
  /// `self` is read at each call: its port may be learned after start-up.
  LocalMetadataCache(const BrokerEndpoint& self, std::string cluster_id,
                     const LogManager& logs)
      : self_(self), cluster_id_(std::move(cluster_id)), logs_(logs) {}

  std::string cluster_id() const override { return cluster_id_; }
  NodeId controller_id() const override { return self_.id; }
  std::vector<BrokerEndpoint> AliveBrokers() const override { return {self_}; }
  std::optional<BrokerEndpoint> GetBroker(NodeId id) const override;
  std::vector<std::string> TopicNames() const override;
  std::optional<Uuid> TopicId(const std::string& topic) const override {
    return logs_.TopicId(topic);
  }
  std::optional<std::vector<PartitionMetadata>> TopicPartitions(
      const std::string& topic) const override;

 private:
  const BrokerEndpoint& self_;
  std::string cluster_id_;
  const LogManager& logs_;
};

}  // namespace kafka
