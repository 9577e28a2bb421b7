#include "chapters/05_controller/controller/metadata_image.h"

#include <gtest/gtest.h>

namespace kafka {
namespace {

const Uuid kOrders(std::array<uint8_t, 16>{9, 9});

RegisterBrokerRecord Register(NodeId id, int64_t epoch) {
  return {.broker_id = id,
          .broker_epoch = epoch,
          .end_points = {{"PLAINTEXT", "node-" + std::to_string(id), 9092, 0}}};
}

PartitionRecord Partition(int32_t index, std::vector<int32_t> replicas) {
  return {.partition_id = index,
          .topic_id = kOrders,
          .replicas = replicas,
          .isr = replicas,
          .leader = replicas[0],
          .leader_epoch = 0,
          .partition_epoch = 0};
}

// Brokers 1-3 registered at offsets 0-2 and unfenced; "orders" with two
// partitions on them.
class MetadataImageTest : public ::testing::Test {
 protected:
  MetadataImageTest() {
    Apply(FeatureLevelRecord{.name = "metadata.version", .feature_level = 7});
    for (NodeId id : {1, 2, 3}) Apply(Register(id, offset_));
    for (NodeId id : {1, 2, 3}) {
      Apply(UnfenceBrokerRecord{.id = id, .epoch = image_.broker(id)->epoch});
    }
    Apply(TopicRecord{.name = "orders", .topic_id = kOrders});
    Apply(Partition(0, {1, 2, 3}));
    Apply(Partition(1, {2, 3, 1}));
  }

  void Apply(const MetadataRecord& record) { image_.Apply(record, offset_++); }
  const PartitionState& orders(int32_t partition) {
    return image_.partition({"orders", partition})->state;
  }

