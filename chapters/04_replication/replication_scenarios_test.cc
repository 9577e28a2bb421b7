// Replication's scenarios (KAFKA_RULES §3(b)), each on a whole cluster in the
// simulator: brokers that are ReplicatedBrokers, the static controller, and
// clients speaking Kafka's protocol. The partition-level rules behind them
// are shown one by one in replicated_partition_test.cc; here they are shown
// to hold when the messages travel, the clocks run and the nodes fail.
//
// The static controller does not watch the brokers: where Kafka's controller
// would notice a dead broker (its heartbeats stop) the test tells it so
// (FenceBroker), and where it would elect a new leader the test says who.
#include <gtest/gtest.h>

#include "chapters/01_log/record_batch.h"
#include "chapters/04_replication/replication_cluster.h"
#include "lib/protocol/admin.h"
#include "lib/protocol/delete_records.h"
#include "lib/protocol/offset_for_leader_epoch.h"

namespace kafka {
namespace {

const TopicPartition kOrders{"orders", 0};

class ReplicationScenariosTest : public ::testing::Test {
 protected:
  explicit ReplicationScenariosTest(
      int brokers = 3,
      ReplicationClusterConfig config = DefaultReplicationClusterConfig())
      : cluster_(42, brokers, config) {}

  PartitionState State(const TopicPartition& partition = kOrders) {
    return cluster_.controller().state(partition).value();
  }
  NodeId Leader() { return State().leader; }
  // The replicas of kOrders other than its leader, in assignment order.
  std::vector<NodeId> Followers() {
    std::vector<NodeId> followers;
    for (NodeId id : State().replicas) {
      if (id != Leader()) followers.push_back(id);
    }
    return followers;
  }
  const ReplicatedPartition& Replica(NodeId id) {
    const ReplicatedPartition* replica = cluster_.replica(id, kOrders);
    EXPECT_NE(replica, nullptr) << "broker " << id << " has no replica";
    return *replica;
  }
  bool IsrIs(std::vector<NodeId> expected) {
    std::vector<NodeId> isr = State().isr;
    std::sort(isr.begin(), isr.end());
    std::sort(expected.begin(), expected.end());
    return isr == expected;
  }
  // What a consumer reading kOrders from its leader gets from `offset`.
  std::vector<std::string> Consume(int64_t offset = 0) {
    return ValuesOf(cluster_.Fetch(Leader(), kOrders, offset).records);
  }
  // Crashes broker `id` and tells the controller, as its missed heartbeats
  // would tell Kafka's.
  void CrashAndFence(NodeId id, Simulation::CrashKind kind =
                                    Simulation::CrashKind::kProcessCrash) {
    cluster_.Crash(id, kind);
    cluster_.controller().FenceBroker(id);
  }
  // Restarts broker `id` and lets it register again.
  void RestartAndUnfence(NodeId id) {
    cluster_.Restart(id);
    cluster_.controller().UnfenceBroker(id);
  }

  ReplicationCluster cluster_;
};

class TwoBrokerScenariosTest : public ReplicationScenariosTest {
 protected:
  TwoBrokerScenariosTest() : ReplicationScenariosTest(2, TwoBrokerConfig()) {}

