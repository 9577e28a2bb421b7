/// \file
/// An idempotent producer's bookkeeping (Chapter 7): the producer id and
/// epoch its batches carry, and per partition the sequence number of the
/// next batch's first record and of the last record acknowledged. It is
/// the idempotent half of the Java producer's TransactionManager, IO-free;
/// the Producer asks for the id (InitProducerId) and sends the batches.
///
/// Each partition counts its records from 0; a batch carries the sequence
/// of its first record, and the broker appends it only if that is the one
/// after the last it appended for this producer (a duplicate of one of the
/// last five it answers with their offsets, a gap it refuses with
/// OUT_OF_ORDER_SEQUENCE_NUMBER). So the producer:
///
///   - stamps a batch the first time it sends it, and a retry keeps the
///     stamp: the broker then knows a retry from a new batch;
///   - retries a batch refused as out of order while an earlier batch of
///     its partition is unacknowledged: that one failed first, and this
///     one will follow it;
///   - gives up on a batch refused although it was the next one (nothing
///     else can cure it), and then bumps its epoch (KIP-360): every
///     partition's sequence starts at 0 again, which a broker accepts from
///     a newer epoch; batches stamped with the older epoch get new stamps.
///     Past the largest epoch, it asks for a new producer id instead.
///
/// Sequences wrap to 0 after 2147483647, as Kafka's do.
#pragma once

#include <cstdint>
#include <map>

#include "chapters/02_partitions/log_manager.h"

namespace kafka {

/// What a batch is sent with: -1s for a producer that is not idempotent.
struct BatchStamp {
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
};

class ProducerSequences {
 public:
  bool has_producer_id() const { return producer_id_ >= 0; }
  int64_t producer_id() const { return producer_id_; }
  int16_t producer_epoch() const { return epoch_; }

  /// InitProducerId's answer: every partition starts at sequence 0.
  void SetProducerId(int64_t producer_id, int16_t epoch);
  /// KIP-360's bump: the next epoch, every partition at sequence 0. An
  /// epoch that would pass 32767 cannot be bumped: the producer id is
  /// forgotten, and the producer asks InitProducerId for a new one (as the
  /// Java producer does).
  void BumpEpoch();

  /// The stamp of a batch of `records` for `partition`, sent now.
  BatchStamp Stamp(const TopicPartition& partition, int32_t records);
  /// The batches stamped under the current epoch for `partition` that are
  /// neither acknowledged nor failed: at most five, the batches the broker
  /// remembers, so that a retry of any of them is known as a duplicate.
  int Unresolved(const TopicPartition& partition) const;
  /// The batch is acknowledged or failed for good.
  void Resolved(const TopicPartition& partition, const BatchStamp& stamp);
  /// True if `stamp` is of the current producer id and epoch.
  bool IsCurrent(const BatchStamp& stamp) const;
  /// The broker appended (or had appended) the batch.
  void Acknowledged(const TopicPartition& partition, const BatchStamp& stamp,
                    int32_t records);
  /// True if the batch is the one after the last acknowledged of its
  /// partition: an OUT_OF_ORDER_SEQUENCE_NUMBER for it cannot be cured.
  bool IsNextToAcknowledge(const TopicPartition& partition,
                           const BatchStamp& stamp) const;

 private:
  struct PartitionSequences {
    int32_t next = 0;                ///< the next batch's base sequence
    int32_t last_acknowledged = -1;  ///< -1: none yet in this epoch
    int unresolved = 0;              ///< stamped, not acknowledged or failed
  };

  int64_t producer_id_ = -1;
  int16_t epoch_ = -1;
  std::map<TopicPartition, PartitionSequences> partitions_;
};

/// `sequence` moved on by `records`, wrapping to 0 after 2147483647.
int32_t AddToSequence(int32_t sequence, int32_t records);
/// True if `sequence` comes after `other`, allowing for the wrap.
bool IsAfter(int32_t sequence, int32_t other);

}  // namespace kafka
