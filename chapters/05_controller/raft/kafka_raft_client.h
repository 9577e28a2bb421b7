/// \file
/// KafkaRaftClient: one node's part in KRaft, the Raft protocol over the
/// metadata log `__cluster_metadata-0` (Kafka's KafkaRaftClient, with
/// QuorumState, LeaderState and the other EpochStates; KIP-595, KIP-630).
///
/// What Kafka's Raft adds to, and changes in, the paper's:
///
/// - **Pull, not push.** Followers replicate by Fetch from the leader (the
///   same API as Chapter 4's followers, with the metadata topic's id), and a
///   fetch is also the heartbeat: a follower that has not heard from its
///   leader for controller.quorum.fetch.timeout.ms starts an election; a
///   leader that no majority fetched from for 1.5 times that resigns (check
///   quorum), so that an isolated leader does not go on taking writes.
/// - **Divergence by epoch.** The leader checks each fetch's (offset, last
///   fetched epoch) against its epoch cache and answers a follower that
///   diverged with DivergingEpoch; the follower truncates and fetches again
///   (Chapter 4's KIP-101/279 logic, the same LeaderEpochCache).
/// - **Votes.** A candidate bumps the epoch, votes for itself and sends Vote
///   with its (last epoch, end offset); a voter grants one vote per epoch,
///   to a candidate whose log is at least as up to date, and writes the vote
///   to `quorum-state` before it answers. Election timeouts are
///   election.timeout.ms plus a random part as long; a lost election backs
///   off up to election.backoff.max.ms. The winner tells everyone with
///   BeginQuorumEpoch; a resigning leader with EndQuorumEpoch.
/// - **Retries back off.** A Vote, BeginQuorumEpoch or Fetch that got no
///   answer is sent again after retry.backoff.ms, doubled for each request
///   in a row that node left unanswered, up to reconnect.backoff.max.ms
///   (Kafka's RequestManager and its NetworkClient's reconnect backoff): a
///   voter that starts late still gets the candidate's request, and a
///   crashed one is not asked 50 times a second.
/// - **Commit.** The high watermark is the largest offset a majority of the
///   voters (the leader included) has, and only once it is past the start
///   of the leader's epoch: a new leader's first entry is a LeaderChange
///   control record, and nothing older commits until it does (the Raft
///   paper's figure 8). Observers (brokers) fetch but never count.
/// - **Snapshots.** CreateSnapshot writes the listener's state as of a
///   committed offset and moves the log start there; a fetch below the log
///   start is answered with the snapshot's id, and the follower copies it
///   with FetchSnapshot, loads it and fetches on from its end.
///
/// What Kafka does that this does not: pre-vote (KIP-996: a node that
/// cannot win still bumps the epoch, as in Kafka before 4.0), lingering
/// appends into one batch (append.linger.ms: every Append is a batch at
/// once), dynamic voter sets and directory ids (KIP-853), and moving the log
/// start only when segments can go (here a snapshot moves it at once).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "chapters/05_controller/raft/quorum_state.h"
#include "chapters/05_controller/raft/raft_client.h"
#include "chapters/05_controller/raft/raft_config.h"
#include "chapters/05_controller/raft/raft_log.h"
#include "lib/node/node.h"
#include "lib/node/request_handlers.h"
#include "lib/protocol/messages/fetch_request.h"
#include "lib/protocol/messages/fetch_response.h"
#include "lib/uuid.h"

namespace kafka {

/// What the leader knows of one replica (Kafka's LeaderState.ReplicaState).
struct ReplicaProgress {
  int64_t end_offset = -1;  ///< -1: not fetched in this epoch
  int64_t last_fetch_ms = -1;
  int64_t last_caught_up_ms = -1;
};

class KafkaRaftClient : public RaftClient {
 public:
  KafkaRaftClient(Environment& env, RaftConfig config);

