#include "chapters/05_controller/controller/metadata_image.h"

#include <algorithm>

namespace kafka {

void MetadataImage::Apply(const MetadataRecord& record, int64_t offset) {
  std::visit([this](const auto& r) { Replay(r); }, record);
  last_applied_offset_ = offset;
}

// ---- Queries ----------------------------------------------------------------

const BrokerRegistration* MetadataImage::broker(NodeId id) const {
  auto found = brokers_.find(id);
  return found == brokers_.end() ? nullptr : &found->second;
}

bool MetadataImage::IsActive(NodeId id) const {
  const BrokerRegistration* registration = broker(id);
  return registration && !registration->fenced &&
         !registration->in_controlled_shutdown;
}

std::vector<NodeId> MetadataImage::ActiveBrokers() const {
  std::vector<NodeId> active;
  for (const auto& [id, registration] : brokers_) {
    if (IsActive(id)) active.push_back(id);
  }
  return active;
}

const TopicImage* MetadataImage::topic(const std::string& name) const {
  auto found = topics_.find(name);
  return found == topics_.end() ? nullptr : &found->second;
}

const TopicImage* MetadataImage::topic(const Uuid& id) const {
  auto name = topic_names_.find(id);
  return name == topic_names_.end() ? nullptr : topic(name->second);
}

const PartitionRegistration* MetadataImage::partition(
    const TopicPartition& tp) const {
  const TopicImage* found = topic(tp.topic);
  if (!found || tp.partition < 0 ||
      tp.partition >= int32_t(found->partitions.size())) {
    return nullptr;
  }
  return &found->partitions[size_t(tp.partition)];
}

std::vector<PartitionState> MetadataImage::partition_states() const {
  std::vector<PartitionState> states;
  for (const auto& [name, topic] : topics_) {
    for (const PartitionRegistration& partition : topic.partitions) {
      states.push_back(partition.state);
    }
  }
  return states;
}

TopicImage* MetadataImage::MutableTopic(const Uuid& id) {
  auto name = topic_names_.find(id);
  return name == topic_names_.end() ? nullptr : &topics_[name->second];
}

// A record of an epoch the broker no longer has (it registered again since)
// is about a life of it that ended: it changes nothing.
BrokerRegistration* MetadataImage::MutableBroker(NodeId id, int64_t epoch) {
  auto found = brokers_.find(id);
  if (found == brokers_.end() || found->second.epoch != epoch) return nullptr;
  return &found->second;
}

// ---- Replay, one record type at a time --------------------------------------

void MetadataImage::Replay(const RegisterBrokerRecord& record) {
  BrokerRegistration registration{
      .id = record.broker_id,
      .epoch = record.broker_epoch,
      .incarnation_id = record.incarnation_id,
      .rack = record.rack,
      .fenced = record.fenced,
      .in_controlled_shutdown = record.in_controlled_shutdown};
  if (!record.end_points.empty()) {
    const auto& endpoint = record.end_points[0];
    registration.listener = endpoint.name;
    registration.host = endpoint.host;
    registration.port = endpoint.port;
  }
  brokers_[record.broker_id] = registration;
}

void MetadataImage::Replay(const TopicRecord& record) {
  topics_[record.name] = TopicImage{.name = record.name, .id = record.topic_id};
  topic_names_[record.topic_id] = record.name;
}

void MetadataImage::Replay(const PartitionRecord& record) {
  TopicImage* topic = MutableTopic(record.topic_id);
  if (!topic || record.partition_id < 0 ||
      record.partition_id > int32_t(topic->partitions.size())) {
    return;
  }
  PartitionRegistration partition{
      .state = {.partition = {topic->name, record.partition_id},
                .topic_id = record.topic_id,
                .replicas = record.replicas,
                .isr = record.isr,
                .leader = record.leader,
                .leader_epoch = record.leader_epoch,
                .partition_epoch = record.partition_epoch},
      .leader_recovery_state =
          LeaderRecoveryState(record.leader_recovery_state)};
  if (record.partition_id == int32_t(topic->partitions.size())) {
    topic->partitions.push_back(partition);
  } else {
    topic->partitions[size_t(record.partition_id)] = partition;
  }
}

void MetadataImage::Replay(const ConfigRecord& record) {
  if (record.resource_type != kTopicConfigResource) return;
  TopicConfigOverrides& configs = topic_configs_[record.resource_name];
  if (record.value) {
    configs[record.name] = *record.value;
  } else {
    configs.erase(record.name);
  }
  if (configs.empty()) topic_configs_.erase(record.resource_name);
}

//! [merge partition change]
void MetadataImage::Replay(const PartitionChangeRecord& record) {
  TopicImage* topic = MutableTopic(record.topic_id);
  if (!topic || record.partition_id < 0 ||
      record.partition_id >= int32_t(topic->partitions.size())) {
    return;
  }
  PartitionRegistration& partition =
      topic->partitions[size_t(record.partition_id)];
  PartitionState& state = partition.state;
  if (record.replicas) state.replicas = *record.replicas;
  if (record.isr) state.isr = *record.isr;
  if (record.leader != kNoLeaderChange) {
    state.leader = record.leader;
    ++state.leader_epoch;
  }
  if (record.leader_recovery_state != kNoLeaderRecoveryStateChange) {
    partition.leader_recovery_state =
        LeaderRecoveryState(record.leader_recovery_state);
  }
  ++state.partition_epoch;
}
//! [merge partition change]

void MetadataImage::Replay(const FenceBrokerRecord& record) {
  if (BrokerRegistration* broker = MutableBroker(record.id, record.epoch)) {
    broker->fenced = true;
  }
}

void MetadataImage::Replay(const UnfenceBrokerRecord& record) {
  if (BrokerRegistration* broker = MutableBroker(record.id, record.epoch)) {
    broker->fenced = false;
  }
}

void MetadataImage::Replay(const BrokerRegistrationChangeRecord& record) {
  BrokerRegistration* broker =
      MutableBroker(record.broker_id, record.broker_epoch);
  if (!broker) return;
  if (record.fenced == 1) broker->fenced = true;
  if (record.fenced == -1) broker->fenced = false;
  if (record.in_controlled_shutdown == 1) broker->in_controlled_shutdown = true;
}

void MetadataImage::Replay(const RemoveTopicRecord& record) {
  auto name = topic_names_.find(record.topic_id);
  if (name == topic_names_.end()) return;
  topics_.erase(name->second);
  topic_configs_.erase(name->second);
  topic_names_.erase(name);
}

void MetadataImage::Replay(const FeatureLevelRecord& record) {
  if (record.feature_level == 0) {
    features_.erase(record.name);
  } else {
    features_[record.name] = record.feature_level;
  }
}

void MetadataImage::Replay(const ProducerIdsRecord& record) {
  next_producer_id_ = record.next_producer_id;
}

// ---- Snapshot ---------------------------------------------------------------

std::vector<MetadataRecord> MetadataImage::ToRecords() const {
  std::vector<MetadataRecord> records;
  for (const auto& [name, level] : features_) {
    records.push_back(FeatureLevelRecord{.name = name, .feature_level = level});
  }
  for (const auto& [id, broker] : brokers_) {
    records.push_back(RegisterBrokerRecord{
        .broker_id = id,
        .incarnation_id = broker.incarnation_id,
        .broker_epoch = broker.epoch,
        .end_points = {{broker.listener, broker.host, uint16_t(broker.port),
                        kPlaintextSecurityProtocol}},
        .rack = broker.rack,
        .fenced = broker.fenced,
        .in_controlled_shutdown = broker.in_controlled_shutdown});
  }
  for (const auto& [name, topic] : topics_) {
    records.push_back(TopicRecord{.name = name, .topic_id = topic.id});
    for (const PartitionRegistration& partition : topic.partitions) {
      const PartitionState& state = partition.state;
      records.push_back(PartitionRecord{
          .partition_id = state.partition.partition,
          .topic_id = topic.id,
          .replicas = state.replicas,
          .isr = state.isr,
          .leader = state.leader,
          .leader_recovery_state = int8_t(partition.leader_recovery_state),
          .leader_epoch = state.leader_epoch,
          .partition_epoch = state.partition_epoch});
    }
  }
  for (const auto& [topic, configs] : topic_configs_) {
    for (const auto& [name, value] : configs) {
      records.push_back(ConfigRecord{.resource_type = kTopicConfigResource,
                                     .resource_name = topic,
                                     .name = name,
                                     .value = value});
    }
  }
  if (next_producer_id_ != 0) {
    records.push_back(ProducerIdsRecord{.broker_id = -1,
                                        .next_producer_id = next_producer_id_});
  }
  return records;
}

}  // namespace kafka
