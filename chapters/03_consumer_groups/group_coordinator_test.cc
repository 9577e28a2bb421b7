// The group coordinator in the simulator: generations, rebalances, expiry,
// and committed offsets that survive a restart.
#include "chapters/03_consumer_groups/group_coordinator.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "chapters/03_consumer_groups/group_broker.h"
#include "lib/protocol/api_keys.h"
#include "lib/protocol/message.h"
#include "lib/sim/cluster.h"
#include "lib/sim/simulation.h"

namespace kafka {
namespace {

constexpr NodeId kBroker = 1;
// The test's client nodes: the ids the cluster gives its first three.
constexpr NodeId kClient = Simulation::kFirstClientId;
constexpr NodeId kOtherClient = kClient + 1;
constexpr NodeId kThirdClient = kClient + 2;
constexpr int32_t kSessionMs = 10'000;

constexpr GroupCoordinatorConfig kGroupConfig{
    .offsets_topic_num_partitions = 5, .group_initial_rebalance_delay_ms = 100};

// A SyncGroup of group "g", as versions before 3 have it.
SyncGroupRequest SyncOf(
    int32_t generation, const std::string& member_id,
    std::vector<SyncGroupRequest::Assignment> assignments = {}) {
  return {.group_id = "g",
          .generation_id = generation,
          .member_id = member_id,
          .assignments = std::move(assignments)};
}

class GroupTest : public ::testing::Test {
 protected:
  explicit GroupTest(GroupCoordinatorConfig config = kGroupConfig)
      : cluster_(11, 1, [config](NodeId id, const HostPort& address) {
          return std::make_unique<GroupBroker>(
              BrokerConfig{.node_id = id,
                           .advertised_host = address.host,
                           .advertised_port = address.port,
                           .data_dir = "data"},
              config);
        }) {
    // One node per member: a connection answers its requests in order, so a
    // JoinGroup waiting for a rebalance holds back whatever follows it on
    // that connection, as in Kafka.
    for (NodeId id : {kClient, kOtherClient, kThirdClient}) {
      EXPECT_EQ(cluster_.AddIdleClient(), id);
    }
  }

  // Sends a request; `answer` fills in when the response arrives.
  template <typename Response, typename Request>
  void Send(ApiKey api, int16_t version, const Request& request,
            std::optional<Response>& answer, NodeId from = kClient,
            const std::string& client_id = "client") {
    sim_.env(from).Send(kBroker, {int16_t(api), version, 0, client_id},
                        EncodeMessage(request, api, version), 600'000,
                        [&answer, api, version](Result<Bytes> body) {
                          answer = DecodeMessage<Response>(body.value(), api,
                                                           version, 0, "r")
                                       .value();
                        });
  }

