// What acks promises (KAFKA_RULES §5(b)), on whole KRaft clusters in the
// simulator with Chapter 6's delayed produce: three controllers, three
// brokers, a topic of three replicas led by broker 1, and fixed seeds. Each
// scenario runs one schedule of faults twice, with two settings, and
// compares what was acknowledged with what a consumer reads at the end: a
// record acknowledged and then not read is a lost write.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chapters/02_partitions/producer.h"
#include "chapters/05_controller/kraft_cluster.h"
#include "chapters/06_acks/delayed_produce.h"
#include "lib/protocol/elect_leaders.h"

namespace kafka {
namespace {

const TopicPartition kOrders{"orders", 0};
constexpr int16_t kAcksAll = -1;

KRaftClusterConfig AcksClusterConfig() {
  KRaftClusterConfig config = DefaultKRaftClusterConfig();
  config.broker.seams.produce_acks = MakeDelayedProduceAcks();
  return config;
}

bool Contains(const std::vector<std::string>& values,
              const std::string& value) {
  return std::find(values.begin(), values.end(), value) != values.end();
}

class AcksScenariosTest : public ::testing::Test {
 protected:
  AcksScenariosTest() : cluster_(23, 3, AcksClusterConfig()) {}

  void SetUp() override {
    ASSERT_TRUE(cluster_.RunUntilActiveController());
    ASSERT_TRUE(cluster_.RunUntilBrokersUnfenced());
  }

