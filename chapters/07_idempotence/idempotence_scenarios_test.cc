// What idempotence promises (KAFKA_RULES §6), on whole KRaft clusters in
// the simulator with Chapter 7's brokers: three controllers, three brokers,
// a topic "orders" of three replicas led by broker 1, min.insync.replicas
// 2, and fixed seeds. Our producer sends one record per batch (linger.ms
// 0), up to five requests in flight. Each schedule of faults runs with and
// without enable.idempotence, and the test compares what a consumer reads
// at the end: with it, every record once and in the order sent; without,
// the same schedule duplicates or reorders.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "chapters/02_partitions/producer.h"
#include "chapters/04_replication/replication_cluster.h"
#include "chapters/05_controller/kraft_cluster.h"
#include "chapters/07_idempotence/idempotent_broker.h"

namespace kafka {
namespace {

const TopicPartition kOrders{"orders", 0};
constexpr bool kIdempotent = true;
constexpr bool kNotIdempotent = false;

KRaftClusterConfig IdempotentClusterConfig() {
  KRaftClusterConfig config = DefaultKRaftClusterConfig();
  AddIdempotence(config.broker);
  return config;
}

std::vector<std::string> Values(const std::string& prefix, int count) {
  std::vector<std::string> values;
  for (int i = 0; i < count; ++i) values.push_back(prefix + std::to_string(i));
  return values;
}

class IdempotenceScenariosTest : public ::testing::Test {
 protected:
  IdempotenceScenariosTest() : cluster_(31, 3, IdempotentClusterConfig()) {}

  void SetUp() override {
    ASSERT_TRUE(cluster_.RunUntilActiveController());
    ASSERT_TRUE(cluster_.RunUntilBrokersUnfenced());
  }

