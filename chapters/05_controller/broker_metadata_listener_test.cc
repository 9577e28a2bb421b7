// The BrokerMetadataListener as a transcript: committed batches of metadata
// records go in, the image and the MetadataUpdates it publishes come out.
#include "chapters/05_controller/broker_metadata_listener.h"

#include <gtest/gtest.h>

#include <array>

#include "chapters/05_controller/kraft_metadata_cache.h"
#include "lib/sim/simulation.h"

namespace kafka {
namespace {

const Uuid kOrdersId(std::array<uint8_t, 16>{9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9,
                                             9, 9, 9, 9});

// Only the high watermark matters to the listener.
class FakeRaftClient : public RaftClient {
 public:
  void Register(RaftListener*) override {}
  LeaderAndEpoch leader_and_epoch() const override { return {3000, 1}; }
  Result<int64_t> Append(int32_t, std::vector<Bytes>) override {
    return Error{ErrorCode::kNotController, "a broker appends nothing"};
  }
  std::optional<int64_t> high_watermark() const override {
    return high_watermark_;
  }
  void CreateSnapshot(int64_t, int32_t, std::vector<Bytes>) override {}
  void Resign(int32_t) override {}

  std::optional<int64_t> high_watermark_;
};

class IdleNode : public ClientNode {
 public:
  void Start(Environment&) override {}
};

RegisterBrokerRecord Registration(NodeId id, int64_t epoch) {
  return {.broker_id = id,
          .broker_epoch = epoch,
          .end_points = {{.name = "PLAINTEXT",
                          .host = "node-" + std::to_string(id),
                          .port = 9092}}};
}

PartitionRecord Partition(int32_t index, std::vector<NodeId> isr,
                          NodeId leader) {
  return {.partition_id = index,
          .topic_id = kOrdersId,
          .replicas = {1, 2},
          .isr = std::move(isr),
          .leader = leader,
          .leader_epoch = 0,
          .partition_epoch = 0};
}

CommittedBatch BatchOf(int64_t base_offset,
                       const std::vector<MetadataRecord>& records) {
  CommittedBatch batch{.base_offset = base_offset,
                       .last_offset = base_offset + int64_t(records.size()) - 1,
                       .epoch = 1};
  for (const MetadataRecord& record : records) {
    batch.records.push_back(EncodeMetadataRecord(record));
  }
  return batch;
}

class BrokerMetadataListenerTest : public ::testing::Test {
 protected:
  BrokerMetadataListenerTest() {
    sim_.AddNode(1, [] { return std::make_unique<IdleNode>(); });
    listener_ = std::make_unique<BrokerMetadataListener>(
        sim_.env(1), raft_,
        [this](const MetadataUpdate& update) { updates_.push_back(update); });
  }
  // Commits `records` at `base_offset`, the high watermark just past them.
  void Commit(int64_t base_offset, const std::vector<MetadataRecord>& records) {
    const CommittedBatch batch = BatchOf(base_offset, records);
    raft_.high_watermark_ = batch.last_offset + 1;
    listener_->HandleCommit(batch);
  }
  // A broker, a topic "orders" with two partitions led by broker 1.
  void CreateOrders() {
    Commit(0, {Registration(1, 0), Registration(2, 1),
               TopicRecord{.name = "orders", .topic_id = kOrdersId},
               Partition(0, {1, 2}, 1), Partition(1, {1, 2}, 1)});
  }

