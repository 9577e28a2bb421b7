#include "chapters/02_partitions/metadata_cache.h"

namespace kafka {

std::optional<PartitionMetadata> MetadataCache::GetPartition(
    const TopicPartition& partition) const {
  std::optional<std::vector<PartitionMetadata>> partitions =
      TopicPartitions(partition.topic);
  if (!partitions || partition.partition < 0 ||
      partition.partition >= int32_t(partitions->size())) {
    return std::nullopt;
  }
  return (*partitions)[size_t(partition.partition)];
}

std::optional<int64_t> MetadataCache::GetAliveBrokerEpoch(NodeId id) const {
  if (!GetBroker(id)) return std::nullopt;
  return -1;
}

std::optional<std::string> MetadataCache::TopicName(const Uuid& id) const {
  for (const std::string& topic : TopicNames()) {
    if (TopicId(topic) == id) return topic;
  }
  return std::nullopt;
}

std::optional<BrokerEndpoint> LocalMetadataCache::GetBroker(NodeId id) const {
  if (id != self_.id) return std::nullopt;
  return self_;
}

std::vector<std::string> LocalMetadataCache::TopicNames() const {
  return logs_.Topics();
}

std::optional<std::vector<PartitionMetadata>>
LocalMetadataCache::TopicPartitions(const std::string& topic) const {
  const int32_t count = logs_.PartitionCount(topic);
  if (count == 0) return std::nullopt;
  std::vector<PartitionMetadata> partitions;
  for (int32_t p = 0; p < count; ++p) {
    // This broker has led the partition since its creation, and no other
    // broker ever did: its leader epoch is the first.
    partitions.push_back(
        {p, self_.id, Partition::kFirstLeaderEpoch, {self_.id}, {self_.id}});
  }
  return partitions;
}

}  // namespace kafka
