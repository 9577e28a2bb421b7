#include "chapters/04_replication/replicated_replica_manager.h"

#include <algorithm>
#include <utility>

#include "chapters/04_replication/offset_checkpoint.h"

namespace kafka {
namespace {

constexpr int8_t kReadCommitted = 1;
constexpr int64_t kFileDeleteDelayMs = 60'000;  // file.delete.delay.ms

bool IsValidAcks(int16_t acks) { return acks == 0 || acks == 1 || acks == -1; }

bool HostsReplica(const PartitionState& state, NodeId broker) {
  return std::find(state.replicas.begin(), state.replicas.end(), broker) !=
         state.replicas.end();
}

// How many partitions the controller's state gives `topic`.
int32_t PartitionCountOf(const std::string& topic,
                         const std::vector<PartitionState>& states) {
  int32_t count = 0;
  for (const PartitionState& state : states) {
    if (state.partition.topic == topic) {
      count = std::max(count, state.partition.partition + 1);
    }
  }
  return count;
}

// The epoch of the batch that holds `offset`: the latest epoch that began
// at or before it.
std::optional<int32_t> EpochOfOffset(const LeaderEpochCache& epochs,
                                     int64_t offset) {
  std::optional<int32_t> epoch;
  for (const EpochEntry& entry : epochs.entries()) {
    if (entry.start_offset <= offset) epoch = entry.epoch;
  }
  return epoch;
}

// Whether a fetch is answered with what its first read found, rather than
// wait: min_bytes are there, the asker will not wait, a partition failed, or
// a follower's log diverged (it must truncate before it fetches on).
bool IsAnswerNow(const FetchRequest& request, const FetchResponse& response,
                 int64_t bytes, bool diverging) {
  return bytes >= request.min_bytes || request.max_wait_ms <= 0 ||
         AnyPartitionFailed(response) || diverging;
}

// Kafka's readFromLog over the partitions of a fetch, in order: each gets
// what is left of max_bytes, at most its partition_max_bytes; only the first
// partition with data may go over its budget (KIP-74).
template <typename ReadOne>
FetchResponse ReadPartitions(const FetchRequest& request, int64_t& bytes_read,
                             ReadOne read_one) {
  FetchResponse response;
  bytes_read = 0;
  for (const FetchRequest::Topic& topic : request.topics) {
    FetchResponse::Topic& answer = response.responses.emplace_back(
        FetchResponse::Topic{topic.topic, topic.topic_id, {}});
    for (const FetchRequest::Partition& wanted : topic.partitions) {
      FetchResponse::Partition& out = answer.partitions.emplace_back();
      out.partition_index = wanted.partition;
      const int64_t budget = std::min<int64_t>(wanted.partition_max_bytes,
                                               request.max_bytes - bytes_read);
      read_one(TopicPartition{topic.topic, wanted.partition}, wanted,
               int32_t(std::max<int64_t>(budget, 0)), out);
      if (out.records && bytes_read > 0 &&
          int64_t(out.records->size()) > budget) {
        out.records->clear();
      }
      if (out.records) bytes_read += int64_t(out.records->size());
    }
  }
  return response;
}

}  // namespace

ReplicatedReplicaManager::ReplicatedReplicaManager(
    Environment& env, LogManager& logs, const MetadataCache& metadata,
    ReplicaManagerConfig config, ControllerNodeProvider controller,
    BrokerEpochSupplier broker_epoch, const ReplicaManagerSeams& seams)
    : env_(env),
      logs_(logs),
      metadata_(metadata),
      config_(std::move(config)),
      broker_epoch_(std::move(broker_epoch)),
      fetch_purgatory_(env),
      fetchers_(
          env, config_.broker_id, config_.fetcher,
          [this](const TopicPartition& partition) {
            ReplicatedPartition* found = GetPartition(partition);
            return found != nullptr && !found->is_leader() ? found : nullptr;
          },
          [this] { return LocalBrokerEpoch(); }),
      alter_partition_manager_(env, config_.broker_id, std::move(controller)) {
  PartitionLookup partitions = [this](const TopicPartition& partition) {
    return std::as_const(*this).GetPartition(partition);
  };
  producer_state_ = seams.producer_state;
  produce_acks_ = seams.produce_acks
                      ? seams.produce_acks(env, std::move(partitions))
                      : std::make_unique<AnswerAfterLeaderAppend>();
}

void ReplicatedReplicaManager::Startup() {
  Result<std::map<TopicPartition, int64_t>> checkpointed =
      ReadOffsetCheckpoint(env_.storage(), HighWatermarkCheckpointPath());
  // A damaged checkpoint costs only the head start: each replica's high
  // watermark then starts at its log start and the leader's fetches move it.
  if (checkpointed.ok()) checkpointed_high_watermarks_ = *checkpointed;
  ScheduleIsrExpiration();
}

void ReplicatedReplicaManager::Shutdown() {
  CheckpointHighWatermarks();
  for (auto& [id, partition] : partitions_) partition->Close();
}

//! [apply partition states]
void ReplicatedReplicaManager::ApplyPartitionStates(
    const std::vector<PartitionState>& states,
    const TopicConfigsByTopic& topic_configs) {
  topic_configs_ = topic_configs;
  ApplyTopicConfigs();
  std::map<TopicPartition, InitialFetchState> start_fetching;
  std::vector<TopicPartition> stop_fetching;
  for (const PartitionState& state : states) {
    if (!HostsReplica(state, config_.broker_id)) continue;
    ReplicatedPartition* partition = GetOrCreatePartition(state, states);
    if (partition == nullptr) continue;
    if (state.leader == config_.broker_id) {
      ApplyLeaderState(*partition, state);
      stop_fetching.push_back(state.partition);
    } else if (std::optional<InitialFetchState> fetch =
                   ApplyFollowerState(*partition, state)) {
      start_fetching.emplace(state.partition, *fetch);
    }
  }
  fetchers_.RemoveFetcherForPartitions(stop_fetching);
  fetchers_.AddFetcherForPartitions(start_fetching);
  DeleteReplicasOfDeletedTopics(states);
  // Kafka starts checkpointing high watermarks once the replicas exist:
  // before, it would write an empty file over the one it read.
  if (!checkpointing_) {
    checkpointing_ = true;
    ScheduleHighWatermarkCheckpoint();
  }
}

void ReplicatedReplicaManager::ApplyLeaderState(ReplicatedPartition& partition,
                                                const PartitionState& state) {
  const bool was_leader = partition.is_leader();
  partition.MakeLeader(state, env_.NowMs());
  if (!was_leader) TellLeadershipListeners(state.partition, true);
  // Waiting fetches may now be fenced, or see a high watermark that moved.
  CompleteDelayedRequests(state.partition);
}

std::optional<InitialFetchState> ReplicatedReplicaManager::ApplyFollowerState(
    ReplicatedPartition& partition, const PartitionState& state) {
  const bool was_leader = partition.is_leader();
  const bool new_epoch = partition.MakeFollower(state);
  if (was_leader) TellLeadershipListeners(state.partition, false);
  // Consumers waiting on the old leader here get NOT_LEADER_OR_FOLLOWER.
  CompleteDelayedRequests(state.partition);
  std::optional<BrokerEndpoint> leader = metadata_.GetBroker(state.leader);
  if (!leader) {  // no leader up: nothing to fetch from
    fetchers_.RemoveFetcherForPartitions({state.partition});
    return std::nullopt;
  }
  // A new epoch restarts the fetching; so does a leader that came up since.
  if (new_epoch || fetchers_.SourceOf(state.partition) != state.leader) {
    return InitialFetchState{*leader, state.leader_epoch, state.topic_id};
  }
  return std::nullopt;
}
//! [apply partition states]

ReplicatedPartition* ReplicatedReplicaManager::GetOrCreatePartition(
    const PartitionState& state, const std::vector<PartitionState>& states) {
  if (ReplicatedPartition* found = GetPartition(state.partition)) return found;
  Log* log = GetOrCreateLog(state, states);
  if (log == nullptr) return nullptr;
  auto partition = std::make_unique<ReplicatedPartition>(
      state.partition, *log, config_.broker_id, config_.replication);
  // The controller's live brokers are the unfenced ones; a fetch that
  // named an epoch must be of the broker's current registration (KIP-903).
  partition->set_isr_eligibility([this](NodeId broker,
                                        int64_t fetch_broker_epoch) {
    std::optional<int64_t> epoch = metadata_.GetAliveBrokerEpoch(broker);
    return epoch && (fetch_broker_epoch == -1 || fetch_broker_epoch == *epoch);
  });
  if (producer_state_) {
    partition->set_producer_state(producer_state_, env_.NowMs());
  }
  auto checkpointed = checkpointed_high_watermarks_.find(state.partition);
  if (checkpointed != checkpointed_high_watermarks_.end()) {
    partition->SetHighWatermarkFromCheckpoint(checkpointed->second);
    checkpointed_high_watermarks_.erase(checkpointed);
  }
  topic_ids_[state.partition] = state.topic_id;
  return partitions_.emplace(state.partition, std::move(partition))
      .first->second.get();
}

// The LogManager makes a topic's partitions together, 0 to n - 1, so a
// broker that holds one partition of a topic makes the log of each.
Log* ReplicatedReplicaManager::GetOrCreateLog(
    const PartitionState& state, const std::vector<PartitionState>& states) {
  if (Log* log = logs_.GetLog(state.partition)) return log;
  const std::string& topic = state.partition.topic;
  const int32_t count = PartitionCountOf(topic, states);
  Status created = logs_.PartitionCount(topic) == 0
                       ? logs_.CreateTopic(topic, count, topic_configs_[topic],
                                           env_.NowMs(), state.topic_id)
                       : logs_.AddPartitions(topic, count, env_.NowMs());
  return created.ok() ? logs_.GetLog(state.partition) : nullptr;
}

void ReplicatedReplicaManager::ApplyTopicConfigs() {
  for (const std::string& topic : logs_.Topics()) {
    auto configs = topic_configs_.find(topic);
    if (configs == topic_configs_.end()) continue;  // deleted: see below
    if (logs_.TopicConfigs(topic) != configs->second) {
      // The controller checked them; a broker that cannot take them keeps
      // its own (and the next state tries again).
      logs_.AlterTopicConfigs(topic, configs->second).ok();
    }
  }
}

void ReplicatedReplicaManager::DeleteReplicasOfDeletedTopics(
    const std::vector<PartitionState>& states) {
  std::set<std::string> topics;
  for (const PartitionState& state : states) {
    topics.insert(state.partition.topic);
  }
  std::vector<TopicPartition> gone;
  for (const auto& [id, partition] : partitions_) {
    if (!topics.contains(id.topic)) gone.push_back(id);
  }
  for (const TopicPartition& id : gone) StopReplica(id);
  bool deleted = false;
  for (const std::string& topic : logs_.Topics()) {
    if (!topics.contains(topic)) {
      deleted = logs_.DeleteTopic(topic, env_.random()).ok() || deleted;
    }
  }
  // The renamed directories go after file.delete.delay.ms, as Chapter 2's.
  if (deleted) {
    env_.StartTimer(kFileDeleteDelayMs,
                    [this] { logs_.DeleteLogsMarkedForDeletion(); });
  }
}

void ReplicatedReplicaManager::StopReplica(const TopicPartition& id) {
  fetchers_.RemoveFetcherForPartitions({id});
  const bool was_leader = GetPartition(id)->is_leader();
  partitions_.erase(id);
  topic_ids_.erase(id);
  if (was_leader) TellLeadershipListeners(id, false);
  CompleteDelayedRequests(id);
}

void ReplicatedReplicaManager::TellLeadershipListeners(
    const TopicPartition& partition, bool is_leader) {
  for (const LeadershipListener& listener : leadership_listeners_) {
    listener(partition, is_leader);
  }
}

void ReplicatedReplicaManager::AddLeadershipListener(
    LeadershipListener listener) {
  for (const auto& [id, partition] : partitions_) {
    if (partition->is_leader()) listener(id, true);
  }
  leadership_listeners_.push_back(std::move(listener));
}

const ReplicatedPartition* ReplicatedReplicaManager::GetPartition(
    const TopicPartition& partition) const {
  auto found = partitions_.find(partition);
  return found == partitions_.end() ? nullptr : found->second.get();
}

ReplicatedPartition* ReplicatedReplicaManager::GetPartition(
    const TopicPartition& partition) {
  auto found = partitions_.find(partition);
  return found == partitions_.end() ? nullptr : found->second.get();
}

const Log* ReplicatedReplicaManager::GetLog(
    const TopicPartition& partition) const {
  const ReplicatedPartition* found = GetPartition(partition);
  return found == nullptr ? nullptr : &found->log();
}

//! [append records]
void ReplicatedReplicaManager::AppendRecords(AppendRecordsRequest request,
                                             AppendCallback on_done) {
  std::vector<LeaderAppend> appends;
  for (const PartitionRecords& entry : request.entries) {
    appends.push_back(
        IsValidAcks(request.acks)
            ? AppendToLocalLog(entry, request)
            : LeaderAppend{entry.partition, {ErrorCode::kInvalidRequiredAcks}});
  }
  // New records are what the followers' fetches wait for (and, with an ISR
  // of the leader alone, the consumers' too).
  for (const PartitionRecords& entry : request.entries) {
    CompleteDelayedRequests(entry.partition);
  }
  produce_acks_->AnswerWhenAcknowledged(request.acks, request.timeout_ms,
                                        std::move(appends), std::move(on_done));
}

LeaderAppend ReplicatedReplicaManager::AppendToLocalLog(
    const PartitionRecords& entry, const AppendRecordsRequest& request) {
  const TopicPartition& id = entry.partition;
  ReplicatedPartition* partition = GetPartition(id);
  if (partition == nullptr) return {id, {MissingPartitionError(id)}};
  if (!partition->is_leader()) return {id, {ErrorCode::kNotLeaderOrFollower}};
  if (IsInternalTopic(id.topic) && !request.internal_topics_allowed) {
    return {id, {ErrorCode::kInvalidTopicException}};
  }
  if (ErrorCode refused =
          produce_acks_->CheckBeforeAppend(*partition, request.acks);
      refused != ErrorCode::kNone) {
    return {id, {refused}};
  }
  std::vector<RecordError> record_errors;
  Result<LogAppendInfo> appended =
      request.internal_topics_allowed
          ? partition->AppendInternalRecords(entry.records, env_.NowMs())
          : partition->AppendClientBatch(entry.records, env_.NowMs(),
                                         record_errors);
  if (!appended.ok()) {
    PartitionAppendResult refused{appended.error().code};
    if (!record_errors.empty()) {
      refused.record_errors = std::move(record_errors);
      refused.error_message = appended.error().message;
    }
    return {id, std::move(refused)};
  }
  partition->MaybeIncrementHighWatermark(env_.NowMs());
  return {
      id,
      {ErrorCode::kNone, appended->first_offset, partition->log_start_offset()},
      appended->last_offset + 1};
}
//! [append records]

//! [fetch messages]
void ReplicatedReplicaManager::FetchMessages(FetchRequest request,
                                             FetchCallback on_done) {
  int64_t bytes = 0;
  FollowerReadOutcome outcome;
  FetchResponse response = ReplicaIdOf(request) >= 0
                               ? ReadForFollower(request, bytes, outcome)
                               : ReadFromLocalLog(request, bytes);
  // A follower's fetch that moved the high watermark answers the consumers
  // waiting for it.
  for (const TopicPartition& partition : outcome.high_watermark_advanced) {
    CompleteDelayedRequests(partition);
  }
  if (IsAnswerNow(request, response, bytes, outcome.diverging)) {
    on_done(std::move(response));
    return;
  }
  const std::vector<TopicPartition> keys = PartitionsOf(request);
  const int64_t timeout_ms = request.max_wait_ms;
  fetch_purgatory_.TryCompleteElseWatch(
      std::make_unique<DelayedFetch>(*this, std::move(request),
                                     std::move(on_done)),
      keys, timeout_ms);
}
//! [fetch messages]

FetchResponse ReplicatedReplicaManager::ReadFromLocalLog(
    const FetchRequest& request, int64_t& bytes_read) const {
  const FetchIsolation isolation = FetchIsolationOf(request);
  const bool read_committed = request.isolation_level == kReadCommitted;
  return ReadPartitions(
      request, bytes_read,
      [&](const TopicPartition& id, const FetchRequest::Partition& wanted,
          int32_t max_bytes, FetchResponse::Partition& out) {
        ReadPartition(id, wanted, max_bytes, isolation, read_committed, out);
      });
}

void ReplicatedReplicaManager::ReadPartition(
    const TopicPartition& id, const FetchRequest::Partition& wanted,
    int32_t max_bytes, FetchIsolation isolation, bool read_committed,
    FetchResponse::Partition& out) const {
  const ReplicatedPartition* partition = GetPartition(id);
  if (partition == nullptr) {
    out.error_code = MissingPartitionError(id);
    return;
  }
  Status epoch =
      partition->CheckCurrentLeaderEpoch(wanted.current_leader_epoch);
  if (!epoch.ok()) {
    out.error_code = epoch.error().code;
    return;
  }
  if (!partition->is_leader()) {
    out.error_code = ErrorCode::kNotLeaderOrFollower;
    return;
  }
  out.high_watermark = partition->high_watermark();
  out.last_stable_offset = partition->last_stable_offset();
  out.log_start_offset = partition->log_start_offset();
  if (read_committed) out.aborted_transactions.emplace();
  Bytes records;
  Status read =
      partition->Read(wanted.fetch_offset, max_bytes, isolation, records);
  if (!read.ok()) out.error_code = read.error().code;
  out.records = std::move(records);
}

//! [follower fetch]
FetchResponse ReplicatedReplicaManager::ReadForFollower(
    const FetchRequest& request, int64_t& bytes_read,
    FollowerReadOutcome& outcome) {
  return ReadPartitions(
      request, bytes_read,
      [&](const TopicPartition& id, const FetchRequest::Partition& wanted,
          int32_t max_bytes, FetchResponse::Partition& out) {
        ReadPartitionForFollower(
            id, {ReplicaIdOf(request), request.replica_state.replica_epoch},
            wanted, max_bytes, out, outcome);
      });
}

void ReplicatedReplicaManager::ReadPartitionForFollower(
    const TopicPartition& id, const FetchRequest::ReplicaState& replica,
    const FetchRequest::Partition& wanted, int32_t max_bytes,
    FetchResponse::Partition& out, FollowerReadOutcome& outcome) {
  ReplicatedPartition* partition = GetPartition(id);
  if (partition == nullptr) {
    out.error_code = MissingPartitionError(id);
    return;
  }
  Result<FollowerFetchResult> result = partition->FetchForFollower(
      {.replica_id = replica.replica_id,
       .fetch_offset = wanted.fetch_offset,
       .last_fetched_epoch = wanted.last_fetched_epoch,
       .log_start_offset = wanted.log_start_offset,
       .max_bytes = max_bytes,
       .current_leader_epoch = wanted.current_leader_epoch,
       .replica_epoch = replica.replica_epoch},
      env_.NowMs());
  if (!result.ok()) {
    out.error_code = result.error().code;
    return;
  }
  out.high_watermark = result->high_watermark;
  out.last_stable_offset = result->high_watermark;
  out.log_start_offset = result->log_start_offset;
  if (result->diverging_epoch) {
    out.diverging_epoch = {result->diverging_epoch->epoch,
                           result->diverging_epoch->end_offset};
    outcome.diverging = true;
  }
  out.records = std::move(result->records);
  if (result->high_watermark_advanced) {
    outcome.high_watermark_advanced.push_back(id);
  }
  if (result->isr_change) SubmitIsrChange(*result->isr_change);
}
//! [follower fetch]

void ReplicatedReplicaManager::CompleteDelayedRequests(
    const TopicPartition& partition) {
  fetch_purgatory_.CheckAndComplete(partition);
  produce_acks_->OnPartitionChanged(partition);
}

//! [isr changes]
void ReplicatedReplicaManager::SubmitIsrChange(const IsrChange& change) {
  const ReplicatedPartition* partition = GetPartition(change.partition);
  std::vector<int64_t> broker_epochs;
  for (NodeId member : change.new_isr) {
    auto follower = partition->followers().find(member);
    broker_epochs.push_back(member == config_.broker_id ? LocalBrokerEpoch()
                            : follower == partition->followers().end()
                                ? -1
                                : follower->second.broker_epoch);
  }
  alter_partition_manager_.Submit(
      change.partition, topic_ids_[change.partition],
      {partition->leader_id(), change.leader_epoch, change.new_isr,
       change.partition_epoch, std::move(broker_epochs)},
      [this, change](Result<LeaderAndIsr> outcome) {
        OnAlterPartitionAnswer(change, std::move(outcome));
      });
}

int64_t ReplicatedReplicaManager::LocalBrokerEpoch() const {
  return broker_epoch_ ? broker_epoch_() : -1;
}

void ReplicatedReplicaManager::OnAlterPartitionAnswer(
    const IsrChange& change, Result<LeaderAndIsr> outcome) {
  ReplicatedPartition* partition = GetPartition(change.partition);
  // The replica went, or the controller's state replaced the change
  // meanwhile: the answer is for a proposal nobody waits for.
  if (partition == nullptr || partition->pending_isr_change() != change) {
    return;
  }
  if (!outcome.ok()) {
    partition->OnIsrChangeFailed(outcome.error().code);
    return;
  }
  const PartitionState committed{
      change.partition,        topic_ids_[change.partition],
      partition->replicas(),   outcome->isr,
      outcome->leader,         outcome->leader_epoch,
      outcome->partition_epoch};
  if (partition->OnIsrChangeCommitted(committed, env_.NowMs())) {
    CompleteDelayedRequests(change.partition);
  }
}

void ReplicatedReplicaManager::ScheduleIsrExpiration() {
  env_.StartTimer(config_.replication.replica_lag_time_max_ms / 2, [this] {
    for (auto& [id, partition] : partitions_) {
      if (!partition->is_leader()) continue;
      if (std::optional<IsrChange> change =
              partition->MaybeShrinkIsr(env_.NowMs())) {
        SubmitIsrChange(*change);
      }
    }
    ScheduleIsrExpiration();
  });
}
//! [isr changes]

//! [high watermark checkpoint]
void ReplicatedReplicaManager::CheckpointHighWatermarks() {
  std::map<TopicPartition, int64_t> high_watermarks;
  for (const auto& [id, partition] : partitions_) {
    high_watermarks[id] = partition->high_watermark();
  }
  WriteOffsetCheckpoint(env_.storage(), HighWatermarkCheckpointPath(),
                        high_watermarks);
}

void ReplicatedReplicaManager::ScheduleHighWatermarkCheckpoint() {
  env_.StartTimer(config_.replica_high_watermark_checkpoint_interval_ms,
                  [this] {
                    CheckpointHighWatermarks();
                    ScheduleHighWatermarkCheckpoint();
                  });
}

std::string ReplicatedReplicaManager::HighWatermarkCheckpointPath() const {
  return config_.data_dir + "/" + kReplicationOffsetCheckpointFile;
}
//! [high watermark checkpoint]

ListOffsetsResponse::Partition
ReplicatedReplicaManager::FetchOffsetForTimestamp(
    const TopicPartition& partition, int64_t timestamp,
    int32_t current_leader_epoch) const {
  ListOffsetsResponse::Partition out;
  out.partition_index = partition.partition;
  const ReplicatedPartition* found = GetPartition(partition);
  if (found == nullptr) {
    out.error_code = MissingPartitionError(partition);
    return out;
  }
  if (Status epoch = found->CheckCurrentLeaderEpoch(current_leader_epoch);
      !epoch.ok()) {
    out.error_code = epoch.error().code;
    return out;
  }
  if (!found->is_leader()) {
    out.error_code = ErrorCode::kNotLeaderOrFollower;
    return out;
  }
  if (auto offset = found->FetchOffsetForTimestamp(timestamp)) {
    out.timestamp = offset->timestamp;
    out.offset = offset->offset;
    // The latest offset is the current leader's; any other was written by
    // the leader of the epoch it falls in.
    out.leader_epoch =
        timestamp == kLatestTimestamp
            ? found->leader_epoch()
            : EpochOfOffset(found->epochs(), offset->offset).value_or(-1);
  }
  return out;
}

void ReplicatedReplicaManager::DeleteRecords(const TopicPartition& partition,
                                             int64_t offset,
                                             DeleteRecordsCallback on_done) {
  on_done(DeleteRecordsOnLocalLog(partition, offset));
}

Result<int64_t> ReplicatedReplicaManager::DeleteRecordsOnLocalLog(
    const TopicPartition& partition, int64_t offset) {
  ReplicatedPartition* found = GetPartition(partition);
  if (found == nullptr) {
    return Error{MissingPartitionError(partition), partition.DirectoryName()};
  }
  if (!found->is_leader()) {
    return Error{ErrorCode::kNotLeaderOrFollower, partition.DirectoryName()};
  }
  if (IsInternalTopic(partition.topic)) {
    return Error{ErrorCode::kInvalidTopicException,
                 "records of internal topics are the coordinators'"};
  }
  return found->DeleteRecordsOnLeader(offset);
}

Result<EpochEndOffset> ReplicatedReplicaManager::LastOffsetForLeaderEpoch(
    const TopicPartition& partition, int32_t current_leader_epoch,
    int32_t epoch) const {
  const ReplicatedPartition* found = GetPartition(partition);
  if (found == nullptr) {
    return Error{MissingPartitionError(partition), partition.DirectoryName()};
  }
  return found->LastOffsetForLeaderEpoch(current_leader_epoch, epoch);
}

ErrorCode ReplicatedReplicaManager::MissingPartitionError(
    const TopicPartition& partition) const {
  return metadata_.GetPartition(partition)
             ? ErrorCode::kNotLeaderOrFollower
             : ErrorCode::kUnknownTopicOrPartition;
}

}  // namespace kafka
