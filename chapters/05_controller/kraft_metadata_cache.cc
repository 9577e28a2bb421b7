#include "chapters/05_controller/kraft_metadata_cache.h"

namespace kafka {
namespace {

BrokerEndpoint EndpointOf(const BrokerRegistration& broker) {
  return {broker.id, broker.host, broker.port, broker.rack};
}

}  // namespace

NodeId KRaftMetadataCache::controller_id() const {
  const std::vector<BrokerEndpoint> alive = AliveBrokers();
  return alive.empty() ? -1 : alive.front().id;
}

std::vector<BrokerEndpoint> KRaftMetadataCache::AliveBrokers() const {
  std::vector<BrokerEndpoint> alive;
  for (const auto& [id, broker] : image_.brokers()) {
    if (!broker.fenced) alive.push_back(EndpointOf(broker));
  }
  return alive;
}

std::optional<BrokerEndpoint> KRaftMetadataCache::GetBroker(NodeId id) const {
  const BrokerRegistration* broker = image_.broker(id);
  if (broker == nullptr || broker->fenced) return std::nullopt;
  return EndpointOf(*broker);
}

std::optional<int64_t> KRaftMetadataCache::GetAliveBrokerEpoch(
    NodeId id) const {
  const BrokerRegistration* broker = image_.broker(id);
  if (broker == nullptr || broker->fenced) return std::nullopt;
  return broker->epoch;
}

std::vector<std::string> KRaftMetadataCache::TopicNames() const {
  std::vector<std::string> names;
  for (const auto& [name, topic] : image_.topics()) names.push_back(name);
  return names;
}

std::optional<Uuid> KRaftMetadataCache::TopicId(
    const std::string& topic) const {
  const TopicImage* found = image_.topic(topic);
  if (found == nullptr) return std::nullopt;
  return found->id;
}

std::optional<std::vector<PartitionMetadata>>
KRaftMetadataCache::TopicPartitions(const std::string& topic) const {
  const TopicImage* found = image_.topic(topic);
  if (found == nullptr) return std::nullopt;
  std::vector<PartitionMetadata> partitions;
  for (const PartitionRegistration& registration : found->partitions) {
    const PartitionState& state = registration.state;
    partitions.push_back({state.partition.partition, state.leader,
                          state.leader_epoch, state.replicas, state.isr});
  }
  return partitions;
}

std::optional<PartitionState> KRaftMetadataCache::GetPartitionState(
    const TopicPartition& partition) const {
  const PartitionRegistration* found = image_.partition(partition);
  if (found == nullptr) return std::nullopt;
  return found->state;
}

}  // namespace kafka