  Simulation sim_{5};
  FakeRaftClient raft_;
  std::unique_ptr<BrokerMetadataListener> listener_;
  std::vector<MetadataUpdate> updates_;
};

// Each batch is replayed into the image, which then goes to the components
// as Chapter 4's MetadataUpdate: every partition's state.
TEST_F(BrokerMetadataListenerTest, ABatchIsReplayedAndPublished) {
  CreateOrders();
  ASSERT_EQ(updates_.size(), 1u);
  ASSERT_EQ(updates_[0].states.size(), 2u);
  EXPECT_EQ(updates_[0].states[0].partition, (TopicPartition{"orders", 0}));
  EXPECT_EQ(updates_[0].states[0].leader, 1);
  EXPECT_EQ(updates_[0].states[0].isr, (std::vector<NodeId>{1, 2}));
  EXPECT_EQ(listener_->published_offset(), 4);
  EXPECT_EQ(listener_->image().last_applied_offset(), 4);
}

// A restarted broker replays the log from its start. Until it reaches the
// high watermark once, nothing is published: its components must not act
// on a state the cluster has left (Kafka's MetadataLoader).
TEST_F(BrokerMetadataListenerTest, NothingIsPublishedBeforeCatchingUp) {
  raft_.high_watermark_ = 100;
  listener_->HandleCommit(BatchOf(
      0,
      {Registration(1, 0), TopicRecord{.name = "orders", .topic_id = kOrdersId},
       Partition(0, {1}, 1)}));
  EXPECT_TRUE(updates_.empty());
  EXPECT_FALSE(listener_->caught_up());
  EXPECT_EQ(listener_->published_offset(), -1);
  EXPECT_EQ(listener_->image().topics().size(), 1u);  // replayed, not shown

  raft_.high_watermark_ = 4;
  listener_->HandleCommit(
      BatchOf(3, {RemoveTopicRecord{.topic_id = kOrdersId}}));
  ASSERT_EQ(updates_.size(), 1u);
  EXPECT_TRUE(updates_[0].states.empty());
  EXPECT_TRUE(updates_[0].deleted_partitions.empty())
      << "the components never had the partition";
  EXPECT_TRUE(listener_->caught_up());
}

// The active controller writes a NoOpRecord every 500 ms: it moves the
// offset the broker reports, and publishes nothing new.
TEST_F(BrokerMetadataListenerTest, ANoOpRecordMovesTheOffsetOnly) {
  CreateOrders();
  Commit(5, {NoOpRecord{}});
  EXPECT_EQ(updates_.size(), 1u);
  EXPECT_EQ(listener_->published_offset(), 5);
}

// A topic removed from the log: its partitions are the update's deleted
// ones (the group coordinator forgets their offsets).
TEST_F(BrokerMetadataListenerTest, ARemovedTopicsPartitionsAreDeleted) {
  CreateOrders();
  Commit(5, {RemoveTopicRecord{.topic_id = kOrdersId}});
  ASSERT_EQ(updates_.size(), 2u);
  EXPECT_TRUE(updates_[1].states.empty());
  EXPECT_EQ(updates_[1].deleted_partitions,
            (std::vector<TopicPartition>{{"orders", 0}, {"orders", 1}}));
}

// Bad bytes in the log are never an assertion: the record is skipped and
// counted, and the records around it still apply.
TEST_F(BrokerMetadataListenerTest, ARecordThatDoesNotDecodeIsSkipped) {
  CommittedBatch batch =
      BatchOf(0, {Registration(1, 0),
                  TopicRecord{.name = "orders", .topic_id = kOrdersId}});
  batch.records.insert(batch.records.begin() + 1, Bytes{0xff, 0x01});
  batch.last_offset = 2;
  raft_.high_watermark_ = 3;
  listener_->HandleCommit(batch);
  EXPECT_EQ(listener_->undecodable_records(), 1);
  EXPECT_FALSE(listener_->last_decode_error().ok());
  EXPECT_NE(listener_->image().broker(1), nullptr);
  EXPECT_NE(listener_->image().topic("orders"), nullptr);
  EXPECT_EQ(listener_->published_offset(), 2);
}

// A snapshot replaces the image whole; the offset is its end's.
TEST_F(BrokerMetadataListenerTest, ASnapshotReplacesTheImage) {
  CreateOrders();
  raft_.high_watermark_ = 20;
  listener_->HandleLoadSnapshot(20, 2,
                                {EncodeMetadataRecord(Registration(3, 12))});
  EXPECT_EQ(listener_->image().broker(1), nullptr);
  EXPECT_NE(listener_->image().broker(3), nullptr);
  EXPECT_EQ(listener_->published_offset(), 19);
  ASSERT_EQ(updates_.size(), 2u);
  EXPECT_EQ(updates_[1].deleted_partitions.size(), 2u);
}

// The cache answers from the image: alive brokers are the unfenced ones
// (registration leaves a broker fenced), and topics are the log's.
TEST_F(BrokerMetadataListenerTest, TheCacheReadsTheImage) {
  KRaftMetadataCache cache(listener_->image(), "cluster");
  CreateOrders();
  EXPECT_TRUE(cache.AliveBrokers().empty());
  EXPECT_EQ(cache.controller_id(), -1);
  Commit(5, {UnfenceBrokerRecord{.id = 2, .epoch = 1}});
  ASSERT_EQ(cache.AliveBrokers().size(), 1u);
  EXPECT_EQ(cache.AliveBrokers()[0].id, 2);
  EXPECT_EQ(cache.AliveBrokers()[0].host, "node-2");
  EXPECT_FALSE(cache.GetBroker(1).has_value());
  EXPECT_EQ(cache.controller_id(), 2);
  EXPECT_EQ(cache.TopicNames(), std::vector<std::string>{"orders"});
  EXPECT_EQ(cache.TopicId("orders"), kOrdersId);
  ASSERT_TRUE(cache.TopicPartitions("orders").has_value());
  EXPECT_EQ(cache.TopicPartitions("orders")->size(), 2u);
  EXPECT_EQ(cache.GetPartitionState({"orders", 1})->leader, 1);
  EXPECT_FALSE(cache.GetPartitionState({"orders", 2}).has_value());
}

}  // namespace
}  // namespace kafka
