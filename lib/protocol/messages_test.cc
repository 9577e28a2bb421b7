// The Chapter 2 messages: every version we advertise round-trips, and the
// fields that appear or vanish between versions do so at Kafka's versions.
#include <gtest/gtest.h>

#include "lib/protocol/create_topics.h"
#include "lib/protocol/fetch.h"
#include "lib/protocol/groups.h"
#include "lib/protocol/list_offsets.h"
#include "lib/protocol/message.h"
#include "lib/protocol/metadata.h"
#include "lib/protocol/produce.h"

namespace kafka {
namespace {

// Encodes, decodes and encodes again: a faithful codec gives the same bytes.
template <typename Message>
Message RoundTrip(const Message& message, ApiKey api, int16_t version) {
  Bytes first = EncodeMessage(message, api, version);
  Result<Message> decoded =
      DecodeMessage<Message>(first, api, version, 0, "message");
  EXPECT_TRUE(decoded.ok()) << decoded.error().ToString();
  EXPECT_EQ(EncodeMessage(decoded.value(), api, version), first);
  return decoded.value();
}

ProduceRequest SampleProduce() {
  ProduceRequest request;
  request.acks = -1;
  request.timeout_ms = 1500;
  request.topic_data = {{"orders", {{0, Bytes{1, 2, 3}}, {3, std::nullopt}}}};
  return request;
}

// Rule: a Produce v3 request is transactional_id, acks, timeout_ms, then
// topics of (name, partitions of (index, records as int32-length bytes)).
TEST(MessagesTest, ProduceV3RequestBytes) {
  ProduceRequest request;
  request.acks = 1;
  request.timeout_ms = 5000;
  request.topic_data = {{"t", {{2, Bytes{0xAB}}}}};
  EXPECT_EQ(
      EncodeMessage(request, ApiKey::kProduce, 3),
      (Bytes{0xFF, 0xFF,                              // transactional_id: null
             0x00, 0x01,                              // acks
             0x00, 0x00, 0x13, 0x88,                  // timeout_ms 5000
             0,    0,    0,    1,    0,   1, 't',     // one topic "t"
             0,    0,    0,    1,    0,   0, 0,   2,  // one partition, index 2
             0,    0,    0,    1,    0xAB}));         // records
}

TEST(MessagesTest, ProduceRoundTripsAtEveryVersion) {
  for (int16_t v = 3; v <= 7; ++v) {
    ProduceRequest back = RoundTrip(SampleProduce(), ApiKey::kProduce, v);
    EXPECT_EQ(back.topic_data[0].partition_data[0].records, (Bytes{1, 2, 3}));
    EXPECT_FALSE(back.topic_data[0].partition_data[1].records.has_value());

    ProduceResponse response;
    response.responses = {{"orders", {{0, ErrorCode::kNone, 42, -1, 7}}}};
    ProduceResponse r = RoundTrip(response, ApiKey::kProduce, v);
    EXPECT_EQ(r.responses[0].partition_responses[0].base_offset, 42);
    // log_start_offset exists from v5 on.
    EXPECT_EQ(r.responses[0].partition_responses[0].log_start_offset,
              v >= 5 ? 7 : -1);
  }
}

TEST(MessagesTest, FetchRoundTripsAtEveryVersion) {
  for (int16_t v = 4; v <= 6; ++v) {
    FetchRequest request;
    request.isolation_level = 1;
    request.topics = {
        {.topic = "orders",
         .partitions = {
             {.partition = 0, .fetch_offset = 100, .log_start_offset = 5}}}};
    FetchRequest back = RoundTrip(request, ApiKey::kFetch, v);
    EXPECT_EQ(back.isolation_level, 1);
    EXPECT_EQ(back.topics[0].partitions[0].fetch_offset, 100);
    EXPECT_EQ(back.topics[0].partitions[0].log_start_offset, v >= 5 ? 5 : -1);

    FetchResponse response;
    FetchResponse::Partition p;
    p.high_watermark = 120;
    p.last_stable_offset = 110;
    p.aborted_transactions =
        std::vector<FetchResponse::AbortedTransaction>{{9, 101}};
    p.records = Bytes{7, 7};
    response.responses = {{.topic = "orders", .partitions = {p}}};
    FetchResponse r = RoundTrip(response, ApiKey::kFetch, v);
    const FetchResponse::Partition& got = r.responses[0].partitions[0];
    EXPECT_EQ(got.high_watermark, 120);
    EXPECT_EQ(got.last_stable_offset, 110);
    ASSERT_TRUE(got.aborted_transactions.has_value());
    EXPECT_EQ((*got.aborted_transactions)[0].first_offset, 101);
  }
}

// Rule: a null aborted_transactions list is encoded as -1, not as empty.
TEST(MessagesTest, FetchNullAbortedTransactions) {
  FetchResponse response;
  response.responses = {{.topic = "t", .partitions = {{}}}};
  FetchResponse r = RoundTrip(response, ApiKey::kFetch, 4);
  EXPECT_FALSE(r.responses[0].partitions[0].aborted_transactions.has_value());
}

TEST(MessagesTest, ListOffsetsRoundTripsAtEveryVersion) {
  for (int16_t v = 1; v <= 2; ++v) {
    ListOffsetsRequest request;
    request.topics = {{"orders",
                       {{.partition_index = 0, .timestamp = -2},
                        {.partition_index = 1, .timestamp = 1700000000000}}}};
    ListOffsetsRequest back = RoundTrip(request, ApiKey::kListOffsets, v);
    EXPECT_EQ(back.topics[0].partitions[1].timestamp, 1700000000000);
    ListOffsetsResponse response;
    response.topics = {{"orders", {{.partition_index = 0, .offset = 17}}}};
    EXPECT_EQ(RoundTrip(response, ApiKey::kListOffsets, v)
                  .topics[0]
                  .partitions[0]
                  .offset,
              17);
  }
}

// Rule: in Metadata v0 an empty topic list means all topics; from v1 a null
// list means all and an empty one means none.
TEST(MessagesTest, MetadataAllTopics) {
  MetadataRequest all;
  EXPECT_EQ(EncodeMessage(all, ApiKey::kMetadata, 0), (Bytes{0, 0, 0, 0}));
  EXPECT_EQ(EncodeMessage(all, ApiKey::kMetadata, 1),
            (Bytes{0xFF, 0xFF, 0xFF, 0xFF}));
  EXPECT_FALSE(RoundTrip(all, ApiKey::kMetadata, 0).topics.has_value());
  MetadataRequest none;
  none.topics.emplace();
  EXPECT_TRUE(RoundTrip(none, ApiKey::kMetadata, 1).topics.has_value());
}

TEST(MessagesTest, MetadataRoundTripsAtEveryVersion) {
  for (int16_t v = 0; v <= MetadataResponse::kMaxVersion; ++v) {
    MetadataResponse response;
    response.brokers = {{1, "localhost", 9092, "rack-a"}};
    response.cluster_id = "literate";
    response.controller_id = 1;
    response.topics = {{.name = "orders",
                        .partitions = {{.partition_index = 0,
                                        .leader_id = 1,
                                        .replica_nodes = {1},
                                        .isr_nodes = {1}}}}};
    MetadataResponse r = RoundTrip(response, ApiKey::kMetadata, v);
    EXPECT_EQ(r.brokers[0].port, 9092);
    EXPECT_EQ(r.brokers[0].rack,
              v >= 1 ? std::optional<std::string>("rack-a") : std::nullopt);
    EXPECT_EQ(r.cluster_id,
              v >= 2 ? std::optional<std::string>("literate") : std::nullopt);
    EXPECT_EQ(r.topics[0].partitions[0].leader_id, 1);
  }
}

TEST(MessagesTest, CreateTopicsAndPartitionsRoundTrip) {
  for (int16_t v = 0; v <= 2; ++v) {
    CreateTopicsRequest request;
    request.topics = {{"orders", 6, 1, {}, {{"retention.ms", "1000"}}}};
    request.validate_only = true;
    CreateTopicsRequest back = RoundTrip(request, ApiKey::kCreateTopics, v);
    EXPECT_EQ(back.topics[0].num_partitions, 6);
    EXPECT_EQ(back.validate_only, v >= 1);
    CreateTopicsResponse response;
    response.topics = {{.name = "orders", .error_message = "fine"}};
    EXPECT_EQ(
        RoundTrip(response, ApiKey::kCreateTopics, v).topics[0].error_message,
        v >= 1 ? std::optional<std::string>("fine") : std::nullopt);
  }
  for (int16_t v = 0; v <= 1; ++v) {
    CreatePartitionsRequest request;
    request.topics = {{"orders", 12, std::nullopt}};
    EXPECT_EQ(RoundTrip(request, ApiKey::kCreatePartitions, v).topics[0].count,
              12);
    CreatePartitionsResponse response;
    response.results = {{"orders", ErrorCode::kNone, std::nullopt}};
    RoundTrip(response, ApiKey::kCreatePartitions, v);
  }
}

// Rule: JoinGroup v1 adds rebalance_timeout_ms after session_timeout_ms; v0
// reads it as the session timeout. v2 puts throttle_time_ms first in the
// answer.
TEST(MessagesTest, JoinGroupVersions) {
  JoinGroupRequest request;
  request.group_id = "g";
  request.session_timeout_ms = 10'000;
  request.rebalance_timeout_ms = 60'000;
  request.protocols = {{"range", Bytes{1}}, {"roundrobin", Bytes{2}}};
  EXPECT_EQ(RoundTrip(request, ApiKey::kJoinGroup, 0).rebalance_timeout_ms,
            10'000);
  for (int16_t v = 1; v <= 2; ++v) {
    JoinGroupRequest back = RoundTrip(request, ApiKey::kJoinGroup, v);
    EXPECT_EQ(back.rebalance_timeout_ms, 60'000);
    EXPECT_EQ(back.protocols[1].name, "roundrobin");
  }
  JoinGroupResponse response;
  response.generation_id = 3;
  response.leader = "m1";
  response.member_id = "m2";
  response.members = {{.member_id = "m1", .metadata = Bytes{9}}};
  for (int16_t v = 0; v <= 2; ++v) {
    JoinGroupResponse back = RoundTrip(response, ApiKey::kJoinGroup, v);
    EXPECT_EQ(back.generation_id, 3);
    EXPECT_EQ(back.members[0].metadata, Bytes{9});
  }
  EXPECT_EQ(EncodeMessage(response, ApiKey::kJoinGroup, 2).size(),
            EncodeMessage(response, ApiKey::kJoinGroup, 1).size() + 4);
}

TEST(MessagesTest, GroupMessagesRoundTrip) {
  for (int16_t v = 0; v <= 1; ++v) {
    EXPECT_EQ(
        RoundTrip(FindCoordinatorRequest{"g", 0}, ApiKey::kFindCoordinator, v)
            .key,
        "g");
    FindCoordinatorResponse found;
    found.node_id = 1;
    found.host = "127.0.0.1";
    found.port = 9092;
    EXPECT_EQ(RoundTrip(found, ApiKey::kFindCoordinator, v).port, 9092);
    SyncGroupRequest sync{.group_id = "g",
                          .generation_id = 2,
                          .member_id = "m1",
                          .assignments = {{"m1", Bytes{1, 2}}}};
    EXPECT_EQ(RoundTrip(sync, ApiKey::kSyncGroup, v).assignments[0].assignment,
              (Bytes{1, 2}));
    SyncGroupResponse synced;
    synced.assignment = Bytes{3};
    EXPECT_EQ(RoundTrip(synced, ApiKey::kSyncGroup, v).assignment, Bytes{3});
    RoundTrip(HeartbeatRequest{"g", 2, "m1"}, ApiKey::kHeartbeat, v);
    RoundTrip(LeaveGroupRequest{"g", "m1"}, ApiKey::kLeaveGroup, v);
    GroupErrorResponse error;
    error.error_code = ErrorCode::kUnknownServerError;
    EXPECT_EQ(RoundTrip(error, ApiKey::kHeartbeat, v).error_code,
              ErrorCode::kUnknownServerError);
  }
  OffsetCommitRequest commit;
  commit.group_id = "g";
  commit.topics = {{"orders",
                    {{.partition_index = 0,
                      .committed_offset = 42,
                      .committed_metadata = "meta"}}}};
  EXPECT_EQ(RoundTrip(commit, ApiKey::kOffsetCommit, 2)
                .topics[0]
                .partitions[0]
                .committed_offset,
            42);
  OffsetFetchResponse fetched;
  fetched.topics = {{"orders", {{0, -1, -1, std::nullopt, ErrorCode::kNone}}}};
  EXPECT_EQ(RoundTrip(fetched, ApiKey::kOffsetFetch, 1)
                .topics[0]
                .partitions[0]
                .committed_offset,
            -1);
  RoundTrip(OffsetFetchRequest{"g", {{{"orders", {0, 1}}}}},
            ApiKey::kOffsetFetch, 1);
  OffsetCommitResponse committed;
  committed.topics = {{"orders", {{0, ErrorCode::kNone}}}};
  RoundTrip(committed, ApiKey::kOffsetCommit, 2);
}

TEST(MessagesTest, ListAndDescribeGroupsRoundTrip) {
  for (int16_t v = 0; v <= 1; ++v) {
    ListGroupsResponse listed;
    listed.groups = {{"readers", "consumer"}};
    EXPECT_EQ(RoundTrip(listed, ApiKey::kListGroups, v).groups[0].group_id,
              "readers");
    EXPECT_EQ(
        RoundTrip(DescribeGroupsRequest{{"a", "b"}}, ApiKey::kDescribeGroups, v)
            .groups.size(),
        2u);
    DescribeGroupsResponse described;
    DescribeGroupsResponse::Group group;
    group.group_id = "readers";
    group.group_state = "Stable";
    group.protocol_type = "consumer";
    group.protocol_data = "range";
    group.members = {{.member_id = "m1",
                      .client_id = "client",
                      .client_host = "/127.0.0.1",
                      .member_metadata = Bytes{1},
                      .member_assignment = Bytes{2}}};
    described.groups = {group};
    DescribeGroupsResponse back =
        RoundTrip(described, ApiKey::kDescribeGroups, v);
    EXPECT_EQ(back.groups[0].members[0].member_assignment, Bytes{2});
  }
}

}  // namespace
}  // namespace kafka
