/// \file
/// Chapter 7's producer state of a partition: the ProducerStateManager kept
/// in step with the partition's log (Chapter 4's PartitionProducerState
/// seam, filled).
///
/// Kafka's UnifiedLog owns a ProducerStateManager and keeps it a function
/// of the log:
///
///   opening         the newest readable snapshot at or below the log end,
///                   then the log's batches from that snapshot's offset on
///                   (all of them if there is no snapshot): a crash loses
///                   no producer, only the time to replay
///                   (loadProducerState)
///   each append     the batches as written, leader's or follower's
///   segment roll    a snapshot, so that a restart replays at most about a
///                   segment; snapshots older than the log's first segment
///                   are deleted with it
///   truncation      loaded again, as when opening: the truncated log is
///                   what the state must describe
///   log start       producers whose batches are all below it are forgotten
///                   (retention, DeleteRecords), before each check
///   shutdown        a snapshot at the end
///
/// and every producer.id.expiration.check.interval.ms the producers idle
/// for producer.id.expiration.ms are forgotten, looked for before a check.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>

#include "chapters/04_replication/partition_producer_state.h"
#include "chapters/07_idempotence/producer_snapshot.h"
#include "chapters/07_idempotence/producer_state_manager.h"

namespace kafka {

class IdempotentProducerState : public PartitionProducerState {
 public:
  using WarningSink = std::function<void(const std::string&)>;

  /// Loads the state of `log`'s producers (see above).
  IdempotentProducerState(const Log& log, ProducerStateConfig config,
                          int64_t now_ms, WarningSink warn);

  Result<std::optional<LogAppendInfo>> CheckClientBatch(
      const RecordBatchHeader& batch, int64_t now_ms) override;
  void OnAppended(std::span<const RecordBatchHeader> batches, bool rolled,
                  int64_t now_ms) override;
  void OnTruncated() override;
  void OnShutdown() override;

  const ProducerStateManager& state() const { return state_; }

 private:
  /// The newest snapshot at or below the log end, and the log after it.
  void Load();
  /// Replays the log's batches from `offset` to its end.
  void ReplayLogFrom(int64_t offset);
  void TakeSnapshot();
  /// Every producer.id.expiration.check.interval.ms.
  void MaybeRemoveExpiredProducers(int64_t now_ms);

  const Log& log_;
  ProducerStateConfig config_;
  WarningSink warn_;
  ProducerSnapshotFiles snapshots_;
  ProducerStateManager state_;
  int64_t last_expiration_check_ms_;
};

/// The factory a broker's ReplicaManagerSeams::producer_state takes.
ProducerStateFactory MakeIdempotentProducerState(ProducerStateConfig config);

}  // namespace kafka
