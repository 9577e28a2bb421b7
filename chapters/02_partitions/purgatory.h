/// \file
/// The purgatory: requests that wait for something to happen to a partition.
///
/// Some answers cannot be given at once. A consumer at the end of the log
/// asks for at least min_bytes and will wait up to max_wait_ms for them (a
/// long poll); from Chapter 6, a producer with acks=all waits until the
/// followers have copied its records. Kafka parks such a request as a
/// *delayed operation* in a purgatory (DelayedOperationPurgatory), watched
/// under the partitions it waits on. Whoever changes a partition (an append,
/// later a high watermark that moves) calls CheckAndComplete for it, and
/// each operation watching it checks whether it can complete now. An
/// operation completes exactly once: because it can, or because its timeout
/// passed, whichever comes first.
///
/// Kafka's DelayedOperation has tryComplete (check and, if ready, complete),
/// onComplete and onExpiration; here an operation says whether it can
/// complete, and the purgatory completes it, which gives the same "exactly
/// once" with less to get wrong.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "chapters/02_partitions/log_manager.h"
#include "lib/node/node.h"

namespace kafka {

class DelayedOperation {
 public:
  virtual ~DelayedOperation() = default;
  /// Whether the operation can answer now (a fetch: whether min_bytes are
  /// there).
  virtual bool CanComplete() = 0;
  /// Answers the request; called once, when CanComplete holds or the
  /// timeout passed. `expired` says which.
  virtual void OnComplete(bool expired) = 0;
};

class DelayedOperationPurgatory {
 public:
  /// The purgatory lives as long as its node; when the node goes, the
  /// runtime drops the node's timers with it.
  explicit DelayedOperationPurgatory(Environment& env) : env_(env) {}

  /// Completes `operation` now if it can; otherwise parks it under `keys`
  /// until a CheckAndComplete of one of them finds it ready, or until
  /// `timeout_ms` pass.
  void TryCompleteElseWatch(std::unique_ptr<DelayedOperation> operation,
                            const std::vector<TopicPartition>& keys,
                            int64_t timeout_ms);
  /// Something happened to `key`: completes the operations watching it that
  /// can complete now. Returns how many did.
  int CheckAndComplete(const TopicPartition& key);
  /// How many operations wait.
  size_t watched() const { return operations_.size(); }

 private:
  using OperationId = uint64_t;
  struct Watched {
    std::unique_ptr<DelayedOperation> operation;
    std::vector<TopicPartition> keys;
    TimerId timer;
  };
  /// Stops watching the operation, then answers it.
  void Complete(OperationId id, bool expired);

  Environment& env_;
  OperationId next_id_ = 0;
  std::map<OperationId, Watched> operations_;
  std::map<TopicPartition, std::vector<OperationId>> watchers_;
};

}  // namespace kafka
