/// \file
/// The group coordinator: the broker-side half of consumer groups.
///
/// Consumers that share a group id split the partitions of their topics among
/// themselves, each partition read by one member at a time. One broker, the
/// group's *coordinator*, keeps the group's membership and committed offsets.
/// It does not decide the assignment: one member, the *leader*, does, with an
/// assignor all members support (range, roundrobin), and the coordinator
/// passes it on. This is Kafka's classic group protocol:
///
///   JoinGroup    every member (re)joins; when all have, or the rebalance
///                timeout passes, a new *generation* starts: the leader gets
///                every member's subscription, the others just the news
///   SyncGroup    the leader sends the assignment; each member gets its part
///   Heartbeat    members prove they are alive; the answer
///                REBALANCE_IN_PROGRESS tells them to rejoin
///   LeaveGroup   a member leaves at once, without waiting to time out
///
/// The group moves through states: Empty → PreparingRebalance (waiting for
/// joins) → CompletingRebalance (waiting for the leader's SyncGroup) → Stable,
/// and back to PreparingRebalance whenever a member joins, leaves, misses
/// session.timeout.ms, or rejoins as leader or with changed subscriptions (a
/// follower that rejoins unchanged just gets the current generation again).
/// A JoinGroup or SyncGroup that waits is always answered in the end: answers
/// leave a connection in request order, so one never sent would hold back
/// every later answer on that connection. Requests from an older generation
/// get ILLEGAL_GENERATION; from a member the group does not know,
/// UNKNOWN_MEMBER_ID.
///
/// A new member's first JoinGroup (version 4 on) gets a member id and
/// MEMBER_ID_REQUIRED, and joins again with that id (KIP-394): until then it
/// is *pending*, and a client that retries blindly does not pile up members.
/// A pending member that does not come back within its session timeout is
/// forgotten.
///
/// A *static* member (KIP-345) names itself with group.instance.id. When it
/// restarts and joins with no member id, it takes the place of its old member
/// id: it keeps that member's assignment, and a Stable group does not
/// rebalance unless the group's protocol would change. The old member id is
/// fenced: a request that carries the instance id with the old member id gets
/// FENCED_INSTANCE_ID. A static member leaves when its session times out, or
/// by a LeaveGroup, which from version 3 may name it by instance id alone.
///
/// Committed offsets (the *next* offset to read, per partition) are records in
/// the internal topic __consumer_offsets, on the partition
/// abs(hash(group)) % 50 as Kafka's GroupMetadataManager computes it. The
/// coordinator writes them through the ReplicaManager, like any append (with
/// acks=all, so a commit is answered once the partition's replicas have it),
/// and a group's coordinator is the leader of that partition: when this
/// broker becomes a partition's leader (OnElection) it loads the partition's
/// offsets by reading it, and when it stops leading it (OnResignation) it
/// forgets them, and requests for those groups get NOT_COORDINATOR.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "chapters/02_partitions/log_manager.h"
#include "chapters/02_partitions/replica_manager.h"
#include "lib/node/node.h"
#include "lib/protocol/create_topics.h"
#include "lib/protocol/groups.h"

