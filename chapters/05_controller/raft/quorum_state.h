/// \file
/// A Raft node's election state, and the `quorum-state` file that keeps it
/// across restarts (Kafka's QuorumState, EpochState and its subclasses, and
/// FileQuorumStateStore).
///
/// Each node is in one of six states, in an epoch:
///
///     Unattached  knows the epoch, no leader, has not voted in it
///     Voted       has voted for a candidate in this epoch (and waits)
///     Candidate   asks for votes in this epoch (it voted for itself)
///     Leader      won this epoch: appends, and decides what is committed
///     Follower    knows this epoch's leader and fetches from it
///     Resigned    led this epoch and stepped down (EndQuorumEpoch)
///
/// An observer (a broker) is only ever Unattached or Follower. Seeing a
/// larger epoch moves a node to Unattached in it, or to Follower if that
/// epoch's leader is known.
///
/// The file is what makes one vote per epoch hold across a crash: the epoch,
/// the vote and the leader are written, atomically and synced, *before* the
/// vote is answered or the leadership acted on. Kafka's JSON shape:
///
///     {"clusterId":"","leaderId":3000,"leaderEpoch":7,"votedId":-1,
///      "appliedOffset":0,"currentVoters":[{"voterId":3000},
///      {"voterId":3001},{"voterId":3002}],"data_version":0}
///
/// At start a node reads it back: a node that led the epoch comes back
/// Resigned (it no longer knows its followers), one that voted comes back
/// Voted, one that followed a leader comes back Follower. A file that does
/// not parse is an error, not a fresh start: forgetting a vote could make
/// the node vote twice.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "lib/error.h"
#include "lib/node/node.h"
#include "lib/storage/storage.h"

namespace kafka {

inline constexpr char kQuorumStateFile[] = "quorum-state";

enum class RaftState {
  kUnattached,
  kVoted,
  kCandidate,
  kLeader,
  kFollower,
  kResigned
};

/// "Unattached", "Voted", ... as Kafka's state classes are named.
std::string_view RaftStateName(RaftState state);

/// What the quorum-state file holds (Kafka's ElectionState).
struct ElectionState {
  int32_t epoch = 0;
  std::optional<NodeId> leader;
  std::optional<NodeId> voted;
  bool operator==(const ElectionState&) const = default;
};

/// The file's text for `state`, in Kafka's JSON shape.
std::string EncodeQuorumStateFile(const ElectionState& state,
                                  const std::set<NodeId>& voters);
/// Parses the file's text; KAFKA_STORAGE_ERROR saying what is wrong.
Result<ElectionState> DecodeQuorumStateFile(std::string_view text);

/// One node's state in the quorum (Kafka's QuorumState). Every transition
/// that changes the epoch, the vote or the leader writes the file before it
/// returns.
class QuorumState {
 public:
  QuorumState(Storage& storage, std::string data_dir, NodeId local,
              std::set<NodeId> voters);

  /// Reads the file (none: epoch 0, Unattached) and sets the state from it.
  Status Load();

  RaftState state() const { return state_; }
  int32_t epoch() const { return election_.epoch; }
  std::optional<NodeId> leader() const { return election_.leader; }
  std::optional<NodeId> voted_id() const { return election_.voted; }
  const ElectionState& election() const { return election_; }
  bool is_voter() const { return voters_.contains(local_); }
  const std::set<NodeId>& voters() const { return voters_; }
  NodeId local_id() const { return local_; }
  const std::string& path() const { return path_; }

  /// Whether a majority of the voters is in `granted`.
  bool IsMajority(const std::set<NodeId>& granted) const;

  void TransitionToUnattached(int32_t epoch);
  /// Votes for `candidate` in `epoch` (Unattached in it, or an older one).
  void TransitionToVoted(int32_t epoch, NodeId candidate);
  /// Starts an election: the next epoch, a vote for itself. Voters only.
  void TransitionToCandidate();
  /// Won this epoch's election (a Candidate only).
  void TransitionToLeader();
  void TransitionToFollower(int32_t epoch, NodeId leader);
  /// A leader steps down in its epoch; the file keeps it as the leader.
  void TransitionToResigned();

 private:
  void Set(RaftState state, ElectionState election);
  void WriteFile() const;

  Storage& storage_;
  std::string data_dir_;
  std::string path_;
  NodeId local_;
  std::set<NodeId> voters_;
  RaftState state_ = RaftState::kUnattached;
  ElectionState election_;
};

}  // namespace kafka
