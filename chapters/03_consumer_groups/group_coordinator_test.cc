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
      SyncGroupRequest{
          "g", 1, joined.member_id, {{joined.member_id, ToBytes("p0")}}});
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
       SyncGroupRequest{"g", follower.generation_id, follower.member_id, {}},
       follower_sync, follower_node);
  sim_.RunFor(1000);
  EXPECT_FALSE(follower_sync.has_value()) << "waits for the leader";
  SyncGroupRequest assignments{
      "g",
      leader.generation_id,
      leader.member_id,
      {{leader.member_id, ToBytes("p0")}, {follower.member_id, ToBytes("p1")}}};
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
  SyncGroupRequest assignments{
      "g",
      leader.generation_id,
      leader.member_id,
      {{leader.member_id, ToBytes("p0")}, {follower.member_id, ToBytes("p1")}}};
  Call<SyncGroupResponse>(ApiKey::kSyncGroup, 1, assignments, leader_node);
  EXPECT_EQ(coordinator().StateOf("g"), GroupState::kStable);
  SyncGroupResponse late = Call<SyncGroupResponse>(
      ApiKey::kSyncGroup, 1,
      SyncGroupRequest{"g", follower.generation_id, follower.member_id, {}},
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
  Call<SyncGroupResponse>(ApiKey::kSyncGroup, 1,
                          SyncGroupRequest{"g", 1, first.member_id, {}});
  std::optional<JoinGroupResponse> second;
  Send(ApiKey::kJoinGroup, 2, Join(), second, kOtherClient);
  sim_.RunFor(50);
  EXPECT_EQ(Heartbeat(first.member_id, 1), ErrorCode::kRebalanceInProgress);
  EXPECT_EQ(
      Call<SyncGroupResponse>(ApiKey::kSyncGroup, 1,
                              SyncGroupRequest{"g", 1, first.member_id, {}})
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
  Call<GroupErrorResponse>(ApiKey::kLeaveGroup, 1,
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
  EXPECT_EQ(
      Call<SyncGroupResponse>(ApiKey::kSyncGroup, 1,
                              SyncGroupRequest{"g", 0, joined.member_id, {}})
          .error_code,
      ErrorCode::kIllegalGeneration);
  EXPECT_EQ(Call<SyncGroupResponse>(ApiKey::kSyncGroup, 1,
                                    SyncGroupRequest{"g", 1, "stranger", {}})
                .error_code,
            ErrorCode::kUnknownMemberId);
  OffsetCommitRequest commit;
  commit.group_id = "g";
  commit.generation_id = 0;
  commit.member_id = joined.member_id;
  commit.topics = {{"orders", {{0, 5, std::nullopt}}}};
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
  EXPECT_EQ(Call<GroupErrorResponse>(ApiKey::kLeaveGroup, 1,
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
  commit.topics = {{"orders", {{0, 42, "meta"}}}};
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
    Send(ApiKey::kSyncGroup, 1,
         SyncGroupRequest{"g", 1, follower_.member_id, {}}, follower_sync,
         follower_node_);
    Call<SyncGroupResponse>(
        ApiKey::kSyncGroup, 1,
        SyncGroupRequest{"g",
                         1,
                         leader_.member_id,
                         {{leader_.member_id, ToBytes("p0")},
                          {follower_.member_id, ToBytes("p1")}}},
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
  Call<GroupErrorResponse>(ApiKey::kLeaveGroup, 1,
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
  Send(ApiKey::kSyncGroup, 1, SyncGroupRequest{"g", 1, follower.member_id, {}},
       follower_sync, follower_node);
  Call<SyncGroupResponse>(
      ApiKey::kSyncGroup, 1,
      SyncGroupRequest{
          "g", 1, leader.member_id, {{follower.member_id, ToBytes("p0")}}},
      leader_node);
  sim_.RunUntil([&] { return follower_sync.has_value(); }, 1'000);
  EXPECT_EQ(follower_sync->assignment, ToBytes("p0"));
  // Generation 2: the leader now keeps everything for itself.
  std::optional<JoinGroupResponse> l2, f2;
  Send(ApiKey::kJoinGroup, 2, Join(leader.member_id), l2, leader_node);
  Send(ApiKey::kJoinGroup, 2, Join(follower.member_id), f2, follower_node);
  sim_.RunUntil([&] { return l2 && f2; }, 40'000);
  std::optional<SyncGroupResponse> f2_sync;
  Send(ApiKey::kSyncGroup, 1, SyncGroupRequest{"g", 2, follower.member_id, {}},
       f2_sync, follower_node);
  Call<SyncGroupResponse>(
      ApiKey::kSyncGroup, 1,
      SyncGroupRequest{
          "g", 2, leader.member_id, {{leader.member_id, ToBytes("all")}}},
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
      ApiKey::kSyncGroup, 1, SyncGroupRequest{"g", 1, follower_.member_id, {}},
      follower_node_);
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
  Send(ApiKey::kSyncGroup, 1, SyncGroupRequest{"g", 2, follower_.member_id, {}},
       follower_sync, follower_node_);
  Call<SyncGroupResponse>(ApiKey::kSyncGroup, 1,
                          SyncGroupRequest{"g", 2, leader_.member_id, {}},
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
  std::optional<GroupErrorResponse> left;
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
  Send(ApiKey::kSyncGroup, 1, SyncGroupRequest{"g", 1, follower_.member_id, {}},
       waiting, follower_node_);
  sim_.RunFor(100);
  ASSERT_FALSE(waiting.has_value()) << "waits for the leader";
  std::optional<GroupErrorResponse> left;
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
  SyncGroupRequest sync{"g", 1, follower_.member_id, {}};
  Send(ApiKey::kSyncGroup, 1, sync, first, follower_node_);
  Send(ApiKey::kSyncGroup, 1, sync, second, follower_node_);
  sim_.RunUntil([&] { return first.has_value(); }, 1'000);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->error_code, ErrorCode::kRebalanceInProgress);
  Call<SyncGroupResponse>(
      ApiKey::kSyncGroup, 1,
      SyncGroupRequest{
          "g", 1, leader_.member_id, {{follower_.member_id, ToBytes("p1")}}},
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
      ApiKey::kOffsetCommit, 2, CommitOf(3, "old-member", {{0, 5, {}}}));
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
      CommitOf(
          -1, "",
          {{0, 5, std::string(4097, 'm')}, {1, 7, std::string(4096, 'm')}}));
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
      CommitOf(-1, "", {{0, 5, std::string(2000, 'm')}, {1, 7, {}}}));
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
                             CommitOf(-1, "", {{0, 5, {}}}));
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
  Call<GroupErrorResponse>(ApiKey::kLeaveGroup, 1,
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
  Send(ApiKey::kSyncGroup, 1, SyncGroupRequest{"g", 1, follower_.member_id, {}},
       follower_sync, follower_node_);
  Call<SyncGroupResponse>(
      ApiKey::kSyncGroup, 1,
      SyncGroupRequest{
          "g",
          1,
          leader_.member_id,
          {{"stranger", ToBytes("p0")}, {follower_.member_id, ToBytes("p1")}}},
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
               CommitOf(generation, member, {{0, 5, {}}}), leader_node_)
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

}  // namespace
}  // namespace kafka
