#include "chapters/04_replication/replica_fetcher.h"

#include <algorithm>
#include <string>

#include "lib/protocol/message.h"

namespace kafka {
namespace {

const char kClientId[] = "replica-fetcher";

// Fetch's session_epoch for "no fetch session" (Kafka's FINAL_EPOCH): each
// fetch names every partition.
constexpr int32_t kNoSessionEpoch = -1;

// The ListOffsets version a follower asks its leader's log start with (v4
// checks current_leader_epoch).
constexpr int16_t kReplicaListOffsetsVersion = 4;

bool IsDiverging(const FetchResponse::EpochEndOffset& diverging) {
  return diverging.epoch >= 0 || diverging.end_offset >= 0;
}

}  // namespace

ReplicaFetcher::ReplicaFetcher(Environment& env, NodeId local_broker,
                               NodeId source_broker,
                               const ReplicaFetcherConfig& config,
                               FollowerLookup followers,
                               BrokerEpochSupplier broker_epoch)
    : env_(env),
      local_broker_(local_broker),
      source_broker_(source_broker),
      config_(config),
      followers_(std::move(followers)),
      broker_epoch_(std::move(broker_epoch)) {}

void ReplicaFetcher::AddPartition(const TopicPartition& partition,
                                  const Uuid& topic_id,
                                  int32_t current_leader_epoch) {
  partitions_[partition] = PartitionFetchState{
      .topic_id = topic_id, .current_leader_epoch = current_leader_epoch};
  MaybeFetch();
}

void ReplicaFetcher::RemovePartition(const TopicPartition& partition) {
  partitions_.erase(partition);
}

//! [fetch from leader]
void ReplicaFetcher::MaybeFetch() {
  if (in_flight_) return;
  Sent sent;
  FetchRequest request = BuildFetch(sent);
  if (sent.empty()) {
    // Nothing to fetch now: wake up when a delayed partition may be.
    std::optional<int64_t> next;
    for (const auto& [partition, state] : partitions_) {
      // A fenced partition waits for new metadata, one asking its leader's
      // log start for the answer: neither for a time.
      if (state.fenced || state.asking_log_start) continue;
      next = std::min(next.value_or(state.delayed_until_ms),
                      state.delayed_until_ms);
    }
    if (next) ScheduleFetch(std::max<int64_t>(*next - env_.NowMs(), 0));
    return;
  }
  in_flight_ = true;
  // The leader may hold the fetch for replica.fetch.wait.max.ms: wait
  // longer than that.
  env_.Send(
      source_broker_,
      {int16_t(ApiKey::kFetch), kReplicaFetchVersion, 0, kClientId},
      EncodeMessage(request, ApiKey::kFetch, kReplicaFetchVersion),
      config_.request_timeout_ms + config_.replica_fetch_wait_max_ms,
      [this, sent](Result<Bytes> body) {
        HandleResponse(sent, std::move(body));
      },
      Connection::kReplicaFetcher);
}

FetchRequest ReplicaFetcher::BuildFetch(Sent& sent) const {
  FetchRequest request;
  request.replica_id = local_broker_;  // v0-14
  request.replica_state = {
      .replica_id = local_broker_,
      .replica_epoch = broker_epoch_ ? broker_epoch_() : -1};
  request.max_wait_ms = config_.replica_fetch_wait_max_ms;
  request.min_bytes = config_.replica_fetch_min_bytes;
  request.max_bytes = config_.replica_fetch_response_max_bytes;
  request.session_epoch = kNoSessionEpoch;
  for (const auto& [partition, state] : partitions_) {
    if (state.fenced || state.asking_log_start ||
        state.delayed_until_ms > env_.NowMs()) {
      continue;
    }
    const ReplicatedPartition* follower = followers_(partition);
    if (follower == nullptr) continue;
    if (request.topics.empty() ||
        request.topics.back().topic != partition.topic) {
      request.topics.push_back(
          {.topic = partition.topic, .topic_id = state.topic_id});
    }
    // From the log end, naming the epoch of the last batch there: the
    // leader checks that its log agrees up to it.
    const int64_t fetch_offset = follower->log_end_offset();
    request.topics.back().partitions.push_back(
        {.partition = partition.partition,
         .current_leader_epoch = state.current_leader_epoch,
         .fetch_offset = fetch_offset,
         .last_fetched_epoch = follower->last_fetched_epoch().value_or(-1),
         .log_start_offset = follower->log_start_offset(),
         .partition_max_bytes = config_.replica_fetch_max_bytes});
    sent[partition] = {state.topic_id, state.current_leader_epoch,
                       fetch_offset};
  }
  return request;
}
//! [fetch from leader]

void ReplicaFetcher::HandleResponse(const Sent& sent, Result<Bytes> body) {
  in_flight_ = false;
  Result<FetchResponse> response =
      body.ok()
          ? DecodeMessage<FetchResponse>(
                *body, ApiKey::kFetch, kReplicaFetchVersion, 0, "FetchResponse")
          : Result<FetchResponse>(body.error());
  if (!response.ok() || response->error_code != ErrorCode::kNone) {
    // The leader is unreachable or refused the whole fetch: every
    // partition asked for waits and is fetched again.
    for (const auto& [partition, asked] : sent) Delay(partition);
  } else {
    for (const FetchResponse::Topic& topic : response->responses) {
      for (const FetchResponse::Partition& answer : topic.partitions) {
        if (std::optional<TopicPartition> partition =
                SentPartitionOf(sent, topic.topic_id, answer.partition_index)) {
          ProcessPartition(*partition, sent.at(*partition), answer);
        }
      }
    }
  }
  MaybeFetch();
}

std::optional<TopicPartition> ReplicaFetcher::SentPartitionOf(
    const Sent& sent, const Uuid& topic_id, int32_t partition) {
  for (const auto& [asked, what] : sent) {
    if (what.topic_id == topic_id && asked.partition == partition) {
      return asked;
    }
  }
  return std::nullopt;
}

//! [process partition]
void ReplicaFetcher::ProcessPartition(const TopicPartition& partition,
                                      const SentPartition& sent,
                                      const FetchResponse::Partition& answer) {
  // An answer to a fetch made in another epoch, or from a log end that has
  // moved since (a truncation), no longer fits the partition: dropped.
  auto state = partitions_.find(partition);
  if (state == partitions_.end() ||
      state->second.current_leader_epoch != sent.current_leader_epoch) {
    return;
  }
  ReplicatedPartition* follower = followers_(partition);
  if (follower == nullptr || follower->log_end_offset() != sent.fetch_offset) {
    return;
  }
  if (answer.error_code != ErrorCode::kNone) {
    return HandlePartitionError(partition, answer.error_code);
  }
  if (IsDiverging(answer.diverging_epoch)) {
    return TruncateOnDivergence(*follower, answer.diverging_epoch);
  }
  AppendFromLeader(partition, *follower, answer);
}

void ReplicaFetcher::AppendFromLeader(const TopicPartition& partition,
                                      ReplicatedPartition& follower,
                                      const FetchResponse::Partition& answer) {
  if (answer.records && !answer.records->empty()) {
    Result<LogAppendInfo> appended =
        follower.AppendRecordsAsFollower(*answer.records, env_.NowMs());
    if (!appended.ok()) return Delay(partition);
  }
  // The follower's high watermark: the leader's, as far as its own log goes.
  follower.UpdateFollowerHighWatermark(answer.high_watermark);
  // And its log start: what the leader deleted (DeleteRecords, retention)
  // must not come back from this replica should it lead.
  follower.UpdateFollowerLogStartOffset(answer.log_start_offset);
}

void ReplicaFetcher::TruncateOnDivergence(
    ReplicatedPartition& follower,
    const FetchResponse::EpochEndOffset& diverging) {
  // The next fetch goes from the new log end, with the epoch there: maybe
  // another round, if the logs part earlier still (KIP-279).
  follower.TruncateTo(follower.TruncationOffsetFor(
      EpochEndOffset{diverging.epoch, diverging.end_offset}));
}
//! [process partition]

void ReplicaFetcher::HandlePartitionError(const TopicPartition& partition,
                                          ErrorCode error) {
  if (error == ErrorCode::kFencedLeaderEpoch) {
    // The leader is in a newer epoch than this follower knows: nothing to
    // fetch until the metadata brings it (and adds the partition again).
    partitions_[partition].fenced = true;
    return;
  }
  if (error == ErrorCode::kOffsetOutOfRange)
    return AskLeaderLogStart(partition);
  // UNKNOWN_LEADER_EPOCH (the leader has not heard of the epoch yet),
  // NOT_LEADER_OR_FOLLOWER (it leads no more), and the rest: try again
  // later.
  Delay(partition);
}

//! [out of range]
void ReplicaFetcher::AskLeaderLogStart(const TopicPartition& partition) {
  PartitionFetchState& state = partitions_.at(partition);
  state.asking_log_start = true;
  ListOffsetsRequest request;
  request.replica_id = local_broker_;
  request.topics = {
      {.name = partition.topic,
       .partitions = {{.partition_index = partition.partition,
                       .current_leader_epoch = state.current_leader_epoch,
                       .timestamp = kEarliestTimestamp}}}};
  env_.Send(
      source_broker_,
      {int16_t(ApiKey::kListOffsets), kReplicaListOffsetsVersion, 0, kClientId},
      EncodeMessage(request, ApiKey::kListOffsets, kReplicaListOffsetsVersion),
      config_.request_timeout_ms,
      [this, partition,
       epoch = state.current_leader_epoch](Result<Bytes> body) {
        StartAtLeaderLogStart(
            partition, epoch,
            body.ok()
                ? DecodeMessage<ListOffsetsResponse>(
                      *body, ApiKey::kListOffsets, kReplicaListOffsetsVersion,
                      0, "ListOffsetsResponse")
                : Result<ListOffsetsResponse>(body.error()));
      },
      Connection::kReplicaFetcher);
}

void ReplicaFetcher::StartAtLeaderLogStart(const TopicPartition& partition,
                                           int32_t current_leader_epoch,
                                           Result<ListOffsetsResponse> answer) {
  auto state = partitions_.find(partition);
  if (state == partitions_.end() ||
      state->second.current_leader_epoch != current_leader_epoch) {
    return;  // moved on meanwhile: the answer no longer fits
  }
  state->second.asking_log_start = false;
  ReplicatedPartition* follower = followers_(partition);
  const bool answered =
      answer.ok() && answer->topics.size() == 1 &&
      answer->topics[0].partitions.size() == 1 &&
      answer->topics[0].partitions[0].error_code == ErrorCode::kNone;
  const int64_t leader_log_start =
      answered ? answer->topics[0].partitions[0].offset : -1;
  if (follower != nullptr && leader_log_start > follower->log_end_offset()) {
    follower->TruncateFullyAndStartAt(leader_log_start);
  } else {
    Delay(partition);
  }
  MaybeFetch();
}
//! [out of range]

void ReplicaFetcher::Delay(const TopicPartition& partition) {
  auto state = partitions_.find(partition);
  if (state == partitions_.end()) return;
  state->second.delayed_until_ms =
      env_.NowMs() + config_.replica_fetch_backoff_ms;
}

void ReplicaFetcher::ScheduleFetch(int64_t delay_ms) {
  if (wake_up_) env_.CancelTimer(*wake_up_);
  wake_up_ = env_.StartTimer(delay_ms, [this] {
    wake_up_.reset();
    MaybeFetch();
  });
}

ReplicaFetcherManager::ReplicaFetcherManager(Environment& env,
                                             NodeId local_broker,
                                             ReplicaFetcherConfig config,
                                             FollowerLookup followers,
                                             BrokerEpochSupplier broker_epoch)
    : env_(env),
      local_broker_(local_broker),
      config_(config),
      followers_(std::move(followers)),
      broker_epoch_(std::move(broker_epoch)) {}

void ReplicaFetcherManager::AddFetcherForPartitions(
    const std::map<TopicPartition, InitialFetchState>& partitions) {
  for (const auto& [partition, initial] : partitions) {
    const std::optional<NodeId> source = SourceOf(partition);
    if (source && *source != initial.leader.id) {
      fetchers_.at(*source)->RemovePartition(partition);
    }
    if (!initial.leader.host.empty()) {
      env_.LearnAddress(initial.leader.id, initial.leader.host,
                        initial.leader.port);
    }
    FetcherFor(initial.leader.id)
        .AddPartition(partition, initial.topic_id,
                      initial.current_leader_epoch);
  }
}

void ReplicaFetcherManager::RemoveFetcherForPartitions(
    const std::vector<TopicPartition>& partitions) {
  for (const TopicPartition& partition : partitions) {
    for (auto& [source, fetcher] : fetchers_)
      fetcher->RemovePartition(partition);
  }
}

const ReplicaFetcher* ReplicaFetcherManager::GetFetcher(NodeId source) const {
  auto found = fetchers_.find(source);
  return found == fetchers_.end() ? nullptr : found->second.get();
}

std::optional<NodeId> ReplicaFetcherManager::SourceOf(
    const TopicPartition& partition) const {
  for (const auto& [source, fetcher] : fetchers_) {
    if (fetcher->partitions().contains(partition)) return source;
  }
  return std::nullopt;
}

ReplicaFetcher& ReplicaFetcherManager::FetcherFor(NodeId source) {
  std::unique_ptr<ReplicaFetcher>& fetcher = fetchers_[source];
  if (!fetcher) {
    fetcher = std::make_unique<ReplicaFetcher>(
        env_, local_broker_, source, config_, followers_, broker_epoch_);
  }
  return *fetcher;
}

}  // namespace kafka