  static ReplicationClusterConfig TwoBrokerConfig() {
    ReplicationClusterConfig config = DefaultReplicationClusterConfig();
    config.broker.groups.offsets_topic_replication_factor = 2;
    return config;
  }
};

// The chapter's first picture: a record produced to the leader is copied by
// both followers, the high watermark moves to the end once the whole ISR
// has it, and the three logs are the same bytes.
TEST_F(ReplicationScenariosTest, AProducedRecordReachesEveryReplica) {
  ASSERT_TRUE(cluster_.CreateTopic("orders", 1, 3).ok());
  EXPECT_TRUE(IsrIs({1, 2, 3}));

  ASSERT_EQ(cluster_.Produce(Leader(), kOrders, {"a", "b"}), ErrorCode::kNone);
  ASSERT_EQ(cluster_.Produce(Leader(), kOrders, {"c"}), ErrorCode::kNone);
  ASSERT_TRUE(cluster_.RunUntilReplicated(kOrders));

  const Bytes leader_log = BatchesBelow(Replica(Leader()).log(), 3);
  for (NodeId follower : Followers()) {
    EXPECT_EQ(Replica(follower).high_watermark(), 3);
    EXPECT_EQ(BatchesBelow(Replica(follower).log(), 3), leader_log)
        << "broker " << follower << "'s log differs from the leader's";
  }
  EXPECT_EQ(Consume(), (std::vector<std::string>{"a", "b", "c"}));
}

// Only the leader takes writes: a producer whose metadata is stale is told
// NOT_LEADER_OR_FOLLOWER by a follower, and refreshes its metadata.
TEST_F(ReplicationScenariosTest, AFollowerRefusesProduceAsNotTheLeader) {
  ASSERT_TRUE(cluster_.CreateTopic("orders", 1, 3).ok());
  EXPECT_EQ(cluster_.Produce(Followers()[0], kOrders, {"a"}),
            ErrorCode::kNotLeaderOrFollower);
}

// Scenario 2: a follower that stops (SIGSTOP) holds the high watermark back
// only for replica.lag.time.max.ms (30 s). Then the leader drops it from the
// ISR through the controller, and the high watermark moves on without it.
// When it resumes it catches up, and once its log end reaches the high
// watermark the leader adds it back.
TEST_F(ReplicationScenariosTest, APausedFollowerLeavesTheIsrAndRejoins) {
  ASSERT_TRUE(cluster_.CreateTopic("orders", 1, 3).ok());
  const NodeId paused = Followers()[1];
  cluster_.sim().Pause(paused);

  ASSERT_EQ(cluster_.Produce(Leader(), kOrders, {"a"}), ErrorCode::kNone);
  cluster_.RunFor(10'000);
  EXPECT_EQ(Replica(Leader()).high_watermark(), 0)
      << "the paused follower is still in the ISR, and lacks the record";
  EXPECT_TRUE(Consume().empty());

  ASSERT_TRUE(cluster_.RunUntil([&] { return !IsrIs({1, 2, 3}); }, 50'000));
  EXPECT_EQ(State().isr.size(), 2u);
  ASSERT_TRUE(cluster_.RunUntil(
      [&] { return Replica(Leader()).high_watermark() == 1; }, 5'000));
  EXPECT_EQ(Consume(), (std::vector<std::string>{"a"}));

  cluster_.sim().Resume(paused);
  ASSERT_TRUE(cluster_.RunUntil([&] { return IsrIs({1, 2, 3}); }, 10'000));
  EXPECT_EQ(Replica(paused).log_end_offset(), 1);
}

// Scenario 3 (KIP-101, case 1). The leader A and the follower B both hold m0
// and m1; A's high watermark is 2, but B's is still 1 (it learns the high
// watermark one fetch later). B restarts. Before leader epochs, a restarted
// follower truncated its log to its high watermark, dropping m1; if A then
// died, B led without m1, an acknowledged write. With epochs B keeps its log
// on restart and asks the leader where its epoch ends, so m1 survives A.
TEST_F(TwoBrokerScenariosTest, Kip101Case1EpochsKeepAnAcknowledgedWrite) {
  ASSERT_TRUE(cluster_.CreateTopic("orders", 1, 2).ok());
  const NodeId a = Leader();
  const NodeId b = Followers()[0];
  ASSERT_EQ(cluster_.Produce(a, kOrders, {"m0"}), ErrorCode::kNone);
  ASSERT_TRUE(cluster_.RunUntilReplicated(kOrders));

  ASSERT_EQ(cluster_.Produce(a, kOrders, {"m1"}), ErrorCode::kNone);
  ASSERT_TRUE(cluster_.RunUntil(
      [&] { return Replica(a).high_watermark() == 2; }, 5'000));
  EXPECT_EQ(Replica(b).log_end_offset(), 2);
  EXPECT_EQ(Replica(b).high_watermark(), 1);

  cluster_.Crash(b, Simulation::CrashKind::kProcessCrash);
  cluster_.Restart(b);
  ASSERT_TRUE(cluster_.RunUntil(
      [&] { return cluster_.replica(b, kOrders) != nullptr; }, 5'000));
  cluster_.RunFor(1'000);
  EXPECT_EQ(Replica(b).log_end_offset(), 2) << "B kept m1 over its restart";

  CrashAndFence(a);
  ASSERT_EQ(Leader(), b);
  ASSERT_TRUE(cluster_.RunUntil(
      [&] {
        return Replica(b).is_leader() && Replica(b).high_watermark() == 2;
      },
      5'000))
      << "B leads: " << Replica(b).is_leader()
      << ", its HW: " << Replica(b).high_watermark()
      << ", ISR size: " << State().isr.size();
  EXPECT_EQ(Consume(), (std::vector<std::string>{"m0", "m1"}));
}

// Scenario 4 (KIP-101, case 2). A leads in epoch 0 and holds m0 and m1; B
// holds only m0. Both go down. B comes back first and leads, in a new epoch,
// and takes m2, which lands at offset 1, where A has m1: the two logs now
// disagree at offset 1, though both have two records. A naive follower that
// fetched from its log end would keep m1 forever. A, coming back as
// follower, says its last batch is of epoch 0; B answers that epoch 0 ended
// at offset 1 (DivergingEpoch), A truncates to 1 and copies m2.
TEST_F(TwoBrokerScenariosTest, Kip101Case2DivergentLogsAreRepaired) {
  ASSERT_TRUE(cluster_.CreateTopic("orders", 1, 2).ok());
  const NodeId a = Leader();
  const NodeId b = Followers()[0];
  ASSERT_EQ(cluster_.Produce(a, kOrders, {"m0"}), ErrorCode::kNone);
  ASSERT_TRUE(cluster_.RunUntilReplicated(kOrders));

  cluster_.Partition({a}, {b});
  ASSERT_EQ(cluster_.Produce(a, kOrders, {"m1"}), ErrorCode::kNone);
  cluster_.RunFor(1'000);
  EXPECT_EQ(Replica(a).log_end_offset(), 2);
  EXPECT_EQ(Replica(b).log_end_offset(), 1);

  CrashAndFence(a);
  CrashAndFence(b);
  cluster_.Heal();
  RestartAndUnfence(b);
  ASSERT_EQ(Leader(), b);
  ASSERT_TRUE(cluster_.RunUntil(
      [&] {
        const ReplicatedPartition* replica = cluster_.replica(b, kOrders);
        return replica != nullptr && replica->is_leader();
      },
      5'000));
  ASSERT_EQ(cluster_.Produce(b, kOrders, {"m2"}), ErrorCode::kNone);

  RestartAndUnfence(a);
  ASSERT_TRUE(cluster_.RunUntil(
      [&] {
        const ReplicatedPartition* replica = cluster_.replica(a, kOrders);
        return replica != nullptr &&
               LogValues(*replica) == std::vector<std::string>{"m0", "m2"};
      },
      10'000))
      << "A still holds m1 where the leader has m2";
  ASSERT_TRUE(cluster_.RunUntilReplicated(kOrders));
  EXPECT_EQ(BatchesBelow(Replica(a).log(), 2),
            BatchesBelow(Replica(b).log(), 2));
}

// Scenario 5 (KIP-279). Leadership goes back and forth while the two
// replicas cannot reach each other, and each writes in its own epochs:
//
//   A: m0(e0) a1(e0) a2(e2)         B: m0(e0) b1(e1) b2(e1) b3(e3)
//
// When they meet again with B leading, A's last epoch (2) is one B never
// had: B answers with its largest epoch below, 1, ending at 3. A never had
// epoch 1 either, so it truncates to where its own epoch before that ends
// (offset 2) and asks again, now with epoch 0, which B says ended at 1: a
// second truncation, to 1, after which A copies b1, b2 and b3.
TEST_F(TwoBrokerScenariosTest, Kip279TruncationTakesSeveralRounds) {
  ASSERT_TRUE(cluster_.CreateTopic("orders", 1, 2).ok());
  const NodeId a = Leader();
  const NodeId b = Followers()[0];
  ASSERT_EQ(cluster_.Produce(a, kOrders, {"m0"}), ErrorCode::kNone);
  ASSERT_TRUE(cluster_.RunUntilReplicated(kOrders));

  cluster_.Partition({a}, {b});
  auto elect = [&](NodeId leader) {
    ASSERT_TRUE(cluster_.controller().ElectLeader(kOrders, leader).ok());
    ASSERT_TRUE(cluster_.RunUntil(
        [&] {
          return Replica(leader).is_leader() &&
                 Replica(leader).leader_epoch() == State().leader_epoch;
        },
        5'000));
  };
  ASSERT_EQ(cluster_.Produce(a, kOrders, {"a1"}), ErrorCode::kNone);
  elect(b);
  ASSERT_EQ(cluster_.Produce(b, kOrders, {"b1"}), ErrorCode::kNone);
  ASSERT_EQ(cluster_.Produce(b, kOrders, {"b2"}), ErrorCode::kNone);
  elect(a);
  ASSERT_EQ(cluster_.Produce(a, kOrders, {"a2"}), ErrorCode::kNone);
  elect(b);
  ASSERT_EQ(cluster_.Produce(b, kOrders, {"b3"}), ErrorCode::kNone);
  EXPECT_EQ(LogValues(Replica(a)),
            (std::vector<std::string>{"m0", "a1", "a2"}));

  // A's last fetch went into the partition and is lost: A fetches again
  // when it times out (replica.socket.timeout.ms, 30 s), as over TCP.
  cluster_.Heal();
  ASSERT_TRUE(cluster_.RunUntil(
      [&] {
        return LogValues(Replica(a)) ==
               std::vector<std::string>{"m0", "b1", "b2", "b3"};
      },
      40'000))
      << "A holds " << testing::PrintToString(LogValues(Replica(a))) << ", B "
      << testing::PrintToString(LogValues(Replica(b)));
  EXPECT_EQ(BatchesBelow(Replica(a).log(), 4),
            BatchesBelow(Replica(b).log(), 4));
}

// Scenario 6: a zombie leader. The leader is cut off from the rest of the
// cluster, but not from one producer, which goes on writing to it (acks=1).
// The controller has meanwhile made another broker leader in a new epoch.
// The zombie's writes never become visible (its followers are gone, so its
// high watermark stays), and when the partition heals it learns it is a
// follower, finds its epoch diverged, and truncates them away. A consumer
// that still names the old epoch is fenced.
TEST_F(ReplicationScenariosTest, AZombieLeadersWritesAreTruncatedAfterTheHeal) {
  ASSERT_TRUE(cluster_.CreateTopic("orders", 1, 3).ok());
  const NodeId zombie = Leader();
  ASSERT_EQ(cluster_.Produce(zombie, kOrders, {"m0"}), ErrorCode::kNone);
  ASSERT_TRUE(cluster_.RunUntilReplicated(kOrders));
  const int32_t old_epoch = State().leader_epoch;

  std::vector<NodeId> rest = Followers();
  rest.push_back(ReplicationCluster::kControllerId);
  cluster_.Partition({zombie}, rest);
  cluster_.controller().FenceBroker(zombie);
  const NodeId leader = Leader();
  ASSERT_NE(leader, zombie);
  ASSERT_TRUE(
      cluster_.RunUntil([&] { return Replica(leader).is_leader(); }, 5'000));

  ASSERT_EQ(cluster_.Produce(zombie, kOrders, {"zombie write"}),
            ErrorCode::kNone);
  ASSERT_EQ(cluster_.Produce(leader, kOrders, {"m1"}), ErrorCode::kNone);
  cluster_.RunFor(1'000);
  EXPECT_EQ(Replica(zombie).high_watermark(), 1)
      << "nobody acknowledged the zombie's write";

  cluster_.Heal();
  cluster_.controller().UnfenceBroker(zombie);
  ASSERT_TRUE(cluster_.RunUntil(
      [&] {
        return LogValues(Replica(zombie)) ==
               std::vector<std::string>{"m0", "m1"};
      },
      10'000))
      << "the zombie holds "
      << testing::PrintToString(LogValues(Replica(zombie)))
      << (Replica(zombie).is_leader() ? " as a leader" : " as a follower")
      << " of epoch " << Replica(zombie).leader_epoch();

  EXPECT_EQ(cluster_.Fetch(leader, kOrders, 0, old_epoch).error_code,
            ErrorCode::kFencedLeaderEpoch);
  EXPECT_EQ(cluster_.Fetch(leader, kOrders, 0, old_epoch + 100).error_code,
            ErrorCode::kUnknownLeaderEpoch);
}

// Scenario 7 (KIP-320): a consumer's position can be past what a new leader
// has, after an unclean election. The consumer read five records in epoch 0
// from A, which had them alone (B was cut off, fell behind and left the
// ISR: a follower is out of sync only once it lacks records). A dies,
// and B is made leader uncleanly, with two. The consumer, seeing a new
// leader epoch, asks B where epoch 0 ended (OffsetsForLeaderEpoch): at 2,
// below its position 5, so it knows its position was truncated (librdkafka
// resets it, the Java client raises LogTruncationException).
TEST_F(TwoBrokerScenariosTest,
       AConsumerPastTheNewLeadersLogEndDetectsTheTruncation) {
  ASSERT_TRUE(cluster_.CreateTopic("orders", 1, 2).ok());
  const NodeId a = Leader();
  const NodeId b = Followers()[0];
  ASSERT_EQ(cluster_.Produce(a, kOrders, {"m0", "m1"}), ErrorCode::kNone);
  ASSERT_TRUE(cluster_.RunUntilReplicated(kOrders));

  cluster_.Partition({a}, {b});
  ASSERT_EQ(cluster_.Produce(a, kOrders, {"m2", "m3", "m4"}), ErrorCode::kNone);
  ASSERT_TRUE(cluster_.RunUntil([&] { return IsrIs({a}); }, 50'000));
  ASSERT_TRUE(cluster_.RunUntil(
      [&] { return Replica(a).high_watermark() == 5; }, 5'000));
  ASSERT_EQ(Consume().size(), 5u);
  const int32_t epoch_read = State().leader_epoch;

  CrashAndFence(a);
  cluster_.Heal();
  ASSERT_TRUE(cluster_.controller().ElectLeader(kOrders, b, true).ok());
  ASSERT_TRUE(cluster_.RunUntil([&] { return Replica(b).is_leader(); }, 5'000));

  OffsetForLeaderEpochRequest request;
  request.topics = {
      {.topic = "orders",
       .partitions = {{.partition = 0,
                       .current_leader_epoch = State().leader_epoch,
                       .leader_epoch = epoch_read}}}};
  Result<OffsetForLeaderEpochResponse> answer =
      cluster_.Call<OffsetForLeaderEpochResponse>(
          cluster_.client(), b, ApiKey::kOffsetForLeaderEpoch, 4, request);
  ASSERT_TRUE(answer.ok());
  const auto& partition = answer->topics.at(0).partitions.at(0);
  EXPECT_EQ(partition.error_code, ErrorCode::kNone);
  EXPECT_EQ(partition.leader_epoch, epoch_read);
  EXPECT_EQ(partition.end_offset, 2) << "below the consumer's position, 5";
}

// Scenario 8 (KIP-966's rule, KAFKA-15583): with min.insync.replicas 2 and
// both followers stopped, a record written with acks=1 leaves them behind,
// and after replica.lag.time.max.ms the ISR shrinks to the leader alone.
// The leader took the write, but its high watermark waits: a record is
// committed only once min.insync.replicas replicas have it, so consumers
// see nothing until a follower is back in the ISR.
TEST_F(ReplicationScenariosTest, UnderMinIsrTheHighWatermarkStays) {
  ASSERT_TRUE(
      cluster_.CreateTopic("orders", 1, 3, {{"min.insync.replicas", "2"}})
          .ok());
  const NodeId leader = Leader();
  for (NodeId follower : Followers()) cluster_.sim().Pause(follower);

  ASSERT_EQ(cluster_.Produce(leader, kOrders, {"a"}, 1), ErrorCode::kNone);
  // The leader checks its ISR every replica.lag.time.max.ms / 2 (15 s): a
  // follower is dropped between 30 and 45 s after it last caught up.
  ASSERT_TRUE(cluster_.RunUntil([&] { return IsrIs({leader}); }, 50'000));
  cluster_.RunFor(5'000);
  EXPECT_EQ(Replica(leader).log_end_offset(), 1);
  EXPECT_EQ(Replica(leader).high_watermark(), 0);
  EXPECT_TRUE(Consume().empty());

  cluster_.sim().Resume(Followers()[0]);
  ASSERT_TRUE(cluster_.RunUntil(
      [&] { return Replica(leader).high_watermark() == 1; }, 10'000));
  EXPECT_EQ(State().isr.size(), 2u);
  EXPECT_EQ(Consume(), (std::vector<std::string>{"a"}));
}

// A topic's configs are the controller's, like its partitions: a change
// sent to any broker (kafka-configs.sh --alter) is forwarded to the
// controller, which sends it to every broker with the partitions, so each
// replica's log takes it, here min.insync.replicas, which its leader's high
// watermark obeys wherever it leads.
TEST_F(ReplicationScenariosTest, ATopicConfigChangeReachesEveryReplica) {
  ASSERT_TRUE(cluster_.CreateTopic("orders", 1, 3).ok());
  IncrementalAlterConfigsRequest request;
  request.resources = {{.resource_type = kTopicResource,
                        .resource_name = "orders",
                        .configs = {{.name = "min.insync.replicas",
                                     .config_operation = 0,
                                     .value = "2"}}}};
  Result<IncrementalAlterConfigsResponse> answer =
      cluster_.Call<IncrementalAlterConfigsResponse>(
          cluster_.client(), Followers()[0], ApiKey::kIncrementalAlterConfigs,
          1, request);
  ASSERT_TRUE(answer.ok());
  ASSERT_EQ(answer->responses.at(0).error_code, ErrorCode::kNone);

  ASSERT_TRUE(cluster_.RunUntil(
      [&] {
        for (NodeId id : State().replicas) {
          if (Replica(id).log().config().min_insync_replicas != 2) return false;
        }
        return true;
      },
      5'000))
      << "a replica's log kept min.insync.replicas 1";
}

// A follower that was down while the leader deleted records it never had
// (DeleteRecords here; retention does the same) cannot fetch from its log
// end: the leader has nothing there to give and says OFFSET_OUT_OF_RANGE.
// The follower asks the leader where its log starts (ListOffsets, as a
// replica), starts again there with an empty log, catches up and rejoins the
// ISR. The leader's log start is inside the batch of m0 to m2, which the
// follower is given whole, as the leader keeps it, with the same log start:
// offset 2 is the first either replica serves.
TEST_F(ReplicationScenariosTest, AFollowerPastTheLeadersLogStartStartsThere) {
  ASSERT_TRUE(cluster_.CreateTopic("orders", 1, 3).ok());
  const NodeId away = Followers()[1];
  CrashAndFence(away);
  ASSERT_EQ(cluster_.Produce(Leader(), kOrders, {"m0", "m1", "m2"}),
            ErrorCode::kNone);
  ASSERT_TRUE(cluster_.RunUntil(
      [&] { return Replica(Leader()).high_watermark() == 3; }, 5'000));

  DeleteRecordsRequest request;
  request.topics = {
      {.name = "orders", .partitions = {{.partition_index = 0, .offset = 2}}}};
  request.timeout_ms = 5'000;
  Result<DeleteRecordsResponse> deleted = cluster_.Call<DeleteRecordsResponse>(
      cluster_.client(), Leader(), ApiKey::kDeleteRecords, 2, request);
  ASSERT_TRUE(deleted.ok());
  ASSERT_EQ(deleted->topics.at(0).partitions.at(0).error_code,
            ErrorCode::kNone);
  ASSERT_EQ(Replica(Leader()).log_start_offset(), 2);

  RestartAndUnfence(away);
  ASSERT_TRUE(cluster_.RunUntil(
      [&] {
        return IsrIs({1, 2, 3});
      },
      20'000))
      << "the follower's log: " << Replica(away).log_start_offset() << " to "
      << Replica(away).log_end_offset();
  EXPECT_EQ(Replica(away).log_start_offset(), 2);
  EXPECT_EQ(BatchesBelow(Replica(away).log(), 3),
            BatchesBelow(Replica(Leader()).log(), 3));
}

}  // namespace
}  // namespace kafka