  MetadataImage image_;
  int64_t offset_ = 0;
};

TEST_F(MetadataImageTest, ABrokerRegistersFencedWithTheEpochItsRecordCarries) {
  Apply(Register(4, 40));
  const BrokerRegistration* broker = image_.broker(4);
  ASSERT_NE(broker, nullptr);
  EXPECT_EQ(broker->epoch, 40);
  EXPECT_TRUE(broker->fenced);
  EXPECT_EQ(broker->host, "node-4");
  EXPECT_EQ(broker->port, 9092);
  EXPECT_FALSE(image_.IsActive(4));
  EXPECT_EQ(image_.ActiveBrokers(), (std::vector<NodeId>{1, 2, 3}));
}

TEST_F(MetadataImageTest, FencingNamesTheEpochAndAnOldEpochChangesNothing) {
  const int64_t old_epoch = image_.broker(2)->epoch;
  Apply(Register(2, 100));  // broker 2 restarted: a new life, fenced
  Apply(UnfenceBrokerRecord{.id = 2, .epoch = old_epoch});
  EXPECT_TRUE(image_.broker(2)->fenced);
  Apply(UnfenceBrokerRecord{.id = 2, .epoch = 100});
  EXPECT_FALSE(image_.broker(2)->fenced);
  Apply(FenceBrokerRecord{.id = 2, .epoch = 100});
  EXPECT_TRUE(image_.broker(2)->fenced);
}

TEST_F(MetadataImageTest, ControlledShutdownMakesABrokerInactive) {
  Apply(BrokerRegistrationChangeRecord{.broker_id = 3,
                                       .broker_epoch = image_.broker(3)->epoch,
                                       .in_controlled_shutdown = 1});
  EXPECT_TRUE(image_.broker(3)->in_controlled_shutdown);
  EXPECT_FALSE(image_.broker(3)->fenced);
  EXPECT_FALSE(image_.IsActive(3));
}

TEST_F(MetadataImageTest, APartitionRecordIsThePartitionWhole) {
  EXPECT_EQ(orders(1), (PartitionState{.partition = {"orders", 1},
                                       .topic_id = kOrders,
                                       .replicas = {2, 3, 1},
                                       .isr = {2, 3, 1},
                                       .leader = 2,
                                       .leader_epoch = 0,
                                       .partition_epoch = 0}));
  EXPECT_EQ(image_.topic(kOrders)->name, "orders");
  EXPECT_EQ(image_.partition({"orders", 2}), nullptr);
}

TEST_F(MetadataImageTest, AnIsrChangeRaisesThePartitionEpochOnly) {
  Apply(PartitionChangeRecord{
      .partition_id = 0, .topic_id = kOrders, .isr = std::vector{1, 2}});
  EXPECT_EQ(orders(0).isr, (std::vector<NodeId>{1, 2}));
  EXPECT_EQ(orders(0).leader, 1);
  EXPECT_EQ(orders(0).leader_epoch, 0);
  EXPECT_EQ(orders(0).partition_epoch, 1);
}

TEST_F(MetadataImageTest, ALeaderChangeRaisesBothEpochs) {
  Apply(PartitionChangeRecord{.partition_id = 0,
                              .topic_id = kOrders,
                              .isr = std::vector{2, 3},
                              .leader = 2});
  EXPECT_EQ(orders(0).leader, 2);
  EXPECT_EQ(orders(0).leader_epoch, 1);
  EXPECT_EQ(orders(0).partition_epoch, 1);
  Apply(PartitionChangeRecord{
      .partition_id = 0, .topic_id = kOrders, .leader = -1});
  EXPECT_EQ(orders(0).leader, -1);
  EXPECT_EQ(orders(0).leader_epoch, 2);
  EXPECT_EQ(orders(0).isr, (std::vector<NodeId>{2, 3}));  // unchanged
}

TEST_F(MetadataImageTest, AnUncleanLeaderRecoversThroughAChange) {
  Apply(PartitionChangeRecord{.partition_id = 1,
                              .topic_id = kOrders,
                              .isr = std::vector{3},
                              .leader = 3,
                              .leader_recovery_state = 1});
  EXPECT_EQ(image_.partition({"orders", 1})->leader_recovery_state,
            LeaderRecoveryState::kRecovering);
  Apply(PartitionChangeRecord{
      .partition_id = 1, .topic_id = kOrders, .leader_recovery_state = 0});
  EXPECT_EQ(image_.partition({"orders", 1})->leader_recovery_state,
            LeaderRecoveryState::kRecovered);
}

TEST_F(MetadataImageTest, ConfigsAreSetDeletedAndGoWithTheirTopic) {
  Apply(ConfigRecord{.resource_type = kTopicConfigResource,
                     .resource_name = "orders",
                     .name = "retention.ms",
                     .value = "1000"});
  Apply(ConfigRecord{.resource_type = kTopicConfigResource,
                     .resource_name = "orders",
                     .name = "segment.bytes",
                     .value = "4096"});
  Apply(ConfigRecord{.resource_type = kTopicConfigResource,
                     .resource_name = "orders",
                     .name = "segment.bytes",
                     .value = std::nullopt});
  EXPECT_EQ(image_.topic_configs(),
            (TopicConfigsByTopic{{"orders", {{"retention.ms", "1000"}}}}));
  Apply(RemoveTopicRecord{.topic_id = kOrders});
  EXPECT_EQ(image_.topic("orders"), nullptr);
  EXPECT_EQ(image_.topic(kOrders), nullptr);
  EXPECT_TRUE(image_.topic_configs().empty());
  EXPECT_TRUE(image_.partition_states().empty());
}

TEST_F(MetadataImageTest, RecordsAboutWhatIsNotThereChangeNothing) {
  const MetadataImage before = image_;
  const Uuid unknown(std::array<uint8_t, 16>{1});
  Apply(PartitionChangeRecord{.partition_id = 0, .topic_id = unknown});
  Apply(PartitionChangeRecord{.partition_id = 7, .topic_id = kOrders});
  Apply(PartitionRecord{.partition_id = 5, .topic_id = kOrders});
  Apply(FenceBrokerRecord{.id = 99, .epoch = 0});
  Apply(RemoveTopicRecord{.topic_id = unknown});
  image_.set_last_applied_offset(before.last_applied_offset());
  EXPECT_EQ(image_, before);
}

TEST_F(MetadataImageTest, TracksTheLastOffsetAndTheProducerIdBlock) {
  EXPECT_EQ(image_.last_applied_offset(), offset_ - 1);
  Apply(ProducerIdsRecord{.broker_id = 1, .next_producer_id = 1000});
  EXPECT_EQ(image_.next_producer_id(), 1000);
  Apply(NoOpRecord{});
  EXPECT_EQ(image_.last_applied_offset(), offset_ - 1);
}

// A snapshot is the image as records: replayed into an empty image, it is
// the same image.
TEST_F(MetadataImageTest, ToRecordsRebuildsTheImage) {
  Apply(PartitionChangeRecord{.partition_id = 0,
                              .topic_id = kOrders,
                              .isr = std::vector{2},
                              .leader = 2,
                              .leader_recovery_state = 1});
  Apply(FenceBrokerRecord{.id = 1, .epoch = image_.broker(1)->epoch});
  Apply(ConfigRecord{.resource_type = kTopicConfigResource,
                     .resource_name = "orders",
                     .name = "retention.ms",
                     .value = "1000"});
  Apply(ProducerIdsRecord{.broker_id = 1, .next_producer_id = 2000});
  MetadataImage rebuilt;
  for (const MetadataRecord& record : image_.ToRecords()) {
    rebuilt.Apply(DecodeMetadataRecord(EncodeMetadataRecord(record)).value(),
                  image_.last_applied_offset());
  }
  EXPECT_EQ(rebuilt, image_);
  EXPECT_EQ(Describe(image_.ToRecords()[0]),
            "FeatureLevelRecord(name=\"metadata.version\", feature_level=7)");
}

}  // namespace
}  // namespace kafka
