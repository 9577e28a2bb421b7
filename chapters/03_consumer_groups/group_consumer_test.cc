// Consumer groups end to end in the simulator: our group consumers against
// the group coordinator, and the scenarios Chapter 3 tells.
#include "chapters/03_consumer_groups/group_consumer.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "chapters/02_partitions/producer.h"
#include "chapters/03_consumer_groups/group_broker.h"
#include "lib/protocol/api_keys.h"
#include "lib/protocol/create_topics.h"
#include "lib/protocol/message.h"
#include "lib/sim/cluster.h"
#include "lib/sim/simulation.h"

namespace kafka {
namespace {

constexpr NodeId kBroker = 1;
constexpr int32_t kSessionMs = 6'000;

// One group member: our group consumer, subscribed from its start, and what
// it read.
class Member {
 public:
  Member(Environment& env, GroupConsumerConfig config)
      : consumer_(env, std::move(config),
                  [this](std::vector<ConsumerRecord> records) {
                    for (auto& r : records) read.push_back(r);
                  }) {
    consumer_.Subscribe({"clicks"});
  }
  GroupConsumer& consumer() { return consumer_; }
  std::vector<ConsumerRecord> read;

 private:
  GroupConsumer consumer_;
};

class GroupConsumerTest : public ::testing::Test {
 protected:
  GroupConsumerTest()
      : cluster_(5, 1,
                 [](NodeId id, const HostPort& address) {
                   return std::make_unique<GroupBroker>(
                       BrokerConfig{.node_id = id,
                                    .advertised_host = address.host,
                                    .advertised_port = address.port,
                                    .data_dir = "data",
                                    .num_partitions = 2},
                       GroupCoordinatorConfig{
                           .offsets_topic_num_partitions = 5,
                           .group_initial_rebalance_delay_ms = 500});
                 }),
        producer_(AddProducer()) {}

  NodeId AddProducer() {
    ProducerConfig config{.bootstrap_servers = cluster_.bootstrap_servers(),
                          .linger_ms = 1,
                          // Chapter 3's broker has no InitProducerId.
                          .enable_idempotence = false};
    return cluster_.AddClient<Producer>([config](Environment& env) {
      return std::make_unique<Producer>(env, config);
    });
  }

