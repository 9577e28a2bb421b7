#include "chapters/03_consumer_groups/group_coordinator.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "chapters/01_log/record_batch.h"
#include "chapters/03_consumer_groups/assignor.h"
#include "lib/lab.h"
#include "lib/protocol/acl_operations.h"
#include "lib/protocol/wire.h"

namespace kafka {
namespace {

constexpr int16_t kOffsetCommitKeyVersion = 1;
// Version 3 of the value is the first with the leader epoch; records of
// version 1 (an expire timestamp, no leader epoch) are still read back.
constexpr int16_t kOffsetCommitValueVersion = 3;

// The key and value of an offset record, in Kafka's own layout
// (OffsetCommitKey v1, OffsetCommitValue v3), so tools can read the topic.
Bytes OffsetKey(const std::string& group, const std::string& topic,
                int32_t partition) {
  Bytes key;
  WireWriter writer(key, false);
  writer.WriteInt16(kOffsetCommitKeyVersion);
  writer.WriteString(group);
  writer.WriteString(topic);
  writer.WriteInt32(partition);
  return key;
}

Bytes OffsetValue(int64_t offset, int32_t leader_epoch,
                  const std::optional<std::string>& metadata, int64_t now_ms) {
  Bytes value;
  WireWriter writer(value, false);
  writer.WriteInt16(kOffsetCommitValueVersion);
  writer.WriteInt64(offset);
  writer.WriteInt32(leader_epoch);
  writer.WriteString(metadata.value_or(""));
  writer.WriteInt64(now_ms);  // commit_timestamp
  return value;
}

// UNKNOWN_MEMBER_ID for each member of a LeaveGroup.
std::vector<LeaveGroupResponse::Member> EveryMemberUnknown(
    const std::vector<LeaveGroupRequest::Member>& members) {
  std::vector<LeaveGroupResponse::Member> answers;
  for (const auto& member : members) {
    answers.push_back({member.member_id, member.group_instance_id,
                       ErrorCode::kUnknownMemberId});
  }
  return answers;
}

// Whether `names` holds `name`, in any case (ListGroups' states filter, as
// Kafka compares it).
bool ContainsIgnoringCase(const std::vector<std::string>& names,
                          std::string_view name) {
  auto lower = [](std::string_view text) {
    std::string out(text);
    for (char& c : out) c = char(std::tolower(uint8_t(c)));
    return out;
  };
  return std::any_of(names.begin(), names.end(), [&](const std::string& n) {
    return lower(n) == lower(name);
  });
}

}  // namespace

int32_t JavaStringHashCode(std::string_view text) {
  // s[0]*31^(n-1) + ... + s[n-1], in 32-bit arithmetic (ASCII group ids).
  uint32_t hash = 0;
  for (char c : text) hash = 31 * hash + uint8_t(c);
  return static_cast<int32_t>(hash);
}

std::string_view GroupStateName(GroupState state) {
  switch (state) {
    case GroupState::kEmpty:
      return "Empty";
    case GroupState::kPreparingRebalance:
      return "PreparingRebalance";
    case GroupState::kCompletingRebalance:
      return "CompletingRebalance";
    case GroupState::kStable:
      return "Stable";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& out, GroupState state) {
  return out << GroupStateName(state);
}

GroupCoordinator::GroupCoordinator(Environment& env, ReplicaManager& replicas,
                                   GroupCoordinatorConfig config)
    : env_(env), replicas_(replicas), config_(config) {}

int32_t GroupCoordinator::OffsetsPartitionFor(
    const std::string& group_id) const {
  // Kafka's Utils.abs: the most negative int maps to 0, not to itself.
  int32_t hash = JavaStringHashCode(group_id);
  int32_t positive = hash == INT32_MIN ? 0 : std::abs(hash);
  return positive % config_.offsets_topic_num_partitions;
}

std::vector<CreateTopicsRequest::Config> GroupCoordinator::OffsetsTopicConfigs()
    const {
  return {
      {"segment.bytes", std::to_string(config_.offsets_topic_segment_bytes)}};
}

bool GroupCoordinator::IsCoordinatorFor(const std::string& group_id) const {
  return owned_partitions_.contains(OffsetsPartitionFor(group_id));
}

void GroupCoordinator::OnElection(int32_t offsets_partition) {
  if (!owned_partitions_.insert(offsets_partition).second) return;
  LoadOffsets(offsets_partition);
}

void GroupCoordinator::OnResignation(int32_t offsets_partition) {
  if (owned_partitions_.erase(offsets_partition) == 0) return;
  for (auto it = groups_.begin(); it != groups_.end();) {
    if (OffsetsPartitionFor(it->first) != offsets_partition) {
      ++it;
      continue;
    }
    Group& group = it->second;
    if (group.rebalance_timer) env_.CancelTimer(*group.rebalance_timer);
    for (const auto& [id, timer] : group.pending_members) {
      env_.CancelTimer(timer);
    }
    for (auto& [id, member] : group.members) {
      if (member.session_timer) env_.CancelTimer(*member.session_timer);
      if (member.awaiting_join) {
        JoinGroupResponse moved;
        moved.error_code = ErrorCode::kNotCoordinator;
        moved.member_id = id;
        member.awaiting_join(moved);
      }
      if (member.awaiting_sync) {
        member.awaiting_sync({.error_code = ErrorCode::kNotCoordinator});
      }
    }
    offsets_.erase(it->first);
    it = groups_.erase(it);
  }
  std::erase_if(offsets_, [&](const auto& entry) {
    return OffsetsPartitionFor(entry.first) == offsets_partition;
  });
}

//! [load offsets]
void GroupCoordinator::LoadOffsets(int32_t offsets_partition) {
  const Log* log = replicas_.GetLog({kOffsetsTopic, offsets_partition});
  if (log == nullptr) return;
  Bytes batches;
  for (int64_t next = log->log_start_offset(); next < log->log_end_offset();) {
    if (!log->Read(next, 1 << 20, batches).ok() || batches.empty()) break;
    for (const BatchSlice& slice : SplitAndValidateBatches(batches).value()) {
      RecordBatch batch =
          DecodeRecordBatch(ByteView(batches).subspan(
                                slice.position, slice.header.SizeInBytes()))
              .value();
      for (const Record& record : batch.records) {
        if (!record.key) continue;
        WireReader key(*record.key, false);
        if (key.ReadInt16("version") != kOffsetCommitKeyVersion) continue;
        std::string group = key.ReadString("group");
        TopicPartition partition{key.ReadString("topic"),
                                 key.ReadInt32("partition")};
        if (!key.ok()) continue;
        if (!record.value) {  // a tombstone: the offset was deleted
          ForgetOffset(group, partition);
          continue;
        }
        WireReader value(*record.value, false);
        const int16_t version = value.ReadInt16("version");
        CommittedOffset committed;
        committed.offset = value.ReadInt64("offset");
        if (version >= 3) committed.leader_epoch = value.ReadInt32("epoch");
        committed.metadata = value.ReadString("metadata");
        if (value.ok()) offsets_[group][partition] = committed;
      }
      next = batch.header.NextOffset();
    }
  }
  // A group with offsets exists, Empty until members join, as in Kafka:
  // ListGroups and DescribeGroups show it. (A group whose offsets were all
  // deleted has no entry left: ForgetOffset.)
  for (const auto& [group_id, offsets] : offsets_) {
    if (OffsetsPartitionFor(group_id) == offsets_partition) GroupFor(group_id);
  }
}
//! [load offsets]

void GroupCoordinator::ForgetOffset(const std::string& group_id,
                                    const TopicPartition& partition) {
  auto group = offsets_.find(group_id);
  if (group == offsets_.end()) return;
  group->second.erase(partition);
  if (group->second.empty()) offsets_.erase(group);
}

GroupCoordinator::Group& GroupCoordinator::GroupFor(
    const std::string& group_id) {
  Group& group = groups_[group_id];
  group.group_id = group_id;
  return group;
}

ErrorCode GroupCoordinator::CheckCurrentMember(
    const Group& group, const std::string& member_id,
    const std::optional<std::string>& group_instance_id) const {
  if (group_instance_id) {
    auto instance = group.static_members.find(*group_instance_id);
    // The instance has restarted under a new member id: this is the old.
    if (instance != group.static_members.end() &&
        instance->second != member_id) {
      return ErrorCode::kFencedInstanceId;
    }
  }
  if (!group.members.contains(member_id)) return ErrorCode::kUnknownMemberId;
  return ErrorCode::kNone;
}

ErrorCode GroupCoordinator::CheckMember(
    const Group& group, const std::string& member_id,
    const std::optional<std::string>& group_instance_id,
    int32_t generation_id) const {
  ErrorCode error = CheckCurrentMember(group, member_id, group_instance_id);
  if (error != ErrorCode::kNone) return error;
  if (generation_id != group.generation_id) {
    return ErrorCode::kIllegalGeneration;
  }
  return ErrorCode::kNone;
}

ErrorCode GroupCoordinator::CheckSyncMember(
    const Group& group, const SyncGroupRequest& request) const {
  ErrorCode error =
      CheckMember(group, request.member_id, request.group_instance_id,
                  request.generation_id);
  if (error != ErrorCode::kNone) return error;
  // Versions before 5 do not say; from 5 the client must (GroupApis).
  if ((request.protocol_type &&
       *request.protocol_type != group.protocol_type) ||
      (request.protocol_name &&
       *request.protocol_name != group.protocol_name)) {
    return ErrorCode::kInconsistentGroupProtocol;
  }
  return ErrorCode::kNone;
}

SyncGroupResponse GroupCoordinator::SyncAnswerFor(const Group& group,
                                                  const Member& member) const {
  SyncGroupResponse response;
  response.protocol_type = group.protocol_type;
  response.protocol_name = group.protocol_name;
  response.assignment = member.assignment;
  return response;
}

//! [join]
void GroupCoordinator::Join(const JoinGroupRequest& request,
                            const std::string& client_id, JoinAnswer answer,
                            JoinRules rules) {
  auto fail = [&](ErrorCode code) {
    JoinGroupResponse response;
    response.error_code = code;
    response.member_id = request.member_id;
    answer(response);
  };
  if (request.group_id.empty()) return fail(ErrorCode::kInvalidGroupId);
  if (request.session_timeout_ms < config_.group_min_session_timeout_ms ||
      request.session_timeout_ms > config_.group_max_session_timeout_ms) {
    return fail(ErrorCode::kInvalidSessionTimeout);
  }
  Group& group = GroupFor(request.group_id);
  // Checked before anything changes: a refused member keeps what it had.
  if (!SupportsProtocols(group, request)) {
    return fail(ErrorCode::kInconsistentGroupProtocol);
  }
  if (request.member_id.empty()) {
    return JoinNewMember(group, request, client_id, rules, std::move(answer));
  }
  // Back with the id MEMBER_ID_REQUIRED gave it: now it joins.
  if (group.pending_members.contains(request.member_id) &&
      !request.group_instance_id) {
    return AddMemberAndRebalance(group, request.member_id, request, client_id,
                                 std::move(answer));
  }
  const ErrorCode error =
      CheckCurrentMember(group, request.member_id, request.group_instance_id);
  if (error != ErrorCode::kNone) return fail(error);
  // A static member the group does not know must join without a member id.
  if (request.group_instance_id &&
      !group.static_members.contains(*request.group_instance_id)) {
    return fail(ErrorCode::kUnknownMemberId);
  }
  RejoinMember(group, group.members.at(request.member_id), request,
               std::move(answer));
}
//! [join]

//! [join new member]
void GroupCoordinator::JoinNewMember(Group& group,
                                     const JoinGroupRequest& request,
                                     const std::string& client_id,
                                     JoinRules rules, JoinAnswer answer) {
  const std::optional<std::string>& instance = request.group_instance_id;
  const std::string member_id = NewMemberId(instance.value_or(client_id));
  if (instance && group.static_members.contains(*instance)) {
    // A static member restarted: it takes its old place.
    return ReplaceStaticMember(group, member_id, request, rules,
                               std::move(answer));
  }
  if (!instance && rules.require_known_member_id) {
    // Not a member until it joins again with this id: a client that retries
    // a JoinGroup whose answer it lost does not leave a member behind.
    AddPendingMember(group, member_id, request.session_timeout_ms);
    JoinGroupResponse required;
    required.error_code = ErrorCode::kMemberIdRequired;
    required.member_id = member_id;
    return answer(required);
  }
  AddMemberAndRebalance(group, member_id, request, client_id,
                        std::move(answer));
}
//! [join new member]

void GroupCoordinator::AddPendingMember(Group& group,
                                        const std::string& member_id,
                                        int32_t session_timeout_ms) {
  group.pending_members[member_id] = env_.StartTimer(
      session_timeout_ms, [this, group_id = group.group_id, member_id] {
        auto found = groups_.find(group_id);
        if (found == groups_.end()) return;
        Group& expired = found->second;
        expired.pending_members.erase(member_id);
        // The join barrier may have been waiting for it.
        if (expired.state == GroupState::kPreparingRebalance) {
          MaybeCompleteJoin(expired);
        }
      });
}

void GroupCoordinator::RemovePendingMember(Group& group,
                                           const std::string& member_id) {
  auto pending = group.pending_members.find(member_id);
  if (pending == group.pending_members.end()) return;
  env_.CancelTimer(pending->second);
  group.pending_members.erase(pending);
}

//! [replace static member]
void GroupCoordinator::ReplaceStaticMember(Group& group,
                                           const std::string& new_member_id,
                                           const JoinGroupRequest& request,
                                           JoinRules rules, JoinAnswer answer) {
  const std::string old_leader = group.leader;
  const std::string old_member_id =
      group.static_members.at(*request.group_instance_id);
  Member& member = MoveStaticMember(group, old_member_id, new_member_id);
  ResetSessionTimer(group, member);
  switch (group.state) {
    case GroupState::kStable: {
      member.session_timeout_ms = request.session_timeout_ms;
      member.rebalance_timeout_ms = request.rebalance_timeout_ms;
      member.protocols = request.protocols;
      // The assignment stands unless the group's assignor would change.
      if (ChooseProtocol(group) != group.protocol_name) {
        return UpdateMemberAndRebalance(group, member, request,
                                        std::move(answer));
      }
      JoinGroupResponse response = JoinAnswerFor(group, new_member_id);
      if (rules.supports_skip_assignment) {
        // KIP-814: the leader learns that it leads (and sees the members'
        // subscriptions, to notice later changes) but must not reassign.
        response.skip_assignment = new_member_id == group.leader;
      } else {
        // Before v9 a leader would reassign, and a Stable group would not
        // pass the new assignment on: the old leader id tells it it follows.
        response.leader = old_leader;
        response.members.clear();
      }
      return answer(response);
    }
    case GroupState::kCompletingRebalance:
      // The leader may be assigning to the old member id: start over.
    case GroupState::kPreparingRebalance:
      return UpdateMemberAndRebalance(group, member, request,
                                      std::move(answer));
    case GroupState::kEmpty:  // an Empty group has no static members
      break;
  }
}
//! [replace static member]

void GroupCoordinator::AnswerWhatIsWaiting(Member& member, ErrorCode error) {
  if (member.awaiting_join) {
    JoinGroupResponse answer;
    answer.error_code = error;
    answer.member_id = member.member_id;
    std::exchange(member.awaiting_join, nullptr)(answer);
  }
  if (member.awaiting_sync) {
    SyncGroupResponse answer;
    answer.error_code = error;
    std::exchange(member.awaiting_sync, nullptr)(answer);
  }
}

GroupCoordinator::Member& GroupCoordinator::MoveStaticMember(
    Group& group, const std::string& old_member_id,
    const std::string& new_member_id) {
  auto node = group.members.extract(old_member_id);
  Member& old = node.mapped();
  if (old.session_timer) env_.CancelTimer(*old.session_timer);
  old.session_timer.reset();
  // A JoinGroup or SyncGroup still waiting under the old id is a duplicate
  // of this instance: fenced.
  AnswerWhatIsWaiting(old, ErrorCode::kFencedInstanceId);
  old.member_id = new_member_id;
  node.key() = new_member_id;
  if (group.leader == old_member_id) group.leader = new_member_id;
  group.static_members[*old.group_instance_id] = new_member_id;
  return group.members.insert(std::move(node)).position->second;
}

//! [rejoin]
void GroupCoordinator::RejoinMember(Group& group, Member& member,
                                    const JoinGroupRequest& request,
                                    JoinAnswer answer) {
  const bool unchanged =
      std::equal(member.protocols.begin(), member.protocols.end(),
                 request.protocols.begin(), request.protocols.end(),
                 [](const auto& a, const auto& b) {
                   return a.name == b.name && a.metadata == b.metadata;
                 });
  switch (group.state) {
    case GroupState::kPreparingRebalance:
      return UpdateMemberAndRebalance(group, member, request,
                                      std::move(answer));
    case GroupState::kCompletingRebalance:
      // Unchanged: it missed our answer; the same answer again.
      if (unchanged) return answer(JoinAnswerFor(group, member.member_id));
      return UpdateMemberAndRebalance(group, member, request,
                                      std::move(answer));
    case GroupState::kStable:
      // A follower that rejoins unchanged changes nothing about the
      // assignment: it gets the current generation and syncs again. The
      // leader's rejoin rebalances, which is how it asks for a new
      // assignment when a subscribed topic's partitions change.
      if (unchanged && member.member_id != group.leader) {
        return answer(JoinAnswerFor(group, member.member_id));
      }
      return UpdateMemberAndRebalance(group, member, request,
                                      std::move(answer));
    case GroupState::kEmpty:  // an Empty group has no members to rejoin
      break;
  }
  JoinGroupResponse unknown;
  unknown.error_code = ErrorCode::kUnknownMemberId;
  unknown.member_id = member.member_id;
  answer(unknown);
}
//! [rejoin]

bool GroupCoordinator::SupportsProtocols(
    const Group& group, const JoinGroupRequest& request) const {
  if (group.members.empty()) {
    return !request.protocol_type.empty() && !request.protocols.empty();
  }
  if (request.protocol_type != group.protocol_type) return false;
  // Some protocol of the request that every other member supports.
  return std::any_of(
      request.protocols.begin(), request.protocols.end(),
      [&](const JoinGroupRequest::Protocol& candidate) {
        return std::all_of(
            group.members.begin(), group.members.end(), [&](const auto& entry) {
              const auto& protocols = entry.second.protocols;
              return entry.first == request.member_id ||
                     std::any_of(protocols.begin(), protocols.end(),
                                 [&](const auto& p) {
                                   return p.name == candidate.name;
                                 });
            });
      });
}

std::string GroupCoordinator::NewMemberId(const std::string& prefix) {
  // A version 4 (random) UUID in its usual 8-4-4-4-12 form.
  std::mt19937_64& random = env_.random();
  uint64_t high = (random() & ~0xF000ULL) | 0x4000ULL;       // version 4
  uint64_t low = (random() & ~(3ULL << 62)) | (2ULL << 62);  // IETF variant
  char uuid[37];
  std::snprintf(uuid, sizeof uuid, "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(high >> 32),
                static_cast<unsigned long long>((high >> 16) & 0xFFFF),
                static_cast<unsigned long long>(high & 0xFFFF),
                static_cast<unsigned long long>(low >> 48),
                static_cast<unsigned long long>(low & 0xFFFFFFFFFFFFULL));
  return prefix + "-" + uuid;
}

void GroupCoordinator::AddMemberAndRebalance(Group& group,
                                             const std::string& member_id,
                                             const JoinGroupRequest& request,
                                             const std::string& client_id,
                                             JoinAnswer answer) {
  RemovePendingMember(group, member_id);
  Member& member = group.members[member_id];
  member.member_id = member_id;
  member.group_instance_id = request.group_instance_id;
  member.client_id = client_id;
  if (request.group_instance_id) {
    group.static_members[*request.group_instance_id] = member_id;
  }
  group.protocol_type = request.protocol_type;
  UpdateMemberAndRebalance(group, member, request, std::move(answer));
}

void GroupCoordinator::UpdateMemberAndRebalance(Group& group, Member& member,
                                                const JoinGroupRequest& request,
                                                JoinAnswer answer) {
  member.session_timeout_ms = request.session_timeout_ms;
  member.rebalance_timeout_ms = request.rebalance_timeout_ms;
  member.protocols = request.protocols;
  ParkJoin(member, std::move(answer));
  if (group.state != GroupState::kPreparingRebalance) PrepareRebalance(group);
  MaybeCompleteJoin(group);
}

void GroupCoordinator::ParkJoin(Member& member, JoinAnswer answer) {
  if (member.awaiting_join) {
    JoinGroupResponse superseded;
    superseded.error_code = ErrorCode::kRebalanceInProgress;
    superseded.member_id = member.member_id;
    std::exchange(member.awaiting_join, nullptr)(superseded);
  }
  member.awaiting_join = std::move(answer);
}

void GroupCoordinator::ParkSync(Member& member, SyncAnswer answer) {
  if (member.awaiting_sync) {
    SyncGroupResponse superseded;
    superseded.error_code = ErrorCode::kRebalanceInProgress;
    std::exchange(member.awaiting_sync, nullptr)(superseded);
  }
  member.awaiting_sync = std::move(answer);
}

void GroupCoordinator::MaybeCompleteJoin(Group& group) {
  bool everyone_joined = std::all_of(
      group.members.begin(), group.members.end(),
      [](const auto& entry) { return bool(entry.second.awaiting_join); });
  // A pending member (MEMBER_ID_REQUIRED) is about to join: wait for it.
  // A new group waits out group.initial.rebalance.delay.ms for more members.
  if (everyone_joined && group.pending_members.empty() &&
      group.generation_id > 0) {
    CompleteJoin(group);
  }
}

JoinGroupResponse GroupCoordinator::JoinAnswerFor(
    const Group& group, const std::string& member_id) const {
  JoinGroupResponse response;
  response.generation_id = group.generation_id;
  response.protocol_type = group.protocol_type;
  // No assignor: null from v7, "" before.
  if (!group.protocol_name.empty())
    response.protocol_name = group.protocol_name;
  response.leader = group.leader;
  response.member_id = member_id;
  if (member_id != group.leader) return response;
  // Only the leader sees the subscriptions: it computes the assignment.
  for (const auto& [id, member] : group.members) {
    for (const auto& protocol : member.protocols) {
      if (protocol.name == group.protocol_name) {
        response.members.push_back(
            {id, member.group_instance_id, protocol.metadata});
      }
    }
  }
  return response;
}

void GroupCoordinator::PrepareRebalance(Group& group) {
  // Members waiting for an assignment from the generation now ending learn
  // that it ended.
  for (auto& [id, member] : group.members) {
    if (member.awaiting_sync) {
      SyncGroupResponse response;
      response.error_code = ErrorCode::kRebalanceInProgress;
      std::exchange(member.awaiting_sync, nullptr)(response);
    }
  }
  const bool first = group.generation_id == 0;
  group.state = GroupState::kPreparingRebalance;
  int32_t wait = config_.group_initial_rebalance_delay_ms;
  if (!first) {
    wait = 0;
    for (const auto& [id, member] : group.members) {
      wait = std::max(wait, member.rebalance_timeout_ms);
    }
  }
  if (group.rebalance_timer) env_.CancelTimer(*group.rebalance_timer);
  group.rebalance_timer = env_.StartTimer(wait, [this, id = group.group_id] {
    Group& expired = groups_.at(id);
    expired.rebalance_timer.reset();
    CompleteJoin(expired);
  });
}

//! [complete join]
void GroupCoordinator::CompleteJoin(Group& group) {
  // BEGIN LAB lab03_groups CompleteJoin
  // HINT: The barrier is done: cancel group.rebalance_timer, which would
  // HINT: otherwise end the next generation early.
  // HINT: Members without an awaiting_join did not rejoin: RemoveMember.
  // HINT: Bump the generation; if no member is left, the group is Empty.
  // HINT: Else ChooseProtocol; keep the leader if it is still a member,
  // HINT: else take the first member; the group is CompletingRebalance.
  // HINT: Answer each member's awaiting_join (std::exchange it with
  // HINT: nullptr, then call it) with JoinAnswerFor(group, its id), and
  // HINT: reset its session timer.
  if (group.rebalance_timer) env_.CancelTimer(*group.rebalance_timer);
  group.rebalance_timer.reset();  // no stale id left behind
  // Members that did not rejoin in time are out of the group.
  std::vector<std::string> gone;
  for (const auto& [id, member] : group.members) {
    if (!member.awaiting_join) gone.push_back(id);
  }
  for (const std::string& id : gone) RemoveMember(group, id);
  group.generation_id++;
  if (group.members.empty()) {
    group.state = GroupState::kEmpty;
    return;
  }
  group.protocol_name = ChooseProtocol(group);
  if (!group.members.contains(group.leader)) {
    group.leader = group.members.begin()->first;
  }
  group.state = GroupState::kCompletingRebalance;
  for (auto& [id, member] : group.members) {
    ResetSessionTimer(group, member);
    std::exchange(member.awaiting_join, nullptr)(JoinAnswerFor(group, id));
  }
  // END LAB
}
//! [complete join]

std::string GroupCoordinator::ChooseProtocol(const Group& group) const {
  // The first protocol, in the first member's order of preference, that
  // every member supports.
  if (group.members.empty()) return "";
  for (const auto& candidate : group.members.begin()->second.protocols) {
    bool everyone = std::all_of(
        group.members.begin(), group.members.end(), [&](const auto& entry) {
          const auto& protocols = entry.second.protocols;
          return std::any_of(
              protocols.begin(), protocols.end(),
              [&](const auto& p) { return p.name == candidate.name; });
        });
    if (everyone) return candidate.name;
  }
  return "";
}

void GroupCoordinator::ResetSessionTimer(Group& group, Member& member) {
  if (member.session_timer) env_.CancelTimer(*member.session_timer);
  member.session_timer = env_.StartTimer(
      member.session_timeout_ms,
      [this, group_id = group.group_id, member_id = member.member_id] {
        Group& expired = groups_.at(group_id);
        if (!expired.members.contains(member_id)) return;
        Member& silent = expired.members.at(member_id);
        silent.session_timer.reset();
        // A member whose JoinGroup or SyncGroup is held here cannot send
        // heartbeats on that connection: it is alive, waiting for us.
        if (silent.awaiting_join || silent.awaiting_sync) {
          return ResetSessionTimer(expired, silent);
        }
        // Missed session.timeout.ms: out, and the others rebalance.
        MemberLeft(expired, member_id);
      });
}

void GroupCoordinator::MemberLeft(Group& group, const std::string& member_id) {
  RemoveMember(group, member_id);
  if (group.members.empty()) {
    if (group.rebalance_timer) env_.CancelTimer(*group.rebalance_timer);
    group.rebalance_timer.reset();
    group.state = GroupState::kEmpty;
    return;
  }
  if (group.state != GroupState::kPreparingRebalance) {
    return PrepareRebalance(group);
  }
  // Perhaps the one the others were waiting for: if everyone left has
  // rejoined, the new generation need not wait out the rebalance timeout.
  MaybeCompleteJoin(group);
}

void GroupCoordinator::RemoveMember(Group& group,
                                    const std::string& member_id) {
  Member& member = group.members.at(member_id);
  if (member.session_timer) env_.CancelTimer(*member.session_timer);
  // Whatever it has waiting is answered: answers leave its connection in
  // order, and one never sent would hold back everything behind it.
  AnswerWhatIsWaiting(member, ErrorCode::kUnknownMemberId);
  if (member.group_instance_id) {
    group.static_members.erase(*member.group_instance_id);
  }
  group.members.erase(member_id);
}

//! [sync]
void GroupCoordinator::Sync(const SyncGroupRequest& request,
                            SyncAnswer answer) {
  // BEGIN LAB lab03_groups GroupCoordinator::Sync
  // HINT: Refuse, with an answer at once: UNKNOWN_MEMBER_ID for an unknown
  // HINT: group, CheckSyncMember's error (a fenced, unknown or stale member,
  // HINT: or a protocol that is not the group's), and REBALANCE_IN_PROGRESS
  // HINT: while the group is PreparingRebalance (the generation is ending).
  // HINT: A valid SyncGroup counts as a heartbeat: ResetSessionTimer.
  // HINT: Stable already: answer SyncAnswerFor the member (its assignment).
  // HINT: Else park the answer (ParkSync). A follower waits there;
  // HINT: the leader's request carries every member's assignment: store
  // HINT: them, the group is Stable, answer every parked SyncGroup with
  // HINT: SyncAnswerFor its member.
  SyncGroupResponse response;
  auto found = groups_.find(request.group_id);
  if (found == groups_.end()) {
    response.error_code = ErrorCode::kUnknownMemberId;
    return answer(response);
  }
  Group& group = found->second;
  response.error_code = CheckSyncMember(group, request);
  if (response.error_code == ErrorCode::kNone &&
      group.state == GroupState::kPreparingRebalance) {
    response.error_code = ErrorCode::kRebalanceInProgress;
  }
  if (response.error_code != ErrorCode::kNone) return answer(response);
  Member& member = group.members.at(request.member_id);
  ResetSessionTimer(group, member);
  if (group.state == GroupState::kStable) {
    return answer(SyncAnswerFor(group, member));
  }
  ParkSync(member, std::move(answer));
  if (request.member_id != group.leader) return;  // wait for the leader
  // A member the leader left out gets nothing, not last generation's part.
  for (auto& [id, member] : group.members) member.assignment.clear();
  for (const auto& assignment : request.assignments) {
    if (group.members.contains(assignment.member_id)) {
      group.members.at(assignment.member_id).assignment = assignment.assignment;
    }
  }
  group.state = GroupState::kStable;
  for (auto& [id, waiting] : group.members) {
    if (!waiting.awaiting_sync) continue;
    std::exchange(waiting.awaiting_sync,
                  nullptr)(SyncAnswerFor(group, waiting));
  }
  // END LAB
}
//! [sync]

ErrorCode GroupCoordinator::Heartbeat(const HeartbeatRequest& request) {
  auto found = groups_.find(request.group_id);
  if (found == groups_.end()) return ErrorCode::kUnknownMemberId;
  Group& group = found->second;
  ErrorCode error =
      CheckMember(group, request.member_id, request.group_instance_id,
                  request.generation_id);
  if (error != ErrorCode::kNone) return error;
  ResetSessionTimer(group, group.members.at(request.member_id));
  // The way a coordinator tells a member to rejoin.
  return group.state == GroupState::kPreparingRebalance
             ? ErrorCode::kRebalanceInProgress
             : ErrorCode::kNone;
}

//! [leave]
std::vector<LeaveGroupResponse::Member> GroupCoordinator::Leave(
    const std::string& group_id,
    const std::vector<LeaveGroupRequest::Member>& members) {
  auto found = groups_.find(group_id);
  if (found == groups_.end()) return EveryMemberUnknown(members);
  std::vector<LeaveGroupResponse::Member> answers;
  for (const LeaveGroupRequest::Member& leaving : members) {
    answers.push_back({leaving.member_id, leaving.group_instance_id,
                       LeaveOne(found->second, leaving)});
  }
  return answers;
}

ErrorCode GroupCoordinator::LeaveOne(Group& group,
                                     const LeaveGroupRequest::Member& leaving) {
  if (leaving.member_id.empty()) {
    // An administrator removes a static member by its instance id alone
    // (the Admin client's removeMembersFromConsumerGroup).
    auto instance = leaving.group_instance_id
                        ? group.static_members.find(*leaving.group_instance_id)
                        : group.static_members.end();
    if (instance == group.static_members.end()) {
      return ErrorCode::kUnknownMemberId;
    }
    MemberLeft(group, std::string(instance->second));
    return ErrorCode::kNone;
  }
  if (group.pending_members.contains(leaving.member_id)) {
    RemovePendingMember(group, leaving.member_id);
    if (group.state == GroupState::kPreparingRebalance)
      MaybeCompleteJoin(group);
    return ErrorCode::kNone;
  }
  const ErrorCode error =
      CheckCurrentMember(group, leaving.member_id, leaving.group_instance_id);
  if (error == ErrorCode::kNone) MemberLeft(group, leaving.member_id);
  return error;
}
//! [leave]

//! [commit]
void GroupCoordinator::Commit(const OffsetCommitRequest& request,
                              CommitAnswer answer) {
  const ErrorCode error = CheckCommitter(request);
  OffsetCommitResponse response;
  for (const auto& topic : request.topics) {
    auto& answered = response.topics.emplace_back(
        OffsetCommitResponse::Topic{topic.name, {}});
    for (const auto& p : topic.partitions) {
      answered.partitions.push_back({p.partition_index, error});
    }
  }
  if (error != ErrorCode::kNone) return answer(std::move(response));
  StoreOffsets(request, std::move(response), std::move(answer));
}

ErrorCode GroupCoordinator::CheckCommitter(const OffsetCommitRequest& request) {
  auto found = groups_.find(request.group_id);
  if (found == groups_.end()) {
    // A generation of a group we do not know is long gone (Kafka's answer
    // below OffsetCommit v9). Without one, the committer uses no group
    // protocol (assign()), and the group exists to hold its offsets.
    if (request.generation_id >= 0) return ErrorCode::kIllegalGeneration;
    GroupFor(request.group_id);
    return ErrorCode::kNone;
  }
  const Group& group = found->second;
  if (request.generation_id < 0 && group.state == GroupState::kEmpty) {
    return ErrorCode::kNone;  // outside any generation, while nobody is in
  }
  ErrorCode error =
      CheckMember(group, request.member_id, request.group_instance_id,
                  request.generation_id);
  // While the group waits for rejoins, the ending generation may still
  // commit what it read (members commit before they rejoin); between the
  // joins and the leader's SyncGroup, nobody owns anything yet.
  if (error == ErrorCode::kNone &&
      group.state == GroupState::kCompletingRebalance) {
    return ErrorCode::kRebalanceInProgress;
  }
  return error;
}
//! [commit]

void GroupCoordinator::StoreOffsets(const OffsetCommitRequest& request,
                                    OffsetCommitResponse response,
                                    CommitAnswer answer) {
  const TopicPartition offsets_partition{kOffsetsTopic,
                                         OffsetsPartitionFor(request.group_id)};
  // Kafka appends a commit's offsets as one batch; here each partition's is
  // a batch of its own, so that one partition's failure is its alone.
  std::vector<Bytes> batches;
  // The committed partition behind each batch: (topic, partition) indexes.
  std::vector<std::pair<size_t, size_t>> committed;
  for (size_t t = 0; t < request.topics.size(); ++t) {
    for (size_t i = 0; i < request.topics[t].partitions.size(); ++i) {
      const auto& partition = request.topics[t].partitions[i];
      const std::optional<std::string>& metadata = partition.committed_metadata;
      if (metadata &&
          metadata->size() > size_t(config_.offset_metadata_max_bytes)) {
        response.topics[t].partitions[i].error_code =
            ErrorCode::kOffsetMetadataTooLarge;
        continue;
      }
      batches.push_back(EncodeRecordBatch(
          MakeBatch({{.timestamp = env_.NowMs(),
                      .key = OffsetKey(request.group_id, request.topics[t].name,
                                       partition.partition_index),
                      .value = OffsetValue(partition.committed_offset,
                                           partition.committed_leader_epoch,
                                           metadata, env_.NowMs())}})));
      committed.emplace_back(t, i);
    }
  }
  AppendRecordsRequest append{.acks = -1, .internal_topics_allowed = true};
  for (const Bytes& batch : batches) {
    append.entries.push_back({offsets_partition, batch});
  }
  // Not committed unless written: the client must hear of a failed append.
  replicas_.AppendRecords(
      std::move(append),
      [this, request, response = std::move(response), committed,
       answer = std::move(answer)](
          std::vector<PartitionAppendResult> results) mutable {
        for (size_t b = 0; b < results.size(); ++b) {
          auto [t, i] = committed[b];
          response.topics[t].partitions[i].error_code = results[b].error_code;
          if (results[b].error_code != ErrorCode::kNone) continue;
          const auto& partition = request.topics[t].partitions[i];
          offsets_[request.group_id][{request.topics[t].name,
                                      partition.partition_index}] = {
              partition.committed_offset, partition.committed_leader_epoch,
              partition.committed_metadata};
        }
        answer(std::move(response));
      });
}

//! [fetch offsets]
OffsetFetchResponse::Group GroupCoordinator::FetchOffsets(
    const OffsetFetchRequest::Group& request) const {
  static const std::map<TopicPartition, CommittedOffset> kNothing;
  auto found = offsets_.find(request.group_id);
  const auto& committed = found == offsets_.end() ? kNothing : found->second;
  // Nothing committed: offset -1, error NONE (not an error).
  auto answer = [](int32_t partition, const CommittedOffset* offset) {
    OffsetFetchResponse::GroupPartition out{.partition_index = partition};
    if (offset == nullptr) return out;
    out.committed_offset = offset->offset;
    out.committed_leader_epoch = offset->leader_epoch;
    out.metadata = offset->metadata;
    return out;
  };
  OffsetFetchResponse::Group response{.group_id = request.group_id};
  if (!request.topics) {  // every partition the group committed
    for (const auto& [partition, offset] : committed) {
      if (response.topics.empty() ||
          response.topics.back().name != partition.topic) {
        response.topics.push_back({partition.topic, {}});
      }
      response.topics.back().partitions.push_back(
          answer(partition.partition, &offset));
    }
    return response;
  }
  for (const auto& topic : *request.topics) {
    auto& out = response.topics.emplace_back(
        OffsetFetchResponse::GroupTopic{topic.name, {}});
    for (int32_t partition : topic.partition_indexes) {
      auto offset = committed.find({topic.name, partition});
      out.partitions.push_back(answer(
          partition, offset == committed.end() ? nullptr : &offset->second));
    }
  }
  return response;
}
//! [fetch offsets]

//! [delete group]
void GroupCoordinator::DeleteGroup(const std::string& group_id,
                                   ErrorAnswer answer) {
  if (group_id.empty()) return answer(ErrorCode::kInvalidGroupId);
  auto found = groups_.find(group_id);
  if (found == groups_.end()) return answer(ErrorCode::kGroupIdNotFound);
  if (found->second.state != GroupState::kEmpty) {
    return answer(ErrorCode::kNonEmptyGroup);
  }
  std::vector<TopicPartition> committed;
  for (const auto& [partition, offset] : offsets_[group_id]) {
    committed.push_back(partition);
  }
  WriteTombstones(group_id, committed,
                  [this, group_id, answer](ErrorCode error) {
                    if (error == ErrorCode::kNone) {
                      groups_.erase(group_id);
                      offsets_.erase(group_id);
                    }
                    answer(error);
                  });
}
//! [delete group]

void GroupCoordinator::DeleteOffsets(
    const std::string& group_id, const std::vector<TopicPartition>& partitions,
    OffsetDeleteAnswer answer) {
  auto found = groups_.find(group_id);
  if (found == groups_.end()) return answer(ErrorCode::kGroupIdNotFound, {});
  const Group& group = found->second;
  const bool empty = group.state == GroupState::kEmpty;
  if (!empty && group.protocol_type != "consumer") {
    return answer(ErrorCode::kNonEmptyGroup, {});
  }
  // Offsets of topics the members read cannot go: they would be committed
  // again, or the members would restart from auto.offset.reset.
  std::vector<ErrorCode> errors;
  std::vector<TopicPartition> deletable;
  for (const TopicPartition& partition : partitions) {
    const bool in_use = !empty && IsSubscribedToTopic(group, partition.topic);
    errors.push_back(in_use ? ErrorCode::kGroupSubscribedToTopic
                            : ErrorCode::kNone);
    if (!in_use) deletable.push_back(partition);
  }
  WriteTombstones(group_id, deletable,
                  [this, group_id, errors, answer](ErrorCode error) mutable {
                    for (ErrorCode& e : errors) {
                      if (e == ErrorCode::kNone) e = error;
                    }
                    ForgetGroupIfNothingLeft(group_id);
                    answer(ErrorCode::kNone, errors);
                  });
}

void GroupCoordinator::OnPartitionsDeleted(
    const std::vector<TopicPartition>& partitions) {
  // Collected first: writing the tombstones forgets offsets, and so changes
  // offsets_.
  std::map<std::string, std::vector<TopicPartition>> committed;
  for (const auto& [group_id, offsets] : offsets_) {
    for (const TopicPartition& partition : partitions) {
      if (offsets.contains(partition)) committed[group_id].push_back(partition);
    }
  }
  for (const auto& [group_id, gone] : committed) {
    WriteTombstones(group_id, gone, [this, group_id](ErrorCode) {
      ForgetGroupIfNothingLeft(group_id);
    });
  }
}

// An Empty group whose last offset is gone is Dead, as in Kafka's
// cleanupGroupMetadata: nothing of it is left to list, describe or load.
void GroupCoordinator::ForgetGroupIfNothingLeft(const std::string& group_id) {
  auto found = groups_.find(group_id);
  if (found == groups_.end() || found->second.state != GroupState::kEmpty) {
    return;
  }
  if (!offsets_.contains(group_id)) groups_.erase(found);
}

bool GroupCoordinator::IsSubscribedToTopic(const Group& group,
                                           const std::string& topic) const {
  if (group.protocol_name.empty()) return true;  // no generation yet
  for (const auto& [id, member] : group.members) {
    for (const JoinGroupRequest::Protocol& protocol : member.protocols) {
      if (protocol.name != group.protocol_name) continue;
      Result<Subscription> subscription = DecodeSubscription(protocol.metadata);
      if (!subscription.ok()) continue;
      const std::vector<std::string>& topics = subscription->topics;
      if (std::find(topics.begin(), topics.end(), topic) != topics.end()) {
        return true;
      }
    }
  }
  return false;
}

void GroupCoordinator::WriteTombstones(
    const std::string& group_id, const std::vector<TopicPartition>& partitions,
    ErrorAnswer answer) {
  if (partitions.empty()) return answer(ErrorCode::kNone);
  std::vector<SimpleRecord> tombstones;
  for (const TopicPartition& partition : partitions) {
    tombstones.push_back(
        {.timestamp = env_.NowMs(),
         .key = OffsetKey(group_id, partition.topic, partition.partition),
         .value = std::nullopt});
  }
  const Bytes batch = EncodeRecordBatch(MakeBatch(tombstones));
  AppendRecordsRequest append{.acks = -1, .internal_topics_allowed = true};
  append.entries.push_back(
      {{kOffsetsTopic, OffsetsPartitionFor(group_id)}, batch});
  replicas_.AppendRecords(
      std::move(append), [this, group_id, partitions,
                          answer](std::vector<PartitionAppendResult> results) {
        const ErrorCode error = results[0].error_code;
        if (error == ErrorCode::kNone) {
          for (const TopicPartition& partition : partitions) {
            ForgetOffset(group_id, partition);
          }
        }
        answer(error);
      });
}

ListGroupsResponse GroupCoordinator::ListGroups(
    const ListGroupsRequest& request) const {
  ListGroupsResponse response;
  for (const auto& [id, group] : groups_) {
    const std::string state(GroupStateName(group.state));
    if (!request.states_filter.empty() &&
        !ContainsIgnoringCase(request.states_filter, state)) {
      continue;
    }
    response.groups.push_back({id, group.protocol_type, state});
  }
  return response;
}

DescribeGroupsResponse GroupCoordinator::Describe(
    const DescribeGroupsRequest& request) const {
  DescribeGroupsResponse response;
  for (const std::string& id : request.groups) {
    DescribeGroupsResponse::Group& described = response.groups.emplace_back();
    described.group_id = id;
    if (request.include_authorized_operations) {
      described.authorized_operations = kAllGroupOperations;
    }
    auto found = groups_.find(id);
    if (found == groups_.end()) {
      described.group_state = "Dead";  // Kafka's answer for an unknown group
      continue;
    }
    const Group& group = found->second;
    described.group_state = std::string(GroupStateName(group.state));
    described.protocol_type = group.protocol_type;
    described.protocol_data = group.protocol_name;
    for (const auto& [member_id, member] : group.members) {
      Bytes subscription;
      for (const auto& p : member.protocols) {
        if (p.name == group.protocol_name) subscription = p.metadata;
      }
      described.members.push_back({member_id, member.group_instance_id,
                                   member.client_id, "/127.0.0.1", subscription,
                                   member.assignment});
    }
  }
  return response;
}

std::optional<GroupState> GroupCoordinator::StateOf(
    const std::string& group_id) const {
  auto it = groups_.find(group_id);
  if (it == groups_.end()) return std::nullopt;
  return it->second.state;
}

int32_t GroupCoordinator::GenerationOf(const std::string& group_id) const {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? -1 : it->second.generation_id;
}

}  // namespace kafka