  /// Reads quorum-state and opens the log (loading the newest snapshot into
  /// the listener), tells the listener the leader as known, and starts the
  /// timers of the state it is in. A quorum-state file that does not parse
  /// is start_error(): the node then neither votes nor stands.
  void Start();
  /// Registers Vote, BeginQuorumEpoch, EndQuorumEpoch, Fetch, FetchSnapshot
  /// and DescribeQuorum, for a voter; an observer serves none.
  void RegisterWith(RequestHandlers& handlers);

  // RaftClient.
  void Register(RaftListener* listener) override { listener_ = listener; }
  LeaderAndEpoch leader_and_epoch() const override;
  /// One batch at once: append.linger.ms is not applied.
  Result<int64_t> Append(int32_t epoch, std::vector<Bytes> records) override;
  std::optional<int64_t> high_watermark() const override {
    return high_watermark_;
  }
  /// Ignored unless `end_offset` is committed, above the log start and the
  /// end of a batch; the snapshot's epoch is that batch's (`epoch` should
  /// be the same: the epoch of the listener's last applied batch).
  void CreateSnapshot(int64_t end_offset, int32_t epoch,
                      std::vector<Bytes> records) override;
  void Resign(int32_t epoch) override;

  // The APIs (public: a combined node routes __cluster_metadata's Fetch
  // here).
  Status HandleVote(const Request& request, Responder respond);
  Status HandleBeginQuorumEpoch(const Request& request, Responder respond);
  Status HandleEndQuorumEpoch(const Request& request, Responder respond);
  Status HandleFetch(const Request& request, Responder respond);
  Status HandleFetchSnapshot(const Request& request, Responder respond);
  Status HandleDescribeQuorum(const Request& request, Responder respond);

  // For tests and tools.
  RaftState state() const { return quorum_.state(); }
  std::string_view state_name() const { return RaftStateName(state()); }
  int32_t epoch() const { return quorum_.epoch(); }
  std::optional<NodeId> voted_id() const { return quorum_.voted_id(); }
  int64_t log_end_offset() const { return log_->end_offset(); }
  int64_t log_start_offset() const { return log_->start_offset(); }
  const RaftLog& log() const { return *log_; }
  const QuorumState& quorum() const { return quorum_; }
  const RaftConfig& config() const { return config_; }
  const Status& start_error() const { return start_error_; }
  /// Leader only: what it knows of each voter and observer.
  const std::map<NodeId, ReplicaProgress>& voter_progress() const {
    return voter_progress_;
  }
  const std::map<NodeId, ReplicaProgress>& observer_progress() const {
    return observer_progress_;
  }

 private:
  /// A fetch the leader holds until there is something new (long poll).
  struct HeldFetch {
    RequestHeader header;
    Responder respond;
    int64_t fetch_offset;
    int32_t max_bytes;
    TimerId timer;
  };
  /// The part of a Fetch answer that depends on the log.
  struct FetchAnswer {
    ErrorCode error = ErrorCode::kNone;
    std::optional<EpochEndOffset> diverging;
    std::optional<SnapshotId> snapshot;
    Bytes records;
  };

  // Transitions: each changes the state, then its timers and the listener.
  void BecomeUnattached(int32_t epoch);
  void BecomeVoted(int32_t epoch, NodeId candidate);
  void BecomeCandidate();
  void BecomeLeader();
  void BecomeFollower(int32_t epoch, NodeId leader);
  void BecomeResigned();
  /// A request or answer named `epoch` (and maybe its leader): a larger
  /// epoch, or this epoch's leader not known here yet, moves this node.
  /// Returns whether it did.
  bool ObserveEpoch(int32_t epoch, std::optional<NodeId> leader);
  void AfterTransition();
  void NotifyLeaderChange();

  // Timers.
  void StartStateTimer(int64_t delay_ms, void (KafkaRaftClient::*on_fire)());
  int64_t RandomElectionTimeoutMs();
  void OnElectionTimeout();
  void OnFetchTimeout();
  void ScheduleCheckQuorum();
  int64_t SuccessorBackoffMs(const std::vector<int32_t>& successors) const;

  // Candidate.
  void SendVoteRequests();
  void SendVoteRequest(NodeId voter);
  void HandleVoteResponse(uint64_t generation, NodeId voter,
                          Result<Bytes> body);
  bool CanGrantVote(NodeId candidate, int32_t last_epoch,
                    int64_t last_offset) const;