namespace kafka {

inline constexpr char kOffsetsTopic[] = "__consumer_offsets";

struct GroupCoordinatorConfig {
  int32_t offsets_topic_num_partitions = 50;  ///< offsets.topic.num.partitions
  int32_t group_min_session_timeout_ms = 6'000;
  int32_t group_max_session_timeout_ms = 1'800'000;
  /// group.initial.rebalance.delay.ms: how long a new group waits for more
  /// members before its first generation.
  int32_t group_initial_rebalance_delay_ms = 3'000;
  /// offset.metadata.max.bytes: the longest metadata string a commit may
  /// carry; a longer one gets OFFSET_METADATA_TOO_LARGE.
  int32_t offset_metadata_max_bytes = 4096;
  /// offsets.topic.segment.bytes: __consumer_offsets rolls segments sooner
  /// than other topics (100 MiB, not 1 GiB), which keeps loading it fast
  /// once compaction has cleaned the older segments.
  int64_t offsets_topic_segment_bytes = 104'857'600;
  /// offsets.topic.replication.factor. Kafka's default is 3, which a cluster
  /// of one broker cannot hold (Kafka's single-broker example file sets 1);
  /// -1 here takes the cluster's default.replication.factor.
  int16_t offsets_topic_replication_factor = -1;
};

/// Java's String.hashCode, which decides a group's offsets partition.
int32_t JavaStringHashCode(std::string_view text);

enum class GroupState {
  kEmpty,
  kPreparingRebalance,
  kCompletingRebalance,
  kStable,
};
std::string_view GroupStateName(GroupState state);
/// Prints the state's name, so that a failed EXPECT_EQ reads "Stable".
std::ostream& operator<<(std::ostream& out, GroupState state);

/// What a JoinGroup's version asks of the coordinator, as Kafka's
/// GroupCoordinatorAdapter derives it.
struct JoinRules {
  /// From version 4, a dynamic member's first join gets MEMBER_ID_REQUIRED.
  bool require_known_member_id = false;
  /// From version 9, a static leader that rejoins a Stable group is told
  /// it leads, with skip_assignment.
  bool supports_skip_assignment = false;
};

class GroupCoordinator {
 public:
  using JoinAnswer = std::function<void(JoinGroupResponse)>;
  using SyncAnswer = std::function<void(SyncGroupResponse)>;
  using CommitAnswer = std::function<void(OffsetCommitResponse)>;

  GroupCoordinator(Environment& env, ReplicaManager& replicas,
                   GroupCoordinatorConfig config);

  /// This broker now leads the partition of __consumer_offsets: reads its
  /// committed offsets back and serves its groups (Kafka's onElection).
  void OnElection(int32_t offsets_partition);
  /// It no longer does: forgets the partition's groups, answering what they
  /// had waiting with NOT_COORDINATOR (Kafka's onResignation).
  void OnResignation(int32_t offsets_partition);
  /// A topic was deleted: every group's committed offsets of its partitions
  /// go (tombstones), and an Empty group left without offsets with them
  /// (Kafka's onPartitionsDeleted). A topic created again under the name
  /// starts with no committed offsets.
  void OnPartitionsDeleted(const std::vector<TopicPartition>& partitions);
  /// The partition of __consumer_offsets that holds a group's offsets.
  int32_t OffsetsPartitionFor(const std::string& group_id) const;
  const GroupCoordinatorConfig& config() const { return config_; }
  /// Whether this broker coordinates the group: it leads the group's
  /// offsets partition. Requests for other groups get NOT_COORDINATOR.
  bool IsCoordinatorFor(const std::string& group_id) const;
  /// The configs __consumer_offsets is created with.
  std::vector<CreateTopicsRequest::Config> OffsetsTopicConfigs() const;

  void Join(const JoinGroupRequest& request, const std::string& client_id,
            JoinAnswer answer, JoinRules rules = {});
  void Sync(const SyncGroupRequest& request, SyncAnswer answer);
  ErrorCode Heartbeat(const HeartbeatRequest& request);
  /// LeaveGroup of some members, each named by member id, instance id or
  /// both; an error per member (UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID).
  std::vector<LeaveGroupResponse::Member> Leave(
      const std::string& group_id,
      const std::vector<LeaveGroupRequest::Member>& members);
  /// Answers once the offsets are written (or failed to be).
  void Commit(const OffsetCommitRequest& request, CommitAnswer answer);
  /// OffsetFetch, for one group: the committed offset of each partition
  /// asked for (-1 and error NONE where there is none), or, with topics
  /// null (version 2 on), of every partition the group committed.
  OffsetFetchResponse::Group FetchOffsets(
      const OffsetFetchRequest::Group& request) const;

  /// DeleteGroups, for one group (kafka-consumer-groups --delete): an Empty
  /// group's offsets are deleted (a tombstone each in __consumer_offsets) and
  /// the group is gone. INVALID_GROUP_ID, GROUP_ID_NOT_FOUND, or
  /// NON_EMPTY_GROUP while it has members.
  using ErrorAnswer = std::function<void(ErrorCode)>;
  void DeleteGroup(const std::string& group_id, ErrorAnswer answer);
  /// OffsetDelete: deletes a group's committed offsets of some partitions.
  /// The group's error is GROUP_ID_NOT_FOUND, or NON_EMPTY_GROUP for a group
  /// with members that does not use the consumer protocol; a partition whose
  /// topic a member subscribes to gets GROUP_SUBSCRIBED_TO_TOPIC.
  using OffsetDeleteAnswer = std::function<void(
      ErrorCode group_error, std::vector<ErrorCode> partition_errors)>;
  void DeleteOffsets(const std::string& group_id,
                     const std::vector<TopicPartition>& partitions,
                     OffsetDeleteAnswer answer);

