#include "chapters/05_controller/controller/metadata_records.h"

#include <gtest/gtest.h>

namespace kafka {
namespace {

Uuid Id(uint8_t n) { return Uuid(std::array<uint8_t, 16>{n, 1, 2, 3}); }

// One record of every type, every field set away from its default.
std::vector<MetadataRecord> OneOfEach() {
  return {
      RegisterBrokerRecord{.broker_id = 1,
                           .incarnation_id = Id(7),
                           .broker_epoch = 42,
                           .end_points = {{"PLAINTEXT", "node-1", 60000, 0}},
                           .features = {{"metadata.version", 1, 7}},
                           .rack = "rack-a",
                           .fenced = false,
                           .in_controlled_shutdown = true},
      TopicRecord{.name = "orders", .topic_id = Id(9)},
      PartitionRecord{.partition_id = 2,
                      .topic_id = Id(9),
                      .replicas = {1, 2, 3},
                      .isr = {1, 2},
                      .leader = 1,
                      .leader_recovery_state = 1,
                      .leader_epoch = 4,
                      .partition_epoch = 6},
      ConfigRecord{.resource_type = kTopicConfigResource,
                   .resource_name = "orders",
                   .name = "retention.ms",
                   .value = std::nullopt},
      PartitionChangeRecord{.partition_id = 2,
                            .topic_id = Id(9),
                            .isr = std::vector<int32_t>{2},
                            .leader = 2,
                            .leader_recovery_state = 0},
      FenceBrokerRecord{.id = 3, .epoch = 10},
      UnfenceBrokerRecord{.id = 3, .epoch = 10},
      RemoveTopicRecord{.topic_id = Id(9)},
      FeatureLevelRecord{.name = "metadata.version", .feature_level = 7},
      ProducerIdsRecord{
          .broker_id = 1, .broker_epoch = 42, .next_producer_id = 2000},
      BrokerRegistrationChangeRecord{.broker_id = 1,
                                     .broker_epoch = 42,
                                     .fenced = 1,
                                     .in_controlled_shutdown = 1},
      NoOpRecord{},
  };
}

TEST(MetadataRecordsTest, EveryRecordTypeRoundTrips) {
  for (const MetadataRecord& record : OneOfEach()) {
    Result<MetadataRecord> decoded =
        DecodeMetadataRecord(EncodeMetadataRecord(record));
    ASSERT_TRUE(decoded.ok()) << decoded.error();
    EXPECT_TRUE(*decoded == record) << Describe(record);
  }
}

TEST(MetadataRecordsTest, DefaultsRoundTrip) {
  // A PartitionChangeRecord that changes nothing sends no tagged field.
  const MetadataRecord record = PartitionChangeRecord{};
  Result<MetadataRecord> decoded =
      DecodeMetadataRecord(EncodeMetadataRecord(record));
  ASSERT_TRUE(decoded.ok()) << decoded.error();
  EXPECT_TRUE(*decoded == record);
}

// The bytes of MetadataRecordSerde: frame version 1, api key, version, the
// flexible body (its tagged-field count last).
TEST(MetadataRecordsTest, FramedAsMetadataRecordSerde) {
  EXPECT_EQ(EncodeMetadataRecord(NoOpRecord{}), (Bytes{1, 20, 0, 0}));
  Bytes topic = EncodeMetadataRecord(TopicRecord{.name = "ab", .topic_id = {}});
  Bytes expected = {1, 2, 0, 3, 'a', 'b'};  // COMPACT_STRING: length + 1
  expected.resize(expected.size() + 16, 0);
  expected.push_back(0);
  EXPECT_EQ(topic, expected);
  // RegisterBrokerRecord is written at version 1 (in_controlled_shutdown).
  EXPECT_EQ(EncodeMetadataRecord(RegisterBrokerRecord{})[2], 1);
}

TEST(MetadataRecordsTest, ChangedFieldsOnlyAreTagged) {
  const Bytes unchanged = EncodeMetadataRecord(PartitionChangeRecord{});
  const Bytes new_leader =
      EncodeMetadataRecord(PartitionChangeRecord{.leader = 2});
  // Tag 1 (leader), its size, the int32: six bytes more.
  EXPECT_EQ(new_leader.size(), unchanged.size() + 6);
}

TEST(MetadataRecordsTest, BadFramesAreErrorsNotCrashes) {
  EXPECT_EQ(DecodeMetadataRecord(Bytes{2, 20, 0, 0}).error().code,
            ErrorCode::kCorruptMessage);  // frame version 2
  EXPECT_EQ(DecodeMetadataRecord(Bytes{1, 99, 0, 0}).error().code,
            ErrorCode::kUnsupportedVersion);  // no record type 99
  EXPECT_EQ(DecodeMetadataRecord(Bytes{1, 20, 5, 0}).error().code,
            ErrorCode::kUnsupportedVersion);  // NoOpRecord v5
  EXPECT_EQ(DecodeMetadataRecord(Bytes{1, 20, 0, 0, 0}).error().code,
            ErrorCode::kCorruptMessage);  // a byte too many
  EXPECT_EQ(DecodeMetadataRecord(Bytes{1, 2, 0, 3, 'a'}).error().code,
            ErrorCode::kCorruptMessage);  // cut short
  EXPECT_EQ(DecodeMetadataRecord(Bytes{}).error().code,
            ErrorCode::kCorruptMessage);
  Bytes every_length = EncodeMetadataRecord(OneOfEach()[0]);
  for (size_t cut = 0; cut < every_length.size(); ++cut) {
    EXPECT_FALSE(DecodeMetadataRecord(ByteView(every_length.data(), cut)).ok());
  }
}

TEST(MetadataRecordsTest, DescribeIsOneLine) {
  EXPECT_EQ(Describe(PartitionChangeRecord{.partition_id = 0,
                                           .topic_id = {},
                                           .isr = std::vector<int32_t>{2, 3},
                                           .leader = 2}),
            "PartitionChangeRecord(topic_id=AAAAAAAAAAAAAAAAAAAAAA, "
            "partition_id=0, leader=2, isr=[2, 3])");
  EXPECT_EQ(Describe(OneOfEach()[0]),
            "RegisterBrokerRecord(broker_id=1, broker_epoch=42, "
            "incarnation_id=" +
                Id(7).ToString() +
                ", end_points=[PLAINTEXT://node-1:60000], rack=\"rack-a\", "
                "fenced=false, in_controlled_shutdown=true)");
  for (const MetadataRecord& record : OneOfEach()) {
    EXPECT_EQ(Describe(record).find('\n'), std::string::npos);
  }
}

}  // namespace
}  // namespace kafka