  template <typename Response, typename Request>
  Response Call(ApiKey api, int16_t version, const Request& request,
                NodeId from = kClient) {
    std::optional<Response> answer;
    Send(api, version, request, answer, from);
    sim_.RunUntil([&] { return answer.has_value(); }, 600'000);
    return answer.value();
  }

  // A JoinGroup whose metadata for each protocol is "<name>-<subscription>".
  JoinGroupRequest Join(const std::string& member_id = "",
                        std::vector<std::string> protocols = {"range"},
                        const std::string& subscription = "subscription") {
    JoinGroupRequest request;
    request.group_id = "g";
    request.session_timeout_ms = kSessionMs;
    request.rebalance_timeout_ms = 30'000;
    request.member_id = member_id;
    for (const std::string& name : protocols) {
      request.protocols.push_back({name, ToBytes(name + "-" + subscription)});
    }
    return request;
  }

  ErrorCode Heartbeat(const std::string& member, int32_t generation,
                      NodeId from = kClient) {
    return Call<GroupErrorResponse>(ApiKey::kHeartbeat, 1,
                                    HeartbeatRequest{"g", generation, member},
                                    from)
        .error_code;
  }

  const GroupCoordinator& coordinator() {
    return sim_.node<GroupBroker>(kBroker).coordinator();
  }

  SimCluster cluster_;
  Simulation& sim_ = cluster_.sim();
};

// Rule: FindCoordinator points at the broker that leads the group's
// __consumer_offsets partition (here the only broker).
TEST_F(GroupTest, FindCoordinator) {
  FindCoordinatorResponse found = Call<FindCoordinatorResponse>(
      ApiKey::kFindCoordinator, 1, FindCoordinatorRequest{"g", 0});
  EXPECT_EQ(found.error_code, ErrorCode::kNone);
  EXPECT_EQ(found.node_id, kBroker);
}

// Rule: the offsets partition is abs(String.hashCode(group)) % partitions,
// as Kafka computes it, so every client and broker agree.
TEST(GroupPartitionTest, JavaHashCodeDecidesTheOffsetsPartition) {
  EXPECT_EQ(JavaStringHashCode(""), 0);
  EXPECT_EQ(JavaStringHashCode("a"), 97);
  EXPECT_EQ(JavaStringHashCode("hello"), 99162322);
  EXPECT_EQ(JavaStringHashCode("dashboard"), -1047860588);  // the book's
  // The string whose hash is the most negative int: Kafka's Utils.abs maps
  // it to 0, not to a negative partition.
  EXPECT_EQ(JavaStringHashCode("polygenelubricants"), INT32_MIN);
}

// Rule: a lone member joins, becomes leader of generation 1, syncs its own
// assignment, and the group is Stable.
TEST_F(GroupTest, OneMemberJoinsAndSyncs) {
  JoinGroupResponse joined =
      Call<JoinGroupResponse>(ApiKey::kJoinGroup, 2, Join());
  EXPECT_EQ(joined.error_code, ErrorCode::kNone);
  EXPECT_EQ(joined.generation_id, 1);
  EXPECT_EQ(joined.leader, joined.member_id);
  EXPECT_EQ(joined.protocol_name, "range");
  ASSERT_EQ(joined.members.size(), 1u);
  SyncGroupResponse synced = Call<SyncGroupResponse>(
      ApiKey::kSyncGroup, 1,
      SyncOf(1, joined.member_id, {{joined.member_id, ToBytes("p0")}}));
  EXPECT_EQ(synced.assignment, ToBytes("p0"));
  EXPECT_EQ(coordinator().StateOf("g"), GroupState::kStable);
}

// Rule: the group's protocol is one that every member supports, and the
// leader gets each member's metadata (its subscription) for that protocol.
TEST_F(GroupTest, LeaderGetsTheSubscriptionsForTheChosenProtocol) {
  std::optional<JoinGroupResponse> a, b;
  Send(ApiKey::kJoinGroup, 2, Join("", {"roundrobin", "range"}), a, kClient);
  Send(ApiKey::kJoinGroup, 2, Join("", {"range"}), b, kOtherClient);
  sim_.RunUntil([&] { return a && b; }, 10'000);
  EXPECT_EQ(a->protocol_name, "range");
  EXPECT_EQ(b->protocol_name, "range");
  const JoinGroupResponse& leader = a->leader == a->member_id ? *a : *b;
  ASSERT_EQ(leader.members.size(), 2u);
  for (const JoinGroupResponse::Member& m : leader.members) {
    EXPECT_EQ(m.metadata, ToBytes("range-subscription")) << m.member_id;
  }
}

// Rule: members joining together share a generation; only the leader sees
// the subscriptions; a follower's SyncGroup waits for the leader's and gets
// its own part.
TEST_F(GroupTest, TwoMembersOneGeneration) {
  std::optional<JoinGroupResponse> a, b;
  Send(ApiKey::kJoinGroup, 2, Join(), a, kClient);
  Send(ApiKey::kJoinGroup, 2, Join(), b, kOtherClient);
  sim_.RunUntil([&] { return a && b; }, 10'000);
  EXPECT_EQ(a->generation_id, b->generation_id);
  const bool a_leads = a->leader == a->member_id;
  JoinGroupResponse& leader = a_leads ? *a : *b;
  JoinGroupResponse& follower = a_leads ? *b : *a;
  const NodeId leader_node = a_leads ? kClient : kOtherClient;
  const NodeId follower_node = a_leads ? kOtherClient : kClient;
  EXPECT_EQ(leader.members.size(), 2u);
  EXPECT_TRUE(follower.members.empty());

  std::optional<SyncGroupResponse> follower_sync;
  Send(ApiKey::kSyncGroup, 1,
       SyncOf(follower.generation_id, follower.member_id), follower_sync,
       follower_node);
  sim_.RunFor(1000);
  EXPECT_FALSE(follower_sync.has_value()) << "waits for the leader";
  SyncGroupRequest assignments = SyncOf(
      leader.generation_id, leader.member_id,
      {{leader.member_id, ToBytes("p0")}, {follower.member_id, ToBytes("p1")}});
  Call<SyncGroupResponse>(ApiKey::kSyncGroup, 1, assignments, leader_node);
  sim_.RunUntil([&] { return follower_sync.has_value(); }, 1000);
  EXPECT_EQ(follower_sync->assignment, ToBytes("p1"));
}

// Rule: a follower whose SyncGroup comes after the leader's gets its
// assignment at once; a SyncGroup counts as a heartbeat.
TEST_F(GroupTest, FollowerSyncingAfterTheLeaderGetsItsAssignment) {
  std::optional<JoinGroupResponse> a, b;
  Send(ApiKey::kJoinGroup, 2, Join(), a, kClient);
  Send(ApiKey::kJoinGroup, 2, Join(), b, kOtherClient);
  sim_.RunUntil([&] { return a && b; }, 10'000);
  const bool a_leads = a->leader == a->member_id;
  const JoinGroupResponse& leader = a_leads ? *a : *b;
  const JoinGroupResponse& follower = a_leads ? *b : *a;
  const NodeId leader_node = a_leads ? kClient : kOtherClient;
  const NodeId follower_node = a_leads ? kOtherClient : kClient;
  // No heartbeats for most of a session: the SyncGroups keep both alive.
  sim_.RunFor(kSessionMs * 4 / 5);
  SyncGroupRequest assignments = SyncOf(
      leader.generation_id, leader.member_id,
      {{leader.member_id, ToBytes("p0")}, {follower.member_id, ToBytes("p1")}});
  Call<SyncGroupResponse>(ApiKey::kSyncGroup, 1, assignments, leader_node);
  EXPECT_EQ(coordinator().StateOf("g"), GroupState::kStable);
  SyncGroupResponse late = Call<SyncGroupResponse>(
      ApiKey::kSyncGroup, 1, SyncOf(follower.generation_id, follower.member_id),
      follower_node);
  EXPECT_EQ(late.error_code, ErrorCode::kNone);
  EXPECT_EQ(late.assignment, ToBytes("p1"));
  sim_.RunFor(kSessionMs * 4 / 5);
  EXPECT_EQ(Heartbeat(leader.member_id, leader.generation_id, leader_node),
            ErrorCode::kNone);
  EXPECT_EQ(
      Heartbeat(follower.member_id, follower.generation_id, follower_node),
      ErrorCode::kNone);
}

// Rule: a new member makes the group rebalance: the others' heartbeats and
// SyncGroups answer REBALANCE_IN_PROGRESS, they rejoin, and a new generation
// starts.
TEST_F(GroupTest, NewMemberTriggersARebalance) {
  JoinGroupResponse first =
      Call<JoinGroupResponse>(ApiKey::kJoinGroup, 2, Join());
  Call<SyncGroupResponse>(ApiKey::kSyncGroup, 1, SyncOf(1, first.member_id));
  std::optional<JoinGroupResponse> second;
  Send(ApiKey::kJoinGroup, 2, Join(), second, kOtherClient);
  sim_.RunFor(50);
  EXPECT_EQ(Heartbeat(first.member_id, 1), ErrorCode::kRebalanceInProgress);
  EXPECT_EQ(
      Call<SyncGroupResponse>(ApiKey::kSyncGroup, 1, SyncOf(1, first.member_id))
          .error_code,
      ErrorCode::kRebalanceInProgress);
  JoinGroupResponse rejoined =
      Call<JoinGroupResponse>(ApiKey::kJoinGroup, 2, Join(first.member_id));
  sim_.RunUntil([&] { return second.has_value(); }, 1000);
  EXPECT_EQ(rejoined.error_code, ErrorCode::kNone)
      << ErrorName(rejoined.error_code);
  EXPECT_EQ(rejoined.generation_id, 2);
  EXPECT_EQ(second->generation_id, 2);
}

// Rule: once every member has rejoined, the new generation starts at once,
// and the rebalance timeout that bounded the wait no longer applies.
TEST_F(GroupTest, RebalanceEndsWhenEveryMemberHasRejoined) {
  std::optional<JoinGroupResponse> a, b;
  Send(ApiKey::kJoinGroup, 2, Join(), a, kClient);
  Send(ApiKey::kJoinGroup, 2, Join(), b, kOtherClient);
  sim_.RunUntil([&] { return a && b; }, 10'000);
  // Both rejoin with new subscriptions, which starts a rebalance.
  std::optional<JoinGroupResponse> a2, b2;
  Send(ApiKey::kJoinGroup, 2, Join(a->member_id, {"range"}, "v2"), a2, kClient);
  Send(ApiKey::kJoinGroup, 2, Join(b->member_id, {"range"}, "v2"), b2,
       kOtherClient);
  sim_.RunUntil([&] { return a2 && b2; }, 1000);  // rebalance timeout: 30 s
  ASSERT_TRUE(a2 && b2) << "everyone rejoined: no waiting";
  EXPECT_EQ(a2->generation_id, a->generation_id + 1);
  EXPECT_EQ(b2->generation_id, a->generation_id + 1);
  // Long past the rebalance timeout, the generation stands.
  for (int i = 0; i < 15; ++i) {
    sim_.RunFor(3000);
    EXPECT_EQ(Heartbeat(a2->member_id, a2->generation_id, kClient),
              ErrorCode::kNone);
    EXPECT_EQ(Heartbeat(b2->member_id, b2->generation_id, kOtherClient),
              ErrorCode::kNone);
  }
  EXPECT_EQ(coordinator().GenerationOf("g"), a2->generation_id);
}

// Rule: a member that does not rejoin before the rebalance timeout is out of
// the next generation, although its session has not expired.
TEST_F(GroupTest, MemberThatDoesNotRejoinIsLeftOut) {
  JoinGroupRequest join = Join();
  join.rebalance_timeout_ms = kSessionMs / 2;
  std::optional<JoinGroupResponse> a, b;
  Send(ApiKey::kJoinGroup, 2, join, a, kClient);
  Send(ApiKey::kJoinGroup, 2, join, b, kOtherClient);
  sim_.RunUntil([&] { return a && b; }, 10'000);
  // `a` rejoins with a new subscription, which starts a rebalance; `b` does
  // not rejoin.
  JoinGroupRequest rejoin = Join(a->member_id, {"range"}, "v2");
  rejoin.rebalance_timeout_ms = kSessionMs / 2;
  JoinGroupResponse alone =
      Call<JoinGroupResponse>(ApiKey::kJoinGroup, 2, rejoin);
  EXPECT_EQ(alone.error_code, ErrorCode::kNone);
  EXPECT_EQ(alone.generation_id, a->generation_id + 1);
  EXPECT_EQ(alone.leader, a->member_id);
  ASSERT_EQ(alone.members.size(), 1u);
  EXPECT_EQ(alone.members[0].member_id, a->member_id);
  EXPECT_EQ(alone.members[0].metadata, ToBytes("range-v2"));
  EXPECT_EQ(Heartbeat(b->member_id, b->generation_id, kOtherClient),
            ErrorCode::kUnknownMemberId);
}

// Rule: when no member rejoins before the rebalance timeout, the group is
// left Empty.
TEST_F(GroupTest, GroupWhereNobodyRejoinsIsEmpty) {
  JoinGroupRequest join = Join();
  join.rebalance_timeout_ms = kSessionMs / 2;
  std::optional<JoinGroupResponse> a, b;
  Send(ApiKey::kJoinGroup, 2, join, a, kClient);
  Send(ApiKey::kJoinGroup, 2, join, b, kOtherClient);
  sim_.RunUntil([&] { return a && b; }, 10'000);
  // `b` leaves, which starts a rebalance; `a` does not rejoin.
  Call<LeaveGroupResponse>(ApiKey::kLeaveGroup, 1,
                           LeaveGroupRequest{"g", b->member_id}, kOtherClient);
  EXPECT_EQ(coordinator().StateOf("g"), GroupState::kPreparingRebalance);
  sim_.RunFor(kSessionMs * 3 / 4);  // past the rebalance timeout only
  EXPECT_EQ(coordinator().StateOf("g"), GroupState::kEmpty);
  EXPECT_EQ(coordinator().GenerationOf("g"), a->generation_id + 1)
      << "the generation ends, even with nobody in the next";
  EXPECT_EQ(Heartbeat(a->member_id, a->generation_id, kClient),
            ErrorCode::kUnknownMemberId);
}

// Rule: requests from an old generation get ILLEGAL_GENERATION; from an
// unknown member, UNKNOWN_MEMBER_ID.
TEST_F(GroupTest, StaleGenerationAndUnknownMember) {
  JoinGroupResponse joined =
      Call<JoinGroupResponse>(ApiKey::kJoinGroup, 2, Join());
  EXPECT_EQ(Heartbeat(joined.member_id, 0), ErrorCode::kIllegalGeneration);
  EXPECT_EQ(Heartbeat("stranger", 1), ErrorCode::kUnknownMemberId);
  EXPECT_EQ(Call<SyncGroupResponse>(ApiKey::kSyncGroup, 1,
                                    SyncOf(0, joined.member_id))
                .error_code,
            ErrorCode::kIllegalGeneration);
  EXPECT_EQ(
      Call<SyncGroupResponse>(ApiKey::kSyncGroup, 1, SyncOf(1, "stranger"))
          .error_code,
      ErrorCode::kUnknownMemberId);
  OffsetCommitRequest commit;
  commit.group_id = "g";
  commit.generation_id = 0;
  commit.member_id = joined.member_id;
  commit.topics = {{"orders", {{0, 5, -1, std::nullopt}}}};
  EXPECT_EQ(Call<OffsetCommitResponse>(ApiKey::kOffsetCommit, 2, commit)
                .topics[0]
                .partitions[0]
                .error_code,
            ErrorCode::kIllegalGeneration);
}

// Rule: a member that stops heartbeating is removed after
// session.timeout.ms, and the group rebalances without it.
TEST_F(GroupTest, SessionTimeoutRemovesTheMember) {
  std::optional<JoinGroupResponse> a, b;
  Send(ApiKey::kJoinGroup, 2, Join(), a, kClient);
  Send(ApiKey::kJoinGroup, 2, Join(), b, kOtherClient);
  sim_.RunUntil([&] { return a && b; }, 10'000);
  // Only `a` keeps heartbeating; `b` has crashed without leaving.
  for (int i = 0; i < 4; ++i) {
    sim_.RunFor(3000);
    ErrorCode e = Heartbeat(a->member_id, a->generation_id);
    if (e == ErrorCode::kRebalanceInProgress) break;
  }
  EXPECT_EQ(Heartbeat(a->member_id, a->generation_id),
            ErrorCode::kRebalanceInProgress);
  JoinGroupResponse alone =
      Call<JoinGroupResponse>(ApiKey::kJoinGroup, 2, Join(a->member_id));
  EXPECT_EQ(alone.generation_id, a->generation_id + 1);
  EXPECT_EQ(alone.members.size(), 1u);
}

// Rule: LeaveGroup removes a member at once: no waiting for the timeout.
TEST_F(GroupTest, LeaveGroupRebalancesAtOnce) {
  JoinGroupResponse joined =
      Call<JoinGroupResponse>(ApiKey::kJoinGroup, 2, Join());
  EXPECT_EQ(Call<LeaveGroupResponse>(ApiKey::kLeaveGroup, 1,
                                     LeaveGroupRequest{"g", joined.member_id})
                .error_code,
            ErrorCode::kNone);
  EXPECT_EQ(coordinator().StateOf("g"), GroupState::kEmpty);
}

// Rule: a member whose protocols share no assignor with the group's is
// refused with INCONSISTENT_GROUP_PROTOCOL.
TEST_F(GroupTest, NoCommonAssignor) {
  Call<JoinGroupResponse>(ApiKey::kJoinGroup, 2, Join("", {"range"}));
  EXPECT_EQ(Call<JoinGroupResponse>(ApiKey::kJoinGroup, 2, Join("", {"sticky"}),
                                    kOtherClient)
                .error_code,
            ErrorCode::kInconsistentGroupProtocol);
}

// Rule: a committed offset is what OffsetFetch returns; none committed reads
// as -1 with no error; offsets survive a broker restart, rebuilt from
// __consumer_offsets.
TEST_F(GroupTest, CommittedOffsetsSurviveARestart) {
  OffsetCommitRequest
      commit;  // from outside a generation, as assign() users do
  commit.group_id = "g";
  commit.topics = {{"orders", {{0, 42, -1, "meta"}}}};
  EXPECT_EQ(Call<OffsetCommitResponse>(ApiKey::kOffsetCommit, 2, commit)
                .topics[0]
                .partitions[0]
                .error_code,
            ErrorCode::kNone);
  OffsetFetchRequest fetch{"g", {{{"orders", {0, 1}}}}};
  OffsetFetchResponse fetched =
      Call<OffsetFetchResponse>(ApiKey::kOffsetFetch, 1, fetch);
  EXPECT_EQ(fetched.topics[0].partitions[0].committed_offset, 42);
  EXPECT_EQ(fetched.topics[0].partitions[1].committed_offset, -1);
  EXPECT_EQ(fetched.topics[0].partitions[1].error_code, ErrorCode::kNone);

  sim_.Crash(kBroker, Simulation::CrashKind::kProcessCrash);
  sim_.Restart(kBroker);
  fetched = Call<OffsetFetchResponse>(ApiKey::kOffsetFetch, 1, fetch);
  EXPECT_EQ(fetched.topics[0].partitions[0].committed_offset, 42);
  EXPECT_EQ(fetched.topics[0].partitions[0].metadata, "meta");
}

// Rule: deleting a topic deletes every group's committed offsets of it, for
// good (tombstones): a topic created again under the name does not resume
// from the old topic's positions, even after a restart.
TEST_F(GroupTest, DeletingATopicDeletesItsCommittedOffsets) {
  CreateTopicsRequest create;
  create.topics = {{.name = "orders", .num_partitions = 2}};
  ASSERT_EQ(Call<CreateTopicsResponse>(ApiKey::kCreateTopics, 2, create)
                .topics[0]
                .error_code,
            ErrorCode::kNone);
  OffsetCommitRequest commit;
  commit.group_id = "g";
  commit.topics = {{"orders", {{0, 42, -1, {}}}}};
  Call<OffsetCommitResponse>(ApiKey::kOffsetCommit, 2, commit);
  OffsetFetchRequest fetch{"g", {{{"orders", {0}}}}};
  auto committed = [&] {
    return Call<OffsetFetchResponse>(ApiKey::kOffsetFetch, 1, fetch)
        .topics[0]
        .partitions[0]
        .committed_offset;
  };
  ASSERT_EQ(committed(), 42);

  DeleteTopicsRequest remove;
  remove.topic_names = {"orders"};
  ASSERT_EQ(Call<DeleteTopicsResponse>(ApiKey::kDeleteTopics, 1, remove)
                .responses[0]
                .error_code,
            ErrorCode::kNone);
  EXPECT_EQ(committed(), -1);
  Call<CreateTopicsResponse>(ApiKey::kCreateTopics, 2, create);
  sim_.Crash(kBroker, Simulation::CrashKind::kProcessCrash);
  sim_.Restart(kBroker);
  EXPECT_EQ(committed(), -1);
}

OffsetCommitRequest CommitOf(int32_t generation, std::string member,
                             std::vector<OffsetCommitRequest::Partition> ps) {
  OffsetCommitRequest commit;
  commit.group_id = "g";
  commit.generation_id = generation;
  commit.member_id = std::move(member);
  commit.topics = {{"orders", std::move(ps)}};
  return commit;
}

class TwoMemberGroupTest : public GroupTest {
 protected:
  // Members A (kClient) and B (kOtherClient), joined and synced: generation 1.
  void SetUp() override {
    std::optional<JoinGroupResponse> a, b;
    Send(ApiKey::kJoinGroup, 2, Join(), a, kClient);
    Send(ApiKey::kJoinGroup, 2, Join(), b, kOtherClient);
    sim_.RunUntil([&] { return a && b; }, 10'000);
    a_ = *a;
    b_ = *b;
    ASSERT_EQ(a_.generation_id, 1);
    const bool a_leads = a_.leader == a_.member_id;
    leader_ = a_leads ? a_ : b_;
    follower_ = a_leads ? b_ : a_;
    leader_node_ = a_leads ? kClient : kOtherClient;
    follower_node_ = a_leads ? kOtherClient : kClient;
  }

  // The leader assigns "p0" to itself and "p1" to the follower: Stable.
  void SyncBoth() {
    std::optional<SyncGroupResponse> follower_sync;
    Send(ApiKey::kSyncGroup, 1, SyncOf(1, follower_.member_id), follower_sync,
         follower_node_);
    Call<SyncGroupResponse>(ApiKey::kSyncGroup, 1,
                            SyncOf(1, leader_.member_id,
                                   {{leader_.member_id, ToBytes("p0")},
                                    {follower_.member_id, ToBytes("p1")}}),
                            leader_node_);
    sim_.RunUntil([&] { return follower_sync.has_value(); }, 1'000);
    ASSERT_EQ(coordinator().StateOf("g"), GroupState::kStable);
  }

  JoinGroupResponse a_, b_;
  JoinGroupResponse leader_, follower_;
  NodeId leader_node_ = kClient, follower_node_ = kOtherClient;
};

// Rule: a member waiting in JoinGroup longer than its session timeout stays
// in the group: its connection is busy with that JoinGroup, so it cannot
// heartbeat.
TEST_F(TwoMemberGroupTest, MembersWaitingToJoinAreNotExpelled) {
  std::optional<JoinGroupResponse> c, a_again;
  Send(ApiKey::kJoinGroup, 2, Join(), c, kThirdClient);  // a rebalance starts
  Send(ApiKey::kJoinGroup, 2, Join(a_.member_id), a_again, kClient);
  // Twice the session timeout, still within the 30 s rebalance timeout.
  for (int second = 0; second < 2 * kSessionMs / 1000; second += 2) {
    sim_.RunFor(2'000);  // B is slow to rejoin, but keeps heartbeating
    EXPECT_EQ(Heartbeat(b_.member_id, 1, kOtherClient),
              ErrorCode::kRebalanceInProgress);
  }
  JoinGroupResponse b_again = Call<JoinGroupResponse>(
      ApiKey::kJoinGroup, 2, Join(b_.member_id), kOtherClient);
  sim_.RunUntil([&] { return a_again && c; }, 1'000);
  ASSERT_TRUE(a_again.has_value());
  EXPECT_EQ(a_again->error_code, ErrorCode::kNone);
  EXPECT_EQ(b_again.generation_id, 2);
  EXPECT_EQ(a_again->generation_id, 2);
}

// Rule: when the member the others wait for leaves instead of rejoining, the
// new generation starts at once, not after the rebalance timeout.
TEST_F(TwoMemberGroupTest, LeavingMemberEndsTheWaitAtOnce) {
  std::optional<JoinGroupResponse> c, a_again;
  Send(ApiKey::kJoinGroup, 2, Join(), c, kThirdClient);
  Send(ApiKey::kJoinGroup, 2, Join(a_.member_id), a_again, kClient);
  sim_.RunFor(100);
  EXPECT_FALSE(a_again.has_value()) << "waiting for B";
  const int64_t left_at = sim_.now_ms();
  Call<LeaveGroupResponse>(ApiKey::kLeaveGroup, 1,
                           LeaveGroupRequest{"g", b_.member_id}, kOtherClient);
  sim_.RunUntil([&] { return a_again && c; }, 1'000);
  ASSERT_TRUE(a_again.has_value());
  EXPECT_LT(sim_.now_ms() - left_at, 100);
  EXPECT_EQ(a_again->generation_id, 2);
}

// Rule: a member the leader's assignment leaves out gets an empty
// assignment, never its part from the generation before.
TEST_F(TwoMemberGroupTest, MemberLeftOutGetsNothing) {
  const bool a_leads = a_.leader == a_.member_id;
  const JoinGroupResponse& leader = a_leads ? a_ : b_;
  const JoinGroupResponse& follower = a_leads ? b_ : a_;
  const NodeId leader_node = a_leads ? kClient : kOtherClient;
  const NodeId follower_node = a_leads ? kOtherClient : kClient;
  std::optional<SyncGroupResponse> follower_sync;
  Send(ApiKey::kSyncGroup, 1, SyncOf(1, follower.member_id), follower_sync,
       follower_node);
  Call<SyncGroupResponse>(
      ApiKey::kSyncGroup, 1,
      SyncOf(1, leader.member_id, {{follower.member_id, ToBytes("p0")}}),
      leader_node);
  sim_.RunUntil([&] { return follower_sync.has_value(); }, 1'000);
  EXPECT_EQ(follower_sync->assignment, ToBytes("p0"));
  // Generation 2: the leader now keeps everything for itself.
  std::optional<JoinGroupResponse> l2, f2;
  Send(ApiKey::kJoinGroup, 2, Join(leader.member_id), l2, leader_node);
  Send(ApiKey::kJoinGroup, 2, Join(follower.member_id), f2, follower_node);
  sim_.RunUntil([&] { return l2 && f2; }, 40'000);
  std::optional<SyncGroupResponse> f2_sync;
  Send(ApiKey::kSyncGroup, 1, SyncOf(2, follower.member_id), f2_sync,
       follower_node);
  Call<SyncGroupResponse>(
      ApiKey::kSyncGroup, 1,
      SyncOf(2, leader.member_id, {{leader.member_id, ToBytes("all")}}),
      leader_node);
  sim_.RunUntil([&] { return f2_sync.has_value(); }, 1'000);
  EXPECT_TRUE(f2_sync->assignment.empty());
}

// Rule: a new member's id is its client.id, a dash and a random UUID, as
// Kafka makes them; the simulator's seeded randomness keeps runs repeatable.
TEST_F(GroupTest, NewMemberIdsAreTheClientIdAndAUuid) {
  JoinGroupResponse joined =
      Call<JoinGroupResponse>(ApiKey::kJoinGroup, 2, Join());
  // GoogleTest's MatchesRegex (POSIX), not std::regex: gcc 12 warns inside
  // <regex> under the sanitizers' -O1, and warnings are errors.
  EXPECT_THAT(
      joined.member_id,
      ::testing::MatchesRegex("client-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}"
                              "-[89ab][0-9a-f]{3}-[0-9a-f]{12}"));
}

// Rule: a follower that rejoins a Stable group with unchanged protocols gets
// the current generation back, and nothing rebalances.
TEST_F(TwoMemberGroupTest, FollowerRejoiningUnchangedGetsTheCurrentGeneration) {
  SyncBoth();
  JoinGroupResponse again = Call<JoinGroupResponse>(
      ApiKey::kJoinGroup, 2, Join(follower_.member_id), follower_node_);
  EXPECT_EQ(again.error_code, ErrorCode::kNone);
  EXPECT_EQ(again.generation_id, 1);
  EXPECT_EQ(again.leader, leader_.member_id);
  EXPECT_TRUE(again.members.empty());
  EXPECT_EQ(coordinator().StateOf("g"), GroupState::kStable);
  EXPECT_EQ(Heartbeat(leader_.member_id, 1, leader_node_), ErrorCode::kNone);
  SyncGroupResponse synced = Call<SyncGroupResponse>(
      ApiKey::kSyncGroup, 1, SyncOf(1, follower_.member_id), follower_node_);
  EXPECT_EQ(synced.assignment, ToBytes("p1"));
}

// Rule: in a Stable group, the leader's rejoin rebalances (it asks for a new
// assignment that way), and so does a follower's with a new subscription.
TEST_F(TwoMemberGroupTest, LeaderOrChangedSubscriptionRebalances) {
  SyncBoth();
  std::optional<JoinGroupResponse> leader_again;
  Send(ApiKey::kJoinGroup, 2, Join(leader_.member_id), leader_again,
       leader_node_);
  sim_.RunFor(100);
  EXPECT_FALSE(leader_again.has_value()) << "waits for the follower";
  EXPECT_EQ(coordinator().StateOf("g"), GroupState::kPreparingRebalance);
  JoinGroupResponse follower_again = Call<JoinGroupResponse>(
      ApiKey::kJoinGroup, 2, Join(follower_.member_id), follower_node_);
  EXPECT_EQ(follower_again.generation_id, 2);

  std::optional<SyncGroupResponse> follower_sync;
  Send(ApiKey::kSyncGroup, 1, SyncOf(2, follower_.member_id), follower_sync,
       follower_node_);
  Call<SyncGroupResponse>(ApiKey::kSyncGroup, 1, SyncOf(2, leader_.member_id),
                          leader_node_);
  sim_.RunUntil([&] { return follower_sync.has_value(); }, 1'000);
  ASSERT_EQ(coordinator().StateOf("g"), GroupState::kStable);
  std::optional<JoinGroupResponse> changed;
  Send(ApiKey::kJoinGroup, 2, Join(follower_.member_id, {"range"}, "v2"),
       changed, follower_node_);
  sim_.RunFor(100);
  EXPECT_EQ(coordinator().StateOf("g"), GroupState::kPreparingRebalance);
}

// Rule: a member whose JoinGroup answer was lost, rejoining unchanged while
// the group waits for the leader's SyncGroup, gets the same answer again.
TEST_F(TwoMemberGroupTest, RejoinBeforeSyncGetsTheSameAnswer) {
  JoinGroupResponse again = Call<JoinGroupResponse>(
      ApiKey::kJoinGroup, 2, Join(leader_.member_id), leader_node_);
  EXPECT_EQ(again.generation_id, 1);
  EXPECT_EQ(again.leader, leader_.member_id);
  EXPECT_EQ(again.members.size(), 2u);
  EXPECT_EQ(coordinator().StateOf("g"), GroupState::kCompletingRebalance);
}

// Rule: a rejoin refused with INCONSISTENT_GROUP_PROTOCOL changes nothing
// about the member: its generation and its protocols stand.
TEST_F(TwoMemberGroupTest, RefusedRejoinChangesNothing) {
  SyncBoth();
  EXPECT_EQ(Call<JoinGroupResponse>(ApiKey::kJoinGroup, 2,
                                    Join(follower_.member_id, {"sticky"}),
                                    follower_node_)
                .error_code,
            ErrorCode::kInconsistentGroupProtocol);
  EXPECT_EQ(coordinator().StateOf("g"), GroupState::kStable);
  EXPECT_EQ(Heartbeat(follower_.member_id, 1, follower_node_),
            ErrorCode::kNone);
  // Still a range member: a newcomer offering only range is welcome.
  std::optional<JoinGroupResponse> newcomer;
  Send(ApiKey::kJoinGroup, 2, Join("", {"range"}), newcomer, kThirdClient);
  sim_.RunFor(100);
  EXPECT_FALSE(newcomer.has_value()) << ErrorName(newcomer->error_code);
  EXPECT_EQ(coordinator().StateOf("g"), GroupState::kPreparingRebalance);
}

// Rule: a member that leaves while its JoinGroup waits gets that JoinGroup
// answered (UNKNOWN_MEMBER_ID), and then its LeaveGroup: answers leave a
// connection in order, so a dropped one would hold back the rest.
TEST_F(TwoMemberGroupTest, LeavingAnswersTheWaitingJoinGroup) {
  std::optional<JoinGroupResponse> c, a_again;
  Send(ApiKey::kJoinGroup, 2, Join(), c, kThirdClient);  // a rebalance starts
  Send(ApiKey::kJoinGroup, 2, Join(a_.member_id), a_again, kClient);
  sim_.RunFor(100);
  ASSERT_FALSE(a_again.has_value()) << "waits for B";
  std::optional<LeaveGroupResponse> left;
  Send(ApiKey::kLeaveGroup, 1, LeaveGroupRequest{"g", a_.member_id}, left,
       kClient);
  sim_.RunUntil([&] { return left.has_value(); }, 1'000);
  ASSERT_TRUE(a_again.has_value());
  EXPECT_EQ(a_again->error_code, ErrorCode::kUnknownMemberId);
  ASSERT_TRUE(left.has_value());
  EXPECT_EQ(left->error_code, ErrorCode::kNone);
}

// Rule: the same for a SyncGroup waiting for the leader's.
TEST_F(TwoMemberGroupTest, LeavingAnswersTheWaitingSyncGroup) {
  std::optional<SyncGroupResponse> waiting;
  Send(ApiKey::kSyncGroup, 1, SyncOf(1, follower_.member_id), waiting,
       follower_node_);
  sim_.RunFor(100);
  ASSERT_FALSE(waiting.has_value()) << "waits for the leader";
  std::optional<LeaveGroupResponse> left;
  Send(ApiKey::kLeaveGroup, 1, LeaveGroupRequest{"g", follower_.member_id},
       left, follower_node_);
  sim_.RunUntil([&] { return left.has_value(); }, 1'000);
  ASSERT_TRUE(waiting.has_value());
  EXPECT_EQ(waiting->error_code, ErrorCode::kUnknownMemberId);
  ASSERT_TRUE(left.has_value());
  EXPECT_EQ(left->error_code, ErrorCode::kNone);
}

// Rule: a repeated JoinGroup from a member whose JoinGroup waits answers the
// earlier one at once (REBALANCE_IN_PROGRESS); the later one waits in its
// place and gets the new generation.
TEST_F(TwoMemberGroupTest, RepeatedJoinGroupAnswersTheEarlierOne) {
  std::optional<JoinGroupResponse> c, first, second;
  Send(ApiKey::kJoinGroup, 2, Join(), c, kThirdClient);
  Send(ApiKey::kJoinGroup, 2, Join(a_.member_id), first, kClient);
  Send(ApiKey::kJoinGroup, 2, Join(a_.member_id), second, kClient);
  sim_.RunUntil([&] { return first.has_value(); }, 1'000);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->error_code, ErrorCode::kRebalanceInProgress);
  EXPECT_FALSE(second.has_value()) << "waits for B";
  Call<JoinGroupResponse>(ApiKey::kJoinGroup, 2, Join(b_.member_id),
                          kOtherClient);
  sim_.RunUntil([&] { return second.has_value(); }, 1'000);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->generation_id, 2);
}

// Rule: a repeated SyncGroup answers the earlier one at once; the later one
// gets the assignment.
TEST_F(TwoMemberGroupTest, RepeatedSyncGroupAnswersTheEarlierOne) {
  std::optional<SyncGroupResponse> first, second;
  SyncGroupRequest sync = SyncOf(1, follower_.member_id);
  Send(ApiKey::kSyncGroup, 1, sync, first, follower_node_);
  Send(ApiKey::kSyncGroup, 1, sync, second, follower_node_);
  sim_.RunUntil([&] { return first.has_value(); }, 1'000);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->error_code, ErrorCode::kRebalanceInProgress);
  Call<SyncGroupResponse>(
      ApiKey::kSyncGroup, 1,
      SyncOf(1, leader_.member_id, {{follower_.member_id, ToBytes("p1")}}),
      leader_node_);
  sim_.RunUntil([&] { return second.has_value(); }, 1'000);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->assignment, ToBytes("p1"));
}

// Rule: a commit naming a generation of a group the coordinator does not
// know is from a generation long gone: ILLEGAL_GENERATION (Kafka, below
// OffsetCommit v9), and nothing is stored.
TEST_F(GroupTest, CommitWithAGenerationForAnUnknownGroupIsIllegal) {
  OffsetCommitResponse answer = Call<OffsetCommitResponse>(
      ApiKey::kOffsetCommit, 2, CommitOf(3, "old-member", {{0, 5, -1, {}}}));
  EXPECT_EQ(answer.topics[0].partitions[0].error_code,
            ErrorCode::kIllegalGeneration);
  OffsetFetchResponse fetched = Call<OffsetFetchResponse>(
      ApiKey::kOffsetFetch, 1, OffsetFetchRequest{"g", {{{"orders", {0}}}}});
  EXPECT_EQ(fetched.topics[0].partitions[0].committed_offset, -1);
}

// Rule: metadata longer than offset.metadata.max.bytes (4096) gets
// OFFSET_METADATA_TOO_LARGE for its partition; the others are committed.
TEST_F(GroupTest, MetadataLongerThanTheLimitIsRefused) {
  OffsetCommitResponse answer = Call<OffsetCommitResponse>(
      ApiKey::kOffsetCommit, 2,
      CommitOf(-1, "",
               {{0, 5, -1, std::string(4097, 'm')},
                {1, 7, -1, std::string(4096, 'm')}}));
  EXPECT_EQ(answer.topics[0].partitions[0].error_code,
            ErrorCode::kOffsetMetadataTooLarge);
  EXPECT_EQ(answer.topics[0].partitions[1].error_code, ErrorCode::kNone);
  OffsetFetchResponse fetched = Call<OffsetFetchResponse>(
      ApiKey::kOffsetFetch, 1, OffsetFetchRequest{"g", {{{"orders", {0, 1}}}}});
  EXPECT_EQ(fetched.topics[0].partitions[0].committed_offset, -1);
  EXPECT_EQ(fetched.topics[0].partitions[1].committed_offset, 7);
}

class SmallOffsetsSegmentTest : public GroupTest {
 protected:
  SmallOffsetsSegmentTest()
      : GroupTest({.offsets_topic_num_partitions = 5,
                   .group_initial_rebalance_delay_ms = 100,
                   .offsets_topic_segment_bytes = 1024}) {}
};

// Rule: a commit whose record the offsets log refuses is not committed, and
// the client hears why (here RECORD_LIST_TOO_LARGE: a batch larger than the
// offsets topic's segment.bytes).
TEST_F(SmallOffsetsSegmentTest, FailedAppendIsReported) {
  OffsetCommitResponse answer = Call<OffsetCommitResponse>(
      ApiKey::kOffsetCommit, 2,
      CommitOf(-1, "", {{0, 5, -1, std::string(2000, 'm')}, {1, 7, -1, {}}}));
  EXPECT_EQ(answer.topics[0].partitions[0].error_code,
            ErrorCode::kRecordListTooLarge);
  EXPECT_EQ(answer.topics[0].partitions[1].error_code, ErrorCode::kNone);
  OffsetFetchResponse fetched = Call<OffsetFetchResponse>(
      ApiKey::kOffsetFetch, 1, OffsetFetchRequest{"g", {{{"orders", {0, 1}}}}});
  EXPECT_EQ(fetched.topics[0].partitions[0].committed_offset, -1);
  EXPECT_EQ(fetched.topics[0].partitions[1].committed_offset, 7);
}

// Rule: a group that only committed offsets (no member ever joined) is a
// group: listed, and described as Empty, also after a restart, when the
// coordinator knows it only from __consumer_offsets.
TEST_F(GroupTest, GroupsWithOnlyOffsetsAreListedAsEmpty) {
  Call<OffsetCommitResponse>(ApiKey::kOffsetCommit, 2,
                             CommitOf(-1, "", {{0, 5, -1, {}}}));
  for (bool restarted : {false, true}) {
    if (restarted) {
      sim_.Crash(kBroker, Simulation::CrashKind::kProcessCrash);
      sim_.Restart(kBroker);
    }
    ListGroupsResponse listed =
        Call<ListGroupsResponse>(ApiKey::kListGroups, 1, ListGroupsRequest{});
    ASSERT_EQ(listed.groups.size(), 1u) << "restarted: " << restarted;
    EXPECT_EQ(listed.groups[0].group_id, "g");
    DescribeGroupsResponse described = Call<DescribeGroupsResponse>(
        ApiKey::kDescribeGroups, 1, DescribeGroupsRequest{{"g"}});
    EXPECT_EQ(described.groups[0].group_state, "Empty")
        << "restarted: " << restarted;
  }
}

// Rule: JoinGroup checks its request first: an empty group id is
// INVALID_GROUP_ID, a session timeout outside group.min/max.session.timeout.ms
// is INVALID_SESSION_TIMEOUT, a member id the group does not know is
// UNKNOWN_MEMBER_ID.
TEST_F(GroupTest, JoinGroupRequestsAreChecked) {
  JoinGroupRequest no_group = Join();
  no_group.group_id = "";
  EXPECT_EQ(Call<JoinGroupResponse>(ApiKey::kJoinGroup, 2, no_group).error_code,
            ErrorCode::kInvalidGroupId);
  for (int32_t session_ms : {5'999, 1'800'001}) {
    JoinGroupRequest odd_session = Join();
    odd_session.session_timeout_ms = session_ms;
    EXPECT_EQ(
        Call<JoinGroupResponse>(ApiKey::kJoinGroup, 2, odd_session).error_code,
        ErrorCode::kInvalidSessionTimeout)
        << session_ms;
  }
  EXPECT_EQ(
      Call<JoinGroupResponse>(ApiKey::kJoinGroup, 2, Join("ghost")).error_code,
      ErrorCode::kUnknownMemberId);
}

// Rule: a SyncGroup for a group the coordinator does not know is
// UNKNOWN_MEMBER_ID, and creates no group.
TEST_F(GroupTest, SyncGroupForAnUnknownGroup) {
  EXPECT_EQ(Call<SyncGroupResponse>(ApiKey::kSyncGroup, 1,
                                    SyncGroupRequest{"nope", 1, "m", {}})
                .error_code,
            ErrorCode::kUnknownMemberId);
  EXPECT_FALSE(coordinator().StateOf("nope").has_value());
}

// Rule: the leader of the last generation stays leader if it rejoins, even
// when a newcomer's member id sorts first.
TEST_F(TwoMemberGroupTest, LeaderStaysLeaderWhenItRejoins) {
  std::optional<JoinGroupResponse> c, l2, f2;
  // Client id "aaa": the newcomer's member id sorts before both others.
  Send(ApiKey::kJoinGroup, 2, Join(), c, kThirdClient, "aaa");
  Send(ApiKey::kJoinGroup, 2, Join(leader_.member_id), l2, leader_node_);
  Send(ApiKey::kJoinGroup, 2, Join(follower_.member_id), f2, follower_node_);
  sim_.RunUntil([&] { return c && l2 && f2; }, 1'000);
  ASSERT_TRUE(c && l2 && f2);
  ASSERT_LT(c->member_id, leader_.member_id);
  EXPECT_EQ(c->generation_id, 2);
  EXPECT_EQ(c->leader, leader_.member_id);
  EXPECT_EQ(l2->members.size(), 3u);
}

// Rule: when the leader leaves, the new leader is the first member by id.
TEST_F(TwoMemberGroupTest, LeaderThatLeftIsReplacedByTheFirstMember) {
  std::optional<JoinGroupResponse> c, f2;
  Send(ApiKey::kJoinGroup, 2, Join(), c, kThirdClient, "zzz");
  Send(ApiKey::kJoinGroup, 2, Join(follower_.member_id), f2, follower_node_);
  sim_.RunFor(100);
  Call<LeaveGroupResponse>(ApiKey::kLeaveGroup, 1,
                           LeaveGroupRequest{"g", leader_.member_id},
                           leader_node_);
  sim_.RunUntil([&] { return c && f2; }, 1'000);
  ASSERT_TRUE(c && f2);
  ASSERT_LT(follower_.member_id, c->member_id);
  EXPECT_EQ(f2->leader, follower_.member_id);
  EXPECT_EQ(f2->members.size(), 2u);
}

// Rule: the leader's assignment for a member id the group does not have is
// ignored: it makes no member.
TEST_F(TwoMemberGroupTest, AssignmentsForStrangersAreIgnored) {
  std::optional<SyncGroupResponse> follower_sync;
  Send(ApiKey::kSyncGroup, 1, SyncOf(1, follower_.member_id), follower_sync,
       follower_node_);
  Call<SyncGroupResponse>(ApiKey::kSyncGroup, 1,
                          SyncOf(1, leader_.member_id,
                                 {{"stranger", ToBytes("p0")},
                                  {follower_.member_id, ToBytes("p1")}}),
                          leader_node_);
  sim_.RunUntil([&] { return follower_sync.has_value(); }, 1'000);
  DescribeGroupsResponse described = Call<DescribeGroupsResponse>(
      ApiKey::kDescribeGroups, 1, DescribeGroupsRequest{{"g"}});
  EXPECT_EQ(described.groups[0].members.size(), 2u);
}

// Rule: commits and rebalances. While the generation waits for the leader's
// SyncGroup a commit is REBALANCE_IN_PROGRESS (nobody owns anything yet);
// once Stable it is accepted, and so it is while the group waits for rejoins
// (the ending generation commits what it read). A commit from outside the
// group while it has members is UNKNOWN_MEMBER_ID.
TEST_F(TwoMemberGroupTest, CommitsDuringARebalance) {
  auto commit = [&](int32_t generation, const std::string& member) {
    return Call<OffsetCommitResponse>(
               ApiKey::kOffsetCommit, 2,
               CommitOf(generation, member, {{0, 5, -1, {}}}), leader_node_)
        .topics[0]
        .partitions[0]
        .error_code;
  };
  EXPECT_EQ(commit(1, leader_.member_id), ErrorCode::kRebalanceInProgress);
  SyncBoth();
  EXPECT_EQ(commit(1, leader_.member_id), ErrorCode::kNone);
  std::optional<JoinGroupResponse> c;
  Send(ApiKey::kJoinGroup, 2, Join(), c, kThirdClient);
  sim_.RunFor(100);
  ASSERT_EQ(coordinator().StateOf("g"), GroupState::kPreparingRebalance);
  EXPECT_EQ(commit(1, leader_.member_id), ErrorCode::kNone);
  EXPECT_EQ(commit(-1, ""), ErrorCode::kUnknownMemberId);
}

// Rule: from JoinGroup v4 a new dynamic member's first join gets a member id
// and MEMBER_ID_REQUIRED, and is not yet a member; it joins again with that
// id (KIP-394). Versions 0-3 join at once. From v7 the answer names the
// protocol type.
TEST_F(GroupTest, MemberIdRequiredFromVersion4) {
  for (int16_t v = 0; v <= 9; ++v) {
    JoinGroupRequest request = Join();
    request.group_id = "g" + std::to_string(v);
    JoinGroupResponse first =
        Call<JoinGroupResponse>(ApiKey::kJoinGroup, v, request);
    EXPECT_THAT(first.member_id, ::testing::StartsWith("client-"));
    if (v < 4) {
      EXPECT_EQ(first.error_code, ErrorCode::kNone) << "v" << v;
      EXPECT_EQ(first.generation_id, 1);
      continue;
    }
    EXPECT_EQ(first.error_code, ErrorCode::kMemberIdRequired) << "v" << v;
    EXPECT_EQ(coordinator().StateOf(request.group_id), GroupState::kEmpty)
        << "a pending member is not a member";
    request.member_id = first.member_id;
    JoinGroupResponse joined =
        Call<JoinGroupResponse>(ApiKey::kJoinGroup, v, request);
    EXPECT_EQ(joined.error_code, ErrorCode::kNone) << "v" << v;
    EXPECT_EQ(joined.member_id, first.member_id);
    EXPECT_EQ(joined.leader, first.member_id);
    EXPECT_EQ(joined.generation_id, 1);
    EXPECT_EQ(joined.protocol_name, "range");
    EXPECT_EQ(joined.protocol_type,
              v >= 7 ? std::optional<std::string>("consumer") : std::nullopt);
  }
}

// Rule: a member id handed out with MEMBER_ID_REQUIRED is forgotten when the
// member does not come back within its session timeout.
TEST_F(GroupTest, PendingMemberExpiresAfterTheSessionTimeout) {
  JoinGroupResponse first =
      Call<JoinGroupResponse>(ApiKey::kJoinGroup, 4, Join());
  ASSERT_EQ(first.error_code, ErrorCode::kMemberIdRequired);
  sim_.RunFor(kSessionMs + 1'000);
  EXPECT_EQ(
      Call<JoinGroupResponse>(ApiKey::kJoinGroup, 4, Join(first.member_id))
          .error_code,
      ErrorCode::kUnknownMemberId);
}

// Rule: while a member is pending (answered MEMBER_ID_REQUIRED, not yet
// back), the join barrier waits for it as for any member, as in Kafka's
// hasAllMembersJoined.
TEST_F(TwoMemberGroupTest, PendingMemberHoldsTheJoinBarrier) {
  SyncBoth();
  JoinGroupResponse required =
      Call<JoinGroupResponse>(ApiKey::kJoinGroup, 4, Join(), kThirdClient);
  ASSERT_EQ(required.error_code, ErrorCode::kMemberIdRequired);
  std::optional<JoinGroupResponse> leader_again, follower_again, third;
  Send(ApiKey::kJoinGroup, 2, Join(leader_.member_id), leader_again,
       leader_node_);
  Send(ApiKey::kJoinGroup, 2, Join(follower_.member_id), follower_again,
       follower_node_);
  sim_.RunFor(1'000);
  EXPECT_FALSE(leader_again || follower_again) << "waiting for the pending";
  Send(ApiKey::kJoinGroup, 4, Join(required.member_id), third, kThirdClient);
  sim_.RunUntil([&] { return leader_again && follower_again && third; }, 100);
  ASSERT_TRUE(leader_again && third);
  EXPECT_EQ(third->generation_id, 2);
  EXPECT_EQ(leader_again->members.size(), 3u);
}

// Rule: SyncGroup v5 names the protocol type and assignor the member synced
// for: missing, or not the group's, is INCONSISTENT_GROUP_PROTOCOL. The v5
// answer echoes them. Earlier versions do not carry them.
TEST_F(GroupTest, SyncGroupChecksTheProtocolFromVersion5) {
  JoinGroupResponse joined =
      Call<JoinGroupResponse>(ApiKey::kJoinGroup, 2, Join());
  SyncGroupRequest sync =
      SyncOf(1, joined.member_id, {{joined.member_id, ToBytes("p0")}});
  auto sync_error = [&](int16_t version) {
    return Call<SyncGroupResponse>(ApiKey::kSyncGroup, version, sync)
        .error_code;
  };
  EXPECT_EQ(sync_error(5), ErrorCode::kInconsistentGroupProtocol) << "null";
  sync.protocol_type = "consumer";
  sync.protocol_name = "roundrobin";
  EXPECT_EQ(sync_error(5), ErrorCode::kInconsistentGroupProtocol);
  sync.protocol_type = "connect";
  sync.protocol_name = "range";
  EXPECT_EQ(sync_error(5), ErrorCode::kInconsistentGroupProtocol);
  EXPECT_EQ(coordinator().StateOf("g"), GroupState::kCompletingRebalance);
  sync.protocol_type = "consumer";
  SyncGroupResponse synced =
      Call<SyncGroupResponse>(ApiKey::kSyncGroup, 5, sync);
  EXPECT_EQ(synced.error_code, ErrorCode::kNone);
  EXPECT_EQ(synced.protocol_type, "consumer");
  EXPECT_EQ(synced.protocol_name, "range");
  EXPECT_EQ(synced.assignment, ToBytes("p0"));
  sync.protocol_name = "roundrobin";  // not on the wire before v5
  EXPECT_EQ(sync_error(4), ErrorCode::kNone);
}

// Rule: OffsetCommit v6+ keeps each offset's leader epoch (KIP-320), in the
// offset record too, and OffsetFetch v5+ returns it; before v6 it is -1.
TEST_F(GroupTest, CommittedLeaderEpochIsKept) {
  OffsetCommitRequest commit = CommitOf(-1, "",
                                        {{.partition_index = 0,
                                          .committed_offset = 42,
                                          .committed_leader_epoch = 7}});
  commit.topics[0].partitions.push_back({.partition_index = 1,
                                         .committed_offset = 9,
                                         .committed_leader_epoch = 7});
  Call<OffsetCommitResponse>(ApiKey::kOffsetCommit, 6, commit);
  commit.topics[0].partitions.erase(commit.topics[0].partitions.begin());
  Call<OffsetCommitResponse>(ApiKey::kOffsetCommit, 5, commit);  // no epoch
  sim_.Crash(kBroker, Simulation::CrashKind::kProcessCrash);
  sim_.Restart(kBroker);
  OffsetFetchResponse fetched = Call<OffsetFetchResponse>(
      ApiKey::kOffsetFetch, 5, OffsetFetchRequest{"g", {{{"orders", {0, 1}}}}});
  EXPECT_EQ(fetched.topics[0].partitions[0].committed_offset, 42);
  EXPECT_EQ(fetched.topics[0].partitions[0].committed_leader_epoch, 7);
  EXPECT_EQ(fetched.topics[0].partitions[1].committed_offset, 9);
  EXPECT_EQ(fetched.topics[0].partitions[1].committed_leader_epoch, -1);
}

// Static members (KIP-345): A ("instance-a") and B ("instance-b") joined with
// JoinGroup v5 and synced: generation 1, A leads (its member id,
// "instance-a-<uuid>", sorts first), A has "p0" and B "p1".
class StaticGroupTest : public GroupTest {
 protected:
  JoinGroupRequest StaticJoin(const std::string& instance,
                              const std::string& member_id = "",
                              std::vector<std::string> protocols = {
                                  "range", "roundrobin"}) {
    JoinGroupRequest request = Join(member_id, protocols);
    request.group_instance_id = instance;
    return request;
  }

  void SetUp() override {
    std::optional<JoinGroupResponse> a, b;
    Send(ApiKey::kJoinGroup, 5, StaticJoin("instance-a"), a, kClient);
    Send(ApiKey::kJoinGroup, 5, StaticJoin("instance-b"), b, kOtherClient);
    sim_.RunUntil([&] { return a && b; }, 10'000);
    ASSERT_TRUE(a && b);
    a_ = *a;
    b_ = *b;
    ASSERT_EQ(a_.leader, a_.member_id);
    ASSERT_THAT(a_.member_id, ::testing::StartsWith("instance-a-"));
    std::optional<SyncGroupResponse> b_sync;
    Send(ApiKey::kSyncGroup, 3, SyncOf(1, b_.member_id), b_sync, kOtherClient);
    Call<SyncGroupResponse>(
        ApiKey::kSyncGroup, 3,
        SyncOf(1, a_.member_id,
               {{a_.member_id, ToBytes("p0")}, {b_.member_id, ToBytes("p1")}}),
        kClient);
    sim_.RunUntil([&] { return b_sync.has_value(); }, 1'000);
    ASSERT_EQ(coordinator().StateOf("g"), GroupState::kStable);
  }

  JoinGroupResponse a_, b_;
};

// Rule: a static member that restarts (joins with its instance id and no
// member id) gets a new member id in the same generation, without a
// rebalance, and keeps its assignment. A restarted leader is told, before
// JoinGroup v9, the old leader id, so that it does not reassign; from v9 it
// is the leader with skip_assignment, and sees the members (KIP-814).
TEST_F(StaticGroupTest, RestartedMemberKeepsItsAssignment) {
  std::string current = a_.member_id;
  for (int16_t v = 5; v <= 9; ++v) {
    JoinGroupResponse rejoined = Call<JoinGroupResponse>(
        ApiKey::kJoinGroup, v, StaticJoin("instance-a"), kThirdClient);
    EXPECT_EQ(rejoined.error_code, ErrorCode::kNone) << "v" << v;
    EXPECT_EQ(rejoined.generation_id, 1) << "no rebalance";
    EXPECT_NE(rejoined.member_id, current);
    EXPECT_THAT(rejoined.member_id, ::testing::StartsWith("instance-a-"));
    if (v < 9) {
      EXPECT_EQ(rejoined.leader, current) << "v" << v;
      EXPECT_TRUE(rejoined.members.empty());
    } else {
      EXPECT_EQ(rejoined.leader, rejoined.member_id);
      EXPECT_TRUE(rejoined.skip_assignment);
      ASSERT_EQ(rejoined.members.size(), 2u);
      EXPECT_EQ(rejoined.members[0].group_instance_id, "instance-a");
    }
    EXPECT_EQ(
        Call<SyncGroupResponse>(ApiKey::kSyncGroup, 3,
                                SyncOf(1, rejoined.member_id), kThirdClient)
            .assignment,
        ToBytes("p0"));
    EXPECT_EQ(coordinator().StateOf("g"), GroupState::kStable);
    current = rejoined.member_id;
  }
  EXPECT_EQ(Heartbeat(b_.member_id, 1, kOtherClient), ErrorCode::kNone);
  // A follower that restarts follows the current leader.
  JoinGroupResponse b_again = Call<JoinGroupResponse>(
      ApiKey::kJoinGroup, 9, StaticJoin("instance-b"), kOtherClient);
  EXPECT_EQ(b_again.leader, current);
  EXPECT_FALSE(b_again.skip_assignment);
  EXPECT_EQ(Call<SyncGroupResponse>(ApiKey::kSyncGroup, 3,
                                    SyncOf(1, b_again.member_id), kOtherClient)
                .assignment,
            ToBytes("p1"));
}

// Rule: once its instance has restarted, the old member id is fenced: a
// request with the instance id and the old member id gets FENCED_INSTANCE_ID
// (Heartbeat and SyncGroup from v3, JoinGroup from v5, OffsetCommit from
// v7); versions without the instance id get UNKNOWN_MEMBER_ID.
TEST_F(StaticGroupTest, OldMemberIdIsFenced) {
  const std::string old_id = a_.member_id;
  JoinGroupResponse restarted = Call<JoinGroupResponse>(
      ApiKey::kJoinGroup, 5, StaticJoin("instance-a"), kThirdClient);
  ASSERT_EQ(restarted.error_code, ErrorCode::kNone);
  auto expected = [](int16_t version, int16_t first_with_instance) {
    return version >= first_with_instance ? ErrorCode::kFencedInstanceId
                                          : ErrorCode::kUnknownMemberId;
  };
  for (int16_t v = 0; v <= 4; ++v) {
    EXPECT_EQ(
        Call<GroupErrorResponse>(ApiKey::kHeartbeat, v,
                                 HeartbeatRequest{"g", 1, old_id, "instance-a"})
            .error_code,
        expected(v, 3))
        << "Heartbeat v" << v;
  }
  SyncGroupRequest sync = SyncOf(1, old_id);
  sync.group_instance_id = "instance-a";
  sync.protocol_type = "consumer";
  sync.protocol_name = "range";
  for (int16_t v = 0; v <= 5; ++v) {
    EXPECT_EQ(Call<SyncGroupResponse>(ApiKey::kSyncGroup, v, sync).error_code,
              expected(v, 3))
        << "SyncGroup v" << v;
  }
  for (int16_t v = 0; v <= 9; ++v) {
    EXPECT_EQ(Call<JoinGroupResponse>(ApiKey::kJoinGroup, v,
                                      StaticJoin("instance-a", old_id))
                  .error_code,
              expected(v, 5))
        << "JoinGroup v" << v;
  }
  OffsetCommitRequest commit = CommitOf(1, old_id, {{0, 5, -1, {}}});
  commit.group_instance_id = "instance-a";
  for (int16_t v = 2; v <= 8; ++v) {
    EXPECT_EQ(Call<OffsetCommitResponse>(ApiKey::kOffsetCommit, v, commit)
                  .topics[0]
                  .partitions[0]
                  .error_code,
              expected(v, 7))
        << "OffsetCommit v" << v;
  }
  EXPECT_EQ(Call<GroupErrorResponse>(
                ApiKey::kHeartbeat, 4,
                HeartbeatRequest{"g", 1, restarted.member_id, "instance-a"})
                .error_code,
            ErrorCode::kNone);
  // An instance id the group does not know, with a member id it knows.
  EXPECT_EQ(Call<JoinGroupResponse>(ApiKey::kJoinGroup, 5,
                                    StaticJoin("instance-z", b_.member_id),
                                    kOtherClient)
                .error_code,
            ErrorCode::kUnknownMemberId);
  EXPECT_EQ(coordinator().StateOf("g"), GroupState::kStable);
}

// Rule: a JoinGroup still waiting under the old member id when its instance
// restarts is answered FENCED_INSTANCE_ID (a duplicate of the instance);
// the restarted member takes its place in the rebalance.
TEST_F(StaticGroupTest, WaitingJoinOfTheOldMemberIdIsFenced) {
  std::optional<JoinGroupResponse> c, a_waiting, a_restarted;
  Send(ApiKey::kJoinGroup, 2, Join(), c, kThirdClient);  // a rebalance
  Send(ApiKey::kJoinGroup, 5, StaticJoin("instance-a", a_.member_id), a_waiting,
       kClient);
  sim_.RunFor(100);
  ASSERT_FALSE(a_waiting.has_value()) << "waiting for B";
  const NodeId restarted_node = cluster_.AddIdleClient();
  Send(ApiKey::kJoinGroup, 5, StaticJoin("instance-a"), a_restarted,
       restarted_node);
  sim_.RunUntil([&] { return a_waiting.has_value(); }, 100);
  ASSERT_TRUE(a_waiting.has_value());
  EXPECT_EQ(a_waiting->error_code, ErrorCode::kFencedInstanceId);
  JoinGroupResponse b_again = Call<JoinGroupResponse>(
      ApiKey::kJoinGroup, 5, StaticJoin("instance-b", b_.member_id),
      kOtherClient);
  sim_.RunUntil([&] { return a_restarted && c; }, 100);
  ASSERT_TRUE(a_restarted.has_value());
  EXPECT_EQ(a_restarted->generation_id, 2);
  EXPECT_EQ(a_restarted->leader, a_restarted->member_id);
  EXPECT_EQ(a_restarted->members.size(), 3u);
}

// Rule: a static member that restarts with protocols that change the
// group's assignor does rebalance.
TEST_F(StaticGroupTest, RestartThatChangesTheAssignorRebalances) {
  std::optional<JoinGroupResponse> rejoined;
  Send(ApiKey::kJoinGroup, 5,
       StaticJoin("instance-a", "", {"roundrobin", "range"}), rejoined,
       kThirdClient);
  sim_.RunFor(100);
  EXPECT_FALSE(rejoined.has_value()) << "waiting for B to rejoin";
  EXPECT_EQ(coordinator().StateOf("g"), GroupState::kPreparingRebalance);
  JoinGroupResponse b_again = Call<JoinGroupResponse>(
      ApiKey::kJoinGroup, 5, StaticJoin("instance-b", b_.member_id),
      kOtherClient);
  EXPECT_EQ(b_again.generation_id, 2);
  EXPECT_EQ(b_again.protocol_name, "roundrobin");
}

// Rule: a static member leaves when its session times out, like any member;
// its instance id is then free, and a join with it adds a new member.
TEST_F(StaticGroupTest, SessionTimeoutRemovesAStaticMember) {
  for (int ms = 0; ms <= kSessionMs; ms += 2'000) {
    sim_.RunFor(2'000);
    Heartbeat(b_.member_id, 1, kOtherClient);  // A is silent
  }
  JoinGroupResponse b_again = Call<JoinGroupResponse>(
      ApiKey::kJoinGroup, 5, StaticJoin("instance-b", b_.member_id),
      kOtherClient);
  EXPECT_EQ(b_again.generation_id, 2);
  EXPECT_EQ(b_again.members.size(), 1u);
  std::optional<JoinGroupResponse> a_again;
  Send(ApiKey::kJoinGroup, 5, StaticJoin("instance-a"), a_again, kThirdClient);
  sim_.RunFor(100);
  EXPECT_FALSE(a_again.has_value()) << "a new member: a rebalance";
  EXPECT_EQ(coordinator().StateOf("g"), GroupState::kPreparingRebalance);
}

// Rule: LeaveGroup v3+ names many members, each by member id, instance id or
// both, and answers an error per member: UNKNOWN_MEMBER_ID for a stranger,
// FENCED_INSTANCE_ID for an instance id with another member id; an unknown
// group answers every member UNKNOWN_MEMBER_ID. Up to v2 one member leaves,
// and its error is the answer's.
TEST_F(StaticGroupTest, LeaveGroupAnswersEachMember) {
  for (int16_t v = 3; v <= 5; ++v) {
    LeaveGroupRequest leave{
        .group_id = "g",
        .members = {{.member_id = "stranger"},
                    {.member_id = "bogus", .group_instance_id = "instance-a"},
                    {.member_id = "", .group_instance_id = "instance-z"}}};
    LeaveGroupResponse left =
        Call<LeaveGroupResponse>(ApiKey::kLeaveGroup, v, leave);
    EXPECT_EQ(left.error_code, ErrorCode::kNone) << "v" << v;
    ASSERT_EQ(left.members.size(), 3u);
    EXPECT_EQ(left.members[0].member_id, "stranger");
    EXPECT_EQ(left.members[0].error_code, ErrorCode::kUnknownMemberId);
    EXPECT_EQ(left.members[1].group_instance_id, "instance-a");
    EXPECT_EQ(left.members[1].error_code, ErrorCode::kFencedInstanceId);
    EXPECT_EQ(left.members[2].error_code, ErrorCode::kUnknownMemberId);
    LeaveGroupResponse unknown_group = Call<LeaveGroupResponse>(
        ApiKey::kLeaveGroup, v,
        LeaveGroupRequest{.group_id = "nope", .members = {{.member_id = "m"}}});
    EXPECT_EQ(unknown_group.error_code, ErrorCode::kNone);
    EXPECT_EQ(unknown_group.members[0].error_code, ErrorCode::kUnknownMemberId);
  }
  EXPECT_EQ(coordinator().StateOf("g"), GroupState::kStable);
  for (int16_t v = 0; v <= 2; ++v) {
    EXPECT_EQ(Call<LeaveGroupResponse>(ApiKey::kLeaveGroup, v,
                                       LeaveGroupRequest{"g", "stranger"})
                  .error_code,
              ErrorCode::kUnknownMemberId);
  }
  // By instance id alone (an administrator's removal), then by member id.
  LeaveGroupResponse left = Call<LeaveGroupResponse>(
      ApiKey::kLeaveGroup, 5,
      LeaveGroupRequest{
          .group_id = "g",
          .members = {
              {.group_instance_id = "instance-b", .reason = "admin"},
              {.member_id = a_.member_id, .group_instance_id = "instance-a"}}});
  EXPECT_EQ(left.members[0].error_code, ErrorCode::kNone);
  EXPECT_EQ(left.members[1].error_code, ErrorCode::kNone);
  EXPECT_EQ(coordinator().StateOf("g"), GroupState::kEmpty);
}

// Rule: a pending member (MEMBER_ID_REQUIRED) may leave by its member id.
TEST_F(GroupTest, PendingMemberMayLeave) {
  JoinGroupResponse first =
      Call<JoinGroupResponse>(ApiKey::kJoinGroup, 4, Join());
  ASSERT_EQ(first.error_code, ErrorCode::kMemberIdRequired);
  EXPECT_EQ(Call<LeaveGroupResponse>(ApiKey::kLeaveGroup, 1,
                                     LeaveGroupRequest{"g", first.member_id})
                .error_code,
            ErrorCode::kNone);
  EXPECT_EQ(
      Call<JoinGroupResponse>(ApiKey::kJoinGroup, 4, Join(first.member_id))
          .error_code,
      ErrorCode::kUnknownMemberId);
}

// Rule: DescribeGroups v4+ shows each member's group_instance_id; v3+ asked
// for authorized operations answers those of a group without an authorizer
// (READ, DELETE, DESCRIBE), and otherwise leaves them unset.
TEST_F(StaticGroupTest, DescribeShowsInstanceIdsAndOperations) {
  for (int16_t v = 0; v <= 5; ++v) {
    DescribeGroupsRequest request{.groups = {"g"},
                                  .include_authorized_operations = true};
    DescribeGroupsResponse described =
        Call<DescribeGroupsResponse>(ApiKey::kDescribeGroups, v, request);
    const auto& group = described.groups.at(0);
    ASSERT_EQ(group.members.size(), 2u);
    EXPECT_EQ(group.members[0].group_instance_id,
              v >= 4 ? std::optional<std::string>("instance-a") : std::nullopt)
        << "v" << v;
    EXPECT_EQ(group.authorized_operations,
              v >= 3 ? (1 << 3) | (1 << 6) | (1 << 8) : INT32_MIN)
        << "v" << v;
    request.include_authorized_operations = false;
    EXPECT_EQ(Call<DescribeGroupsResponse>(ApiKey::kDescribeGroups, v, request)
                  .groups.at(0)
                  .authorized_operations,
              INT32_MIN);
  }
}

}  // namespace
}  // namespace kafka