  /// ListGroups: every group, or those in the states of the request's
  /// states_filter (version 4 on; Kafka's state names, in any case).
  ListGroupsResponse ListGroups(const ListGroupsRequest& request) const;
  DescribeGroupsResponse Describe(const DescribeGroupsRequest& request) const;

  /// For tests and tools.
  std::optional<GroupState> StateOf(const std::string& group_id) const;
  int32_t GenerationOf(const std::string& group_id) const;

 private:
  struct Member {
    std::string member_id;
    std::optional<std::string> group_instance_id;  ///< set: a static member
    std::string client_id;
    int32_t session_timeout_ms = 0;
    int32_t rebalance_timeout_ms = 0;
    std::vector<JoinGroupRequest::Protocol> protocols;
    Bytes assignment;
    JoinAnswer awaiting_join;  ///< set while its JoinGroup waits
    SyncAnswer awaiting_sync;  ///< set while its SyncGroup waits
    std::optional<TimerId> session_timer;
  };
  struct Group {
    std::string group_id;
    GroupState state = GroupState::kEmpty;
    int32_t generation_id = 0;
    std::string protocol_type;
    std::string protocol_name;
    std::string leader;
    std::map<std::string, Member> members;
    /// group.instance.id → the member id that instance has now.
    std::map<std::string, std::string> static_members;
    /// Member ids answered MEMBER_ID_REQUIRED and not yet back, each with
    /// the timer that forgets it after its session timeout.
    std::map<std::string, TimerId> pending_members;
    std::optional<TimerId> rebalance_timer;
  };

