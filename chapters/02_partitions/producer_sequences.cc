#include "chapters/02_partitions/producer_sequences.h"

#include <limits>

namespace kafka {

int32_t AddToSequence(int32_t sequence, int32_t records) {
  const int64_t sum = int64_t(sequence) + records;
  const int64_t wrap = int64_t(std::numeric_limits<int32_t>::max()) + 1;
  return int32_t(sum % wrap);
}

bool IsAfter(int32_t sequence, int32_t other) {
  // Within half the sequence space ahead, allowing for the wrap.
  const int64_t wrap = int64_t(std::numeric_limits<int32_t>::max()) + 1;
  const int64_t ahead = (int64_t(sequence) - other + wrap) % wrap;
  return ahead > 0 && ahead < wrap / 2;
}

void ProducerSequences::SetProducerId(int64_t producer_id, int16_t epoch) {
  producer_id_ = producer_id;
  epoch_ = epoch;
  partitions_.clear();
}

void ProducerSequences::BumpEpoch() {
  if (epoch_ == std::numeric_limits<int16_t>::max()) {
    SetProducerId(-1, -1);  // no id: the producer asks for a new one
    return;
  }
  SetProducerId(producer_id_, int16_t(epoch_ + 1));
}

BatchStamp ProducerSequences::Stamp(const TopicPartition& partition,
                                    int32_t records) {
  PartitionSequences& sequences = partitions_[partition];
  const BatchStamp stamp{producer_id_, epoch_, sequences.next};
  sequences.next = AddToSequence(sequences.next, records);
  ++sequences.unresolved;
  return stamp;
}

int ProducerSequences::Unresolved(const TopicPartition& partition) const {
  auto found = partitions_.find(partition);
  return found == partitions_.end() ? 0 : found->second.unresolved;
}

void ProducerSequences::Resolved(const TopicPartition& partition,
                                 const BatchStamp& stamp) {
  if (IsCurrent(stamp)) --partitions_[partition].unresolved;
}

bool ProducerSequences::IsCurrent(const BatchStamp& stamp) const {
  return stamp.producer_id == producer_id_ && stamp.producer_epoch == epoch_;
}

void ProducerSequences::Acknowledged(const TopicPartition& partition,
                                     const BatchStamp& stamp, int32_t records) {
  if (!IsCurrent(stamp)) return;  // an older epoch's: counted no more
  // A retry answered late (a duplicate) may be of an earlier batch than
  // the last acknowledged: the last only moves forward.
  int32_t& last = partitions_[partition].last_acknowledged;
  const int32_t acknowledged = AddToSequence(stamp.base_sequence, records - 1);
  if (last < 0 || IsAfter(acknowledged, last)) last = acknowledged;
}

bool ProducerSequences::IsNextToAcknowledge(const TopicPartition& partition,
                                            const BatchStamp& stamp) const {
  auto found = partitions_.find(partition);
  const int32_t last =
      found == partitions_.end() ? -1 : found->second.last_acknowledged;
  return stamp.base_sequence == AddToSequence(last, 1);
}

}  // namespace kafka