  // "orders" on brokers 1, 2 and 3, led by 1, with `configs`.
  void CreateOrders(std::vector<CreateTopicsRequest::Config> configs = {
                        {"min.insync.replicas", std::string("2")}}) {
    ASSERT_TRUE(
        cluster_.CreateTopic("orders", 1, 3, std::move(configs), {{1, 2, 3}})
            .ok());
    ASSERT_TRUE(cluster_.RunUntilLeaderElected(kOrders));
  }
  // Our producer on a client node of its own, acks=all, one record per
  // batch, idempotent or not.
  Producer& AddProducer(bool idempotent) {
    ProducerConfig config{.bootstrap_servers = cluster_.bootstrap_servers(),
                          .linger_ms = 0,
                          .request_timeout_ms = 5000,
                          .enable_idempotence = idempotent};
    producer_node_ = cluster_.AddClient<Producer>([config](Environment& env) {
      return std::make_unique<Producer>(env, config);
    });
    Producer& producer =
        cluster_.sim().node<ClientHost<Producer>>(producer_node_).client();
    EXPECT_EQ(producer.is_idempotent(), idempotent);
    return producer;
  }
  // Sends `value`; its offset goes to offsets_ once delivered.
  void Send(Producer& producer, const std::string& value) {
    producer.Send("orders", std::nullopt, Bytes(value.begin(), value.end()),
                  [this](Result<RecordMetadata> delivered) {
                    ASSERT_TRUE(delivered.ok()) << delivered.error().message;
                    offsets_.push_back(delivered->offset);
                  });
  }
  bool RunUntilDelivered(size_t records) {
    return cluster_.RunUntil([&] { return offsets_.size() == records; },
                             120'000);
  }
  // Runs until broker `id`'s replica has `records` records.
  bool RunUntilReplicaHas(NodeId id, int64_t records) {
    return cluster_.RunUntil(
        [&] {
          const ReplicatedPartition* replica = cluster_.replica(id, kOrders);
          return replica != nullptr &&
                 replica->log().log_end_offset() >= records;
        },
        30'000);
  }
  // What the leader gives a consumer, from the start, once every replica
  // in the ISR has caught up.
  std::vector<std::string> ReadAll() {
    EXPECT_TRUE(cluster_.RunUntilBrokersUnfenced());
    EXPECT_TRUE(cluster_.RunUntilLeaderElected(kOrders));
    EXPECT_TRUE(cluster_.RunUntilReplicated(kOrders));
    const NodeId leader = cluster_.state(kOrders)->leader;
    std::vector<std::string> read;
    while (true) {  // a Fetch reads from one segment at a time
      const FetchResponse::Partition fetched =
          cluster_.Fetch(leader, kOrders, int64_t(read.size()));
      const std::vector<std::string> values = ValuesOf(fetched.records);
      if (values.empty()) return read;
      read.insert(read.end(), values.begin(), values.end());
    }
  }

  // The leader appends "a" and replicates it, but its answer is lost: the
  // producer's request times out, and it sends "a" again.
  std::vector<std::string> LoseTheAnswerToA(bool idempotent) {
    CreateOrders();
    Producer& producer = AddProducer(idempotent);
    Send(producer, "start");
    EXPECT_TRUE(RunUntilDelivered(1));
    cluster_.sim().CutOneWay(1, producer_node_);
    Send(producer, "a");
    EXPECT_TRUE(RunUntilReplicaHas(2, 2));
    cluster_.RunFor(1000);
    cluster_.Heal();
    EXPECT_TRUE(RunUntilDelivered(2));
    return ReadAll();
  }
  // r0 to r4 go out a millisecond apart, the network losing r1 on its way
  // to the leader. The leader has no r1 when r2, r3 and r4 come; r1 is
  // sent again once its request times out.
  std::vector<std::string> LoseTheSecondOfFive(bool idempotent) {
    CreateOrders();
    Producer& producer = AddProducer(idempotent);
    Send(producer, "start");
    EXPECT_TRUE(RunUntilDelivered(1));
    Send(producer, "r0");
    cluster_.RunFor(2);  // r0 reaches the leader
    cluster_.sim().CutOneWay(producer_node_, 1);
    Send(producer, "r1");
    cluster_.RunFor(2);  // r1 is lost
    cluster_.Heal();
    for (const char* value : {"r2", "r3", "r4"}) Send(producer, value);
    EXPECT_TRUE(RunUntilDelivered(6));
    return ReadAll();
  }
  // Five batches reach the leader, which appends them and replicates them
  // to both followers; its answers are lost, and then it dies (kill -9). A
  // follower is elected, and the producer's retries go to it.
  std::vector<std::string> KillTheLeaderWithFiveInFlight(bool idempotent) {
    CreateOrders();
    Producer& producer = AddProducer(idempotent);
    Send(producer, "start");
    EXPECT_TRUE(RunUntilDelivered(1));
    cluster_.sim().CutOneWay(1, producer_node_);
    for (const std::string& value : Values("r", 5)) Send(producer, value);
    EXPECT_TRUE(RunUntilReplicaHas(2, 6));
    EXPECT_TRUE(RunUntilReplicaHas(3, 6));
    cluster_.Crash(1, Simulation::CrashKind::kProcessCrash);
    cluster_.Heal();
    EXPECT_TRUE(RunUntilDelivered(6));
    EXPECT_NE(cluster_.state(kOrders)->leader, 1);
    cluster_.Restart(1);
    return ReadAll();
  }
  // Small segments, so that each replica has rolled (and written producer
  // snapshots) before "a" is appended and replicated with its answer lost.
  // Then every broker dies (kill -9) and comes back: each rebuilds its
  // producer state from its newest snapshot and the log after it, and the
  // producer's retry of "a" meets whichever leads.
  std::vector<std::string> RestartEveryBrokerBeforeTheRetry(bool idempotent) {
    CreateOrders({{"min.insync.replicas", std::string("2")},
                  {"segment.bytes", std::string("150")}});
    Producer& producer = AddProducer(idempotent);
    for (const std::string& value : Values("before", 6)) {
      Send(producer, value);
      EXPECT_TRUE(RunUntilDelivered(offsets_.size() + 1));
    }
    cluster_.sim().CutOneWay(1, producer_node_);
    Send(producer, "a");
    for (NodeId broker : cluster_.brokers()) {
      EXPECT_TRUE(RunUntilReplicaHas(broker, 7));
    }
    for (NodeId broker : cluster_.brokers()) {
      cluster_.Crash(broker, Simulation::CrashKind::kProcessCrash);
    }
    cluster_.Heal();
    cluster_.RunFor(1000);
    for (NodeId broker : cluster_.brokers()) cluster_.Restart(broker);
    EXPECT_TRUE(RunUntilDelivered(7));
    return ReadAll();
  }
  // The producer snapshot files in broker `id`'s directory of the
  // partition.
  std::vector<std::string> SnapshotFiles(NodeId id) {
    std::vector<std::string> snapshots;
    for (const std::string& name :
         cluster_.sim().disk(id).List("data/orders-0")) {
      if (name.ends_with(".snapshot")) snapshots.push_back(name);
    }
    return snapshots;
  }

  KRaftCluster cluster_;
  std::vector<int64_t> offsets_;
  NodeId producer_node_ = -1;
};

TEST_F(IdempotenceScenariosTest, ALostResponseIsRetriedAndWrittenOnce) {
  EXPECT_EQ(LoseTheAnswerToA(kIdempotent),
            (std::vector<std::string>{"start", "a"}));
  // The retry is answered with the offset "a" got the first time.
  EXPECT_EQ(offsets_, (std::vector<int64_t>{0, 1}));
}

TEST_F(IdempotenceScenariosTest, WithoutIdempotenceALostResponseWritesTwice) {
  EXPECT_EQ(LoseTheAnswerToA(kNotIdempotent),
            (std::vector<std::string>{"start", "a", "a"}));
  EXPECT_EQ(offsets_, (std::vector<int64_t>{0, 2}));
}

// The leader refuses r2 to r4 as out of order (a gap after r0); they are
// retried behind r1, and the log has them in the order they were sent.
TEST_F(IdempotenceScenariosTest, TheSecondOfFiveInFlightFailsAndOrderHolds) {
  EXPECT_EQ(LoseTheSecondOfFive(kIdempotent),
            (std::vector<std::string>{"start", "r0", "r1", "r2", "r3", "r4"}));
}

TEST_F(IdempotenceScenariosTest, WithoutIdempotenceTheSecondOfFiveLandsLast) {
  EXPECT_EQ(LoseTheSecondOfFive(kNotIdempotent),
            (std::vector<std::string>{"start", "r0", "r2", "r3", "r4", "r1"}));
}

// The new leader has the producer's state from the batches it replicated:
// the retries are duplicates, answered with their original offsets.
TEST_F(IdempotenceScenariosTest,
       TheNewLeaderAnswersRetriesOfReplicatedBatchesAsDuplicates) {
  EXPECT_EQ(KillTheLeaderWithFiveInFlight(kIdempotent),
            (std::vector<std::string>{"start", "r0", "r1", "r2", "r3", "r4"}));
  EXPECT_EQ(offsets_, (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
}

TEST_F(IdempotenceScenariosTest,
       WithoutIdempotenceTheNewLeaderAppendsTheRetriesAgain) {
  EXPECT_EQ(KillTheLeaderWithFiveInFlight(kNotIdempotent),
            (std::vector<std::string>{"start", "r0", "r1", "r2", "r3", "r4",
                                      "r0", "r1", "r2", "r3", "r4"}));
}

TEST_F(IdempotenceScenariosTest,
       ProducerStateIsRebuiltFromTheSnapshotAndTheLogAfterACrash) {
  const std::vector<std::string> read =
      RestartEveryBrokerBeforeTheRetry(kIdempotent);
  EXPECT_FALSE(SnapshotFiles(1).empty());
  std::vector<std::string> expected = Values("before", 6);
  expected.push_back("a");
  EXPECT_EQ(read, expected);
  EXPECT_EQ(offsets_.back(), 6);
}

TEST_F(IdempotenceScenariosTest,
       WithoutIdempotenceTheRetryAfterTheRestartIsAppendedAgain) {
  const std::vector<std::string> read =
      RestartEveryBrokerBeforeTheRetry(kNotIdempotent);
  EXPECT_EQ(std::count(read.begin(), read.end(), "a"), 2);
}

// enable.idempotence, as Kafka 3.0 on resolves it: on by default; off when
// unset and another setting conflicts; a config error when set true.
TEST_F(IdempotenceScenariosTest, IdempotenceIsOnByDefault) {
  Producer producer(cluster_.sim().env(cluster_.client()),
                    {.bootstrap_servers = cluster_.bootstrap_servers()});
  EXPECT_TRUE(producer.is_idempotent());
}

TEST_F(IdempotenceScenariosTest, AnUnsetIdempotenceIsOffWithAcksOne) {
  Producer producer(
      cluster_.sim().env(cluster_.client()),
      {.bootstrap_servers = cluster_.bootstrap_servers(), .acks = 1});
  EXPECT_FALSE(producer.is_idempotent());
}

TEST_F(IdempotenceScenariosTest, IdempotenceSetWithTooManyInFlightIsAnError) {
  Producer producer(cluster_.sim().env(cluster_.client()),
                    {.bootstrap_servers = cluster_.bootstrap_servers(),
                     .max_in_flight_requests_per_connection = 6,
                     .enable_idempotence = true});
  std::optional<Error> error;
  producer.Send(
      "orders", std::nullopt, ToBytes("a"),
      [&](Result<RecordMetadata> delivered) { error = delivered.error(); });
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, ErrorCode::kInvalidConfig);
  EXPECT_NE(error->message.find("max.in.flight.requests.per.connection"),
            std::string::npos);
}

// Chapter 5's brokers do not serve InitProducerId: a producer left at the
// default (idempotent) waits for an id no broker gives, and its records
// fail once delivery.timeout.ms has passed, instead of waiting for ever.
TEST(IdempotenceWithoutInitProducerIdTest,
     RecordsWaitingForAProducerIdFailAfterTheDeliveryTimeout) {
  KRaftCluster cluster(31, 3, DefaultKRaftClusterConfig());
  ASSERT_TRUE(cluster.RunUntilActiveController());
  ASSERT_TRUE(cluster.RunUntilBrokersUnfenced());
  ASSERT_TRUE(cluster.CreateTopic("orders", 1, 3, {}, {{1, 2, 3}}).ok());
  ASSERT_TRUE(cluster.RunUntilLeaderElected(kOrders));
  const ProducerConfig config{.bootstrap_servers = cluster.bootstrap_servers(),
                              .delivery_timeout_ms = 10'000};
  const NodeId node = cluster.AddClient<Producer>([config](Environment& env) {
    return std::make_unique<Producer>(env, config);
  });
  Producer& producer = cluster.sim().node<ClientHost<Producer>>(node).client();
  std::optional<Result<RecordMetadata>> delivered;
  producer.Send("orders", std::nullopt, ToBytes("a"),
                [&](Result<RecordMetadata> result) { delivered = result; });
  cluster.RunFor(9'000);
  EXPECT_FALSE(delivered.has_value());
  ASSERT_TRUE(cluster.RunUntil([&] { return delivered.has_value(); }, 2'000));
  ASSERT_FALSE(delivered->ok());
  EXPECT_EQ(delivered->error().code, ErrorCode::kRequestTimedOut);
  const FetchResponse::Partition fetched =
      cluster.Fetch(cluster.state(kOrders)->leader, kOrders, 0);
  EXPECT_TRUE(ValuesOf(fetched.records).empty());
}

}  // namespace
}  // namespace kafka