  // The topic, on brokers 1, 2 and 3, led by 1, with `configs`.
  void CreateOrders(std::vector<CreateTopicsRequest::Config> configs = {}) {
    ASSERT_TRUE(
        cluster_.CreateTopic("orders", 1, 3, std::move(configs), {{1, 2, 3}})
            .ok());
    ASSERT_TRUE(cluster_.RunUntilLeaderElected(kOrders));
  }
  // Produces `value` to broker 1 with `acks` and the request's
  // `timeout_ms`; remembers it if acknowledged.
  ErrorCode Produce(const std::string& value, int16_t acks,
                    int32_t timeout_ms = 5000) {
    const ErrorCode error =
        cluster_.Produce(1, kOrders, {value}, acks, timeout_ms);
    if (error == ErrorCode::kNone) acknowledged_.push_back(value);
    return error;
  }
  // Broker 1 dies (kill -9); the controller fences it when its session
  // ends, and elects a leader from the ISR.
  void KillTheLeader() {
    cluster_.Crash(1, Simulation::CrashKind::kProcessCrash);
    cluster_.Heal();
    ASSERT_TRUE(cluster_.RunUntilState(
        kOrders, [](const PartitionState& state) { return state.leader != 1; },
        60'000));
  }
  // Broker 1 comes back and catches up with whoever leads; what the leader
  // then gives a consumer, from the start.
  std::vector<std::string> RestartAndRead() {
    cluster_.Restart(1);
    return ReadAll();
  }
  // What the leader gives a consumer, from the start, once every replica
  // in the ISR has caught up.
  std::vector<std::string> ReadAll() {
    EXPECT_TRUE(cluster_.RunUntilBrokersUnfenced());
    EXPECT_TRUE(cluster_.RunUntilLeaderElected(kOrders));
    EXPECT_TRUE(cluster_.RunUntilReplicated(kOrders));
    const NodeId leader = cluster_.state(kOrders)->leader;
    return ValuesOf(cluster_.Fetch(leader, kOrders, 0).records);
  }
  // A producer on a client node of its own, with `acks`; its callbacks
  // put each value it was told was delivered in acknowledged_, and each
  // final error in failed_.
  Producer& AddProducer(int16_t acks) {
    ProducerConfig config{.bootstrap_servers = cluster_.bootstrap_servers(),
                          .acks = acks,
                          .linger_ms = 0,
                          // Chapter 6's brokers have no InitProducerId.
                          .enable_idempotence = false};
    producer_node_ = cluster_.AddClient<Producer>([config](Environment& env) {
      return std::make_unique<Producer>(env, config);
    });
    return cluster_.sim().node<ClientHost<Producer>>(producer_node_).client();
  }
  void Send(Producer& producer, const std::string& value) {
    producer.Send("orders", std::nullopt, Bytes(value.begin(), value.end()),
                  [this, value](Result<RecordMetadata> delivered) {
                    if (delivered.ok()) {
                      acknowledged_.push_back(value);
                    } else {
                      failed_.push_back(value);
                    }
                  });
  }
  // Every broker loses power at once (one rack): their unsynced writes are
  // lost, the last maybe torn. Then they come back.
  void PowerFailureOfEveryBroker() {
    for (NodeId broker : cluster_.brokers()) cluster_.Crash(broker);
    cluster_.RunFor(1000);
    for (NodeId broker : cluster_.brokers()) cluster_.Restart(broker);
  }
  // Runs until the leader, broker 1, knows an ISR of `size` (a fenced
  // broker leaves it when the controller's next metadata arrives).
  bool RunUntilLeaderIsrSize(size_t size) {
    return cluster_.RunUntil(
        [&] {
          const ReplicatedPartition* leader = cluster_.replica(1, kOrders);
          return leader != nullptr && leader->isr().size() == size;
        },
        60'000);
  }
  // The acknowledged values a consumer does not read.
  std::vector<std::string> Lost(const std::vector<std::string>& read) const {
    std::vector<std::string> lost;
    for (const std::string& value : acknowledged_) {
      if (!Contains(read, value)) lost.push_back(value);
    }
    return lost;
  }

  KRaftCluster cluster_;
  std::vector<std::string> acknowledged_;
  std::vector<std::string> failed_;
  NodeId producer_node_ = -1;
};

// Scenario 1: "a" is committed; the leader is cut off from its followers
// (not from the producer or the controllers) and "b" is produced with
// acks=1; then the leader dies, the network heals, a follower is elected,
// and the old leader comes back. The leader answered "b" after its own
// append; its followers never had it, the new leader is one of them, and
// "b" is gone although it was acknowledged (the old leader truncates it
// away when it comes back).
TEST_F(AcksScenariosTest, AcksOneLosesAnAcknowledgedWriteOnFailover) {
  CreateOrders();
  ASSERT_EQ(Produce("a", kAcksAll), ErrorCode::kNone);
  cluster_.Partition({1}, {2, 3});
  EXPECT_EQ(Produce("b", 1), ErrorCode::kNone);
  KillTheLeader();
  const std::vector<std::string> read = RestartAndRead();
  EXPECT_EQ(read, std::vector<std::string>{"a"});
  EXPECT_EQ(Lost(read), std::vector<std::string>{"b"});
}

// acks=all with min.insync.replicas=2, the same schedule: "b" is appended
// on the leader but never acknowledged (the high watermark cannot pass it:
// REQUEST_TIMED_OUT), so the failover loses nothing that was.
TEST_F(AcksScenariosTest, AcksAllWithMinInsyncTwoLosesNoneOnFailover) {
  CreateOrders({{"min.insync.replicas", std::string("2")}});
  ASSERT_EQ(Produce("a", kAcksAll), ErrorCode::kNone);
  cluster_.Partition({1}, {2, 3});
  EXPECT_EQ(Produce("b", kAcksAll), ErrorCode::kRequestTimedOut);
  KillTheLeader();
  const std::vector<std::string> read = RestartAndRead();
  EXPECT_EQ(read, std::vector<std::string>{"a"});
  EXPECT_TRUE(Lost(read).empty());
}

// Scenario 2, the ISR shrinks to the leader: its followers are cut off,
// and "b" (acks=all, with a minute to wait) waits for them. For longer than
// replica.lag.time.max.ms they do not copy it, so the leader drops them
// from the ISR; with min.insync.replicas=1 (the default) the ISR of the
// leader alone is enough, the high watermark passes "b", and it is
// acknowledged by one replica. The leader dies; no other replica is in the
// ISR, so the partition has no leader until an operator elects one
// uncleanly, and "b" is lost: Jepsen's 2013 finding, which is why
// min.insync.replicas exists.
TEST_F(AcksScenariosTest, AnIsrOfTheLeaderAloneMakesAcksAllAcksOne) {
  CreateOrders();
  ASSERT_EQ(Produce("a", kAcksAll), ErrorCode::kNone);
  cluster_.Partition({1}, {2, 3});
  EXPECT_EQ(Produce("b", kAcksAll, 60'000), ErrorCode::kNone);
  EXPECT_EQ(cluster_.state(kOrders).value().isr, std::vector<NodeId>{1});

  cluster_.Crash(1, Simulation::CrashKind::kProcessCrash);
  cluster_.Heal();
  ASSERT_TRUE(cluster_.RunUntilState(
      kOrders, [](const PartitionState& state) { return state.leader == -1; },
      60'000));
  Result<ElectLeadersResponse> elected =
      cluster_.ElectLeaders(kUncleanElection, {kOrders}, 2);
  ASSERT_TRUE(elected.ok());
  ASSERT_TRUE(cluster_.RunUntilLeaderElected(kOrders));
  const std::vector<std::string> read = RestartAndRead();
  EXPECT_EQ(Lost(read), std::vector<std::string>{"b"});
}

// The same schedule with min.insync.replicas=2: "b" waits as before, but
// when the ISR shrinks to the leader alone the high watermark stays, and
// "b" times out unacknowledged. After that, acks=all is refused with
// NOT_ENOUGH_REPLICAS and nothing is appended (the leader's log end does
// not move), until the network heals and the followers rejoin.
TEST_F(AcksScenariosTest, MinInsyncTwoRefusesAcksAllOnAnIsrOfOne) {
  CreateOrders({{"min.insync.replicas", std::string("2")}});
  ASSERT_EQ(Produce("a", kAcksAll), ErrorCode::kNone);
  cluster_.Partition({1}, {2, 3});
  EXPECT_EQ(Produce("b", kAcksAll, 60'000), ErrorCode::kRequestTimedOut);
  EXPECT_EQ(cluster_.replica(1, kOrders)->isr(), std::vector<NodeId>{1});
  const int64_t log_end = cluster_.replica(1, kOrders)->log_end_offset();
  EXPECT_EQ(Produce("b", kAcksAll), ErrorCode::kNotEnoughReplicas);
  EXPECT_EQ(cluster_.replica(1, kOrders)->log_end_offset(), log_end);

  cluster_.Heal();
  ASSERT_TRUE(cluster_.RunUntilState(
      kOrders,
      [](const PartitionState& state) { return state.isr.size() == 3; },
      60'000));
  EXPECT_EQ(Produce("c", kAcksAll), ErrorCode::kNone);
  EXPECT_TRUE(Lost(ReadAll()).empty());
}

// Scenario 3: with min.insync.replicas=2 and three replicas, one follower
// down leaves writes going; two down, and acks=all is NOT_ENOUGH_REPLICAS
// until one is back.
TEST_F(AcksScenariosTest, TwoFollowersDownStopAcksAllOneDoesNot) {
  CreateOrders({{"min.insync.replicas", std::string("2")}});
  cluster_.Crash(3, Simulation::CrashKind::kProcessCrash);
  ASSERT_TRUE(RunUntilLeaderIsrSize(2));
  EXPECT_EQ(Produce("a", kAcksAll), ErrorCode::kNone);

  cluster_.Crash(2, Simulation::CrashKind::kProcessCrash);
  ASSERT_TRUE(RunUntilLeaderIsrSize(1));
  const int64_t log_end = cluster_.replica(1, kOrders)->log_end_offset();
  EXPECT_EQ(Produce("b", kAcksAll), ErrorCode::kNotEnoughReplicas);
  EXPECT_EQ(cluster_.replica(1, kOrders)->log_end_offset(), log_end);

  cluster_.Restart(2);
  ASSERT_TRUE(RunUntilLeaderIsrSize(2));
  EXPECT_EQ(Produce("c", kAcksAll), ErrorCode::kNone);
}

// acks=0: the producer counts a record as sent once it leaves. While the
// connection to the leader is cut, "b" and "c" vanish on the way, the
// producer reports both delivered, and nobody ever hears otherwise.
TEST_F(AcksScenariosTest, AcksZeroLosesWritesSilentlyWhenTheConnectionIsCut) {
  CreateOrders();
  Producer& producer = AddProducer(0);
  Send(producer, "a");
  ASSERT_TRUE(
      cluster_.RunUntil([&] { return acknowledged_.size() == 1; }, 10'000));
  cluster_.RunFor(1000);
  cluster_.Partition({producer_node_}, {1});
  Send(producer, "b");
  Send(producer, "c");
  cluster_.RunFor(1000);
  cluster_.Heal();
  Send(producer, "d");
  // acks=0: "d" counts as delivered once it is sent; it reaches the leader
  // a link latency later, and its followers a fetch after that.
  ASSERT_TRUE(
      cluster_.RunUntil([&] { return acknowledged_.size() == 4; }, 10'000));
  EXPECT_TRUE(failed_.empty());
  cluster_.RunFor(1000);
  const std::vector<std::string> read = ReadAll();
  EXPECT_EQ(read, (std::vector<std::string>{"a", "d"}));
  EXPECT_EQ(Lost(read), (std::vector<std::string>{"b", "c"}));
}

// Scenario 5's at-least-once half: with min.insync.replicas=2 the leader is
// cut off from its followers while a producer (acks=all, its default
// retries and delivery.timeout.ms) sends a record every two seconds. The
// first records wait and time out (REQUEST_TIMED_OUT) and are sent again;
// once the ISR is the leader alone, every attempt is NOT_ENOUGH_REPLICAS
// and is retried. The network heals within delivery.timeout.ms, the
// followers rejoin, and every record is delivered and read, some twice:
// the retries of batches the leader had appended (Chapter 7 removes those
// duplicates).
TEST_F(AcksScenariosTest, AProducerRetriesThroughNotEnoughReplicas) {
  CreateOrders({{"min.insync.replicas", std::string("2")}});
  Producer& producer = AddProducer(kAcksAll);
  cluster_.Partition({1}, {2, 3});
  std::vector<std::string> sent;
  for (int i = 0; i < 30; ++i) {
    sent.push_back("r" + std::to_string(i));
    Send(producer, sent.back());
    cluster_.RunFor(2000);
  }
  EXPECT_EQ(cluster_.replica(1, kOrders)->isr(), std::vector<NodeId>{1});
  cluster_.Heal();
  ASSERT_TRUE(cluster_.RunUntil(
      [&] { return acknowledged_.size() + failed_.size() == sent.size(); },
      120'000));
  EXPECT_TRUE(failed_.empty());
  const std::vector<std::string> read = ReadAll();
  EXPECT_TRUE(Lost(read).empty());
  EXPECT_GT(read.size(), sent.size());  // duplicates
}

// Three replicas on one rack lose power together. Kafka acknowledges from
// the page cache, and by default it never forces a sync (flush.messages
// and flush.ms are unbounded): acknowledged acks=all writes were on three
// brokers, but on none of their disks, and they are lost.
TEST_F(AcksScenariosTest, APowerFailureOfEveryReplicaLosesAcknowledgedWrites) {
  CreateOrders({{"min.insync.replicas", std::string("2")}});
  for (const char* value : {"a", "b", "c"}) {
    ASSERT_EQ(Produce(value, kAcksAll), ErrorCode::kNone);
  }
  PowerFailureOfEveryBroker();
  EXPECT_FALSE(Lost(ReadAll()).empty());
}

// The same with flush.messages=1: each replica syncs every batch it
// appends before it counts it, so the acknowledged writes are on disk on
// every replica, and all survive.
TEST_F(AcksScenariosTest, FlushMessagesOneKeepsThemThroughAPowerFailure) {
  CreateOrders({{"min.insync.replicas", std::string("2")},
                {"flush.messages", std::string("1")}});
  for (const char* value : {"a", "b", "c"}) {
    ASSERT_EQ(Produce(value, kAcksAll), ErrorCode::kNone);
  }
  PowerFailureOfEveryBroker();
  const std::vector<std::string> read = ReadAll();
  EXPECT_TRUE(Lost(read).empty());
  EXPECT_EQ(read, (std::vector<std::string>{"a", "b", "c"}));
}

}  // namespace
}  // namespace kafka
