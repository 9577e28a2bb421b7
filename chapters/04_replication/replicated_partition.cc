#include "chapters/04_replication/replicated_partition.h"

#include <algorithm>
#include <sstream>

#include "chapters/01_log/record_batch.h"
#include "lib/lab.h"

namespace kafka {
namespace {

// Kafka's UnifiedLog.UnknownOffset: what a new leader knows of a follower's
// log until the follower fetches.
constexpr int64_t kUnknownOffset = -1;

bool Contains(const std::vector<NodeId>& brokers, NodeId broker) {
  return std::find(brokers.begin(), brokers.end(), broker) != brokers.end();
}

std::string Describe(const std::vector<NodeId>& brokers) {
  std::ostringstream out;
  out << "[";
  for (size_t i = 0; i < brokers.size(); ++i) {
    out << (i ? "," : "") << brokers[i];
  }
  out << "]";
  return out.str();
}

Error NotLeaderOrFollower(const std::string& why) {
  return Error{ErrorCode::kNotLeaderOrFollower, why};
}

Error OffsetOutOfRange(const std::string& why) {
  return Error{ErrorCode::kOffsetOutOfRange, why};
}

}  // namespace

bool FollowerState::IsCaughtUp(int64_t leader_log_end_offset, int64_t now_ms,
                               int64_t replica_lag_time_max_ms) const {
  // BEGIN LAB lab04_replication FollowerState::IsCaughtUp
  // HINT: Caught up: the follower's LEO is the leader's LEO, or it last
  // HINT: caught up (last_caught_up_time_ms) no more than
  // HINT: replica_lag_time_max_ms ago; exactly at the limit it still is.
  // HINT: A follower that never caught up (kNeverCaughtUp) is not.
  if (log_end_offset == leader_log_end_offset) return true;
  return last_caught_up_time_ms != kNeverCaughtUp &&
         now_ms - last_caught_up_time_ms <= replica_lag_time_max_ms;
  // END LAB
}

ReplicatedPartition::ReplicatedPartition(TopicPartition id, Log& log,
                                         NodeId local_broker,
                                         ReplicationConfig config)
    : Partition(std::move(id), log),
      local_broker_(local_broker),
      config_(config),
      epochs_(log.storage(), log.dir()),
      high_watermark_(log.log_start_offset()) {
  ReconcileEpochsWithLog();
}

void ReplicatedPartition::set_warning_sink(WarningSink sink) {
  warning_sink_ = sink;
  epochs_.set_warning_sink(std::move(sink));
}

void ReplicatedPartition::set_producer_state(const ProducerStateFactory& make,
                                             int64_t now_ms) {
  producer_state_ = make(log(), now_ms,
                         [this](const std::string& warning) { Warn(warning); });
}

// A corrupt file, or none beside a log that has batches (a log from before
// epochs, or a lost file), is rebuilt from the batches' epochs. Entries past
// the log end or below its start lost their batches (a crash, retention).
void ReplicatedPartition::ReconcileEpochsWithLog() {
  const bool missing = !log().storage().Exists(epochs_.path());
  if (!epochs_.load_error().ok() ||
      (missing && log_end_offset() > log_start_offset())) {
    RebuildLeaderEpochCache(log(), epochs_);
  }
  epochs_.TruncateFromEnd(log_end_offset());
  epochs_.TruncateFromStart(log_start_offset());
}

//! [make leader]
bool ReplicatedPartition::MakeLeader(const PartitionState& state,
                                     int64_t now_ms) {
  if (state.partition_epoch < partition_epoch_) return false;
  if (is_leader() && state.leader_epoch == leader_epoch_ &&
      state.partition_epoch == partition_epoch_) {
    return false;  // the controller said it again
  }
  const bool is_new_leader = !is_leader();
  const bool is_new_leader_epoch = state.leader_epoch > leader_epoch_;
  UpdateAssignmentAndIsr(state, /*is_leader=*/true);
  if (is_new_leader_epoch) {
    // A follower may hold batches of a later epoch than any here (quick
    // leader changes): the new epoch, larger than all of them, starts at
    // this log's end, so that the follower finds where to truncate.
    const int64_t start = log_end_offset();
    epochs_.Assign(state.leader_epoch, start);
    ResetFollowerStates(now_ms, start, is_new_leader);
    leader_epoch_ = state.leader_epoch;
    leader_epoch_start_offset_ = start;
  }
  partition_epoch_ = state.partition_epoch;
  leader_id_ = local_broker_;
  // An ISR of the leader alone may let the HW move at once.
  return MaybeIncrementHighWatermark(now_ms);
}
//! [make leader]

bool ReplicatedPartition::MakeFollower(const PartitionState& state) {
  if (state.partition_epoch < partition_epoch_) return false;
  const bool is_new_leader_epoch = state.leader_epoch > leader_epoch_;
  leader_id_ = state.leader;
  leader_epoch_ = state.leader_epoch;
  leader_epoch_start_offset_.reset();
  partition_epoch_ = state.partition_epoch;
  UpdateAssignmentAndIsr(state, /*is_leader=*/false);
  return is_new_leader_epoch;
}

void ReplicatedPartition::UpdateAssignmentAndIsr(const PartitionState& state,
                                                 bool is_leader) {
  replicas_ = state.replicas;
  isr_ = is_leader ? state.isr : std::vector<NodeId>{};
  pending_isr_change_.reset();
  if (!is_leader) {
    followers_.clear();
    return;
  }
  std::erase_if(followers_, [&](const auto& follower) {
    return !Contains(replicas_, follower.first);
  });
  for (NodeId replica : replicas_) {
    if (replica != local_broker_) {
      followers_.try_emplace(replica, FollowerState{.broker = replica});
    }
  }
}

// A follower in the ISR counts as caught up as of now, one outside it as
// never, so that it does not hold the HW back. A leader new to the partition
// knows nothing of the followers' logs; one re-elected keeps what it knew,
// but a follower outside the ISR must fetch before it may rejoin.
void ReplicatedPartition::ResetFollowerStates(int64_t now_ms,
                                              int64_t leader_end_offset,
                                              bool is_new_leader) {
  for (auto& [broker, follower] : followers_) {
    const bool in_sync = InIsr(broker);
    const int64_t caught_up_ms =
        in_sync ? now_ms : FollowerState::kNeverCaughtUp;
    if (is_new_leader) {
      follower =
          FollowerState{.broker = broker,
                        .log_end_offset = kUnknownOffset,
                        .log_start_offset = kUnknownOffset,
                        .last_caught_up_time_ms = caught_up_ms,
                        .last_fetch_leader_log_end_offset = kUnknownOffset,
                        .last_fetch_time_ms = 0};
    } else {
      follower.last_fetch_leader_log_end_offset = leader_end_offset;
      follower.last_fetch_time_ms = in_sync ? now_ms : 0;
      follower.last_caught_up_time_ms = caught_up_ms;
    }
  }
}

std::vector<NodeId> ReplicatedPartition::maximal_isr() const {
  std::vector<NodeId> maximal = isr_;
  if (pending_isr_change_) {
    for (NodeId broker : pending_isr_change_->new_isr) {
      if (!Contains(maximal, broker)) maximal.push_back(broker);
    }
  }
  return maximal;
}

int32_t ReplicatedPartition::effective_min_isr() const {
  return std::min<int32_t>(log().config().min_insync_replicas,
                           int32_t(followers_.size()) + 1);
}

bool ReplicatedPartition::is_under_min_isr() const {
  return is_leader() && int32_t(isr_.size()) < effective_min_isr();
}

bool ReplicatedPartition::InIsr(NodeId broker) const {
  return Contains(isr_, broker);
}

bool ReplicatedPartition::InMaximalIsr(NodeId broker) const {
  return InIsr(broker) || (pending_isr_change_ &&
                           Contains(pending_isr_change_->new_isr, broker));
}

//! [fetch for follower]
Result<FollowerFetchResult> ReplicatedPartition::FetchForFollower(
    const FollowerFetchParams& params, int64_t now_ms) {
  if (Status epoch = CheckCurrentLeaderEpoch(params.current_leader_epoch);
      !epoch.ok()) {
    return epoch.error();
  }
  if (!is_leader()) {
    return NotLeaderOrFollower("broker " + std::to_string(local_broker_) +
                               " does not lead " + id().DirectoryName());
  }
  auto follower = followers_.find(params.replica_id);
  if (follower == followers_.end()) {
    return NotLeaderOrFollower("broker " + std::to_string(params.replica_id) +
                               " is not a follower of " + id().DirectoryName() +
                               ", replicas " + Describe(replicas_));
  }
  // The offsets before this fetch moves them; the LEO is read before the
  // records, so that appends after it do not keep the follower behind.
  FollowerFetchResult result{.high_watermark = high_watermark(),
                             .log_start_offset = log_start_offset(),
                             .log_end_offset = log_end_offset()};
  Result<std::optional<EpochEndOffset>> diverging = CheckDivergence(params);
  if (!diverging.ok()) return diverging.error();
  if (*diverging) {
    result.diverging_epoch = *diverging;
    return result;
  }
  if (Status read = Read(params.fetch_offset, params.max_bytes,
                         FetchIsolation::kLogEnd, result.records);
      !read.ok()) {
    return read.error();
  }
  const int64_t previous_end_offset = follower->second.log_end_offset;
  UpdateFollowerFetchState(follower->second, params, result.log_end_offset,
                           now_ms);
  result.isr_change = MaybeExpandIsr(follower->second);
  if (follower->second.log_end_offset != previous_end_offset) {
    result.high_watermark_advanced = MaybeIncrementHighWatermark(now_ms);
  }
  return result;
}
//! [fetch for follower]

//! [diverging epoch]
// The follower's last batch is of `last_fetched_epoch`. If that epoch ended
// in this log below the fetch offset, or this log never had it (the largest
// epoch here at or below it is smaller), the follower's log has batches
// this one does not: it must truncate first.
Result<std::optional<EpochEndOffset>> ReplicatedPartition::CheckDivergence(
    const FollowerFetchParams& params) const {
  const std::optional<EpochEndOffset> none;
  if (params.last_fetched_epoch < 0) return none;
  const EpochEndOffset end =
      LastOffsetForLeaderEpoch(params.last_fetched_epoch);
  if (end.epoch == kUndefinedEpoch || end.end_offset == kUndefinedEpochOffset) {
    return OffsetOutOfRange("cannot tell where epoch " +
                            std::to_string(params.last_fetched_epoch) +
                            " ended in " + id().DirectoryName());
  }
  if (params.fetch_offset < log_start_offset()) {
    return OffsetOutOfRange("offset " + std::to_string(params.fetch_offset) +
                            " is below the log start offset " +
                            std::to_string(log_start_offset()));
  }
  if (end.epoch < params.last_fetched_epoch ||
      end.end_offset < params.fetch_offset) {
    return std::optional<EpochEndOffset>(end);
  }
  return none;
}
//! [diverging epoch]

//! [follower fetch state]
// A follower that fetches from the leader's LEO has caught up now; one that
// fetches from where the leader's log ended at its previous fetch had caught
// up then. Otherwise it is as behind as it was.
void ReplicatedPartition::UpdateFollowerFetchState(
    FollowerState& follower, const FollowerFetchParams& params,
    int64_t leader_end_offset, int64_t now_ms) {
  if (params.fetch_offset >= leader_end_offset) {
    follower.last_caught_up_time_ms =
        std::max(follower.last_caught_up_time_ms, now_ms);
  } else if (params.fetch_offset >= follower.last_fetch_leader_log_end_offset) {
    follower.last_caught_up_time_ms =
        std::max(follower.last_caught_up_time_ms, follower.last_fetch_time_ms);
  }
  follower.log_start_offset = params.log_start_offset;
  follower.log_end_offset = params.fetch_offset;
  follower.last_fetch_leader_log_end_offset =
      std::max(leader_end_offset, follower.last_fetch_leader_log_end_offset);
  follower.last_fetch_time_ms = now_ms;
  follower.broker_epoch = params.replica_epoch;
}
//! [follower fetch state]

//! [isr expansion]
std::optional<IsrChange> ReplicatedPartition::MaybeExpandIsr(
    const FollowerState& follower) {
  if (pending_isr_change_ || InIsr(follower.broker) ||
      !IsIsrEligible(follower.broker) || !IsFollowerInSync(follower)) {
    return std::nullopt;
  }
  std::vector<NodeId> new_isr = isr_;
  new_isr.push_back(follower.broker);
  return ProposeIsr(std::move(new_isr));
}

bool ReplicatedPartition::IsIsrEligible(NodeId broker) const {
  if (!isr_eligibility_) return true;
  auto follower = followers_.find(broker);
  return follower != followers_.end() &&
         isr_eligibility_(broker, follower->second.broker_epoch);
}

// Below the HW the follower would make it go back; below the start of this
// leader's epoch it may still hold batches of an older epoch to truncate.
bool ReplicatedPartition::IsFollowerInSync(
    const FollowerState& follower) const {
  return follower.log_end_offset >= high_watermark_ &&
         leader_epoch_start_offset_ &&
         follower.log_end_offset >= *leader_epoch_start_offset_;
}
//! [isr expansion]

//! [high watermark]
bool ReplicatedPartition::MaybeIncrementHighWatermark(int64_t now_ms) {
  // BEGIN LAB lab04_replication MaybeIncrementHighWatermark
  // HINT: Only a leader moves its HW, and not while its ISR is under
  // HINT: min.insync.replicas (is_under_min_isr).
  // HINT: Start from the leader's LEO. Each follower in the maximal ISR
  // HINT: (InMaximalIsr), or caught up though outside it (IsCaughtUp, with
  // HINT: config_.replica_lag_time_max_ms) and eligible (IsIsrEligible),
  // HINT: may only lower it, to its LEO.
  // HINT: The HW never moves back: change it, and return true, only if the
  // HINT: result is larger.
  if (!is_leader() || is_under_min_isr()) return false;
  const int64_t leader_end_offset = log_end_offset();
  int64_t new_high_watermark = leader_end_offset;
  for (const auto& [broker, follower] : followers_) {
    // A caught-up follower not yet in the ISR is waited for too: otherwise
    // the HW could run ahead of it and it would never reach it to join. Not
    // a fenced one: it cannot join.
    const bool waited_for =
        InMaximalIsr(broker) ||
        (follower.IsCaughtUp(leader_end_offset, now_ms,
                             config_.replica_lag_time_max_ms) &&
         IsIsrEligible(broker));
    if (waited_for && follower.log_end_offset < new_high_watermark) {
      new_high_watermark = follower.log_end_offset;
    }
  }
  if (new_high_watermark <= high_watermark_) return false;
  high_watermark_ = new_high_watermark;
  return true;
  // END LAB
}
//! [high watermark]

//! [isr shrink]
std::optional<IsrChange> ReplicatedPartition::MaybeShrinkIsr(int64_t now_ms) {
  if (!is_leader() || pending_isr_change_) return std::nullopt;
  std::vector<NodeId> new_isr;
  for (NodeId broker : isr_) {
    auto follower = followers_.find(broker);
    const bool in_sync =
        broker == local_broker_ ||
        (follower != followers_.end() &&
         follower->second.IsCaughtUp(log_end_offset(), now_ms,
                                     config_.replica_lag_time_max_ms));
    if (in_sync) new_isr.push_back(broker);
  }
  if (new_isr.size() == isr_.size()) return std::nullopt;
  return ProposeIsr(std::move(new_isr));
}
//! [isr shrink]

IsrChange ReplicatedPartition::ProposeIsr(std::vector<NodeId> new_isr) {
  pending_isr_change_ =
      IsrChange{id(), std::move(new_isr), leader_epoch_, partition_epoch_};
  return *pending_isr_change_;
}

bool ReplicatedPartition::OnIsrChangeCommitted(const PartitionState& state,
                                               int64_t now_ms) {
  if (!is_leader() || state.leader_epoch != leader_epoch_ ||
      state.partition_epoch < partition_epoch_) {
    return false;
  }
  isr_ = state.isr;
  partition_epoch_ = state.partition_epoch;
  pending_isr_change_.reset();
  // A smaller ISR may let the HW move.
  return MaybeIncrementHighWatermark(now_ms);
}

void ReplicatedPartition::OnIsrChangeFailed(ErrorCode error) {
  if (error == ErrorCode::kOperationNotAttempted ||
      error == ErrorCode::kIneligibleReplica) {
    pending_isr_change_.reset();
  }
}

EpochEndOffset ReplicatedPartition::LastOffsetForLeaderEpoch(
    int32_t epoch) const {
  return epochs_.EndOffsetFor(epoch, log_end_offset());
}

Result<EpochEndOffset> ReplicatedPartition::LastOffsetForLeaderEpoch(
    int32_t current_leader_epoch, int32_t epoch) const {
  if (Status checked = CheckCurrentLeaderEpoch(current_leader_epoch);
      !checked.ok()) {
    return checked.error();
  }
  if (!is_leader()) {
    return NotLeaderOrFollower("broker " + std::to_string(local_broker_) +
                               " does not lead " + id().DirectoryName());
  }
  return LastOffsetForLeaderEpoch(epoch);
}

//! [append client batch]
Result<LogAppendInfo> ReplicatedPartition::AppendClientBatch(
    ByteView batch, int64_t now_ms, std::vector<RecordError>& record_errors) {
  Result<std::vector<BatchSlice>> batches = SplitAndValidateBatches(batch);
  if (!batches.ok() || batches->size() != 1) {
    // Not one whole valid batch: Chapter 2's checks say what is wrong.
    return AppendRecordsToLeader(batch, now_ms, record_errors);
  }
  Result<std::optional<LogAppendInfo>> checked =
      producer_state_->CheckClientBatch(batches->front().header, now_ms);
  if (!checked.ok()) return checked.error();
  if (checked->has_value()) return **checked;  // a duplicate: not again
  Result<LogAppendInfo> appended =
      AppendRecordsToLeader(batch, now_ms, record_errors);
  if (!appended.ok()) return appended;
  RecordBatchHeader written = batches->front().header;
  written.base_offset = appended->first_offset;
  written.max_timestamp = appended->max_timestamp;
  producer_state_->OnAppended({&written, 1}, appended->rolled, now_ms);
  return appended;
}
//! [append client batch]

Result<LogAppendInfo> ReplicatedPartition::AppendRecordsAsFollower(
    ByteView records, int64_t now_ms) {
  Result<std::vector<BatchSlice>> batches = SplitAndValidateBatches(records);
  if (!batches.ok()) return batches.error();
  if (!batches->empty()) StartAtStraddlingBatch(batches->front().header);
  Result<LogAppendInfo> appended =
      mutable_log().AppendAsFollower(records, now_ms);
  if (!appended.ok()) return appended;
  std::vector<RecordBatchHeader> written;
  for (const BatchSlice& batch : *batches) {
    if (batch.header.partition_leader_epoch != kNoPartitionLeaderEpoch) {
      epochs_.Assign(batch.header.partition_leader_epoch,
                     batch.header.base_offset);
    }
    written.push_back(batch.header);
  }
  producer_state_->OnAppended(written, appended->rolled, now_ms);
  return appended;
}

// The leader's log start may fall inside a batch (DeleteRecords moves it to
// any offset), and a fetch from there gets the whole batch. An empty log
// that starts inside the first batch it is given starts at that batch
// instead; the leader's log start, in the same answer, moves its log start
// up again (Kafka's appendRecordsToFollowerOrFutureReplica, on
// UnexpectedAppendOffsetException).
void ReplicatedPartition::StartAtStraddlingBatch(
    const RecordBatchHeader& first) {
  const int64_t end = log_end_offset();
  if (end == log_start_offset() && first.base_offset < end &&
      first.LastOffset() >= end) {
    TruncateFullyAndStartAt(first.base_offset);
  }
}

bool ReplicatedPartition::UpdateFollowerHighWatermark(
    int64_t leader_high_watermark) {
  const int64_t before = high_watermark_;
  SetHighWatermarkWithinLog(leader_high_watermark);
  return high_watermark_ != before;
}

void ReplicatedPartition::UpdateFollowerLogStartOffset(
    int64_t leader_log_start_offset) {
  const int64_t up_to = std::min(leader_log_start_offset, log_end_offset());
  if (up_to <= log_start_offset()) return;
  if (mutable_log().IncrementLogStartOffset(up_to).ok()) {
    epochs_.TruncateFromStart(log_start_offset());
  }
}

//! [truncation offset]
int64_t ReplicatedPartition::TruncationOffsetFor(
    const EpochEndOffset& diverging) const {
  // BEGIN LAB lab04_replication ReplicatedPartition::TruncationOffsetFor
  // HINT: Never past this log's end; an answer without an end offset
  // HINT: (kUndefinedEpochOffset) cuts nothing.
  // HINT: LastOffsetForLeaderEpoch(diverging.epoch) says where this log's
  // HINT: largest epoch at or below the leader's ended. The same epoch: the
  // HINT: logs agree up to the smaller of the two ends. A smaller one
  // HINT: (KIP-279): cut to its own end; the next fetch asks again.
  // HINT: An undefined epoch on either side: the leader's end offset.
  const int64_t end_offset = log_end_offset();
  if (diverging.end_offset == kUndefinedEpochOffset) return end_offset;
  const EpochEndOffset own = LastOffsetForLeaderEpoch(diverging.epoch);
  if (diverging.epoch == kUndefinedEpoch || own.epoch == kUndefinedEpoch) {
    // Nothing to compare epochs with: the leader's offset decides.
    return std::min(diverging.end_offset, end_offset);
  }
  if (own.epoch != diverging.epoch) {
    // This log never had the leader's epoch (KIP-279): cut back to the end
    // of its own largest epoch below it, and the next fetch asks again.
    return std::min(own.end_offset, end_offset);
  }
  return std::min({own.end_offset, diverging.end_offset, end_offset});
  // END LAB
}
//! [truncation offset]

void ReplicatedPartition::TruncateTo(int64_t offset) {
  if (offset >= log_end_offset()) {
    // No batch to cut, but the epoch cache may end with an epoch this
    // replica began as leader and wrote nothing in, which the leader's
    // DivergingEpoch says it never had (Kafka's truncateTo trims the cache
    // even then); kept, every fetch would name it again.
    epochs_.TruncateFromEnd(log_end_offset());
    return;
  }
  if (offset < high_watermark_) {
    Warn("truncating " + id().DirectoryName() + " to offset " +
         std::to_string(offset) + ", below the high watermark " +
         std::to_string(high_watermark_));
  }
  mutable_log().TruncateTo(offset);
  epochs_.TruncateFromEnd(log_end_offset());
  producer_state_->OnTruncated();
  SetHighWatermarkWithinLog(high_watermark_);
}

void ReplicatedPartition::TruncateFullyAndStartAt(int64_t offset) {
  mutable_log().TruncateFullyAndStartAt(offset);
  epochs_.Clear();
  producer_state_->OnTruncated();
  high_watermark_ = offset;
}

void ReplicatedPartition::Close() { producer_state_->OnShutdown(); }

std::optional<int32_t> ReplicatedPartition::last_fetched_epoch() const {
  return epochs_.LatestEpoch();
}

void ReplicatedPartition::SetHighWatermarkFromCheckpoint(int64_t offset) {
  SetHighWatermarkWithinLog(offset);
}

void ReplicatedPartition::SetHighWatermarkWithinLog(int64_t offset) {
  high_watermark_ = std::clamp(offset, log_start_offset(), log_end_offset());
}

void ReplicatedPartition::Warn(const std::string& warning) const {
  if (warning_sink_) warning_sink_(warning);
}

}  // namespace kafka