  // Leader.
  void AppendLeaderChange();
  void SendBeginQuorumEpoch(NodeId voter);
  void SendEndQuorumEpochs();
  void UpdateReplica(NodeId replica, int64_t fetch_offset);
  void MaybeAdvanceHighWatermark();
  FetchAnswer ReadForFetch(int64_t fetch_offset, int32_t last_fetched_epoch,
                           int32_t max_bytes) const;
  Bytes EncodeFetchResponse(const RequestHeader& header, ErrorCode top_error,
                            const FetchAnswer& answer) const;
  void AnswerHeldFetches();
  void AnswerHeldFetch(HeldFetch& fetch);
  void FailHeldFetches();

  // Follower and observer.
  bool IsFetching() const;
  void MaybeSendFetch();
  void ScheduleFetchRetry();
  /// The leader; without one, the voters in turn, from a random first one,
  /// so that a voter that does not answer is not asked again and again
  /// (Kafka's RequestManager moves on to the next bootstrap server).
  NodeId FetchTarget();
  void HandleFetchResponse(uint64_t generation, Result<Bytes> body);
  void ApplyFetchedPartition(const FetchResponse::Partition& partition);
  void UpdateFollowerHighWatermark(int64_t leader_high_watermark);
  void SendFetchSnapshot(const SnapshotId& id, int64_t position);
  void HandleFetchSnapshotResponse(uint64_t generation, SnapshotId id,
                                   Result<Bytes> body);
  void LoadSnapshot(const SnapshotId& id, const std::vector<Bytes>& records);

  // Committing.
  void DeliverCommits();

  // Sending.
  void SendRequest(NodeId to, ApiKey api, int16_t version, Bytes body,
                   int64_t timeout_ms, ResponseHandler on_response);
  /// How long to wait before asking `node` again: retry.backoff.ms, doubled
  /// for each request in a row it did not answer, up to
  /// reconnect.backoff.max.ms (Kafka's RequestManager backs off a node
  /// after a failed request; its NetworkClient's reconnect backoff grows).
  int64_t RetryBackoffMs(NodeId node) const;
  std::optional<std::string> cluster_id() const;
  bool ClusterIdMatches(const std::optional<std::string>& id) const;
  /// This node's view of the leader, as answers carry it (-1: unknown).
  FetchResponse::LeaderIdAndEpoch CurrentLeader() const;

  Environment& env_;
  RaftConfig config_;
  QuorumState quorum_;
  std::unique_ptr<RaftLog> log_;
  RaftListener* listener_ = nullptr;
  Status start_error_;
  /// Counts transitions: an answer or timer of an earlier state is stale.
  uint64_t generation_ = 0;
  /// Which voter a fetch without a leader asks next (FetchTarget).
  size_t next_voter_to_ask_ = 0;
  std::optional<TimerId> state_timer_;
  std::optional<LeaderAndEpoch> notified_leader_;

  std::optional<int64_t> high_watermark_;
  /// The next offset the listener hears of (HandleCommit).
  int64_t next_commit_offset_ = 0;

  /// Requests in a row each node left unanswered (no response: a timeout,
  /// a refused connection); any answer resets it.
  std::map<NodeId, int> unanswered_;

  // Candidate.
  std::set<NodeId> granted_;
  // Leader.
  int64_t epoch_start_offset_ = 0;
  std::map<NodeId, ReplicaProgress> voter_progress_;
  std::map<NodeId, ReplicaProgress> observer_progress_;
  std::set<NodeId> begin_epoch_acknowledged_;
  std::map<uint64_t, HeldFetch> held_fetches_;
  uint64_t next_held_fetch_ = 0;
  // Follower and observer.
  std::optional<uint64_t> fetch_in_flight_;  ///< its generation
  std::optional<TimerId> fetch_retry_timer_;
  /// The node the last Fetch or FetchSnapshot went to (a retry backs off it).
  NodeId fetch_target_ = -1;
  Bytes snapshot_being_fetched_;
};

}  // namespace kafka
