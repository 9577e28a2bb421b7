#include "chapters/05_controller/raft/kafka_raft_client.h"

#include <algorithm>
#include <functional>
#include <random>

#include "chapters/05_controller/raft/control_records.h"
#include "lib/protocol/fetch.h"
#include "lib/protocol/message.h"
#include "lib/protocol/messages/begin_quorum_epoch_request.h"
#include "lib/protocol/messages/begin_quorum_epoch_response.h"
#include "lib/protocol/messages/describe_quorum_request.h"
#include "lib/protocol/messages/describe_quorum_response.h"
#include "lib/protocol/messages/end_quorum_epoch_request.h"
#include "lib/protocol/messages/end_quorum_epoch_response.h"
#include "lib/protocol/messages/fetch_snapshot_request.h"
#include "lib/protocol/messages/fetch_snapshot_response.h"
#include "lib/protocol/messages/vote_request.h"
#include "lib/protocol/messages/vote_response.h"

namespace kafka {
namespace {

// The versions this node sends (Kafka's KRaft sends Fetch v13+, by topic
// id; the quorum APIs at v0).
constexpr int16_t kFetchVersion = 13;
constexpr int16_t kQuorumApiVersion = 0;

// Fetch's session_epoch for "no fetch session".
constexpr int32_t kNoSessionEpoch = -1;

std::set<NodeId> VoterIds(const QuorumVoters& voters) {
  std::set<NodeId> ids;
  for (const auto& [id, address] : voters) ids.insert(id);
  return ids;
}

std::optional<NodeId> OptionalNode(int32_t id) {
  if (id < 0) return std::nullopt;
  return id;
}

}  // namespace

KafkaRaftClient::KafkaRaftClient(Environment& env, RaftConfig config)
    : env_(env),
      config_(std::move(config)),
      quorum_(env.storage(), config_.data_dir, config_.node_id,
              VoterIds(config_.voters)) {}

//! [start]
void KafkaRaftClient::Start() {
  for (const auto& [id, address] : config_.voters) {
    if (id != config_.node_id) {
      env_.LearnAddress(id, address.host, address.port);
    }
  }
  log_ = std::make_unique<RaftLog>(env_.storage(), config_.data_dir,
                                   config_.log, env_.NowMs());
  next_commit_offset_ = log_->start_offset();
  if (std::optional<SnapshotId> snapshot = log_->latest_snapshot()) {
    Result<std::vector<Bytes>> records = log_->ReadSnapshot(*snapshot);
    if (records.ok()) LoadSnapshot(*snapshot, *records);
  }
  start_error_ = quorum_.Load();
  next_voter_to_ask_ = std::uniform_int_distribution<size_t>(
      0, config_.voters.size() - 1)(env_.random());
  NotifyLeaderChange();
  if (!start_error_.ok()) return;  // a node that lost its vote stays out
  AfterTransition();
  // The only voter needs no one's vote: it stands at once, as Kafka's does.
  if (quorum_.is_voter() && quorum_.voters().size() == 1) BecomeCandidate();
}
//! [start]

LeaderAndEpoch KafkaRaftClient::leader_and_epoch() const {
  // A resigned leader no longer takes writes: to its listener it leads no
  // more (Kafka's controller renounces itself before it resigns).
  if (state() == RaftState::kResigned) return {std::nullopt, epoch()};
  return {quorum_.leader(), epoch()};
}

void KafkaRaftClient::NotifyLeaderChange() {
  const LeaderAndEpoch now = leader_and_epoch();
  if (notified_leader_ == now) return;
  notified_leader_ = now;
  if (listener_ != nullptr) listener_->HandleLeaderChange(now);
}

// ---------------------------------------------------------------- states

void KafkaRaftClient::BecomeUnattached(int32_t epoch) {
  quorum_.TransitionToUnattached(epoch);
  AfterTransition();
}

void KafkaRaftClient::BecomeVoted(int32_t epoch, NodeId candidate) {
  quorum_.TransitionToVoted(epoch, candidate);
  AfterTransition();
}

//! [become candidate]
void KafkaRaftClient::BecomeCandidate() {
  quorum_.TransitionToCandidate();  // epoch + 1, a vote for itself, on disk
  granted_ = {config_.node_id};
  AfterTransition();
  if (quorum_.IsMajority(granted_)) {
    BecomeLeader();  // a quorum of one
    return;
  }
  SendVoteRequests();
}
//! [become candidate]

//! [become leader]
void KafkaRaftClient::BecomeLeader() {
  quorum_.TransitionToLeader();
  // Nothing is committed until an entry of this epoch is: the high
  // watermark is unknown until then (Kafka's LeaderState starts without
  // one).
  high_watermark_.reset();
  epoch_start_offset_ = log_->end_offset();
  voter_progress_.clear();
  observer_progress_.clear();
  begin_epoch_acknowledged_.clear();
  for (NodeId voter : quorum_.voters()) {
    // The check-quorum clock starts now for everyone.
    voter_progress_[voter] = {-1, env_.NowMs(), -1};
  }
  voter_progress_[config_.node_id].end_offset = log_->end_offset();
  AppendLeaderChange();
  AfterTransition();
  for (NodeId voter : quorum_.voters()) {
    if (voter != config_.node_id) SendBeginQuorumEpoch(voter);
  }
  MaybeAdvanceHighWatermark();
}
//! [become leader]

void KafkaRaftClient::BecomeFollower(int32_t epoch, NodeId leader) {
  quorum_.TransitionToFollower(epoch, leader);
  AfterTransition();
}

void KafkaRaftClient::BecomeResigned() {
  quorum_.TransitionToResigned();
  AfterTransition();
  SendEndQuorumEpochs();
}

// What every transition does after the state changed: answers held for the
// old state are stale, the new state's timer starts, fetching starts or
// stops, and the listener hears of a new leader or epoch.
void KafkaRaftClient::AfterTransition() {
  ++generation_;
  if (state_timer_) env_.CancelTimer(*state_timer_);
  state_timer_.reset();
  if (fetch_retry_timer_) env_.CancelTimer(*fetch_retry_timer_);
  fetch_retry_timer_.reset();
  fetch_in_flight_.reset();
  snapshot_being_fetched_.clear();
  if (state() != RaftState::kLeader) FailHeldFetches();
  switch (state()) {
    case RaftState::kUnattached:
    case RaftState::kVoted:
    case RaftState::kCandidate:
    case RaftState::kResigned:
      if (quorum_.is_voter()) {
        StartStateTimer(RandomElectionTimeoutMs(),
                        &KafkaRaftClient::OnElectionTimeout);
      }
      break;
    case RaftState::kFollower:
      StartStateTimer(config_.fetch_timeout_ms,
                      &KafkaRaftClient::OnFetchTimeout);
      break;
    case RaftState::kLeader:
      ScheduleCheckQuorum();
      break;
  }
  NotifyLeaderChange();
  MaybeSendFetch();
}

bool KafkaRaftClient::ObserveEpoch(int32_t epoch,
                                   std::optional<NodeId> leader) {
  if (leader == config_.node_id) return false;  // an echo of itself
  if (epoch > this->epoch()) {
    if (leader) {
      BecomeFollower(epoch, *leader);
    } else {
      BecomeUnattached(epoch);
    }
    return true;
  }
  if (epoch == this->epoch() && leader && !quorum_.leader() &&
      state() != RaftState::kLeader) {
    BecomeFollower(epoch, *leader);
    return true;
  }
  return false;
}

// ---------------------------------------------------------------- timers

void KafkaRaftClient::StartStateTimer(int64_t delay_ms,
                                      void (KafkaRaftClient::*on_fire)()) {
  if (state_timer_) env_.CancelTimer(*state_timer_);
  state_timer_ = env_.StartTimer(delay_ms, [this, on_fire] {
    state_timer_.reset();
    (this->*on_fire)();
  });
}

int64_t KafkaRaftClient::RandomElectionTimeoutMs() {
  std::uniform_int_distribution<int64_t> jitter(0, config_.election_timeout_ms);
  return config_.election_timeout_ms + jitter(env_.random());
}

//! [election timeout]
void KafkaRaftClient::OnElectionTimeout() {
  if (state() != RaftState::kCandidate) {
    BecomeCandidate();
    return;
  }
  // The election failed (a split vote, or too few voters up): back off a
  // random while, so that two candidates do not keep colliding.
  std::uniform_int_distribution<int64_t> backoff(
      0, config_.election_backoff_max_ms);
  StartStateTimer(backoff(env_.random()), &KafkaRaftClient::BecomeCandidate);
}
//! [election timeout]

// No answer from the leader for fetch.timeout.ms: a voter stands for
// election; an observer looks for the leader again.
void KafkaRaftClient::OnFetchTimeout() {
  if (quorum_.is_voter()) {
    BecomeCandidate();
  } else {
    BecomeUnattached(epoch());
  }
}

//! [check quorum]
// The leader resigns when fewer than a majority of the voters (itself
// included) fetched within 1.5 x fetch.timeout.ms. The timer is set for the
// moment that would first be true, given the fetches seen so far.
void KafkaRaftClient::ScheduleCheckQuorum() {
  const int64_t check_ms = config_.fetch_timeout_ms * 3 / 2;
  std::vector<int64_t> others;
  for (const auto& [voter, progress] : voter_progress_) {
    if (voter != config_.node_id) others.push_back(progress.last_fetch_ms);
  }
  const size_t needed = quorum_.voters().size() / 2;  // besides the leader
  if (needed == 0) return;                            // a quorum of one
  std::sort(others.begin(), others.end(), std::greater<>());
  const int64_t deadline = others[needed - 1] + check_ms;
  if (deadline <= env_.NowMs()) {
    BecomeResigned();
    return;
  }
  StartStateTimer(deadline - env_.NowMs(),
                  &KafkaRaftClient::ScheduleCheckQuorum);
}
//! [check quorum]

// ---------------------------------------------------------------- sending

std::optional<std::string> KafkaRaftClient::cluster_id() const {
  if (config_.cluster_id.empty()) return std::nullopt;
  return config_.cluster_id;
}

// A request without a cluster id is accepted, as Kafka accepts one from a
// client that does not send it.
bool KafkaRaftClient::ClusterIdMatches(
    const std::optional<std::string>& id) const {
  return !id || config_.cluster_id.empty() || *id == config_.cluster_id;
}

FetchResponse::LeaderIdAndEpoch KafkaRaftClient::CurrentLeader() const {
  const LeaderAndEpoch known = leader_and_epoch();
  return {known.leader.value_or(-1), known.epoch};
}

void KafkaRaftClient::SendRequest(NodeId to, ApiKey api, int16_t version,
                                  Bytes body, int64_t timeout_ms,
                                  ResponseHandler on_response) {
  env_.Send(
      to,
      {int16_t(api), version, 0,
       "raft-client-" + std::to_string(config_.node_id)},
      std::move(body), timeout_ms,
      [this, to, on_response = std::move(on_response)](Result<Bytes> answer) {
        if (answer.ok()) {
          unanswered_.erase(to);
        } else {
          ++unanswered_[to];
        }
        on_response(std::move(answer));
      },
      Connection::kRaft);
}

int64_t KafkaRaftClient::RetryBackoffMs(NodeId node) const {
  auto found = unanswered_.find(node);
  const int doublings =
      found == unanswered_.end() ? 0 : std::min(found->second, 16);
  return std::min(
      config_.retry_backoff_ms << doublings,
      std::max(config_.reconnect_backoff_max_ms, config_.retry_backoff_ms));
}

// ---------------------------------------------------------------- Vote

void KafkaRaftClient::SendVoteRequests() {
  for (NodeId voter : quorum_.voters()) {
    if (voter != config_.node_id) SendVoteRequest(voter);
  }
}

void KafkaRaftClient::SendVoteRequest(NodeId voter) {
  VoteRequest request;
  request.cluster_id = cluster_id();
  request.topics.push_back(
      {kMetadataTopicName,
       {{kMetadataPartition, epoch(), config_.node_id,
         log_->last_fetched_epoch(), log_->end_offset()}}});
  SendRequest(voter, ApiKey::kVote, kQuorumApiVersion,
              EncodeMessage(request, ApiKey::kVote, kQuorumApiVersion),
              config_.request_timeout_ms,
              [this, generation = generation_, voter](Result<Bytes> answer) {
                HandleVoteResponse(generation, voter, std::move(answer));
              });
}

void KafkaRaftClient::HandleVoteResponse(uint64_t generation, NodeId voter,
                                         Result<Bytes> body) {
  if (generation != generation_) return;
  Result<VoteResponse> response =
      body.ok()
          ? DecodeMessage<VoteResponse>(*body, ApiKey::kVote, kQuorumApiVersion,
                                        0, "VoteResponse")
          : Result<VoteResponse>(body.error());
  if (!response.ok() || response->error_code != ErrorCode::kNone ||
      response->topics.size() != 1 ||
      response->topics[0].partitions.size() != 1) {
    // No answer (a voter not up yet, a lost message): ask again, backing
    // off, until the election timer ends this candidacy.
    env_.StartTimer(RetryBackoffMs(voter), [this, generation, voter] {
      if (generation == generation_) SendVoteRequest(voter);
    });
    return;
  }
  const VoteResponse::Partition& answer = response->topics[0].partitions[0];
  if (ObserveEpoch(answer.leader_epoch, OptionalNode(answer.leader_id))) return;
  if (answer.error_code != ErrorCode::kNone || !answer.vote_granted) return;
  granted_.insert(voter);
  if (state() == RaftState::kCandidate && quorum_.IsMajority(granted_)) {
    BecomeLeader();
  }
}

//! [grant vote]
// One vote per epoch, to a candidate whose log is at least as up to date
// as this one: (last epoch, end offset) compared in that order.
bool KafkaRaftClient::CanGrantVote(NodeId candidate, int32_t last_epoch,
                                   int64_t last_offset) const {
  const bool up_to_date =
      std::pair(last_epoch, last_offset) >=
      std::pair(log_->last_fetched_epoch(), log_->end_offset());
  switch (state()) {
    case RaftState::kUnattached:
      return up_to_date;
    case RaftState::kVoted:
      return voted_id() == candidate;  // the same vote, asked again
    default:
      return false;  // voted for itself, or knows this epoch's leader
  }
}
//! [grant vote]

Status KafkaRaftClient::HandleVote(const Request& request, Responder respond) {
  Result<VoteRequest> vote = DecodeRequestBody<VoteRequest>(request);
  if (!vote.ok()) return vote.error();
  VoteResponse response;
  auto answer = [&](ErrorCode error, bool granted) {
    const FetchResponse::LeaderIdAndEpoch leader = CurrentLeader();
    response.topics.push_back({kMetadataTopicName,
                               {{kMetadataPartition, error, leader.leader_id,
                                 leader.leader_epoch, granted}}});
    respond(EncodeResponseBody(response, request.header));
    return Status();
  };
  if (!ClusterIdMatches(vote->cluster_id)) {
    response.error_code = ErrorCode::kInconsistentClusterId;
    respond(EncodeResponseBody(response, request.header));
    return {};
  }
  if (vote->topics.size() != 1 ||
      vote->topics[0].topic_name != kMetadataTopicName ||
      vote->topics[0].partitions.size() != 1 ||
      vote->topics[0].partitions[0].partition_index != kMetadataPartition) {
    return answer(ErrorCode::kUnknownTopicOrPartition, false);
  }
  const VoteRequest::Partition& asked = vote->topics[0].partitions[0];
  if (!start_error_.ok()) return answer(ErrorCode::kKafkaStorageError, false);
  if (!quorum_.is_voter() || !quorum_.voters().contains(asked.candidate_id)) {
    return answer(ErrorCode::kInconsistentVoterSet, false);
  }
  if (asked.last_offset_epoch > asked.candidate_epoch ||
      asked.last_offset < 0) {
    return answer(ErrorCode::kInvalidRequest, false);
  }
  if (asked.candidate_epoch < epoch()) {
    return answer(ErrorCode::kFencedLeaderEpoch, false);
  }
  if (asked.candidate_epoch > epoch()) BecomeUnattached(asked.candidate_epoch);
  const bool granted = CanGrantVote(asked.candidate_id, asked.last_offset_epoch,
                                    asked.last_offset);
  // The vote is on disk before the answer leaves.
  if (granted && state() == RaftState::kUnattached) {
    BecomeVoted(asked.candidate_epoch, asked.candidate_id);
  }
  return answer(ErrorCode::kNone, granted);
}

// ---------------------------------------------------------------- leader

void KafkaRaftClient::AppendLeaderChange() {
  LeaderChangeMessage message{config_.node_id, {}, {}};
  for (NodeId voter : quorum_.voters()) message.voters.push_back(voter);
  message.granting_voters.assign(granted_.begin(), granted_.end());
  Result<LogAppendInfo> appended = log_->AppendAsLeader(
      MakeLeaderChangeBatch(message, env_.NowMs()), epoch(), env_.NowMs());
  (void)appended;  // a batch of one small record: the log always takes it
  voter_progress_[config_.node_id].end_offset = log_->end_offset();
}

Result<int64_t> KafkaRaftClient::Append(int32_t epoch,
                                        std::vector<Bytes> records) {
  if (state() != RaftState::kLeader || epoch != this->epoch()) {
    return Error{ErrorCode::kNotLeaderOrFollower,
                 "node " + std::to_string(config_.node_id) +
                     " does not lead epoch " + std::to_string(epoch)};
  }
  if (records.empty()) {
    return Error{ErrorCode::kInvalidRequest, "an append of no records"};
  }
  std::vector<SimpleRecord> batch;
  for (Bytes& record : records) {
    batch.push_back({env_.NowMs(), std::nullopt, std::move(record), {}});
  }
  Result<LogAppendInfo> appended = log_->AppendAsLeader(
      EncodeRecordBatch(MakeBatch(batch)), epoch, env_.NowMs());
  if (!appended.ok()) return appended.error();
  voter_progress_[config_.node_id].end_offset = log_->end_offset();
  AnswerHeldFetches();
  // A quorum of one commits at once, but the listener hears of it after
  // Append returned, never from inside it.
  env_.StartTimer(0, [this, generation = generation_] {
    if (generation == generation_) MaybeAdvanceHighWatermark();
  });
  return appended->last_offset;
}

void KafkaRaftClient::SendBeginQuorumEpoch(NodeId voter) {
  BeginQuorumEpochRequest request;
  request.cluster_id = cluster_id();
  request.topics.push_back(
      {kMetadataTopicName, {{kMetadataPartition, config_.node_id, epoch()}}});
  SendRequest(
      voter, ApiKey::kBeginQuorumEpoch, kQuorumApiVersion,
      EncodeMessage(request, ApiKey::kBeginQuorumEpoch, kQuorumApiVersion),
      config_.request_timeout_ms,
      [this, generation = generation_, voter](Result<Bytes> body) {
        if (generation != generation_) return;
        Result<BeginQuorumEpochResponse> response =
            body.ok() ? DecodeMessage<BeginQuorumEpochResponse>(
                            *body, ApiKey::kBeginQuorumEpoch, kQuorumApiVersion,
                            0, "BeginQuorumEpochResponse")
                      : Result<BeginQuorumEpochResponse>(body.error());
        if (response.ok() && response->error_code == ErrorCode::kNone &&
            response->topics.size() == 1 &&
            response->topics[0].partitions.size() == 1) {
          const auto& answer = response->topics[0].partitions[0];
          if (ObserveEpoch(answer.leader_epoch,
                           OptionalNode(answer.leader_id))) {
            return;
          }
          if (answer.error_code == ErrorCode::kNone) {
            begin_epoch_acknowledged_.insert(voter);
            return;
          }
        }
        // Until the voter knows (a restarted voter, a lost message): again.
        env_.StartTimer(RetryBackoffMs(voter), [this, generation, voter] {
          if (generation == generation_ &&
              !begin_epoch_acknowledged_.contains(voter)) {
            SendBeginQuorumEpoch(voter);
          }
        });
      });
}

// The resigning leader names its successors, the most caught up first, so
// that they stand for election before the others.
void KafkaRaftClient::SendEndQuorumEpochs() {
  std::vector<std::pair<int64_t, NodeId>> by_progress;
  for (const auto& [voter, progress] : voter_progress_) {
    if (voter != config_.node_id) {
      by_progress.push_back({progress.end_offset, voter});
    }
  }
  std::sort(by_progress.begin(), by_progress.end(), std::greater<>());
  EndQuorumEpochRequest request;
  request.cluster_id = cluster_id();
  EndQuorumEpochRequest::Partition partition{
      kMetadataPartition, config_.node_id, epoch(), {}};
  for (const auto& [offset, voter] : by_progress) {
    partition.preferred_successors.push_back(voter);
  }
  request.topics.push_back({kMetadataTopicName, {partition}});
  const Bytes body =
      EncodeMessage(request, ApiKey::kEndQuorumEpoch, kQuorumApiVersion);
  for (NodeId voter : quorum_.voters()) {
    if (voter == config_.node_id) continue;
    SendRequest(voter, ApiKey::kEndQuorumEpoch, kQuorumApiVersion, body,
                config_.request_timeout_ms, [](Result<Bytes>) {});
  }
}

void KafkaRaftClient::Resign(int32_t epoch) {
  if (state() != RaftState::kLeader || epoch != this->epoch()) return;
  BecomeResigned();
}

//! [high watermark]
// The largest offset a majority of the voters has (the leader counts; the
// observers do not), once it is past the start of this epoch: before an
// entry of this epoch is committed, an older entry on a majority may still
// be overwritten (Raft's figure 8).
void KafkaRaftClient::MaybeAdvanceHighWatermark() {
  std::vector<int64_t> offsets;
  for (const auto& [voter, progress] : voter_progress_) {
    offsets.push_back(progress.end_offset);
  }
  std::sort(offsets.begin(), offsets.end(), std::greater<>());
  const int64_t majority_offset = offsets[quorum_.voters().size() / 2];
  if (majority_offset <= epoch_start_offset_) return;
  if (high_watermark_ && majority_offset <= *high_watermark_) return;
  high_watermark_ = majority_offset;
  AnswerHeldFetches();
  DeliverCommits();
}
//! [high watermark]

void KafkaRaftClient::UpdateReplica(NodeId replica, int64_t fetch_offset) {
  auto& progress = quorum_.voters().contains(replica)
                       ? voter_progress_[replica]
                       : observer_progress_[replica];
  progress.end_offset = fetch_offset;
  progress.last_fetch_ms = env_.NowMs();
  if (fetch_offset >= log_->end_offset()) {
    progress.last_caught_up_ms = env_.NowMs();
  }
  if (quorum_.voters().contains(replica)) {
    begin_epoch_acknowledged_.insert(replica);
    MaybeAdvanceHighWatermark();
  }
}

//! [read for fetch]
KafkaRaftClient::FetchAnswer KafkaRaftClient::ReadForFetch(
    int64_t fetch_offset, int32_t last_fetched_epoch, int32_t max_bytes) const {
  FetchAnswer answer;
  const std::optional<SnapshotId> snapshot = log_->latest_snapshot();
  if (fetch_offset < log_->start_offset() ||
      (snapshot && fetch_offset < snapshot->end_offset)) {
    // The entries it needs are gone: it loads the snapshot instead.
    if (snapshot) {
      answer.snapshot = snapshot;
    } else {
      answer.error = ErrorCode::kOffsetOutOfRange;
    }
    return answer;
  }
  if (fetch_offset > log_->end_offset() && last_fetched_epoch < 0) {
    answer.error = ErrorCode::kOffsetOutOfRange;
    return answer;
  }
  answer.diverging = log_->Diverging(fetch_offset, last_fetched_epoch);
  if (answer.diverging) return answer;
  if (!log_->Read(fetch_offset, std::max(max_bytes, 1), answer.records).ok()) {
    answer.error = ErrorCode::kOffsetOutOfRange;
  }
  return answer;
}
//! [read for fetch]

Bytes KafkaRaftClient::EncodeFetchResponse(const RequestHeader& header,
                                           ErrorCode top_error,
                                           const FetchAnswer& answer) const {
  FetchResponse response;
  response.error_code = top_error;
  if (top_error == ErrorCode::kNone) {
    FetchResponse::Partition partition;
    partition.partition_index = kMetadataPartition;
    partition.error_code = answer.error;
    partition.high_watermark = high_watermark_.value_or(-1);
    partition.log_start_offset = log_->start_offset();
    partition.current_leader = CurrentLeader();
    if (answer.diverging) {
      partition.diverging_epoch = {answer.diverging->epoch,
                                   answer.diverging->end_offset};
    }
    if (answer.snapshot) {
      partition.snapshot_id = {answer.snapshot->end_offset,
                               answer.snapshot->epoch};
    }
    partition.records = answer.records;
    FetchResponse::Topic topic;
    topic.topic = kMetadataTopicName;
    topic.topic_id = MetadataTopicId();
    topic.partitions.push_back(std::move(partition));
    response.responses.push_back(std::move(topic));
  }
  return EncodeResponseBody(response, header);
}

//! [handle fetch]
Status KafkaRaftClient::HandleFetch(const Request& request, Responder respond) {
  Result<FetchRequest> fetch = DecodeRequestBody<FetchRequest>(request);
  if (!fetch.ok()) return fetch.error();
  if (!ClusterIdMatches(fetch->cluster_id)) {
    respond(EncodeFetchResponse(request.header,
                                ErrorCode::kInconsistentClusterId, {}));
    return {};
  }
  const FetchRequest::Partition* asked = nullptr;
  for (const FetchRequest::Topic& topic : fetch->topics) {
    const bool ours = request.header.api_version >= 13
                          ? topic.topic_id == MetadataTopicId()
                          : topic.topic == kMetadataTopicName;
    for (const FetchRequest::Partition& partition : topic.partitions) {
      if (ours && partition.partition == kMetadataPartition) asked = &partition;
    }
  }
  FetchAnswer answer;
  if (asked == nullptr) {
    answer.error = ErrorCode::kUnknownTopicOrPartition;
  } else if (!start_error_.ok() || state() != RaftState::kLeader) {
    answer.error = ErrorCode::kNotLeaderOrFollower;
  } else if (asked->current_leader_epoch < epoch()) {
    answer.error = ErrorCode::kFencedLeaderEpoch;
  } else if (asked->current_leader_epoch > epoch()) {
    answer.error = ErrorCode::kUnknownLeaderEpoch;
  }
  if (answer.error != ErrorCode::kNone) {
    respond(EncodeFetchResponse(request.header, ErrorCode::kNone, answer));
    return {};
  }
  answer = ReadForFetch(asked->fetch_offset, asked->last_fetched_epoch,
                        std::min(asked->partition_max_bytes, fetch->max_bytes));
  const std::optional<int64_t> high_watermark_before = high_watermark_;
  if (const int32_t replica = ReplicaIdOf(*fetch); replica >= 0) {
    if (answer.error == ErrorCode::kNone && !answer.diverging &&
        !answer.snapshot) {
      UpdateReplica(replica, asked->fetch_offset);
    } else if (quorum_.voters().contains(replica)) {
      // A fetch is a heartbeat, whatever it finds.
      voter_progress_[replica].last_fetch_ms = env_.NowMs();
    }
  }
  // A fetch that moved the high watermark is answered at once: the
  // fetcher learns the commit now, not at the next append.
  const bool nothing_new = answer.error == ErrorCode::kNone &&
                           !answer.diverging && !answer.snapshot &&
                           answer.records.empty() &&
                           high_watermark_ == high_watermark_before;
  if (!nothing_new || fetch->max_wait_ms <= 0 ||
      state() != RaftState::kLeader) {
    respond(EncodeFetchResponse(request.header, ErrorCode::kNone, answer));
    return {};
  }
  // Nothing new: hold it until there is, or max_wait_ms pass.
  const uint64_t id = next_held_fetch_++;
  const TimerId timer = env_.StartTimer(fetch->max_wait_ms, [this, id] {
    auto held = held_fetches_.find(id);
    if (held == held_fetches_.end()) return;
    HeldFetch fetch = std::move(held->second);
    held_fetches_.erase(held);
    AnswerHeldFetch(fetch);
  });
  held_fetches_[id] = {request.header, std::move(respond), asked->fetch_offset,
                       std::min(asked->partition_max_bytes, fetch->max_bytes),
                       timer};
  return {};
}
//! [handle fetch]

// New entries or a new high watermark: every held fetch is answered (a
// follower learns the high watermark from its next answer).
void KafkaRaftClient::AnswerHeldFetches() {
  std::map<uint64_t, HeldFetch> held = std::move(held_fetches_);
  held_fetches_.clear();
  for (auto& [id, fetch] : held) {
    env_.CancelTimer(fetch.timer);
    AnswerHeldFetch(fetch);
  }
}

// A held fetch was valid when it came, and the log only grew since: what
// is there to read is its answer.
void KafkaRaftClient::AnswerHeldFetch(HeldFetch& fetch) {
  FetchAnswer answer;
  if (!log_->Read(fetch.fetch_offset, std::max(fetch.max_bytes, 1),
                  answer.records)
           .ok()) {
    answer.error = ErrorCode::kOffsetOutOfRange;
  }
  fetch.respond(EncodeFetchResponse(fetch.header, ErrorCode::kNone, answer));
}

void KafkaRaftClient::FailHeldFetches() {
  std::map<uint64_t, HeldFetch> held = std::move(held_fetches_);
  held_fetches_.clear();
  for (auto& [id, fetch] : held) {
    env_.CancelTimer(fetch.timer);
    FetchAnswer answer;
    answer.error = ErrorCode::kNotLeaderOrFollower;
    fetch.respond(EncodeFetchResponse(fetch.header, ErrorCode::kNone, answer));
  }
}

Status KafkaRaftClient::HandleBeginQuorumEpoch(const Request& request,
                                               Responder respond) {
  Result<BeginQuorumEpochRequest> begin =
      DecodeRequestBody<BeginQuorumEpochRequest>(request);
  if (!begin.ok()) return begin.error();
  BeginQuorumEpochResponse response;
  auto answer = [&](ErrorCode error) {
    const FetchResponse::LeaderIdAndEpoch leader = CurrentLeader();
    response.topics.push_back(
        {kMetadataTopicName,
         {{kMetadataPartition, error, leader.leader_id, leader.leader_epoch}}});
    respond(EncodeResponseBody(response, request.header));
    return Status();
  };
  if (!ClusterIdMatches(begin->cluster_id)) {
    response.error_code = ErrorCode::kInconsistentClusterId;
    respond(EncodeResponseBody(response, request.header));
    return {};
  }
  if (begin->topics.size() != 1 || begin->topics[0].partitions.size() != 1 ||
      begin->topics[0].topic_name != kMetadataTopicName) {
    return answer(ErrorCode::kUnknownTopicOrPartition);
  }
  const auto& asked = begin->topics[0].partitions[0];
  if (!start_error_.ok()) return answer(ErrorCode::kKafkaStorageError);
  if (!quorum_.voters().contains(asked.leader_id)) {
    return answer(ErrorCode::kInconsistentVoterSet);
  }
  if (asked.leader_epoch < epoch()) {
    return answer(ErrorCode::kFencedLeaderEpoch);
  }
  const bool knows_it = asked.leader_epoch == epoch() &&
                        quorum_.leader() == asked.leader_id &&
                        state() != RaftState::kResigned;
  if (!knows_it && asked.leader_id != config_.node_id) {
    BecomeFollower(asked.leader_epoch, asked.leader_id);
  }
  return answer(ErrorCode::kNone);
}

//! [end quorum epoch]
// The leader resigned: its followers stand for election soon, the first of
// its preferred successors first, instead of waiting out fetch.timeout.ms.
// They keep their state (and any vote they gave in this epoch).
Status KafkaRaftClient::HandleEndQuorumEpoch(const Request& request,
                                             Responder respond) {
  Result<EndQuorumEpochRequest> end =
      DecodeRequestBody<EndQuorumEpochRequest>(request);
  if (!end.ok()) return end.error();
  EndQuorumEpochResponse response;
  auto answer = [&](ErrorCode error) {
    const FetchResponse::LeaderIdAndEpoch leader = CurrentLeader();
    response.topics.push_back(
        {kMetadataTopicName,
         {{kMetadataPartition, error, leader.leader_id, leader.leader_epoch}}});
    respond(EncodeResponseBody(response, request.header));
    return Status();
  };
  if (!ClusterIdMatches(end->cluster_id)) {
    response.error_code = ErrorCode::kInconsistentClusterId;
    respond(EncodeResponseBody(response, request.header));
    return {};
  }
  if (end->topics.size() != 1 || end->topics[0].partitions.size() != 1 ||
      end->topics[0].topic_name != kMetadataTopicName) {
    return answer(ErrorCode::kUnknownTopicOrPartition);
  }
  const auto& asked = end->topics[0].partitions[0];
  if (!start_error_.ok()) return answer(ErrorCode::kKafkaStorageError);
  if (asked.leader_epoch < epoch()) {
    return answer(ErrorCode::kFencedLeaderEpoch);
  }
  if (asked.leader_epoch > epoch()) BecomeUnattached(asked.leader_epoch);
  if (state() == RaftState::kFollower && quorum_.leader() == asked.leader_id) {
    StartStateTimer(SuccessorBackoffMs(asked.preferred_successors),
                    &KafkaRaftClient::OnFetchTimeout);
  }
  return answer(ErrorCode::kNone);
}
//! [end quorum epoch]

// Kafka's strictExponentialElectionBackoffMs: the first successor stands at
// once, the next after retry.backoff.ms, each later one after twice as long
// as the one before, at most election.backoff.max.ms; a voter not named
// waits the most.
int64_t KafkaRaftClient::SuccessorBackoffMs(
    const std::vector<int32_t>& successors) const {
  const auto found =
      std::find(successors.begin(), successors.end(), config_.node_id);
  if (found == successors.end()) return config_.election_backoff_max_ms;
  const int64_t position = found - successors.begin();
  if (position == 0) return 0;
  const int64_t doublings = std::min<int64_t>(position - 1, 20);
  return std::min(config_.election_backoff_max_ms,
                  config_.retry_backoff_ms << doublings);
}

Status KafkaRaftClient::HandleDescribeQuorum(const Request& request,
                                             Responder respond) {
  Result<DescribeQuorumRequest> describe =
      DecodeRequestBody<DescribeQuorumRequest>(request);
  if (!describe.ok()) return describe.error();
  DescribeQuorumResponse response;
  DescribeQuorumResponse::Partition partition;
  partition.partition_index = kMetadataPartition;
  const FetchResponse::LeaderIdAndEpoch leader = CurrentLeader();
  partition.leader_id = leader.leader_id;
  partition.leader_epoch = leader.leader_epoch;
  if (state() != RaftState::kLeader) {
    partition.error_code = ErrorCode::kNotLeaderOrFollower;
  } else {
    partition.high_watermark = high_watermark_.value_or(-1);
    auto describe_replica = [&](NodeId id, const ReplicaProgress& progress) {
      const bool self = id == config_.node_id;
      return DescribeQuorumResponse::ReplicaState{
          id, self ? log_->end_offset() : progress.end_offset,
          self ? env_.NowMs() : progress.last_fetch_ms,
          self ? env_.NowMs() : progress.last_caught_up_ms};
    };
    for (const auto& [id, progress] : voter_progress_) {
      partition.current_voters.push_back(describe_replica(id, progress));
    }
    for (const auto& [id, progress] : observer_progress_) {
      partition.observers.push_back(describe_replica(id, progress));
    }
  }
  response.topics.push_back({kMetadataTopicName, {partition}});
  respond(EncodeResponseBody(response, request.header));
  return {};
}

// ---------------------------------------------------------------- follower

bool KafkaRaftClient::IsFetching() const {
  if (!start_error_.ok()) return false;
  if (state() == RaftState::kFollower) return true;
  // An observer without a leader asks the voters until one tells it.
  return state() == RaftState::kUnattached && !quorum_.is_voter();
}

NodeId KafkaRaftClient::FetchTarget() {
  if (state() == RaftState::kFollower) return *quorum_.leader();
  std::vector<NodeId> voters(quorum_.voters().begin(), quorum_.voters().end());
  return voters[next_voter_to_ask_++ % voters.size()];
}

//! [follower fetch]
void KafkaRaftClient::MaybeSendFetch() {
  if (!IsFetching() || fetch_in_flight_ || fetch_retry_timer_ ||
      !snapshot_being_fetched_.empty()) {
    return;
  }
  FetchRequest request;
  request.cluster_id = cluster_id();
  request.replica_id = config_.node_id;
  request.max_wait_ms = config_.fetch_max_wait_ms;
  request.max_bytes = config_.fetch_max_bytes;
  request.session_epoch = kNoSessionEpoch;
  FetchRequest::Topic topic;
  topic.topic = kMetadataTopicName;
  topic.topic_id = MetadataTopicId();
  topic.partitions.push_back({.partition = kMetadataPartition,
                              .current_leader_epoch = epoch(),
                              .fetch_offset = log_->end_offset(),
                              .last_fetched_epoch = log_->last_fetched_epoch(),
                              .log_start_offset = log_->start_offset(),
                              .partition_max_bytes = config_.fetch_max_bytes});
  request.topics.push_back(std::move(topic));
  fetch_in_flight_ = generation_;
  // The leader may hold the fetch for fetch_max_wait_ms: wait longer.
  fetch_target_ = FetchTarget();
  SendRequest(fetch_target_, ApiKey::kFetch, kFetchVersion,
              EncodeMessage(request, ApiKey::kFetch, kFetchVersion),
              config_.request_timeout_ms + config_.fetch_max_wait_ms,
              [this, generation = generation_](Result<Bytes> body) {
                HandleFetchResponse(generation, std::move(body));
              });
}
//! [follower fetch]

void KafkaRaftClient::ScheduleFetchRetry() {
  fetch_retry_timer_ = env_.StartTimer(RetryBackoffMs(fetch_target_), [this] {
    fetch_retry_timer_.reset();
    MaybeSendFetch();
  });
}

void KafkaRaftClient::HandleFetchResponse(uint64_t generation,
                                          Result<Bytes> body) {
  if (generation != generation_) return;
  fetch_in_flight_.reset();
  Result<FetchResponse> response =
      body.ok() ? DecodeMessage<FetchResponse>(
                      *body, ApiKey::kFetch, kFetchVersion, 0, "FetchResponse")
                : Result<FetchResponse>(body.error());
  if (!response.ok() || response->error_code != ErrorCode::kNone ||
      response->responses.size() != 1 ||
      response->responses[0].partitions.size() != 1) {
    ScheduleFetchRetry();
    return;
  }
  const FetchResponse::Partition& partition =
      response->responses[0].partitions[0];
  if (ObserveEpoch(partition.current_leader.leader_epoch,
                   OptionalNode(partition.current_leader.leader_id))) {
    return;  // the transition started a fetch to the new leader
  }
  if (partition.error_code != ErrorCode::kNone ||
      state() != RaftState::kFollower) {
    ScheduleFetchRetry();
    return;
  }
  // The leader answered: it is alive (a fetch is a heartbeat).
  StartStateTimer(config_.fetch_timeout_ms, &KafkaRaftClient::OnFetchTimeout);
  ApplyFetchedPartition(partition);
  MaybeSendFetch();
}

//! [apply fetched partition]
void KafkaRaftClient::ApplyFetchedPartition(
    const FetchResponse::Partition& partition) {
  if (partition.diverging_epoch.epoch >= 0 ||
      partition.diverging_epoch.end_offset >= 0) {
    // This log left the leader's: cut it where they last agreed.
    log_->TruncateTo(
        log_->TruncationOffsetFor({partition.diverging_epoch.epoch,
                                   partition.diverging_epoch.end_offset}));
    return;
  }
  if (partition.snapshot_id.end_offset >= 0 &&
      partition.snapshot_id.epoch >= 0) {
    SendFetchSnapshot(
        {partition.snapshot_id.end_offset, partition.snapshot_id.epoch}, 0);
    return;
  }
  if (partition.records && !partition.records->empty()) {
    Result<LogAppendInfo> appended =
        log_->AppendAsFollower(*partition.records, env_.NowMs());
    if (!appended.ok()) {
      ScheduleFetchRetry();  // a bad answer: ask again
      return;
    }
  }
  UpdateFollowerHighWatermark(partition.high_watermark);
}
//! [apply fetched partition]

void KafkaRaftClient::UpdateFollowerHighWatermark(
    int64_t leader_high_watermark) {
  if (leader_high_watermark < 0) return;
  const int64_t high_watermark =
      std::min(leader_high_watermark, log_->end_offset());
  if (high_watermark_ && high_watermark <= *high_watermark_) return;
  high_watermark_ = high_watermark;
  DeliverCommits();
}

// ---------------------------------------------------------------- snapshots

//! [create snapshot]
// Only what is committed, above the log start, and ending where a batch
// ends (as the listener's last applied batch does), so that a follower
// fetching from its end finds a batch starting there. Its epoch is the
// log's, of that batch: fetches from the snapshot's end are checked
// against it.
void KafkaRaftClient::CreateSnapshot(int64_t end_offset, int32_t epoch,
                                     std::vector<Bytes> records) {
  (void)epoch;
  if (!high_watermark_ || end_offset > *high_watermark_ ||
      end_offset <= log_->start_offset()) {
    return;
  }
  Bytes last;
  if (!log_->Read(end_offset - 1, 1, last).ok() || last.empty()) return;
  Result<RecordBatchHeader> header = DecodeBatchHeader(last);
  if (!header.ok() || header->LastOffset() != end_offset - 1) return;
  log_->CreateSnapshot({end_offset, header->partition_leader_epoch}, records,
                       env_.NowMs());
}
//! [create snapshot]

void KafkaRaftClient::SendFetchSnapshot(const SnapshotId& id,
                                        int64_t position) {
  FetchSnapshotRequest request;
  request.cluster_id = cluster_id();
  request.replica_id = config_.node_id;
  request.max_bytes = config_.fetch_max_bytes;
  request.topics.push_back(
      {kMetadataTopicName,
       {{kMetadataPartition, epoch(), {id.end_offset, id.epoch}, position}}});
  if (position == 0) snapshot_being_fetched_.clear();
  fetch_in_flight_ = generation_;
  fetch_target_ = *quorum_.leader();
  SendRequest(fetch_target_, ApiKey::kFetchSnapshot, kQuorumApiVersion,
              EncodeMessage(request, ApiKey::kFetchSnapshot, kQuorumApiVersion),
              config_.request_timeout_ms,
              [this, generation = generation_, id](Result<Bytes> body) {
                HandleFetchSnapshotResponse(generation, id, std::move(body));
              });
}

//! [fetch snapshot response]
void KafkaRaftClient::HandleFetchSnapshotResponse(uint64_t generation,
                                                  SnapshotId id,
                                                  Result<Bytes> body) {
  if (generation != generation_) return;
  fetch_in_flight_.reset();
  Result<FetchSnapshotResponse> response =
      body.ok() ? DecodeMessage<FetchSnapshotResponse>(
                      *body, ApiKey::kFetchSnapshot, kQuorumApiVersion, 0,
                      "FetchSnapshotResponse")
                : Result<FetchSnapshotResponse>(body.error());
  const FetchSnapshotResponse::Partition* part =
      response.ok() && response->error_code == ErrorCode::kNone &&
              response->topics.size() == 1 &&
              response->topics[0].partitions.size() == 1
          ? &response->topics[0].partitions[0]
          : nullptr;
  if (part != nullptr &&
      ObserveEpoch(part->current_leader.leader_epoch,
                   OptionalNode(part->current_leader.leader_id))) {
    return;
  }
  if (part == nullptr || part->error_code != ErrorCode::kNone ||
      part->position != int64_t(snapshot_being_fetched_.size())) {
    // Start over with a fresh fetch: it names the snapshot again.
    snapshot_being_fetched_.clear();
    ScheduleFetchRetry();
    return;
  }
  StartStateTimer(config_.fetch_timeout_ms, &KafkaRaftClient::OnFetchTimeout);
  snapshot_being_fetched_.insert(snapshot_being_fetched_.end(),
                                 part->unaligned_records.begin(),
                                 part->unaligned_records.end());
  if (int64_t(snapshot_being_fetched_.size()) < part->size &&
      !part->unaligned_records.empty()) {
    SendFetchSnapshot(id, int64_t(snapshot_being_fetched_.size()));
    return;
  }
  const Bytes file = std::move(snapshot_being_fetched_);
  snapshot_being_fetched_.clear();
  Result<std::vector<Bytes>> records = log_->InstallSnapshot(id, file);
  if (records.ok()) LoadSnapshot(id, *records);
  MaybeSendFetch();
}
//! [fetch snapshot response]

void KafkaRaftClient::LoadSnapshot(const SnapshotId& id,
                                   const std::vector<Bytes>& records) {
  next_commit_offset_ = std::max(next_commit_offset_, id.end_offset);
  if (!high_watermark_ || *high_watermark_ < id.end_offset) {
    high_watermark_ = id.end_offset;
  }
  if (listener_ != nullptr) {
    listener_->HandleLoadSnapshot(id.end_offset, id.epoch, records);
  }
}

Status KafkaRaftClient::HandleFetchSnapshot(const Request& request,
                                            Responder respond) {
  Result<FetchSnapshotRequest> fetch =
      DecodeRequestBody<FetchSnapshotRequest>(request);
  if (!fetch.ok()) return fetch.error();
  FetchSnapshotResponse response;
  if (!ClusterIdMatches(fetch->cluster_id)) {
    response.error_code = ErrorCode::kInconsistentClusterId;
    respond(EncodeResponseBody(response, request.header));
    return {};
  }
  FetchSnapshotResponse::Partition partition;
  partition.index = kMetadataPartition;
  const FetchResponse::LeaderIdAndEpoch leader = CurrentLeader();
  partition.current_leader = {leader.leader_id, leader.leader_epoch};
  if (fetch->topics.size() != 1 || fetch->topics[0].partitions.size() != 1 ||
      fetch->topics[0].name != kMetadataTopicName) {
    partition.error_code = ErrorCode::kUnknownTopicOrPartition;
  } else if (state() != RaftState::kLeader) {
    partition.error_code = ErrorCode::kNotLeaderOrFollower;
  } else {
    const auto& asked = fetch->topics[0].partitions[0];
    const SnapshotId id{asked.snapshot_id.end_offset, asked.snapshot_id.epoch};
    partition.snapshot_id = {id.end_offset, id.epoch};
    if (asked.current_leader_epoch != epoch()) {
      partition.error_code = asked.current_leader_epoch < epoch()
                                 ? ErrorCode::kFencedLeaderEpoch
                                 : ErrorCode::kUnknownLeaderEpoch;
    } else {
      int64_t size = 0;
      Result<Bytes> chunk = log_->ReadSnapshotChunk(
          id, asked.position,
          std::min(fetch->max_bytes, config_.fetch_max_bytes), size);
      if (chunk.ok()) {
        partition.size = size;
        partition.position = asked.position;
        partition.unaligned_records = std::move(*chunk);
      } else {
        partition.error_code = chunk.error().code;
      }
    }
  }
  response.topics.push_back({kMetadataTopicName, {partition}});
  respond(EncodeResponseBody(response, request.header));
  return {};
}

// ---------------------------------------------------------------- commits

//! [deliver commits]
// Every batch wholly below the high watermark that the listener has not
// heard of yet, in offset order; control batches are the Raft layer's own.
void KafkaRaftClient::DeliverCommits() {
  if (!high_watermark_) return;
  Bytes chunk;
  while (next_commit_offset_ < *high_watermark_) {
    if (!log_->Read(next_commit_offset_, 1 << 20, chunk).ok() ||
        chunk.empty()) {
      return;
    }
    Result<std::vector<BatchSlice>> batches = SplitAndValidateBatches(chunk);
    if (!batches.ok()) return;
    for (const BatchSlice& slice : *batches) {
      const RecordBatchHeader& header = slice.header;
      if (header.LastOffset() >= *high_watermark_) return;
      if (header.LastOffset() < next_commit_offset_) continue;
      next_commit_offset_ = header.NextOffset();
      if (IsControlBatch(header) || listener_ == nullptr) continue;
      Result<RecordBatch> batch = DecodeRecordBatch(
          ByteView(chunk).subspan(slice.position, header.SizeInBytes()),
          slice.position);
      if (!batch.ok()) continue;
      CommittedBatch committed{header.base_offset,
                               header.LastOffset(),
                               header.partition_leader_epoch,
                               header.max_timestamp,
                               {}};
      for (Record& record : batch->records) {
        committed.records.push_back(record.value.value_or(Bytes()));
      }
      listener_->HandleCommit(committed);
    }
  }
}
//! [deliver commits]

void KafkaRaftClient::RegisterWith(RequestHandlers& handlers) {
  if (config_.observer()) return;
  handlers.Register(ApiKey::kVote,
                    HandlerOf(this, &KafkaRaftClient::HandleVote));
  handlers.Register(ApiKey::kBeginQuorumEpoch,
                    HandlerOf(this, &KafkaRaftClient::HandleBeginQuorumEpoch));
  handlers.Register(ApiKey::kEndQuorumEpoch,
                    HandlerOf(this, &KafkaRaftClient::HandleEndQuorumEpoch));
  handlers.Register(ApiKey::kFetch,
                    HandlerOf(this, &KafkaRaftClient::HandleFetch));
  handlers.Register(ApiKey::kFetchSnapshot,
                    HandlerOf(this, &KafkaRaftClient::HandleFetchSnapshot));
  handlers.Register(ApiKey::kDescribeQuorum,
                    HandlerOf(this, &KafkaRaftClient::HandleDescribeQuorum));
}

}  // namespace kafka
