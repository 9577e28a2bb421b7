#include "chapters/06_acks/delayed_produce.h"

#include <utility>

#include "lib/lab.h"

namespace kafka {
namespace {

constexpr int16_t kAcksAll = -1;

// The keys a delayed produce waits under: its appended partitions.
std::vector<TopicPartition> WaitedPartitions(
    const std::vector<LeaderAppend>& appends) {
  std::vector<TopicPartition> keys;
  for (const LeaderAppend& append : appends) {
    if (append.required_offset >= 0) keys.push_back(append.partition);
  }
  return keys;
}

}  // namespace

//! [min insync check]
ErrorCode CheckMinInsyncReplicas(const ReplicatedPartition& partition,
                                 int16_t acks) {
  // BEGIN LAB lab06_acks CheckMinInsyncReplicas
  // HINT: Only acks=all (-1) is checked: acks=1 and acks=0 never wait for
  // HINT: the ISR, so min.insync.replicas does not concern them.
  // HINT: The ISR the controller committed (isr()) must hold at least
  // HINT: effective_min_isr() members; is_under_min_isr() says whether it
  // HINT: does not. Refuse with ErrorCode::kNotEnoughReplicas.
  if (acks == kAcksAll && partition.is_under_min_isr()) {
    return ErrorCode::kNotEnoughReplicas;
  }
  return ErrorCode::kNone;
  // END LAB
}
//! [min insync check]

//! [check enough replicas]
ReplicationProgress CheckEnoughReplicasReachOffset(
    const ReplicatedPartition* partition, int64_t required_offset) {
  // BEGIN LAB lab06_acks CheckEnoughReplicasReachOffset
  // HINT: No replica here, or one that no longer leads: not done, with
  // HINT: ErrorCode::kNotLeaderOrFollower (the answer goes now).
  // HINT: The high watermark below required_offset: not done, no error.
  // HINT: Otherwise done: with no error if the maximal ISR (maximal_isr())
  // HINT: holds at least effective_min_isr() members, else with
  // HINT: ErrorCode::kNotEnoughReplicasAfterAppend.
  if (partition == nullptr || !partition->is_leader()) {
    return {false, ErrorCode::kNotLeaderOrFollower};
  }
  if (partition->high_watermark() < required_offset) return {false};
  const bool enough = int32_t(partition->maximal_isr().size()) >=
                      partition->effective_min_isr();
  return {true,
          enough ? ErrorCode::kNone : ErrorCode::kNotEnoughReplicasAfterAppend};
  // END LAB
}
//! [check enough replicas]

DelayedProduce::DelayedProduce(std::vector<LeaderAppend> appends,
                               PartitionLookup partitions,
                               ReplicaManager::AppendCallback on_done)
    : appends_(std::move(appends)),
      partitions_(std::move(partitions)),
      on_done_(std::move(on_done)) {
  // What was refused has its answer already; what was appended waits, and
  // is REQUEST_TIMED_OUT unless its replicas get there first.
  for (LeaderAppend& append : appends_) {
    const bool appended = append.required_offset >= 0;
    acks_pending_.push_back(appended);
    if (appended) append.result.error_code = ErrorCode::kRequestTimedOut;
  }
}

//! [delayed produce]
bool DelayedProduce::CanComplete() {
  bool any_pending = false;
  for (size_t i = 0; i < appends_.size(); ++i) {
    if (!acks_pending_[i]) continue;
    LeaderAppend& append = appends_[i];
    const ReplicationProgress progress = CheckEnoughReplicasReachOffset(
        partitions_(append.partition), append.required_offset);
    if (progress.done || progress.error != ErrorCode::kNone) {
      acks_pending_[i] = false;
      append.result.error_code = progress.error;
    } else {
      any_pending = true;
    }
  }
  return !any_pending;
}

void DelayedProduce::OnComplete(bool) {
  // Expired or not, each append's answer is what CanComplete left: the
  // ones still pending keep REQUEST_TIMED_OUT.
  on_done_(ResultsOf(appends_));
}
//! [delayed produce]

ErrorCode DelayedProduceAcks::CheckBeforeAppend(
    const ReplicatedPartition& partition, int16_t acks) const {
  return CheckMinInsyncReplicas(partition, acks);
}

void DelayedProduceAcks::AnswerWhenAcknowledged(
    int16_t acks, int32_t timeout_ms, std::vector<LeaderAppend> appends,
    ReplicaManager::AppendCallback on_done) {
  std::vector<TopicPartition> keys = WaitedPartitions(appends);
  if (acks != kAcksAll || keys.empty()) {
    on_done(ResultsOf(appends));
    return;
  }
  purgatory_.TryCompleteElseWatch(
      std::make_unique<DelayedProduce>(std::move(appends), partitions_,
                                       std::move(on_done)),
      keys, timeout_ms);
}

void DelayedProduceAcks::OnPartitionChanged(const TopicPartition& partition) {
  purgatory_.CheckAndComplete(partition);
}

ProduceAcksFactory MakeDelayedProduceAcks() {
  return [](Environment& env, PartitionLookup partitions) {
    return std::make_unique<DelayedProduceAcks>(env, std::move(partitions));
  };
}

}  // namespace kafka
