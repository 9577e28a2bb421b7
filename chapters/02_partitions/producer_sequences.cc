#include "chapters/02_partitions/producer_sequences.h"

#include <limits>

namespace kafka {

int32_t AddToSequence(int32_t sequence, int32_t records) {
  const int64_t sum = int64_t(sequence) + records;
  const int64_t wrap = int64_t(std::numeric_limits<int32_t>::max()) + 1;
  return int32_t(sum % wrap);
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
  return stamp;
}

bool ProducerSequences::IsCurrent(const BatchStamp& stamp) const {
  return stamp.producer_id == producer_id_ && stamp.producer_epoch == epoch_;
}

void ProducerSequences::Acknowledged(const TopicPartition& partition,
                                     const BatchStamp& stamp, int32_t records) {
  if (!IsCurrent(stamp)) return;  // an older epoch's: counted no more
  partitions_[partition].last_acknowledged =
      AddToSequence(stamp.base_sequence, records - 1);
}

bool ProducerSequences::IsNextToAcknowledge(const TopicPartition& partition,
                                            const BatchStamp& stamp) const {
  auto found = partitions_.find(partition);
  const int32_t last =
      found == partitions_.end() ? -1 : found->second.last_acknowledged;
  return stamp.base_sequence == AddToSequence(last, 1);
}

}  // namespace kafka
