#include "chapters/04_replication/controller_metadata.h"

#include <algorithm>
#include <set>

namespace kafka {
namespace {

bool IsLive(NodeId id, const std::vector<BrokerEndpoint>& brokers) {
  return std::any_of(brokers.begin(), brokers.end(),
                     [id](const BrokerEndpoint& b) { return b.id == id; });
}

// A replica on a broker that is not live is offline (Kafka's
// OfflineReplicas, which Metadata reports to clients).
std::vector<NodeId> OfflineReplicasOf(
    const PartitionState& state, const std::vector<BrokerEndpoint>& brokers) {
  std::vector<NodeId> offline;
  for (NodeId replica : state.replicas) {
    if (!IsLive(replica, brokers)) offline.push_back(replica);
  }
  return offline;
}

UpdateMetadataRequest::Partition PartitionOf(
    const PartitionState& state, int32_t controller_epoch,
    const std::vector<BrokerEndpoint>& brokers) {
  return {.partition_index = state.partition.partition,
          .controller_epoch = controller_epoch,
          .leader = state.leader,
          .leader_epoch = state.leader_epoch,
          .isr = state.isr,
          .zk_version = state.partition_epoch,
          .replicas = state.replicas,
          .offline_replicas = OfflineReplicasOf(state, brokers)};
}

UpdateMetadataRequest::Broker BrokerOf(const BrokerEndpoint& broker) {
  return {.id = broker.id,
          .endpoints = {{.port = broker.port,
                         .host = broker.host,
                         .security_protocol = kSecurityProtocolPlaintext}},
          .rack = broker.rack};
}

std::vector<UpdateMetadataRequest::Config> ConfigsOf(
    const std::string& topic, const TopicConfigsByTopic& configs) {
  std::vector<UpdateMetadataRequest::Config> entries;
  auto found = configs.find(topic);
  if (found == configs.end()) return entries;
  for (const auto& [name, value] : found->second) {
    entries.push_back({.name = name, .value = value});
  }
  return entries;
}

// The entry of `state`'s topic in `topics`, added at the end if new.
UpdateMetadataRequest::Topic& TopicOf(
    const PartitionState& state,
    std::vector<UpdateMetadataRequest::Topic>& topics) {
  for (UpdateMetadataRequest::Topic& topic : topics) {
    if (topic.topic_name == state.partition.topic) return topic;
  }
  return topics.emplace_back(UpdateMetadataRequest::Topic{
      .topic_name = state.partition.topic, .topic_id = state.topic_id});
}

}  // namespace

UpdateMetadataRequest UpdateMetadataOf(
    NodeId controller_id, int32_t controller_epoch,
    const std::vector<BrokerEndpoint>& brokers,
    const std::vector<PartitionState>& states,
    const TopicConfigsByTopic& configs) {
  UpdateMetadataRequest update{.controller_id = controller_id,
                               .controller_epoch = controller_epoch};
  for (const PartitionState& state : states) {
    TopicOf(state, update.topic_states)
        .partition_states.push_back(
            PartitionOf(state, controller_epoch, brokers));
  }
  for (UpdateMetadataRequest::Topic& topic : update.topic_states) {
    topic.configs = ConfigsOf(topic.topic_name, configs);
  }
  for (const BrokerEndpoint& broker : brokers) {
    update.live_brokers.push_back(BrokerOf(broker));
  }
  return update;
}

std::vector<PartitionState> PartitionStatesOf(
    const UpdateMetadataRequest& update) {
  std::vector<PartitionState> states;
  for (const UpdateMetadataRequest::Topic& topic : update.topic_states) {
    for (const UpdateMetadataRequest::Partition& p : topic.partition_states) {
      states.push_back({.partition = {topic.topic_name, p.partition_index},
                        .topic_id = topic.topic_id,
                        .replicas = p.replicas,
                        .isr = p.isr,
                        .leader = p.leader,
                        .leader_epoch = p.leader_epoch,
                        .partition_epoch = p.zk_version});
    }
  }
  return states;
}

TopicConfigsByTopic TopicConfigsOf(const UpdateMetadataRequest& update) {
  TopicConfigsByTopic configs;
  for (const UpdateMetadataRequest::Topic& topic : update.topic_states) {
    TopicConfigOverrides& set = configs[topic.topic_name];
    for (const UpdateMetadataRequest::Config& config : topic.configs) {
      set[config.name] = config.value;
    }
  }
  return configs;
}

std::vector<BrokerEndpoint> BrokersOf(const UpdateMetadataRequest& update) {
  std::vector<BrokerEndpoint> brokers;
  for (const UpdateMetadataRequest::Broker& broker : update.live_brokers) {
    if (broker.endpoints.empty()) continue;  // no address to reach it at
    const UpdateMetadataRequest::Endpoint& endpoint = broker.endpoints[0];
    brokers.push_back({broker.id, endpoint.host, endpoint.port, broker.rack});
  }
  return brokers;
}

void ControllerMetadataCache::Update(
    const std::vector<BrokerEndpoint>& brokers,
    const std::vector<PartitionState>& states) {
  brokers_.clear();
  for (const BrokerEndpoint& broker : brokers) brokers_[broker.id] = broker;
  topics_.clear();
  for (const PartitionState& state : states) {
    Topic& topic = topics_[state.partition.topic];
    topic.id = state.topic_id;
    topic.partitions[state.partition.partition] = state;
  }
}

NodeId ControllerMetadataCache::controller_id() const {
  return brokers_.empty() ? -1 : brokers_.begin()->first;
}

std::vector<BrokerEndpoint> ControllerMetadataCache::AliveBrokers() const {
  std::vector<BrokerEndpoint> alive;
  for (const auto& [id, broker] : brokers_) alive.push_back(broker);
  return alive;
}

std::optional<BrokerEndpoint> ControllerMetadataCache::GetBroker(
    NodeId id) const {
  auto found = brokers_.find(id);
  if (found == brokers_.end()) return std::nullopt;
  return found->second;
}

std::vector<std::string> ControllerMetadataCache::TopicNames() const {
  std::vector<std::string> names;
  for (const auto& [name, topic] : topics_) names.push_back(name);
  return names;
}

std::optional<Uuid> ControllerMetadataCache::TopicId(
    const std::string& topic) const {
  auto found = topics_.find(topic);
  if (found == topics_.end()) return std::nullopt;
  return found->second.id;
}

std::optional<std::vector<PartitionMetadata>>
ControllerMetadataCache::TopicPartitions(const std::string& topic) const {
  auto found = topics_.find(topic);
  if (found == topics_.end()) return std::nullopt;
  std::vector<PartitionMetadata> partitions;
  for (const auto& [index, state] : found->second.partitions) {
    partitions.push_back(
        {index, state.leader, state.leader_epoch, state.replicas, state.isr});
  }
  return partitions;
}

std::optional<PartitionState> ControllerMetadataCache::GetPartitionState(
    const TopicPartition& partition) const {
  auto topic = topics_.find(partition.topic);
  if (topic == topics_.end()) return std::nullopt;
  auto found = topic->second.partitions.find(partition.partition);
  if (found == topic->second.partitions.end()) return std::nullopt;
  return found->second;
}

void ControllerMetadataListener::RegisterWith(RequestHandlers& handlers) {
  handlers.Register(
      ApiKey::kUpdateMetadata,
      HandlerOf(this, &ControllerMetadataListener::HandleUpdateMetadata));
}

//! [update metadata]
Status ControllerMetadataListener::HandleUpdateMetadata(const Request& request,
                                                        Responder respond) {
  Result<UpdateMetadataRequest> decoded =
      DecodeRequestBody<UpdateMetadataRequest>(request);
  if (!decoded.ok()) return decoded.status();
  const std::vector<BrokerEndpoint> brokers = BrokersOf(*decoded);
  MetadataUpdate update{.states = PartitionStatesOf(*decoded),
                        .topic_configs = TopicConfigsOf(*decoded)};
  update.deleted_partitions = PartitionsMissingFrom(update.states);
  LearnAddresses(brokers);
  cache_.Update(brokers, update.states);
  on_update_(update);
  respond(EncodeResponseBody(UpdateMetadataResponse{}, request.header));
  return Status();
}
//! [update metadata]

std::vector<TopicPartition> ControllerMetadataListener::PartitionsMissingFrom(
    const std::vector<PartitionState>& states) const {
  std::set<TopicPartition> present;
  for (const PartitionState& state : states) present.insert(state.partition);
  std::vector<TopicPartition> missing;
  for (const std::string& topic : cache_.TopicNames()) {
    const std::vector<PartitionMetadata> partitions =
        cache_.TopicPartitions(topic).value();
    for (const PartitionMetadata& partition : partitions) {
      const TopicPartition id{topic, partition.partition};
      if (!present.contains(id)) missing.push_back(id);
    }
  }
  return missing;
}

void ControllerMetadataListener::LearnAddresses(
    const std::vector<BrokerEndpoint>& brokers) {
  for (const BrokerEndpoint& broker : brokers) {
    env_.LearnAddress(broker.id, broker.host, broker.port);
  }
}

}  // namespace kafka