  Group& GroupFor(const std::string& group_id);
  /// Kafka's validateCurrentMember: FENCED_INSTANCE_ID when the instance id
  /// belongs to another member id, UNKNOWN_MEMBER_ID when the group lacks
  /// the member id, else NONE.
  ErrorCode CheckCurrentMember(
      const Group& group, const std::string& member_id,
      const std::optional<std::string>& group_instance_id) const;
  /// CheckCurrentMember, then ILLEGAL_GENERATION for another generation.
  ErrorCode CheckMember(const Group& group, const std::string& member_id,
                        const std::optional<std::string>& group_instance_id,
                        int32_t generation_id) const;
  /// CheckMember, then INCONSISTENT_GROUP_PROTOCOL if the request (v5) names
  /// a protocol type or assignor that is not the group's.
  ErrorCode CheckSyncMember(const Group& group,
                            const SyncGroupRequest& request) const;
  /// A successful SyncGroup answer: the member's assignment, and the
  /// group's protocol type and assignor (v5).
  SyncGroupResponse SyncAnswerFor(const Group& group,
                                  const Member& member) const;
  /// Kafka's clientId (or group.instance.id) + "-" + a random UUID, drawn
  /// from the environment.
  std::string NewMemberId(const std::string& prefix);
  /// A JoinGroup without a member id.
  void JoinNewMember(Group& group, const JoinGroupRequest& request,
                     const std::string& client_id, JoinRules rules,
                     JoinAnswer answer);
  /// A member id handed out with MEMBER_ID_REQUIRED; forgotten after the
  /// session timeout unless the member joins with it.
  void AddPendingMember(Group& group, const std::string& member_id,
                        int32_t session_timeout_ms);
  void RemovePendingMember(Group& group, const std::string& member_id);
  /// Whether the group, with this request's protocols for its member, would
  /// still share an assignor (and a protocol type).
  bool SupportsProtocols(const Group& group,
                         const JoinGroupRequest& request) const;
  void AddMemberAndRebalance(Group& group, const std::string& member_id,
                             const JoinGroupRequest& request,
                             const std::string& client_id, JoinAnswer answer);
  /// A static member joined without a member id: it takes over the member
  /// its instance id had, under `new_member_id`, and the group rebalances
  /// only if it must (Kafka's updateStaticMemberAndRebalance).
  void ReplaceStaticMember(Group& group, const std::string& new_member_id,
                           const JoinGroupRequest& request, JoinRules rules,
                           JoinAnswer answer);
  /// Answers the member's waiting JoinGroup and SyncGroup, if any, with
  /// `error`.
  void AnswerWhatIsWaiting(Member& member, ErrorCode error);
  /// Moves the member to a new id; whatever the old id had waiting is
  /// answered FENCED_INSTANCE_ID.
  Member& MoveStaticMember(Group& group, const std::string& old_member_id,
                           const std::string& new_member_id);
  /// Removes one leaving member (by member id, instance id or both);
  /// its error.
  ErrorCode LeaveOne(Group& group, const LeaveGroupRequest::Member& leaving);
  /// A JoinGroup from a member the group knows.
  void RejoinMember(Group& group, Member& member,
                    const JoinGroupRequest& request, JoinAnswer answer);
  void UpdateMemberAndRebalance(Group& group, Member& member,
                                const JoinGroupRequest& request,
                                JoinAnswer answer);
  /// Parks a member's answer; one parked before it, from a request the
  /// member has given up on, is answered REBALANCE_IN_PROGRESS now.
  void ParkJoin(Member& member, JoinAnswer answer);
  void ParkSync(Member& member, SyncAnswer answer);
  /// The current generation as a JoinGroup answers it to `member_id`.
  JoinGroupResponse JoinAnswerFor(const Group& group,
                                  const std::string& member_id) const;
  void PrepareRebalance(Group& group);
  /// Completes the join barrier if every member has rejoined.
  void MaybeCompleteJoin(Group& group);
  void CompleteJoin(Group& group);
  /// Removes a member, answering any JoinGroup or SyncGroup it has waiting.
  void RemoveMember(Group& group, const std::string& member_id);
  /// After a LeaveGroup or a session expiry: the others rebalance.
  void MemberLeft(Group& group, const std::string& member_id);
  void ResetSessionTimer(Group& group, Member& member);
  std::string ChooseProtocol(const Group& group) const;
  /// Who may commit: NONE, or the error every partition of the commit gets.
  ErrorCode CheckCommitter(const OffsetCommitRequest& request);
  /// Writes the offsets that passed the checks, one record batch each, and
  /// keeps those written; fills in each partition's error code.
  void StoreOffsets(const OffsetCommitRequest& request,
                    OffsetCommitResponse response, CommitAnswer answer);
  /// Writes a tombstone for each of the group's offsets in `partitions`;
  /// forgets those written and answers with the append's error, if any.
  /// Drops an Empty group that has no committed offset left.
  void ForgetGroupIfNothingLeft(const std::string& group_id);
  void WriteTombstones(const std::string& group_id,
                       const std::vector<TopicPartition>& partitions,
                       ErrorAnswer answer);
  /// Whether a member of the group reads `topic` (the consumer protocol's
  /// subscriptions). Before a generation has chosen the protocol, Kafka
  /// cannot tell, and counts every topic as read.
  bool IsSubscribedToTopic(const Group& group, const std::string& topic) const;
  /// Reads one partition's offset records back (at election).
  void LoadOffsets(int32_t offsets_partition);
  /// Drops a group's offset of `partition`, and the group's entry with its
  /// last offset, so that offsets_ holds only groups with offsets.
  void ForgetOffset(const std::string& group_id,
                    const TopicPartition& partition);

  Environment& env_;
  ReplicaManager& replicas_;
  GroupCoordinatorConfig config_;
  /// The partitions of __consumer_offsets this broker leads.
  std::set<int32_t> owned_partitions_;
  std::map<std::string, Group> groups_;
  /// A committed offset, as OffsetCommit gave it and OffsetFetch returns it.
  struct CommittedOffset {
    int64_t offset = -1;
    /// The leader epoch of the last record read (OffsetCommit v6+,
    /// KIP-320); -1 if not given. A consumer that resumes from the offset
    /// can check it against the log (OffsetFetch v5+ returns it).
    int32_t leader_epoch = -1;
    std::optional<std::string> metadata;
  };
  /// group → (topic, partition) → the committed offset
  std::map<std::string, std::map<TopicPartition, CommittedOffset>> offsets_;
};

}  // namespace kafka
