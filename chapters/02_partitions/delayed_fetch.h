/// \file
/// The delayed fetch: a fetch that waits in the purgatory for min_bytes.
///
/// A consumer at the end of the log asks for at least min_bytes and will
/// wait up to max_wait_ms for them (a long poll); so does a follower that
/// has copied everything its leader has (Chapter 4). The ReplicaManager reads
/// such a fetch at once, and if the read found less than min_bytes, parks
/// it here (Kafka's DelayedFetch): each append, and from Chapter 4 each
/// high watermark that moves, checks it again, and it answers with a fresh
/// read once min_bytes are there, or with what there is when max_wait_ms
/// pass.
///
/// The read is the ReplicaManager's (Kafka's readFromLocalLog), whichever
/// chapter's it is: Chapter 2's one-replica manager and Chapter 4's
/// replicated one both park their fetches here.
#pragma once

#include <cstdint>
#include <vector>

#include "chapters/02_partitions/log_manager.h"
#include "chapters/02_partitions/purgatory.h"
#include "chapters/02_partitions/replica_manager.h"
#include "lib/protocol/fetch.h"

namespace kafka {

/// What a delayed fetch reads with: the ReplicaManager's read of its logs.
class LocalLogReader {
 public:
  virtual ~LocalLogReader() = default;
  /// Reads what a fetch asks for, within its byte budgets, now, and changes
  /// nothing (the purgatory may read a fetch many times before it answers);
  /// sets `bytes_read` to the size of the records in the answer.
  virtual FetchResponse ReadFromLocalLog(const FetchRequest& request,
                                         int64_t& bytes_read) const = 0;
};

/// Whether some partition of the answer has an error.
bool AnyPartitionFailed(const FetchResponse& response);

/// The partitions a fetch asks for: the keys it waits under.
std::vector<TopicPartition> PartitionsOf(const FetchRequest& request);

/// A fetch waiting for min_bytes (a long poll): it can complete once a read
/// would return that much, and on completion reads and answers, also when
/// max_wait_ms passed with less.
class DelayedFetch : public DelayedOperation {
 public:
  DelayedFetch(const LocalLogReader& reader, FetchRequest request,
               ReplicaManager::FetchCallback on_done)
      : reader_(reader),
        request_(std::move(request)),
        on_done_(std::move(on_done)) {}

  bool CanComplete() override;
  void OnComplete(bool expired) override;

 private:
  const LocalLogReader& reader_;
  FetchRequest request_;
  ReplicaManager::FetchCallback on_done_;
};

}  // namespace kafka
