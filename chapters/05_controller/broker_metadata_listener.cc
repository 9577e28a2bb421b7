#include "chapters/05_controller/broker_metadata_listener.h"

#include <variant>

namespace kafka {

void BrokerMetadataListener::HandleCommit(const CommittedBatch& batch) {
  for (size_t i = 0; i < batch.records.size(); ++i) {
    const int64_t offset = batch.base_offset + int64_t(i);
    if (Replay(batch.records[i], offset)) unpublished_changes_ = true;
  }
  // The offset of a batch's last record counts as applied even if the
  // record did not decode: the log moves on past it.
  image_.set_last_applied_offset(batch.last_offset);
  MaybePublish();
}

void BrokerMetadataListener::HandleLoadSnapshot(
    int64_t end_offset, int32_t /*epoch*/, const std::vector<Bytes>& records) {
  image_ = MetadataImage();
  for (const Bytes& record : records) Replay(record, end_offset - 1);
  image_.set_last_applied_offset(end_offset - 1);
  unpublished_changes_ = true;
  MaybePublish();
}

bool BrokerMetadataListener::Replay(ByteView bytes, int64_t offset) {
  Result<MetadataRecord> record = DecodeMetadataRecord(bytes);
  if (!record.ok()) {
    ++undecodable_records_;
    last_decode_error_ = record.status();
    return false;
  }
  image_.Apply(*record, offset);
  // A NoOpRecord (the active controller's "still here", every 500 ms)
  // changes nothing the components see.
  return !std::holds_alternative<NoOpRecord>(*record);
}

void BrokerMetadataListener::MaybePublish() {
  if (StillCatchingUp()) return;
  if (unpublished_changes_) Publish();
  published_offset_ = image_.last_applied_offset();
}

// Kafka's MetadataLoader.stillNeedToCatchUp: until the image reaches the
// high watermark once, the components see nothing.
bool BrokerMetadataListener::StillCatchingUp() {
  if (!catching_up_) return false;
  const std::optional<int64_t> high_watermark = raft_.high_watermark();
  if (!high_watermark || image_.last_applied_offset() + 1 < *high_watermark) {
    return true;
  }
  catching_up_ = false;
  return false;
}

void BrokerMetadataListener::Publish() {
  LearnAddresses();
  MetadataUpdate update{.states = image_.partition_states(),
                        .topic_configs = image_.topic_configs()};
  std::set<TopicPartition> partitions;
  for (const PartitionState& state : update.states) {
    partitions.insert(state.partition);
  }
  for (const TopicPartition& partition : published_partitions_) {
    if (!partitions.contains(partition)) {
      update.deleted_partitions.push_back(partition);
    }
  }
  published_partitions_ = std::move(partitions);
  unpublished_changes_ = false;
  publish_(update);
}

void BrokerMetadataListener::LearnAddresses() {
  for (const auto& [id, broker] : image_.brokers()) {
    env_.LearnAddress(id, broker.host, broker.port);
  }
}

}  // namespace kafka
