/// \file
/// The producers of one partition: what its log says each of them wrote
/// last (Kafka's ProducerStateManager, one per partition's UnifiedLog).
///
/// The leader asks it about each client batch before the append
/// (CheckClientBatch: a duplicate to answer with its original offsets, an
/// error, or go ahead) and tells it about each batch after the append
/// (Update). A follower tells it about each batch it copies, so that it
/// knows the same producers when it becomes the leader.
///
/// The state is a function of the log: replaying the log's batches in order
/// rebuilds it. map_end_offset() says how far into the log it has been
/// built, which is where a snapshot of it (producer_snapshot.h) is taken
/// and where the replay after loading one starts. When the log changes
/// under it, it follows:
///
///   log start moves up     producers with no batch left in the log are
///                          forgotten (TruncateHead): after retention
///                          removed all of a producer's batches, any
///                          sequence is accepted from it again
///   truncation             rebuilt from an earlier snapshot and the log
///   full truncation        emptied (TruncateFullyAndStartAt)
///   producer.id.expiration.ms
///                          a producer that has written nothing for this
///                          long is forgotten (RemoveExpiredProducers)
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "chapters/07_idempotence/producer_state.h"
#include "lib/error.h"

namespace kafka {

/// producer.id.expiration.ms (Kafka's default: one day) and how often the
/// broker looks for expired producers
/// (producer.id.expiration.check.interval.ms: ten minutes).
struct ProducerStateConfig {
  int64_t producer_id_expiration_ms = 86'400'000;
  int64_t producer_id_expiration_check_interval_ms = 600'000;
};

class ProducerStateManager {
 public:
  /// Empty, built up to `map_end_offset` (the log start when loading).
  explicit ProducerStateManager(int64_t map_end_offset = 0)
      : map_end_offset_(map_end_offset) {}

  /// What to do with a client's batch, in Kafka's order: the remembered
  /// batch it repeats (append nothing, answer with its offsets), or an
  /// error (INVALID_PRODUCER_EPOCH, OUT_OF_ORDER_SEQUENCE_NUMBER,
  /// INVALID_RECORD for a producer id without a sequence), or nullopt:
  /// append it. A batch without a producer id is always appended.
  Result<std::optional<BatchMetadata>> CheckClientBatch(
      const RecordBatchHeader& batch) const;

  /// Records a batch now in the log, with its final offsets, whoever wrote
  /// it; map_end_offset() moves past it.
  void Update(const RecordBatchHeader& batch);

  /// The producer's state here, or nullptr if this partition does not know
  /// it.
  const ProducerStateEntry* Find(int64_t producer_id) const;
  const std::map<int64_t, ProducerStateEntry>& producers() const {
    return producers_;
  }
  /// The offset after the last batch the state has seen.
  int64_t map_end_offset() const { return map_end_offset_; }

  /// Loads a producer's state as a snapshot kept it.
  void Load(ProducerStateEntry entry);
  /// Forgets the producers whose newest batch is older than
  /// producer.id.expiration.ms at `now_ms`.
  void RemoveExpiredProducers(int64_t now_ms, int64_t expiration_ms);
  /// Forgets the producers whose newest batch lies below `log_start_offset`
  /// (Kafka's truncateHead, on a log start offset increment).
  void TruncateHead(int64_t log_start_offset);
  /// Forgets every producer: the log is empty and starts at `offset`.
  void TruncateFullyAndStartAt(int64_t offset);

 private:
  std::map<int64_t, ProducerStateEntry> producers_;
  int64_t map_end_offset_;
};

}  // namespace kafka
