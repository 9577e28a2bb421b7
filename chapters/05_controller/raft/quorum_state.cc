#include "chapters/05_controller/raft/quorum_state.h"

#include <cassert>
#include <charconv>

namespace kafka {
namespace {

// The file's data_version (Kafka's FileQuorumStateStore writes 0).
constexpr int kQuorumStateDataVersion = 0;

Error BadFile(const std::string& why) {
  return Error{ErrorCode::kKafkaStorageError, "quorum-state: " + why};
}

// The integer after "\"key\":" in `text`.
Result<int64_t> FindInteger(std::string_view text, std::string_view key) {
  const std::string quoted = "\"" + std::string(key) + "\"";
  size_t at = text.find(quoted);
  if (at == std::string_view::npos) return BadFile("no " + quoted);
  at = text.find(':', at + quoted.size());
  if (at == std::string_view::npos) return BadFile(quoted + " has no value");
  ++at;
  while (at < text.size() && text[at] == ' ') ++at;
  int64_t value = 0;
  const auto [end, error] =
      std::from_chars(text.data() + at, text.data() + text.size(), value);
  if (error != std::errc()) return BadFile(quoted + " is not an integer");
  return value;
}

std::optional<NodeId> OptionalId(int64_t id) {
  if (id < 0) return std::nullopt;
  return NodeId(id);
}

}  // namespace

std::string_view RaftStateName(RaftState state) {
  switch (state) {
    case RaftState::kUnattached:
      return "Unattached";
    case RaftState::kVoted:
      return "Voted";
    case RaftState::kCandidate:
      return "Candidate";
    case RaftState::kLeader:
      return "Leader";
    case RaftState::kFollower:
      return "Follower";
    case RaftState::kResigned:
      return "Resigned";
  }
  return "?";
}

std::string EncodeQuorumStateFile(const ElectionState& state,
                                  const std::set<NodeId>& voters) {
  std::string text =
      "{\"clusterId\":\"\",\"leaderId\":" +
      std::to_string(state.leader.value_or(-1)) +
      ",\"leaderEpoch\":" + std::to_string(state.epoch) +
      ",\"votedId\":" + std::to_string(state.voted.value_or(-1)) +
      ",\"appliedOffset\":0,\"currentVoters\":[";
  bool first = true;
  for (NodeId voter : voters) {
    if (!first) text += ",";
    first = false;
    text += "{\"voterId\":" + std::to_string(voter) + "}";
  }
  text += "],\"data_version\":" + std::to_string(kQuorumStateDataVersion) + "}";
  return text;
}

Result<ElectionState> DecodeQuorumStateFile(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  if (text.empty() || text.front() != '{' || text.back() != '}') {
    return BadFile("not a JSON object");
  }
  Result<int64_t> leader = FindInteger(text, "leaderId");
  Result<int64_t> epoch = FindInteger(text, "leaderEpoch");
  Result<int64_t> voted = FindInteger(text, "votedId");
  Result<int64_t> version = FindInteger(text, "data_version");
  for (const Result<int64_t>* field : {&leader, &epoch, &voted, &version}) {
    if (!field->ok()) return field->error();
  }
  if (*version != kQuorumStateDataVersion) {
    return BadFile("data_version " + std::to_string(*version) +
                   " is not one this node reads");
  }
  if (*epoch < 0 || *epoch > INT32_MAX) return BadFile("bad leaderEpoch");
  return ElectionState{int32_t(*epoch), OptionalId(*leader),
                       OptionalId(*voted)};
}

QuorumState::QuorumState(Storage& storage, std::string data_dir, NodeId local,
                         std::set<NodeId> voters)
    : storage_(storage),
      data_dir_(std::move(data_dir)),
      path_(data_dir_ + "/" + kQuorumStateFile),
      local_(local),
      voters_(std::move(voters)) {}

Status QuorumState::Load() {
  if (!storage_.Exists(path_)) return {};
  const Bytes bytes = ReadWholeFile(storage_, path_);
  Result<ElectionState> read = DecodeQuorumStateFile(AsString(bytes));
  if (!read.ok()) return read.error();
  election_ = *read;
  if (election_.leader == local_ && is_voter()) {
    state_ = RaftState::kResigned;
  } else if (election_.leader) {
    state_ = RaftState::kFollower;
  } else if (election_.voted && is_voter()) {
    state_ = RaftState::kVoted;
  } else {
    state_ = RaftState::kUnattached;
  }
  return {};
}

bool QuorumState::IsMajority(const std::set<NodeId>& granted) const {
  size_t count = 0;
  for (NodeId voter : granted) count += voters_.contains(voter) ? 1 : 0;
  return count > voters_.size() / 2;
}

void QuorumState::TransitionToUnattached(int32_t epoch) {
  Set(RaftState::kUnattached, {epoch, std::nullopt, std::nullopt});
}

void QuorumState::TransitionToVoted(int32_t epoch, NodeId candidate) {
  assert(is_voter());
  Set(RaftState::kVoted, {epoch, std::nullopt, candidate});
}

void QuorumState::TransitionToCandidate() {
  assert(is_voter());
  Set(RaftState::kCandidate, {election_.epoch + 1, std::nullopt, local_});
}

void QuorumState::TransitionToLeader() {
  assert(state_ == RaftState::kCandidate);
  Set(RaftState::kLeader, {election_.epoch, local_, local_});
}

void QuorumState::TransitionToFollower(int32_t epoch, NodeId leader) {
  // The vote stays if it was given in this epoch: it still binds.
  const std::optional<NodeId> voted =
      epoch == election_.epoch ? election_.voted : std::nullopt;
  Set(RaftState::kFollower, {epoch, leader, voted});
}

void QuorumState::TransitionToResigned() {
  assert(state_ == RaftState::kLeader);
  state_ = RaftState::kResigned;
}

void QuorumState::Set(RaftState state, ElectionState election) {
  const bool changed = election != election_;
  state_ = state;
  election_ = election;
  if (changed) WriteFile();
}

void QuorumState::WriteFile() const {
  CreateDirectoriesDurably(storage_, data_dir_);
  const std::string text = EncodeQuorumStateFile(election_, voters_);
  WriteFileAtomically(storage_, path_, AsBytes(text));
}

}  // namespace kafka
