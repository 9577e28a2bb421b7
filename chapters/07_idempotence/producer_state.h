/// \file
/// A producer's state in one partition: its epoch and its last five batches.
///
/// An idempotent producer gets a producer id (InitProducerId) and numbers
/// the records it sends to each partition 0, 1, 2, ...: each batch carries
/// the producer id, the producer's epoch and the sequence number of its first
/// record (its base sequence). A retry resends the same batch with the same
/// numbers, so the leader can tell a batch it already has from a new one.
///
/// For each producer id the leader remembers the epoch and the last five
/// batches it appended (Kafka's ProducerStateEntry, NUM_BATCHES_TO_RETAIN):
/// their sequence ranges and offsets. A client batch is checked in Kafka's
/// order (ProducerAppendInfo, UnifiedLog.analyzeAndValidateProducerState):
///
///   1. duplicate: same epoch, and the exact sequence range of one of the
///      five batches. Nothing is appended; the producer is answered NONE
///      with the original batch's offsets (FindDuplicateBatch).
///   2. epoch: older than the producer's: INVALID_PRODUCER_EPOCH.
///   3. sequence (CheckSequence): a new epoch must start at 0, unless the
///      producer is unknown here; the same epoch must continue from the last
///      batch's last sequence plus one (after 2147483647 comes 0). Anything
///      else is a gap or a stale retry: OUT_OF_ORDER_SEQUENCE_NUMBER.
///
/// Why five: a producer has at most five requests in flight per connection
/// (max.in.flight.requests.per.connection), each with at most one batch per
/// partition. When one of them is retried, at most four later batches can
/// have been appended after it, so it is still among the last five.
///
/// A follower's copy (origin kReplication) is not checked for duplicates or
/// sequences, only recorded, so a follower that becomes leader knows the
/// same five batches. Everything here is IO-free: the partition calls it
/// before and after its append.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>

#include "chapters/01_log/record_batch.h"
#include "lib/error.h"

namespace kafka {

/// How many batches per producer the leader remembers (Kafka's
/// ProducerStateEntry.NUM_BATCHES_TO_RETAIN).
inline constexpr int kBatchesRetainedPerProducer = 5;

/// Who wrote a batch: a producer (checked) or the leader, copied by a
/// follower (recorded only). Kafka's AppendOrigin.
enum class AppendOrigin { kClient, kReplication };

/// The sequence `delta` records after `sequence`, wrapping from 2147483647
/// to 0 as Kafka's DefaultRecordBatch.incrementSequence does.
int32_t IncrementSequence(int32_t sequence, int32_t delta);

/// The sequence number of a batch's last record.
int32_t LastSequenceOf(const RecordBatchHeader& batch);

/// One appended batch, as the leader remembers it (Kafka's BatchMetadata).
struct BatchMetadata {
  int32_t first_sequence = kNoSequence;
  int32_t last_sequence = kNoSequence;
  int64_t first_offset = 0;
  int64_t last_offset = 0;
  int64_t timestamp = 0;  // the batch's max timestamp

  bool operator==(const BatchMetadata&) const = default;
};

/// What a partition knows of one producer (Kafka's ProducerStateEntry).
class ProducerStateEntry {
 public:
  explicit ProducerStateEntry(int64_t producer_id)
      : producer_id_(producer_id) {}

  int64_t producer_id() const { return producer_id_; }
  /// kNoProducerEpoch for a producer this partition has not seen.
  int16_t producer_epoch() const { return producer_epoch_; }
  /// The newest first; at most kBatchesRetainedPerProducer.
  const std::deque<BatchMetadata>& batches() const { return batches_; }
  /// The last sequence of the newest batch, or kNoSequence.
  int32_t LastSequence() const;
  /// The newest batch's timestamp, for producer.id.expiration.ms.
  int64_t LastTimestamp() const;

  /// The remembered batch that `batch` repeats: same epoch and exactly the
  /// same sequence range.
  std::optional<BatchMetadata> FindDuplicateBatch(
      const RecordBatchHeader& batch) const;

  /// Records an appended batch (with its final offsets). A new epoch forgets
  /// the batches of the old one.
  void AddBatch(const RecordBatchHeader& batch);

 private:
  int64_t producer_id_;
  int16_t producer_epoch_ = kNoProducerEpoch;
  std::deque<BatchMetadata> batches_;
};

/// Checks 2 and 3 above for a batch about to be appended; a client batch
/// must pass both, a follower's copy passes always.
Status CheckProducerEpoch(const ProducerStateEntry& entry,
                          const RecordBatchHeader& batch, AppendOrigin origin);
Status CheckSequence(const ProducerStateEntry& entry,
                     const RecordBatchHeader& batch);

}  // namespace kafka
