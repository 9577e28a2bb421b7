// Chapter 2's broker components on their own: the purgatory, the one-replica
// ReplicaManager, the local topic admin and metadata cache. The broker tests
// check the same through the wire; these pin each component's contract, which
// later chapters' components keep.
#include <gtest/gtest.h>

#include "chapters/01_log/test_util.h"
#include "chapters/02_partitions/broker.h"
#include "chapters/02_partitions/purgatory.h"
#include "lib/sim/simulation.h"

namespace kafka {
namespace {

using testing::BatchOf;

constexpr NodeId kNode = 1;

// A node that does nothing: the test acts through its environment.
class IdleNode : public ClientNode {
 public:
  void Start(Environment&) override {}
};

class WithEnvironment : public ::testing::Test {
 protected:
  WithEnvironment() {
    sim_.AddNode(kNode, [] { return std::make_unique<IdleNode>(); });
  }
  Environment& env() { return sim_.env(kNode); }

  Simulation sim_{7};
};

// An operation that can complete once `ready` is set, and records how it
// completed.
class TestOperation : public DelayedOperation {
 public:
  TestOperation(const bool& ready, std::vector<std::string>& log,
                std::string name)
      : ready_(ready), log_(log), name_(std::move(name)) {}
  bool CanComplete() override { return ready_; }
  void OnComplete(bool expired) override {
    log_.push_back(name_ + (expired ? " expired" : " completed"));
  }

 private:
  const bool& ready_;
  std::vector<std::string>& log_;
  std::string name_;
};

class PurgatoryTest : public WithEnvironment {
 protected:
  void Watch(const std::string& name, const bool& ready,
             std::vector<TopicPartition> keys, int64_t timeout_ms = 500) {
    purgatory_.TryCompleteElseWatch(
        std::make_unique<TestOperation>(ready, log_, name), keys, timeout_ms);
  }

  DelayedOperationPurgatory purgatory_{env()};
  std::vector<std::string> log_;
  const TopicPartition a_{"t", 0};
  const TopicPartition b_{"t", 1};
};

TEST_F(PurgatoryTest, AnOperationThatCanCompleteNowIsNotParked) {
  const bool ready = true;
  Watch("op", ready, {a_});
  EXPECT_EQ(log_, std::vector<std::string>{"op completed"});
  EXPECT_EQ(purgatory_.watched(), 0u);
}

TEST_F(PurgatoryTest, CompletesWhenItsKeyIsCheckedAndItCan) {
  bool ready = false;
  Watch("op", ready, {a_});
  EXPECT_EQ(purgatory_.CheckAndComplete(a_), 0);  // not ready yet
  ready = true;
  EXPECT_EQ(purgatory_.CheckAndComplete(b_), 0);  // not its partition
  EXPECT_TRUE(log_.empty());
  EXPECT_EQ(purgatory_.CheckAndComplete(a_), 1);
  EXPECT_EQ(log_, std::vector<std::string>{"op completed"});
  EXPECT_EQ(purgatory_.watched(), 0u);
}

TEST_F(PurgatoryTest, ExpiresOnceAfterItsTimeout) {
  const bool ready = false;
  Watch("op", ready, {a_}, 500);
  sim_.RunFor(499);
  EXPECT_TRUE(log_.empty());
  sim_.RunFor(1);
  EXPECT_EQ(log_, std::vector<std::string>{"op expired"});
  EXPECT_EQ(purgatory_.watched(), 0u);
}

TEST_F(PurgatoryTest, CompletesExactlyOnce) {
  bool ready = false;
  Watch("op", ready, {a_, b_}, 500);
  ready = true;
  EXPECT_EQ(purgatory_.CheckAndComplete(a_), 1);
  EXPECT_EQ(purgatory_.CheckAndComplete(b_), 0);  // no longer watched there
  sim_.RunFor(1000);                              // nor does it expire
  EXPECT_EQ(log_, std::vector<std::string>{"op completed"});
}

TEST_F(PurgatoryTest, ChecksEveryOperationWatchingTheKey) {
  bool ready = false;
  const bool never = false;
  Watch("first", ready, {a_});
  Watch("stuck", never, {a_});
  Watch("second", ready, {a_});
  ready = true;
  EXPECT_EQ(purgatory_.CheckAndComplete(a_), 2);
  EXPECT_EQ(log_,
            (std::vector<std::string>{"first completed", "second completed"}));
  EXPECT_EQ(purgatory_.watched(), 1u);
}

// The one-replica components, started over the node's disk.
class LocalComponentsTest : public WithEnvironment {
 protected:
  LocalComponentsTest() {
    components_ = std::make_unique<LocalBrokerComponents>(env(), config_);
  }

