// Chapter 5's messages at the byte: the KRaft quorum's APIs and the
// controller's. The generated round-trip test shows each decodes what it
// encodes; these show the layouts are Kafka's where versions differ:
// classic or flexible, tagged or not, present or absent.
#include <gtest/gtest.h>

#include <cstdint>

#include "lib/protocol/allocate_producer_ids.h"
#include "lib/protocol/broker_lifecycle.h"
#include "lib/protocol/elect_leaders.h"
#include "lib/protocol/message.h"
#include "lib/protocol/quorum.h"

namespace kafka {
namespace {

template <typename Message>
Message Decode(const Bytes& body, ApiKey api, int16_t version) {
  Result<Message> decoded =
      DecodeMessage<Message>(body, api, version, 0, "message");
  EXPECT_TRUE(decoded.ok()) << decoded.error().ToString();
  return decoded.ok() ? decoded.value() : Message{};
}

// Rule: BeginQuorumEpoch v0 is not flexible (Kafka made v1 flexible): a null
// cluster_id is int16 -1, arrays have int32 lengths, no tagged sections.
TEST(KRaftMessagesTest, BeginQuorumEpochV0IsClassic) {
  BeginQuorumEpochRequest request;
  request.topics = {{"m", {{0, /*leader_id=*/3001, /*leader_epoch=*/2}}}};
  EXPECT_EQ(
      EncodeMessage(request, ApiKey::kBeginQuorumEpoch, 0),
      (Bytes{0xFF, 0xFF,                            // cluster_id: null
             0,    0,    0,    1,    0, 1, 'm',     // one topic "m"
             0,    0,    0,    1,    0, 0, 0,   0,  // one partition, index 0
             0,    0,    0x0B, 0xB9,                // leader_id 3001
             0,    0,    0,    2}));                // leader_epoch 2
}

// Rule: Vote is flexible from v0: compact strings and arrays (length + 1),
// and every struct ends with an (empty) tagged-field section.
TEST(KRaftMessagesTest, VoteV0IsFlexible) {
  VoteRequest request;
  request.cluster_id = "c";
  request.topics = {{"m",
                     {{0, /*candidate_epoch=*/5, /*candidate_id=*/3000,
                       /*last_offset_epoch=*/4, /*last_offset=*/9}}}};
  EXPECT_EQ(EncodeMessage(request, ApiKey::kVote, 0),
            (Bytes{2, 'c',                          // cluster_id "c"
                   2, 2,   'm',                     // one topic "m"
                   2, 0,   0,    0,    0,           // one partition, index 0
                   0, 0,   0,    5,                 // candidate_epoch
                   0, 0,   0x0B, 0xB8,              // candidate_id 3000
                   0, 0,   0,    4,                 // last_offset_epoch
                   0, 0,   0,    0,    0, 0, 0, 9,  // last_offset
                   0,                               // partition's tagged fields
                   0,                               // topic's tagged fields
                   0}));                            // request's tagged fields
}

// Rule: EndQuorumEpoch v0 carries the resigning leader's preferred
// successors, best first (v1 replaced them with preferred_candidates).
TEST(KRaftMessagesTest, EndQuorumEpochV0NamesPreferredSuccessors) {
  EndQuorumEpochRequest request;
  request.topics = {{"m", {{0, 3000, 7, {3002, 3001}}}}};
  EndQuorumEpochRequest back = Decode<EndQuorumEpochRequest>(
      EncodeMessage(request, ApiKey::kEndQuorumEpoch, 0),
      ApiKey::kEndQuorumEpoch, 0);
  EXPECT_EQ(back.topics[0].partitions[0].preferred_successors,
            (std::vector<int32_t>{3002, 3001}));
}

// Rule: FetchSnapshot's cluster_id is a tagged field (tag 0), sent only when
// known; replica_id and max_bytes default to -1 and INT32_MAX.
TEST(KRaftMessagesTest, FetchSnapshotClusterIdIsTagged) {
  FetchSnapshotRequest request;
  EXPECT_EQ(request.replica_id, -1);
  EXPECT_EQ(request.max_bytes, INT32_MAX);
  Bytes without = EncodeMessage(request, ApiKey::kFetchSnapshot, 0);
  EXPECT_EQ(without, (Bytes{0xFF, 0xFF, 0xFF, 0xFF,  // replica_id -1
                            0x7F, 0xFF, 0xFF, 0xFF,  // max_bytes
                            1,                       // no topics
                            0}));                    // no tagged fields
  request.cluster_id = "c";
  Bytes with = EncodeMessage(request, ApiKey::kFetchSnapshot, 0);
  EXPECT_EQ(Bytes(with.end() - 5, with.end()),
            (Bytes{1,          // one tagged field
                   0, 2,       // tag 0, two bytes
                   2, 'c'}));  // cluster_id "c"
  EXPECT_EQ(
      Decode<FetchSnapshotRequest>(with, ApiKey::kFetchSnapshot, 0).cluster_id,
      "c");
}

// Rule: FetchSnapshot's response carries the current leader in a tagged
// field (tag 0), left out when it is the all-zero default, as Kafka does.
TEST(KRaftMessagesTest, FetchSnapshotCurrentLeaderIsTagged) {
  FetchSnapshotResponse response;
  response.topics = {{"m", {{}}}};
  FetchSnapshotResponse::Partition& partition =
      response.topics[0].partitions[0];
  partition.unaligned_records = Bytes{0xAB};
  Bytes without = EncodeMessage(response, ApiKey::kFetchSnapshot, 0);
  partition.current_leader = {3001, 4};
  Bytes with = EncodeMessage(response, ApiKey::kFetchSnapshot, 0);
  // The field's tag and size, its two int32s and its own tagged section
  // (the partition's field count stays one byte).
  EXPECT_EQ(with.size(), without.size() + 1 + 1 + 8 + 1);
  FetchSnapshotResponse back =
      Decode<FetchSnapshotResponse>(with, ApiKey::kFetchSnapshot, 0);
  EXPECT_EQ(back.topics[0].partitions[0].current_leader.leader_id, 3001);
  EXPECT_EQ(back.topics[0].partitions[0].current_leader.leader_epoch, 4);
  EXPECT_EQ(back.topics[0].partitions[0].unaligned_records, Bytes{0xAB});
}

// Rule: DescribeQuorum v1 adds each replica's last fetch and last caught-up
// times (KIP-836); v0 has neither, and they read as -1 (unknown).
TEST(KRaftMessagesTest, DescribeQuorumV1AddsReplicaTimestamps) {
  DescribeQuorumResponse response;
  DescribeQuorumResponse::Partition partition;
  partition.leader_id = 3000;
  partition.high_watermark = 12;
  partition.current_voters = {{3000, 12, 500, 500}};
  partition.observers = {{1, 10, 490, 480}};
  response.topics = {{"m", {partition}}};
  Bytes v0 = EncodeMessage(response, ApiKey::kDescribeQuorum, 0);
  Bytes v1 = EncodeMessage(response, ApiKey::kDescribeQuorum, 1);
  EXPECT_EQ(v1.size(), v0.size() + 2 * 16);
  DescribeQuorumResponse back =
      Decode<DescribeQuorumResponse>(v0, ApiKey::kDescribeQuorum, 0);
  EXPECT_EQ(back.topics[0].partitions[0].observers[0].log_end_offset, 10);
  EXPECT_EQ(back.topics[0].partitions[0].observers[0].last_fetch_timestamp, -1);
  EXPECT_EQ(Decode<DescribeQuorumResponse>(v1, ApiKey::kDescribeQuorum, 1)
                .topics[0]
                .partitions[0]
                .observers[0]
                .last_caught_up_timestamp,
            480);
}

// Rule: a listener's port is Kafka's uint16, two bytes, unsigned: a port
// above 32767 (the ephemeral ports a launcher picks) reads back as itself.
TEST(KRaftMessagesTest, BrokerRegistrationPortIsTwoBytes) {
  BrokerRegistrationRequest request;
  request.broker_id = 1;
  request.cluster_id = "c";
  request.listeners = {{"PLAINTEXT", "h", 50000, 0}};
  BrokerRegistrationRequest back = Decode<BrokerRegistrationRequest>(
      EncodeMessage(request, ApiKey::kBrokerRegistration, 1),
      ApiKey::kBrokerRegistration, 1);
  EXPECT_EQ(back.listeners[0].port, 50000);
  EXPECT_FALSE(back.rack.has_value());
}

// Rule: a broker is fenced until the controller says otherwise: the
// heartbeat answer's is_fenced defaults to true, its broker_epoch to -1.
TEST(KRaftMessagesTest, BrokerLifecycleDefaults) {
  EXPECT_TRUE(BrokerHeartbeatResponse{}.is_fenced);
  EXPECT_EQ(BrokerHeartbeatRequest{}.broker_epoch, -1);
  EXPECT_EQ(BrokerRegistrationResponse{}.broker_epoch, -1);
  EXPECT_EQ(AllocateProducerIdsRequest{}.broker_epoch, -1);
}

// Rule: ElectLeaders v0 has no election type (it elects the preferred
// replica); a null partition list (all partitions) is an int32 -1 length
// before v2 and a 0 compact length from v2, the first flexible version.
TEST(KRaftMessagesTest, ElectLeadersVersions) {
  ElectLeadersRequest request;
  request.election_type = kUncleanElection;
  EXPECT_EQ(EncodeMessage(request, ApiKey::kElectLeaders, 0),
            (Bytes{0xFF, 0xFF, 0xFF, 0xFF,  // topic_partitions: null
                   0, 0, 0xEA, 0x60}));     // timeout_ms 60000
  EXPECT_EQ(EncodeMessage(request, ApiKey::kElectLeaders, 1),
            (Bytes{1,                       // election_type UNCLEAN
                   0xFF, 0xFF, 0xFF, 0xFF,  // topic_partitions: null
                   0, 0, 0xEA, 0x60}));
  EXPECT_EQ(EncodeMessage(request, ApiKey::kElectLeaders, 2),
            (Bytes{1, 0,              // UNCLEAN; null
                   0, 0, 0xEA, 0x60,  // timeout_ms
                   0}));              // tagged fields
  EXPECT_EQ(Decode<ElectLeadersRequest>(
                EncodeMessage(request, ApiKey::kElectLeaders, 0),
                ApiKey::kElectLeaders, 0)
                .election_type,
            kPreferredElection);
}

// Rule: the metadata topic's id is Kafka's fixed 0..01.
TEST(KRaftMessagesTest, MetadataTopicId) {
  EXPECT_EQ(MetadataTopicId().ToString(), "AAAAAAAAAAAAAAAAAAAAAQ");
}

}  // namespace
}  // namespace kafka
