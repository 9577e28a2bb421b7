/// \file
/// What a partition keeps of the producers that write to it: the seam
/// where Chapter 7's idempotence goes.
///
/// An idempotent producer numbers its batches, and a leader that remembers
/// the last numbers of each producer can tell a retried batch from a new
/// one (Kafka's ProducerStateManager, one per log). That memory follows the
/// partition's log through everything that changes it, and this interface
/// is where the partition tells it:
///
///   before a client's batch   may it be appended? It may be refused (a
///                             gap in the numbers, a fenced epoch), or be
///                             a batch already in the log: then nothing is
///                             appended and the producer gets the offsets
///                             it was written at
///   after any append          the leader's and a follower's batches, with
///                             their offsets: a follower remembers what the
///                             leader remembers, so a new leader does too
///   after a truncation        the log lost its end: forget what it said
///   at shutdown               a snapshot, so that the next start does not
///                             read the whole log again
///
/// Chapter 4's partitions keep nothing (NoProducerState): every batch is
/// appended, as in Kafka before idempotence (0.11). Chapter 7 fills the seam
/// (chapters/07_idempotence/idempotent_producer_state.h), so that Chapter
/// 4's partition is the same code in both.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "chapters/01_log/log.h"
#include "chapters/01_log/record_batch.h"
#include "lib/error.h"

namespace kafka {

class PartitionProducerState {
 public:
  virtual ~PartitionProducerState() = default;

  /// Before the leader appends `batch` from a client: an error refuses it;
  /// the offsets of a batch already in the log that it repeats mean "append
  /// nothing, answer with these"; nullopt means append it.
  virtual Result<std::optional<LogAppendInfo>> CheckClientBatch(
      const RecordBatchHeader& batch, int64_t now_ms) = 0;
  /// After an append, the leader's or a follower's: the batches as the log
  /// now holds them, and whether the append rolled a new segment.
  virtual void OnAppended(std::span<const RecordBatchHeader> batches,
                          bool rolled, int64_t now_ms) = 0;
  /// After the log was truncated, at its end (TruncateTo) or whole
  /// (TruncateFullyAndStartAt).
  virtual void OnTruncated() = 0;
  /// At a clean shutdown.
  virtual void OnShutdown() = 0;
};

/// Makes a partition's producer state over its log, which it may read to
/// build itself; `warn` takes what Kafka logs at WARN.
using ProducerStateFactory =
    std::function<std::unique_ptr<PartitionProducerState>(
        const Log& log, int64_t now_ms,
        std::function<void(const std::string&)> warn)>;

/// Chapter 4's: nothing is remembered, every batch is appended.
class NoProducerState : public PartitionProducerState {
 public:
  Result<std::optional<LogAppendInfo>> CheckClientBatch(
      const RecordBatchHeader&, int64_t) override {
    return std::optional<LogAppendInfo>();
  }
  void OnAppended(std::span<const RecordBatchHeader>, bool, int64_t) override {}
  void OnTruncated() override {}
  void OnShutdown() override {}
};

}  // namespace kafka