  Status CreateTopic(const std::string& name, int32_t partitions) {
    Status outcome = Error{ErrorCode::kUnknownServerError, "no answer"};
    components_->topics().CreateTopic(
        {.name = name, .num_partitions = partitions}, false,
        [&](Status s) { outcome = s; });
    return outcome;
  }

  std::vector<PartitionAppendResult> Append(const TopicPartition& partition,
                                            const Bytes& batch,
                                            bool internal = false,
                                            int16_t acks = -1) {
    std::vector<PartitionAppendResult> results;
    components_->replicas().AppendRecords(
        {.acks = acks,
         .internal_topics_allowed = internal,
         .entries = {{partition, batch}}},
        [&](std::vector<PartitionAppendResult> r) { results = r; });
    return results;
  }

  BrokerConfig config_{.node_id = kNode, .data_dir = "data"};
  std::unique_ptr<LocalBrokerComponents> components_;
};

TEST_F(LocalComponentsTest, AppendAnswersWithTheBaseOffset) {
  ASSERT_TRUE(CreateTopic("orders", 2).ok());
  EXPECT_EQ(Append({"orders", 1}, BatchOf(3))[0].base_offset, 0);
  std::vector<PartitionAppendResult> second = Append({"orders", 1}, BatchOf(2));
  EXPECT_EQ(second[0].error_code, ErrorCode::kNone);
  EXPECT_EQ(second[0].base_offset, 3);
  EXPECT_EQ(Append({"orders", 2}, BatchOf(1))[0].error_code,
            ErrorCode::kUnknownTopicOrPartition);
}

TEST_F(LocalComponentsTest, OnlyTheCoordinatorsMayWriteInternalTopics) {
  ASSERT_TRUE(CreateTopic("__consumer_offsets", 1).ok());
  EXPECT_EQ(Append({"__consumer_offsets", 0}, BatchOf(1))[0].error_code,
            ErrorCode::kInvalidTopicException);
  EXPECT_EQ(Append({"__consumer_offsets", 0}, BatchOf(1), true)[0].error_code,
            ErrorCode::kNone);
}

TEST_F(LocalComponentsTest, AcksOtherThanZeroOneOrAllAreRefused) {
  ASSERT_TRUE(CreateTopic("orders", 1).ok());
  EXPECT_EQ(Append({"orders", 0}, BatchOf(1), false, 2)[0].error_code,
            ErrorCode::kInvalidRequiredAcks);
  EXPECT_EQ(components_->replicas().GetLog({"orders", 0})->log_end_offset(), 0);
}

TEST_F(LocalComponentsTest, LeadershipListenersHearOfOldAndNewPartitions) {
  ASSERT_TRUE(CreateTopic("old", 1).ok());
  std::vector<std::string> led;
  components_->replicas().AddLeadershipListener(
      [&](const TopicPartition& p, bool is_leader) {
        if (is_leader) led.push_back(p.DirectoryName());
      });
  EXPECT_EQ(led, std::vector<std::string>{"old-0"});
  ASSERT_TRUE(CreateTopic("new", 2).ok());
  components_->topics().CreatePartitions({.name = "new", .count = 3}, false,
                                         [](Status s) { ASSERT_TRUE(s.ok()); });
  EXPECT_EQ(led,
            (std::vector<std::string>{"old-0", "new-0", "new-1", "new-2"}));
}

TEST_F(LocalComponentsTest, ValidateOnlyCreatesNothing) {
  Status outcome = Error{ErrorCode::kUnknownServerError, "no answer"};
  components_->topics().CreateTopic({.name = "dry", .num_partitions = 2}, true,
                                    [&](Status s) { outcome = s; });
  EXPECT_TRUE(outcome.ok());
  EXPECT_FALSE(components_->metadata().TopicPartitions("dry"));
}

TEST_F(LocalComponentsTest, MetadataIsThisBrokerLeadingEveryPartition) {
  components_->AdvertisePort(9093);
  ASSERT_TRUE(CreateTopic("orders", 2).ok());
  const MetadataCache& metadata = components_->metadata();
  ASSERT_EQ(metadata.AliveBrokers().size(), 1u);
  EXPECT_EQ(metadata.AliveBrokers()[0].port, 9093);
  EXPECT_EQ(metadata.controller_id(), kNode);
  auto partition = metadata.GetPartition({"orders", 1});
  ASSERT_TRUE(partition);
  EXPECT_EQ(partition->leader, kNode);
  EXPECT_EQ(partition->replicas, std::vector<NodeId>{kNode});
  EXPECT_EQ(partition->isr, std::vector<NodeId>{kNode});
  EXPECT_FALSE(metadata.GetPartition({"orders", 2}));
  EXPECT_FALSE(metadata.GetPartition({"missing", 0}));
}

// Rule (KIP-516): a topic gets an id at creation, which each partition's
// directory keeps in partition.metadata, in Kafka's format; partitions added
// later share it, and a restarted broker reads it back.
TEST_F(LocalComponentsTest, TopicIdsAreKeptInPartitionMetadata) {
  ASSERT_TRUE(CreateTopic("orders", 2).ok());
  ASSERT_TRUE(CreateTopic("other", 1).ok());
  const std::optional<Uuid> id = components_->metadata().TopicId("orders");
  ASSERT_TRUE(id);
  EXPECT_FALSE(id->IsZero());
  EXPECT_NE(components_->metadata().TopicId("other"), id);
  EXPECT_EQ(components_->metadata().TopicId("missing"), std::nullopt);
  components_->topics().CreatePartitions({.name = "orders", .count = 3}, false,
                                         [](Status s) { ASSERT_TRUE(s.ok()); });
  for (int p = 0; p < 3; ++p) {
    const std::string path =
        "data/orders-" + std::to_string(p) + "/partition.metadata";
    EXPECT_EQ(AsString(ReadWholeFile(sim_.disk(kNode), path)),
              "version: 0\ntopic_id: " + id->ToString())
        << path;
  }
  components_ = std::make_unique<LocalBrokerComponents>(env(), config_);
  EXPECT_EQ(components_->metadata().TopicId("orders"), id);
}

// A partition directory without partition.metadata (written before topic
// ids) gets its topic's id when the broker starts, and keeps it.
TEST_F(LocalComponentsTest, APartitionWithoutTopicIdGetsOne) {
  ASSERT_TRUE(CreateTopic("orders", 2).ok());
  const Uuid id = *components_->metadata().TopicId("orders");
  sim_.disk(kNode).Remove("data/orders-1/partition.metadata");
  components_ = std::make_unique<LocalBrokerComponents>(env(), config_);
  EXPECT_EQ(components_->metadata().TopicId("orders"), id);
  EXPECT_TRUE(sim_.disk(kNode).Exists("data/orders-1/partition.metadata"));
  sim_.disk(kNode).Remove("data/orders-0/partition.metadata");
  sim_.disk(kNode).Remove("data/orders-1/partition.metadata");
  components_ = std::make_unique<LocalBrokerComponents>(env(), config_);
  const std::optional<Uuid> fresh = components_->metadata().TopicId("orders");
  ASSERT_TRUE(fresh);
  EXPECT_NE(*fresh, id);
  components_ = std::make_unique<LocalBrokerComponents>(env(), config_);
  EXPECT_EQ(components_->metadata().TopicId("orders"), fresh);
}

// Rule: compression.type=producer, Kafka's default, is accepted (batches
// stay as the producer compressed them); a codec, which would make the broker
// recompress, is refused, and so is a value Kafka does not know.
TEST_F(LocalComponentsTest, CompressionTypeProducerIsTheOnlyOneKept) {
  auto create = [&](const std::string& name, const std::string& value) {
    Status outcome = Error{ErrorCode::kUnknownServerError, "no answer"};
    components_->topics().CreateTopic(
        {.name = name,
         .num_partitions = 1,
         .configs = {{"compression.type", value}}},
        false, [&](Status s) { outcome = s; });
    return outcome;
  };
  EXPECT_TRUE(create("kept", "producer").ok());
  Status recompress = create("zstd", "zstd");
  ASSERT_FALSE(recompress.ok());
  EXPECT_EQ(recompress.error().code, ErrorCode::kInvalidConfig);
  Status unknown = create("bad", "brotli");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().message.find("String must be one of"),
            std::string::npos);
}

// Rule (DeleteRecords): the log start offset moves up to the offset asked
// for, -1 meaning the high watermark, and the answer is the new log start
// offset; past the high watermark, or below -1, is OFFSET_OUT_OF_RANGE, and
// an internal topic's records are not the client's to delete.
TEST_F(LocalComponentsTest, DeleteRecordsMovesTheLogStartOffset) {
  ASSERT_TRUE(CreateTopic("orders", 1).ok());
  ASSERT_TRUE(CreateTopic("__consumer_offsets", 1).ok());
  Append({"orders", 0}, BatchOf(5));
  ReplicaManager& replicas = components_->replicas();
  auto delete_records = [&](const TopicPartition& partition, int64_t offset) {
    std::optional<Result<int64_t>> answer;
    replicas.DeleteRecords(partition, offset,
                           [&](Result<int64_t> r) { answer.emplace(r); });
    return answer.value();
  };
  EXPECT_EQ(delete_records({"orders", 0}, 2).value(), 2);
  EXPECT_EQ(delete_records({"orders", 0}, 1).value(), 2) << "never back";
  EXPECT_EQ(delete_records({"orders", 0}, 6).error().code,
            ErrorCode::kOffsetOutOfRange);
  EXPECT_EQ(delete_records({"orders", 0}, -2).error().code,
            ErrorCode::kOffsetOutOfRange);
  EXPECT_EQ(delete_records({"orders", 0}, -1).value(), 5);
  EXPECT_EQ(replicas.GetLog({"orders", 0})->log_start_offset(), 5);
  EXPECT_EQ(delete_records({"orders", 1}, 0).error().code,
            ErrorCode::kUnknownTopicOrPartition);
  EXPECT_EQ(delete_records({"__consumer_offsets", 0}, 0).error().code,
            ErrorCode::kInvalidTopicException);
}

TEST(FetchIsolationTest, FollowersReadToTheLogEndConsumersToWhatIsCommitted) {
  FetchRequest consumer;
  EXPECT_EQ(FetchIsolationOf(consumer), FetchIsolation::kHighWatermark);
  FetchRequest read_committed;
  read_committed.isolation_level = 1;
  EXPECT_EQ(FetchIsolationOf(read_committed), FetchIsolation::kTxnCommitted);
  FetchRequest follower;
  follower.replica_id = 2;
  follower.isolation_level = 1;  // a follower copies everything regardless
  EXPECT_EQ(FetchIsolationOf(follower), FetchIsolation::kLogEnd);
}

}  // namespace
}  // namespace kafka