  void Produce(int count, int first = 0) {
    int acked = 0;
    Producer& producer = cluster_.client<Producer>(producer_);
    for (int i = first; i < first + count; ++i) {
      producer.Send("clicks", ToBytes("user" + std::to_string(i % 5)),
                    ToBytes("click" + std::to_string(i)),
                    [&](Result<RecordMetadata> m) { acked += m.ok(); });
    }
    sim_.RunUntil([&] { return acked == count; }, 10'000);
  }

  NodeId AddMember(int64_t auto_commit_interval_ms = 1'000,
                   int64_t metadata_max_age_ms = 300'000,
                   int32_t fetch_max_wait_ms = 500) {
    GroupConsumerConfig config{
        .consumer = {.bootstrap_servers = cluster_.bootstrap_servers(),
                     .auto_offset_reset = "earliest",
                     .fetch_max_wait_ms = fetch_max_wait_ms},
        .group_id = "readers",
        .session_timeout_ms = kSessionMs,
        .max_poll_interval_ms = 10'000,
        .heartbeat_interval_ms = 1'000,
        .auto_commit_interval_ms = auto_commit_interval_ms,
        .metadata_max_age_ms = metadata_max_age_ms};
    NodeId id = cluster_.AddClient<Member>([config](Environment& env) {
      return std::make_unique<Member>(env, config);
    });
    members_.push_back(id);
    return id;
  }

  // CreatePartitions, sent on the producer node's behalf.
  void GrowTopic(int32_t count) {
    CreatePartitionsRequest grow;
    grow.topics = {{"clicks", count, std::nullopt}};
    Result<CreatePartitionsResponse> grown =
        cluster_.Call<CreatePartitionsResponse>(producer_, kBroker,
                                                ApiKey::kCreatePartitions, 1,
                                                grow, 10'000, "admin");
    ASSERT_EQ(grown.value().results[0].error_code, ErrorCode::kNone);
  }

  Member& member(NodeId id) { return cluster_.client<Member>(id); }

  std::set<std::string> ValuesReadBy(NodeId id) {
    std::set<std::string> values;
    for (const auto& r : member(id).read) values.insert(AsString(*r.value));
    return values;
  }

  SimCluster cluster_;
  Simulation& sim_ = cluster_.sim();
  NodeId producer_;
  std::vector<NodeId> members_;
};

// Rule: a member talks to its coordinator on a connection of its own, so a
// fetch the broker holds (here a long poll three sessions long) does not hold
// back the answers to its heartbeats: it learns of a rebalance in time to
// rejoin, and the newcomer gets only its share.
TEST_F(GroupConsumerTest, HeldFetchesDoNotHoldHeartbeatsBack) {
  Produce(10);
  NodeId a = AddMember(1'000, 300'000, /*fetch_max_wait_ms=*/3 * kSessionMs);
  sim_.RunFor(5'000);
  ASSERT_EQ(member(a).consumer().assignment().size(), 2u);
  NodeId b = AddMember();
  sim_.RunFor(15'000);
  EXPECT_EQ(member(a).consumer().assignment().size(), 1u);
  EXPECT_EQ(member(b).consumer().assignment().size(), 1u);
  EXPECT_EQ(member(a).consumer().generation(),
            member(b).consumer().generation());
}

// Rule: within a generation each partition has one owner, and together the
// members read every record exactly once.
TEST_F(GroupConsumerTest, MembersSplitThePartitions) {
  Produce(40);
  NodeId a = AddMember(), b = AddMember();
  sim_.RunFor(5'000);
  EXPECT_EQ(member(a).consumer().assignment().size(), 1u);
  EXPECT_EQ(member(b).consumer().assignment().size(), 1u);
  EXPECT_NE(member(a).consumer().assignment(),
            member(b).consumer().assignment());
  EXPECT_EQ(member(a).read.size() + member(b).read.size(), 40u);
  std::set<std::string> all = ValuesReadBy(a);
  std::set<std::string> of_b = ValuesReadBy(b);
  all.insert(of_b.begin(), of_b.end());
  EXPECT_EQ(all.size(), 40u);
}

// Rule: three consumers on two partitions: one sits idle (the seed's
// consumer-parallelism gotcha).
TEST_F(GroupConsumerTest, ThirdConsumerOnTwoPartitionsSitsIdle) {
  Produce(10);
  for (int i = 0; i < 3; ++i) AddMember();
  sim_.RunFor(5'000);
  int idle = 0;
  for (NodeId id : members_) idle += member(id).consumer().assignment().empty();
  EXPECT_EQ(idle, 1);
}

// Rule: a consumer killed without LeaveGroup keeps its partitions until
// session.timeout.ms passes; then they move to the others.
TEST_F(GroupConsumerTest, CrashedMembersPartitionsStallThenMove) {
  Produce(10);
  NodeId a = AddMember(), b = AddMember();
  sim_.RunFor(5'000);
  std::vector<TopicPartition> b_partitions = member(b).consumer().assignment();
  ASSERT_EQ(b_partitions.size(), 1u);
  sim_.Crash(b, Simulation::CrashKind::kProcessCrash);
  Produce(20, 100);
  size_t read_before = member(a).read.size();
  sim_.RunFor(kSessionMs / 2);
  for (const auto& r : std::vector<ConsumerRecord>(
           member(a).read.begin() + long(read_before), member(a).read.end())) {
    EXPECT_NE(r.partition, b_partitions[0])
        << "stalled until the session timeout";
  }
  sim_.RunFor(kSessionMs + 5'000);
  EXPECT_EQ(member(a).consumer().assignment().size(), 2u);
  bool read_moved_partition = false;
  for (const auto& r : member(a).read)
    read_moved_partition |= r.partition == b_partitions[0];
  EXPECT_TRUE(read_moved_partition);
}

// Rule: a member that read records but crashed before committing leaves them
// to the next owner, who reads them again: at-least-once delivery.
TEST_F(GroupConsumerTest, CrashBeforeCommitMeansRereading) {
  Produce(30);
  NodeId a = AddMember(/*auto_commit_interval_ms=*/600'000);
  sim_.RunFor(5'000);
  ASSERT_EQ(member(a).read.size(), 30u);
  std::set<std::string> read_by_a = ValuesReadBy(a);
  sim_.Crash(a, Simulation::CrashKind::kProcessCrash);  // no commit happened
  NodeId b = AddMember();
  sim_.RunFor(kSessionMs + 10'000);
  EXPECT_EQ(ValuesReadBy(b), read_by_a) << "every record read twice";
}

// Rule: a member that commits leaves the next owner to start after the
// commit: nothing is read twice.
TEST_F(GroupConsumerTest, CommittedRecordsAreNotReadAgain) {
  Produce(30);
  NodeId a = AddMember(/*auto_commit_interval_ms=*/500);
  sim_.RunFor(5'000);
  member(a).consumer().Close();  // commits, then leaves at once
  sim_.RunFor(100);
  Produce(5, 100);
  NodeId b = AddMember();
  sim_.RunFor(5'000);
  EXPECT_EQ(member(b).read.size(), 5u);
}

// Rule: when a subscribed topic grows, the leader notices at its next
// metadata refresh (metadata.max.age.ms) and rejoins; the group rebalances
// and the new partitions are assigned and read.
TEST_F(GroupConsumerTest, NewPartitionsAreAssignedAfterTheTopicGrows) {
  Produce(10);
  constexpr int64_t kMetadataMaxAgeMs = 2'000;
  NodeId a = AddMember(1'000, kMetadataMaxAgeMs);
  NodeId b = AddMember(1'000, kMetadataMaxAgeMs);
  sim_.RunFor(5'000);
  ASSERT_EQ(member(a).consumer().assignment().size() +
                member(b).consumer().assignment().size(),
            2u);
  GrowTopic(4);
  // A new producer, so that its metadata knows the four partitions.
  const NodeId new_producer = AddProducer();
  int acked = 0;
  std::set<int32_t> written;
  for (int i = 0; i < 20; ++i) {
    cluster_.client<Producer>(new_producer)
        .Send("clicks", ToBytes("user" + std::to_string(i)),
              ToBytes("later" + std::to_string(i)),
              [&](Result<RecordMetadata> m) {
                acked += m.ok();
                if (m.ok()) written.insert(m->partition.partition);
              });
  }
  sim_.RunUntil([&] { return acked == 20; }, 10'000);
  ASSERT_TRUE(written.contains(2) || written.contains(3));
  sim_.RunFor(3 * kMetadataMaxAgeMs + 5'000);
  std::set<TopicPartition> owned;
  for (NodeId id : {a, b}) {
    for (const auto& p : member(id).consumer().assignment()) owned.insert(p);
  }
  EXPECT_EQ(owned.size(), 4u);
  std::set<std::string> read = ValuesReadBy(a);
  std::set<std::string> of_b = ValuesReadBy(b);
  read.insert(of_b.begin(), of_b.end());
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(read.contains("later" + std::to_string(i))) << i;
  }
}

}  // namespace
}  // namespace kafka
