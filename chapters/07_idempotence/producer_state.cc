#include "chapters/07_idempotence/producer_state.h"

#include <limits>
#include <string>

#include "lib/lab.h"

namespace kafka {
namespace {

constexpr int32_t kMaxSequence = std::numeric_limits<int32_t>::max();

/// Does `next` follow `last` directly (0 follows 2147483647)?
bool InSequence(int32_t last, int32_t next) {
  return next == IncrementSequence(last, 1);
}

Error OutOfOrder(const ProducerStateEntry& entry,
                 const RecordBatchHeader& batch, const std::string& why) {
  return Error{ErrorCode::kOutOfOrderSequenceNumber,
               "producer " + std::to_string(entry.producer_id()) + " epoch " +
                   std::to_string(batch.producer_epoch) + ": sequence " +
                   std::to_string(batch.base_sequence) + " " + why};
}

}  // namespace

int32_t IncrementSequence(int32_t sequence, int32_t delta) {
  if (sequence > kMaxSequence - delta) {
    return delta - (kMaxSequence - sequence) - 1;
  }
  return sequence + delta;
}

int32_t LastSequenceOf(const RecordBatchHeader& batch) {
  return IncrementSequence(batch.base_sequence, batch.last_offset_delta);
}

int32_t ProducerStateEntry::LastSequence() const {
  return batches_.empty() ? kNoSequence : batches_.front().last_sequence;
}

int64_t ProducerStateEntry::LastTimestamp() const {
  return batches_.empty() ? -1 : batches_.front().timestamp;
}

//! [find duplicate]
std::optional<BatchMetadata> ProducerStateEntry::FindDuplicateBatch(
    const RecordBatchHeader& batch) const {
  // BEGIN LAB lab07_idempotence FindDuplicateBatch
  // HINT: Only a batch of the producer's current epoch can be a duplicate.
  // HINT: It is one if some remembered batch (batches()) has exactly its
  // HINT: first sequence (base_sequence) and its last (LastSequenceOf).
  if (batch.producer_epoch != producer_epoch_) return std::nullopt;
  for (const BatchMetadata& remembered : batches_) {
    if (remembered.first_sequence == batch.base_sequence &&
        remembered.last_sequence == LastSequenceOf(batch)) {
      return remembered;
    }
  }
  return std::nullopt;
  // END LAB
}
//! [find duplicate]

void ProducerStateEntry::AddBatch(const RecordBatchHeader& batch) {
  if (batch.producer_epoch != producer_epoch_) {
    producer_epoch_ = batch.producer_epoch;
    batches_.clear();
  }
  batches_.push_front(BatchMetadata{
      .first_sequence = batch.base_sequence,
      .last_sequence = LastSequenceOf(batch),
      .first_offset = batch.base_offset,
      .last_offset = batch.LastOffset(),
      .timestamp = batch.max_timestamp,
  });
  if (batches_.size() > kBatchesRetainedPerProducer) batches_.pop_back();
}

Status CheckProducerEpoch(const ProducerStateEntry& entry,
                          const RecordBatchHeader& batch, AppendOrigin origin) {
  if (origin == AppendOrigin::kReplication) return Status();
  if (batch.producer_epoch >= entry.producer_epoch()) return Status();
  return Error{ErrorCode::kInvalidProducerEpoch,
               "producer " + std::to_string(entry.producer_id()) + ": epoch " +
                   std::to_string(batch.producer_epoch) +
                   " is older than the current epoch " +
                   std::to_string(entry.producer_epoch())};
}

//! [check sequence]
Status CheckSequence(const ProducerStateEntry& entry,
                     const RecordBatchHeader& batch) {
  // BEGIN LAB lab07_idempotence CheckSequence
  // HINT: A producer this partition has never seen (producer_epoch() is
  // HINT: kNoProducerEpoch) may start at any sequence.
  // HINT: A new epoch starts the numbering again: its first batch must
  // HINT: start at sequence 0.
  // HINT: The same epoch must go on where the newest batch ended:
  // HINT: LastSequence() + 1, with 0 after 2147483647. Anything else is a
  // HINT: gap or a retry too old to remember: return OutOfOrder(...).
  if (entry.producer_epoch() == kNoProducerEpoch) return Status();
  if (batch.producer_epoch != entry.producer_epoch()) {
    if (batch.base_sequence == 0) return Status();
    return OutOfOrder(entry, batch, "does not start a new epoch at 0");
  }
  if (InSequence(entry.LastSequence(), batch.base_sequence)) return Status();
  return OutOfOrder(entry, batch,
                    "does not follow " + std::to_string(entry.LastSequence()));
  // END LAB
}
//! [check sequence]

}  // namespace kafka
