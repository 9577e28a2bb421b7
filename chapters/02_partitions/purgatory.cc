#include "chapters/02_partitions/purgatory.h"

#include <algorithm>

namespace kafka {

void DelayedOperationPurgatory::TryCompleteElseWatch(
    std::unique_ptr<DelayedOperation> operation,
    const std::vector<TopicPartition>& keys, int64_t timeout_ms) {
  if (operation->CanComplete()) {
    operation->OnComplete(/*expired=*/false);
    return;
  }
  const OperationId id = next_id_++;
  const TimerId timer = env_.StartTimer(
      timeout_ms, [this, id] { Complete(id, /*expired=*/true); });
  operations_.emplace(id, Watched{std::move(operation), keys, timer});
  for (const TopicPartition& key : keys) watchers_[key].push_back(id);
}

int DelayedOperationPurgatory::CheckAndComplete(const TopicPartition& key) {
  auto found = watchers_.find(key);
  if (found == watchers_.end()) return 0;
  // Completing one may park or complete others: work on a copy.
  const std::vector<OperationId> watching = found->second;
  int completed = 0;
  for (OperationId id : watching) {
    auto operation = operations_.find(id);
    if (operation == operations_.end()) continue;  // completed meanwhile
    if (!operation->second.operation->CanComplete()) continue;
    env_.CancelTimer(operation->second.timer);
    Complete(id, /*expired=*/false);
    ++completed;
  }
  return completed;
}

void DelayedOperationPurgatory::Complete(OperationId id, bool expired) {
  auto found = operations_.find(id);
  Watched watched = std::move(found->second);
  operations_.erase(found);
  for (const TopicPartition& key : watched.keys) {
    std::vector<OperationId>& ids = watchers_[key];
    std::erase(ids, id);
    if (ids.empty()) watchers_.erase(key);
  }
  watched.operation->OnComplete(expired);
}

}  // namespace kafka
