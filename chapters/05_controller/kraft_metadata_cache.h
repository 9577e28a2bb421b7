/// \file
/// The broker's MetadataCache in KRaft: the cluster as the metadata log
/// says it is, read from the MetadataImage this broker replayed.
///
/// Chapter 4's ControllerMetadataCache held what the last UpdateMetadata
/// pushed. A KRaft broker instead follows the metadata log (as an observer
/// of the quorum) and replays its records into a MetadataImage, the same
/// type the controllers decide on (controller/metadata_image.h); this cache
/// answers Metadata, FindCoordinator and DescribeCluster from that image.
/// It is Kafka's KRaftMetadataCache.
///
/// Which brokers are alive is the image's too: a broker is alive while it
/// is registered and not fenced (Kafka's getAliveBrokers). A broker in a
/// controlled shutdown is still alive: it serves until it stops.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "chapters/02_partitions/metadata_cache.h"
#include "chapters/04_replication/partition_state.h"
#include "chapters/05_controller/controller/metadata_image.h"

namespace kafka {

class KRaftMetadataCache : public MetadataCache {
 public:
  /// Reads `image`, which its owner (the BrokerMetadataListener) keeps up
  /// to date.
  KRaftMetadataCache(const MetadataImage& image, std::string cluster_id)
      : image_(image), cluster_id_(std::move(cluster_id)) {}

  std::string cluster_id() const override { return cluster_id_; }
  /// The lowest alive broker. Clients cannot reach the controllers (they
  /// listen on the controller listener), so Metadata names a broker, which
  /// forwards admin requests (KIP-590); Kafka names a random alive broker.
  /// -1 if none.
  NodeId controller_id() const override;
  std::vector<BrokerEndpoint> AliveBrokers() const override;
  /// An alive broker; nullopt for a fenced or unknown one.
  std::optional<BrokerEndpoint> GetBroker(NodeId id) const override;
  /// An alive broker's registration epoch.
  std::optional<int64_t> GetAliveBrokerEpoch(NodeId id) const override;
  std::vector<std::string> TopicNames() const override;
  std::optional<Uuid> TopicId(const std::string& topic) const override;
  std::optional<std::vector<PartitionMetadata>> TopicPartitions(
      const std::string& topic) const override;

  /// One partition's replicas, ISR, leader and epochs, as the log says.
  std::optional<PartitionState> GetPartitionState(
      const TopicPartition& partition) const;

 private:
  const MetadataImage& image_;
  std::string cluster_id_;
};

}  // namespace kafka
