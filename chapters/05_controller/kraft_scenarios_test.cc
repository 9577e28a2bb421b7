// The controller's scenarios (KAFKA_RULES §4(b)) on whole KRaft clusters in
// the simulator: three controllers that elect an active one among
// themselves, and brokers that register, heartbeat, and follow the
// metadata log. Nobody tells the controllers what happened: a broker that
// dies is noticed when its heartbeats stop, and the partitions it led get
// new leaders by Kafka's election rules. Scenarios 2 to 4 are the Raft
// layer's own, shown on a bare quorum (raft/kafka_raft_client_test.cc);
// scenario 1 is shown here again with brokers, which carry on.
#include <gtest/gtest.h>

#include <algorithm>

#include "chapters/05_controller/kraft_cluster.h"
#include "lib/protocol/alter_partition.h"
#include "lib/protocol/fetch.h"
#include "lib/protocol/messages/describe_quorum_request.h"
#include "lib/protocol/messages/describe_quorum_response.h"
#include "lib/protocol/metadata.h"

namespace kafka {
namespace {

const TopicPartition kOrders{"orders", 0};

bool Contains(const std::vector<NodeId>& ids, NodeId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

class KRaftScenariosTest : public ::testing::Test {
 protected:
  explicit KRaftScenariosTest(
      KRaftClusterConfig config = DefaultKRaftClusterConfig())
      : cluster_(17, 3, std::move(config)) {}

  void SetUp() override {
    ASSERT_TRUE(cluster_.RunUntilActiveController());
    ASSERT_TRUE(cluster_.RunUntilBrokersUnfenced());
  }

  PartitionState State(const TopicPartition& partition = kOrders) {
    return cluster_.state(partition).value();
  }
  int64_t Now() { return cluster_.sim().now_ms(); }
  const BrokerRegistration& Registration(NodeId broker) {
    return *cluster_.image()->broker(broker);
  }
  std::vector<std::string> Read(NodeId from, int64_t offset = 0) {
    return ValuesOf(cluster_.Fetch(from, kOrders, offset).records);
  }
  std::vector<std::string> LogOf(NodeId broker) {
    const ReplicatedPartition* replica = cluster_.replica(broker, kOrders);
    return replica == nullptr ? std::vector<std::string>{}
                              : LogValues(*replica);
  }
  ErrorCode ElectionError(const Result<ElectLeadersResponse>& answer) {
    if (!answer.ok()) return answer.error().code;
    if (answer->error_code != ErrorCode::kNone) return answer->error_code;
    return answer->replica_election_results.at(0)
        .partition_result.at(0)
        .error_code;
  }

  KRaftCluster cluster_;
};

// Scenario 1, with brokers: the active controller is cut off from every
// other node. The two other controllers elect one of themselves in a later
// epoch, the isolated one resigns when no majority fetches from it (check
// quorum), and the brokers move their heartbeats and requests to the new
// active controller: none is fenced, and a topic can still be created and
// written.
TEST_F(KRaftScenariosTest, AnIsolatedActiveControllerIsReplaced) {
  ASSERT_TRUE(cluster_.CreateTopic("orders", 1, 3).ok());
  const NodeId old_active = cluster_.active_controller().value();
  const int32_t old_epoch = cluster_.controller(old_active).raft().epoch();
  const int64_t cut_at = Now();
  cluster_.Partition({old_active}, cluster_.AllBut({old_active}));

  std::optional<int64_t> resigned_at;
  std::optional<int64_t> replaced_at;
  ASSERT_TRUE(cluster_.RunUntil(
      [&] {
        if (!resigned_at && cluster_.controller(old_active).raft().state() !=
                                RaftState::kLeader) {
          resigned_at = Now();
        }
        for (NodeId id : cluster_.controllers()) {
          if (!replaced_at && id != old_active &&
              cluster_.controller(id).controller().active()) {
            replaced_at = Now();
          }
        }
        return resigned_at && replaced_at;
      },
      10'000));
  const NodeId new_active = cluster_.active_controller().value();
  EXPECT_NE(new_active, old_active);
  EXPECT_GT(cluster_.controller(new_active).raft().epoch(), old_epoch);
  EXPECT_LT(*replaced_at - cut_at, 6'000)
      << "controller.quorum.fetch.timeout.ms, then an election";
  EXPECT_LE(*resigned_at - cut_at, 3'000)
      << "check quorum: no majority fetched for 1.5 x fetch.timeout.ms";
  EXPECT_FALSE(cluster_.controller(old_active).controller().active());

  cluster_.RunFor(12'000);  // longer than a broker session
  for (NodeId id : cluster_.brokers()) {
    EXPECT_FALSE(Registration(id).fenced) << "broker " << id;
    EXPECT_TRUE(cluster_.broker(id).is_unfenced()) << "broker " << id;
  }
  EXPECT_EQ(cluster_.Produce(State().leader, kOrders, {"after"}),
            ErrorCode::kNone);
  EXPECT_TRUE(cluster_.CreateTopic("payments", 1, 3).ok());
}

// kafka-metadata-quorum, pointed at a broker: the broker forwards
// DescribeQuorum to the quorum's leader, which lists the voters and, as
// observers, the brokers that follow the log.
TEST_F(KRaftScenariosTest, ABrokerForwardsDescribeQuorumToTheLeader) {
  DescribeQuorumRequest request{
      .topics = {{.topic_name = "__cluster_metadata",
                  .partitions = {{.partition_index = 0}}}}};
  Result<DescribeQuorumResponse> answer = cluster_.Call<DescribeQuorumResponse>(
      cluster_.client(), 2, ApiKey::kDescribeQuorum, 1, request);
  ASSERT_TRUE(answer.ok()) << answer.error();
  const auto& partition = answer->topics.at(0).partitions.at(0);
  EXPECT_EQ(partition.error_code, ErrorCode::kNone);
  EXPECT_EQ(partition.leader_id, cluster_.active_controller().value());
  EXPECT_EQ(partition.current_voters.size(), 3u);
  EXPECT_EQ(partition.observers.size(), 3u);
}

// Scenario 5: a broker that crashes is fenced once its session ends
// (broker.session.timeout.ms, 9 s after its last heartbeat), and each
// partition it led gets a new leader from the ISR, in the next leader
// epoch. What was committed is still there.
TEST_F(KRaftScenariosTest, ACrashedBrokerIsFencedAndANewLeaderComesFromTheIsr) {
  ASSERT_TRUE(cluster_.CreateTopic("orders", 1, 3).ok());
  ASSERT_TRUE(cluster_.RunUntilLeaderElected(kOrders));
  const PartitionState before = State();
  ASSERT_EQ(cluster_.Produce(before.leader, kOrders, {"a", "b"}),
            ErrorCode::kNone);
  ASSERT_TRUE(cluster_.RunUntilReplicated(kOrders));

  const NodeId dead = before.leader;
  const int64_t crashed_at = Now();
  cluster_.Crash(dead);
  cluster_.RunFor(5'000);
  EXPECT_EQ(State().leader, dead) << "its session has not ended yet";
  EXPECT_FALSE(Registration(dead).fenced);

  ASSERT_TRUE(cluster_.RunUntilState(
      kOrders, [&](const PartitionState& s) { return s.leader != dead; },
      20'000));
  const int64_t failover_ms = Now() - crashed_at;
  EXPECT_GE(failover_ms, 9'000 - 2'000) << "a session lasts 9 s from the "
                                           "last heartbeat, at most 2 s ago";
  EXPECT_LE(failover_ms, 9'000 + 2'000) << "checked every second";
  const PartitionState after = State();
  EXPECT_TRUE(Contains(before.isr, after.leader));
  EXPECT_EQ(after.leader_epoch, before.leader_epoch + 1);
  EXPECT_FALSE(Contains(after.isr, dead));
  EXPECT_TRUE(Registration(dead).fenced);

  ASSERT_TRUE(cluster_.RunUntilLeaderElected(kOrders));
  EXPECT_EQ(Read(after.leader), (std::vector<std::string>{"a", "b"}));
}

// A controlled shutdown (KAFKA_RULES §4(a), broker states): the broker
// asks to shut down in its heartbeat; the controller moves its leaderships
// to other ISR members and lets it go once it leads nothing. No partition
// waits for a session timeout, and none is ever without a leader.
TEST_F(KRaftScenariosTest, AControlledShutdownMovesLeadershipFirst) {
  ASSERT_TRUE(cluster_.CreateTopic("orders", 1, 3, {}, {{1, 2, 3}}).ok());
  ASSERT_TRUE(cluster_.RunUntilLeaderElected(kOrders));
  ASSERT_EQ(State().leader, 1);
  bool may_stop = false;
  bool leaderless = false;
  const int64_t asked_at = Now();
  cluster_.broker(1).BeginControlledShutdown([&] { may_stop = true; });
  ASSERT_TRUE(cluster_.RunUntil(
      [&] {
        if (State().leader < 0) leaderless = true;
        return may_stop;
      },
      20'000));
  EXPECT_LT(Now() - asked_at, 9'000) << "sooner than a session timeout";
  EXPECT_FALSE(leaderless);
  EXPECT_NE(State().leader, 1);
  EXPECT_FALSE(Contains(State().isr, 1));
  EXPECT_EQ(cluster_.broker(1).lifecycle().state(), BrokerState::kShuttingDown);
  cluster_.Stop(1);
  ASSERT_TRUE(cluster_.RunUntilLeaderElected(kOrders));
  EXPECT_EQ(cluster_.Produce(State().leader, kOrders, {"after"}),
            ErrorCode::kNone);
}

// Scenario 6: the ISR is {2} alone (broker 1 died and was fenced), and
// broker 2 dies too. With ELR off the ISR never empties: the partition is
// offline, leader -1, ISR still {2}. Broker 1 comes back, lagging: it is
// no ISR member, so a clean election cannot pick it. An unclean one can
// (ElectLeaders UNCLEAN): broker 1 leads with ISR {1}, and what broker 2
// had alone, acknowledged and committed, is lost; when broker 2 returns it
// follows broker 1 and truncates it away.
TEST_F(KRaftScenariosTest, AnUncleanElectionLosesWhatTheLastIsrMemberHad) {
  ASSERT_TRUE(cluster_.CreateTopic("orders", 1, 2, {}, {{2, 1}}).ok());
  ASSERT_TRUE(cluster_.RunUntilLeaderElected(kOrders));
  ASSERT_EQ(State().leader, 2);
  ASSERT_EQ(cluster_.Produce(2, kOrders, {"m0"}), ErrorCode::kNone);
  ASSERT_TRUE(cluster_.RunUntilReplicated(kOrders));

  // kill -9: what the page cache held survives, so that what is lost below
  // is lost by the election, not by the crash.
  cluster_.Crash(1, Simulation::CrashKind::kProcessCrash);
  ASSERT_TRUE(cluster_.RunUntilState(
      kOrders,
      [](const PartitionState& s) { return s.isr == std::vector<NodeId>{2}; },
      20'000));
  ASSERT_TRUE(cluster_.RunUntil(
      [&] {
        const ReplicatedPartition* leader = cluster_.replica(2, kOrders);
        return leader != nullptr && leader->isr() == std::vector<NodeId>{2};
      },
      5'000));
  ASSERT_EQ(cluster_.Produce(2, kOrders, {"m1", "m2"}), ErrorCode::kNone);
  ASSERT_TRUE(cluster_.RunUntil(
      [&] { return cluster_.replica(2, kOrders)->high_watermark() == 3; },
      5'000))
      << "committed: the ISR {2} has them";
  const int32_t epoch_before = State().leader_epoch;

  cluster_.Crash(2, Simulation::CrashKind::kProcessCrash);
  ASSERT_TRUE(cluster_.RunUntilState(
      kOrders, [](const PartitionState& s) { return s.leader == -1; }, 20'000));
  EXPECT_EQ(State().isr, std::vector<NodeId>{2}) << "the ISR never empties";

  cluster_.Restart(1);
  ASSERT_TRUE(
      cluster_.RunUntil([&] { return !Registration(1).fenced; }, 30'000));
  cluster_.RunFor(5'000);
  EXPECT_EQ(State().leader, -1) << "broker 1 is not in the ISR";

  EXPECT_EQ(ElectionError(cluster_.ElectLeaders(kUncleanElection, {kOrders},
                                                /*via=*/3)),
            ErrorCode::kNone);
  ASSERT_TRUE(cluster_.RunUntilLeaderElected(kOrders));
  EXPECT_EQ(State().leader, 1);
  EXPECT_EQ(State().isr, std::vector<NodeId>{1});
  EXPECT_GT(State().leader_epoch, epoch_before);
  ASSERT_EQ(cluster_.Produce(1, kOrders, {"m3"}), ErrorCode::kNone);
  EXPECT_EQ(Read(1), (std::vector<std::string>{"m0", "m3"}))
      << "m1 and m2 are lost";

  cluster_.Restart(2);
  ASSERT_TRUE(cluster_.RunUntil(
      [&] {
        return LogOf(2) == std::vector<std::string>{"m0", "m3"};
      },
      30'000))
      << "broker 2 holds " << ::testing::PrintToString(LogOf(2));
}

// Scenario 7: a restarted broker registers anew (a new broker epoch: the
// offset of its new RegisterBrokerRecord) and stays fenced until it has
// replayed the metadata log up to that record; only then may it lead or
// join an ISR. The cluster wrote a lot while it was down. (KIP-903's other
// half is the next test.)
TEST_F(KRaftScenariosTest, ARestartedBrokerStaysFencedUntilItCaughtUp) {
  const int64_t old_epoch = Registration(3).epoch;
  cluster_.Crash(3);
  ASSERT_TRUE(
      cluster_.RunUntil([&] { return Registration(3).fenced; }, 20'000));
  for (const char* topic : {"t1", "t2", "t3", "t4"}) {
    ASSERT_TRUE(cluster_.CreateTopic(topic, 2, 2).ok()) << topic;
  }

  cluster_.Restart(3);
  bool seen_fenced_registration = false;
  std::vector<std::string> violations;
  ASSERT_TRUE(cluster_.RunUntil(
      [&] {
        const BrokerRegistration& now = Registration(3);
        if (now.epoch == old_epoch) return false;
        if (now.fenced) {
          seen_fenced_registration = true;
          return false;
        }
        if (cluster_.sim().is_up(3) &&
            cluster_.broker(3).metadata_listener().published_offset() <
                now.epoch) {
          violations.push_back("unfenced before replaying its registration");
        }
        return true;
      },
      30'000));
  EXPECT_GT(Registration(3).epoch, old_epoch);
  EXPECT_TRUE(seen_fenced_registration);
  EXPECT_TRUE(violations.empty()) << violations.front();
  EXPECT_TRUE(cluster_.broker(3).metadata().TopicId("t4").has_value());
}

// Scenario 7, KIP-903: a fetch that names a broker's earlier incarnation
// cannot bring the broker back into an ISR. Broker 3 crashed with a log
// behind the leader's, and came back as a new registration (a new broker
// epoch); it cannot reach the leader yet. A fetch its old incarnation sent
// before the crash, held up in the network, now reaches the leader and says
// broker 3 has the whole log: it names the old epoch, so the leader does not
// propose broker 3 for the ISR. An AlterPartition naming that epoch, as a
// leader that misjudged it might send, is refused by the controller
// (INELIGIBLE_REPLICA). Broker 3 rejoins only once its own fetches show it
// caught up.
TEST_F(KRaftScenariosTest, AFetchOfAnEarlierIncarnationCannotRejoinTheIsr) {
  ASSERT_TRUE(cluster_.CreateTopic("orders", 1, 3, {}, {{1, 2, 3}}).ok());
  ASSERT_TRUE(cluster_.RunUntilLeaderElected(kOrders));
  ASSERT_EQ(cluster_.Produce(1, kOrders, {"a"}), ErrorCode::kNone);
  ASSERT_TRUE(cluster_.RunUntilReplicated(kOrders));
  const int64_t old_epoch = Registration(3).epoch;
  cluster_.Crash(3);
  ASSERT_TRUE(cluster_.RunUntilState(
      kOrders, [](const PartitionState& s) { return !Contains(s.isr, 3); },
      20'000));
  ASSERT_EQ(cluster_.Produce(1, kOrders, {"b", "c"}), ErrorCode::kNone);
  cluster_.Partition({3}, {1});
  cluster_.Restart(3);
  // Until the leader's metadata has broker 3's new registration, unfenced.
  ASSERT_TRUE(cluster_.RunUntil(
      [&] {
        std::optional<int64_t> known =
            cluster_.broker(1).metadata().GetAliveBrokerEpoch(3);
        return known && *known != old_epoch;
      },
      30'000));

  // The stale fetch, from the leader's log end, as if broker 3 had it all;
  // broker 1 is cut off from the controllers meanwhile, so that a proposal
  // it made would still be in flight.
  const ReplicatedPartition& leader = *cluster_.replica(1, kOrders);
  FetchRequest stale;
  stale.replica_state = {.replica_id = 3, .replica_epoch = old_epoch};
  stale.max_wait_ms = 0;
  stale.topics = {
      {.topic_id = cluster_.broker(1).metadata().TopicId("orders").value(),
       .partitions = {
           {.partition = 0,
            .current_leader_epoch = State().leader_epoch,
            .fetch_offset = leader.log_end_offset(),
            .last_fetched_epoch = leader.last_fetched_epoch().value_or(-1)}}}};
  cluster_.Partition({1}, cluster_.controllers());
  Result<FetchResponse> fetched = cluster_.Call<FetchResponse>(
      cluster_.client(), 1, ApiKey::kFetch, 15, stale);
  ASSERT_TRUE(fetched.ok()) << fetched.error().ToString();
  EXPECT_FALSE(leader.pending_isr_change().has_value())
      << "the leader proposed broker 3 on its old incarnation's fetch";
  cluster_.Heal();
  cluster_.Partition({3}, {1});

  AlterPartitionRequest misjudged{
      .broker_id = 1,
      .broker_epoch = Registration(1).epoch,
      .topics = {
          {.topic_id = *cluster_.broker(1).metadata().TopicId("orders"),
           .partitions = {{.partition_index = 0,
                           .leader_epoch = State().leader_epoch,
                           .new_isr_with_epochs = {{1, Registration(1).epoch},
                                                   {2, Registration(2).epoch},
                                                   {3, old_epoch}},
                           .partition_epoch = State().partition_epoch}}}}};
  Result<AlterPartitionResponse> refused =
      cluster_.Call<AlterPartitionResponse>(
          cluster_.client(), *cluster_.active_controller(),
          ApiKey::kAlterPartition, 3, misjudged);
  ASSERT_TRUE(refused.ok()) << refused.error().ToString();
  EXPECT_EQ(refused->topics.at(0).partitions.at(0).error_code,
            ErrorCode::kIneligibleReplica);
  cluster_.RunFor(2'000);
  EXPECT_FALSE(Contains(State().isr, 3));

  cluster_.Heal();
  ASSERT_TRUE(cluster_.RunUntilState(
      kOrders, [](const PartitionState& s) { return Contains(s.isr, 3); },
      30'000));
  EXPECT_EQ(LogOf(3), (std::vector<std::string>{"a", "b", "c"}));
}

// A broker's metadata lags the controller's: a restarted broker has not
// caught up yet. A producer's Metadata naming a topic this broker does not
// know yet asks the controller to create it (auto.create.topics.enable),
// which answers TOPIC_ALREADY_EXISTS. That is no error for the producer:
// the topic is LEADER_NOT_AVAILABLE (retriable) until this broker learns of
// it, as Kafka's AutoTopicCreationManager answers. (librdkafka fails every
// queued record of a topic whose Metadata error is not retriable.)
TEST_F(KRaftScenariosTest,
       AutoCreationOfATopicOnlyTheControllerKnowsIsRetried) {
  cluster_.Crash(3);
  ASSERT_TRUE(cluster_.CreateTopic("orders", 1, 2, {}, {{1, 2}}).ok());
  cluster_.Restart(3);
  ASSERT_FALSE(cluster_.broker(3).metadata().TopicId("orders").has_value());
  Result<MetadataResponse> answer = cluster_.Call<MetadataResponse>(
      cluster_.client(), 3, ApiKey::kMetadata, 12,
      MetadataRequestFor({"orders"}), 20'000);
  ASSERT_TRUE(answer.ok()) << answer.error().ToString();
  const ErrorCode error = answer->topics.at(0).error_code;
  EXPECT_TRUE(error == ErrorCode::kLeaderNotAvailable ||
              error == ErrorCode::kNone)
      << ErrorName(error);
}

class PreferredLeaderTest : public KRaftScenariosTest {
 protected:
  static KRaftClusterConfig WithoutAutoRebalance() {
    KRaftClusterConfig config = DefaultKRaftClusterConfig();
    config.controller.auto_leader_rebalance_enable = false;
    return config;
  }
  PreferredLeaderTest() : KRaftScenariosTest(WithoutAutoRebalance()) {}

  // Broker 1, the preferred leader, dies and leadership moves to 2; it
  // comes back cut off from the other brokers, so that it cannot catch up
  // and stays out of the ISR.
  void LoseThePreferredLeader() {
    ASSERT_TRUE(cluster_.CreateTopic("orders", 1, 3, {}, {{1, 2, 3}}).ok());
    ASSERT_TRUE(cluster_.RunUntilLeaderElected(kOrders));
    ASSERT_EQ(State().leader, 1);
    cluster_.Crash(1);
    ASSERT_TRUE(cluster_.RunUntilState(
        kOrders, [](const PartitionState& s) { return s.leader != 1; },
        20'000));
    ASSERT_TRUE(cluster_.RunUntilLeaderElected(kOrders));
    ASSERT_EQ(cluster_.Produce(State().leader, kOrders, {"x"}),
              ErrorCode::kNone);
    cluster_.Partition({1}, {2, 3});
    cluster_.Restart(1);
    ASSERT_TRUE(
        cluster_.RunUntil([&] { return !Registration(1).fenced; }, 30'000));
  }
};

// Scenario 8: the preferred leader (the first replica) is never elected
// while it is outside the ISR: PREFERRED_LEADER_NOT_AVAILABLE. Once it
// has caught up and is back in the ISR, ElectLeaders PREFERRED moves
// leadership back to it.
TEST_F(PreferredLeaderTest, ThePreferredLeaderReturnsOnlyFromTheIsr) {
  LoseThePreferredLeader();
  const NodeId interim = State().leader;
  ASSERT_FALSE(Contains(State().isr, 1));
  Result<ElectLeadersResponse> refused =
      cluster_.ElectLeaders(kPreferredElection, {kOrders}, /*via=*/1);
  EXPECT_EQ(ElectionError(refused), ErrorCode::kPreferredLeaderNotAvailable)
      << (refused.ok() ? "" : refused.error().message);
  cluster_.RunFor(2'000);
  EXPECT_EQ(State().leader, interim);

  cluster_.Heal();
  ASSERT_TRUE(cluster_.RunUntilState(
      kOrders, [](const PartitionState& s) { return Contains(s.isr, 1); },
      30'000));
  const int32_t epoch = State().leader_epoch;
  EXPECT_EQ(ElectionError(cluster_.ElectLeaders(kPreferredElection, {kOrders},
                                                /*via=*/1)),
            ErrorCode::kNone);
  ASSERT_TRUE(cluster_.RunUntilLeaderElected(kOrders));
  EXPECT_EQ(State().leader, 1);
  EXPECT_EQ(State().leader_epoch, epoch + 1);
  EXPECT_EQ(Read(1), std::vector<std::string>{"x"});
}

class AutoRebalanceTest : public KRaftScenariosTest {
 protected:
  static KRaftClusterConfig WithFrequentChecks() {
    KRaftClusterConfig config = DefaultKRaftClusterConfig();
    config.controller.leader_imbalance_check_interval_ms = 5'000;
    return config;
  }
  AutoRebalanceTest() : KRaftScenariosTest(WithFrequentChecks()) {}
};

// Scenario 8, automatically: with auto.leader.rebalance.enable the active
// controller moves leadership back to the preferred replica by itself, at
// a check (leader.imbalance.check.interval.seconds) after it rejoined the
// ISR; at no moment is a leader outside the ISR.
TEST_F(AutoRebalanceTest, LeadershipReturnsToThePreferredReplicaByItself) {
  ASSERT_TRUE(cluster_.CreateTopic("orders", 1, 3, {}, {{1, 2, 3}}).ok());
  ASSERT_TRUE(cluster_.RunUntilLeaderElected(kOrders));
  cluster_.Crash(1);
  ASSERT_TRUE(cluster_.RunUntilState(
      kOrders, [](const PartitionState& s) { return s.leader != 1; }, 20'000));
  cluster_.Restart(1);
  bool leader_outside_isr = false;
  ASSERT_TRUE(cluster_.RunUntil(
      [&] {
        const std::optional<PartitionState> now = cluster_.state(kOrders);
        if (!now) return false;
        if (now->leader >= 0 && !Contains(now->isr, now->leader)) {
          leader_outside_isr = true;
        }
        return now->leader == 1;
      },
      60'000));
  EXPECT_FALSE(leader_outside_isr);
}

// Scenario 9, KIP-966's "last replica standing", without ELR: ISR
// {3, 1, 2}, min.insync.replicas 2, two records committed. Brokers 1 and 2
// are cut off and fenced, leaving ISR {3}; then broker 3 loses power, and
// with it the tail it had not flushed (nothing fsyncs a log by default).
// It comes back as the only ISR member and is elected again, and 1 and 2,
// back too, follow it and truncate: committed records are gone from every
// replica. (Kafka 4's eligible leader replicas would have kept 1 and 2
// electable, and 3, which lost data, out.)
TEST_F(KRaftScenariosTest, TheLastReplicaStandingLosesCommittedData) {
  ASSERT_TRUE(cluster_
                  .CreateTopic("orders", 1, 3,
                               {{.name = "min.insync.replicas", .value = "2"}},
                               {{3, 1, 2}})
                  .ok());
  ASSERT_TRUE(cluster_.RunUntilLeaderElected(kOrders));
  ASSERT_EQ(cluster_.Produce(3, kOrders, {"c0", "c1"}, /*acks=*/-1),
            ErrorCode::kNone);
  ASSERT_TRUE(cluster_.RunUntilReplicated(kOrders));
  ASSERT_EQ(cluster_.replica(3, kOrders)->high_watermark(), 2) << "committed";

  cluster_.Partition({1, 2}, cluster_.AllBut({1, 2}));
  ASSERT_TRUE(cluster_.RunUntilState(
      kOrders,
      [](const PartitionState& s) { return s.isr == std::vector<NodeId>{3}; },
      20'000));

  // An unclean shutdown in which the machine loses power: every byte not
  // yet fsynced is gone.
  cluster_.Crash(3, Simulation::CrashKind::kProcessCrash);
  cluster_.sim().disk(3).CrashLosingUnsynced();
  ASSERT_TRUE(cluster_.RunUntilState(
      kOrders, [](const PartitionState& s) { return s.leader == -1; }, 20'000));
  cluster_.Restart(3);
  ASSERT_TRUE(cluster_.RunUntilLeaderElected(kOrders));
  EXPECT_EQ(State().leader, 3);
  EXPECT_TRUE(LogOf(3).empty()) << "the power failure took the unflushed tail: "
                                << ::testing::PrintToString(LogOf(3));

  cluster_.Heal();
  ASSERT_TRUE(cluster_.RunUntil(
      [&] {
        return cluster_.replica(1, kOrders) != nullptr &&
               cluster_.replica(2, kOrders) != nullptr &&
               LogOf(1) == LogOf(3) && LogOf(2) == LogOf(3) &&
               cluster_.broker(1).is_unfenced() &&
               cluster_.broker(2).is_unfenced();
      },
      60'000))
      << "1: " << ::testing::PrintToString(LogOf(1))
      << " 2: " << ::testing::PrintToString(LogOf(2));
  for (NodeId id : {1, 2, 3}) {
    EXPECT_TRUE(LogOf(id).empty()) << "broker " << id << " still has them";
  }
}

}  // namespace
}  // namespace kafka

namespace kafka {
namespace {

class FiveControllersTest : public ::testing::Test {
 protected:
  static KRaftClusterConfig WithFiveControllers() {
    KRaftClusterConfig config = DefaultKRaftClusterConfig();
    config.controllers = 5;
    return config;
  }
  KRaftCluster cluster_{31, 3, WithFiveControllers()};
};

// Five voters tolerate two failures: the active controller and another
// crash, the three left elect one of themselves, and the brokers, which
// follow whoever leads, keep their sessions and can still create topics.
TEST_F(FiveControllersTest, TwoControllersMayFail) {
  ASSERT_TRUE(cluster_.RunUntilActiveController());
  ASSERT_TRUE(cluster_.RunUntilBrokersUnfenced());
  const NodeId active = cluster_.active_controller().value();
  const NodeId other = active == 3000 ? 3001 : 3000;
  cluster_.Crash(active);
  cluster_.Crash(other);
  ASSERT_TRUE(cluster_.RunUntil(
      [&] {
        const std::optional<NodeId> now = cluster_.active_controller();
        return now && *now != active && *now != other;
      },
      10'000));
  EXPECT_TRUE(cluster_.CreateTopic("orders", 1, 3).ok());
  for (NodeId id : cluster_.brokers()) {
    EXPECT_FALSE(cluster_.image()->broker(id)->fenced) << "broker " << id;
  }
}

}  // namespace
}  // namespace kafka
