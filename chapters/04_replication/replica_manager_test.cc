// The replicated ReplicaManager on brokers in the simulator, with a
// controller the test drives (replica_host_test_util.h): what one broker's
// replica manager does with the controller's states, with appends, with
// consumers' and followers' fetches, and with its timers.
#include <gtest/gtest.h>

#include <algorithm>

#include "chapters/01_log/test_util.h"
#include "chapters/04_replication/offset_checkpoint.h"
#include "chapters/04_replication/replica_host_test_util.h"
#include "chapters/04_replication/replicated_replica_manager.h"
#include "lib/protocol/offset_for_leader_epoch.h"

namespace kafka {
namespace {

using testing::BatchOf;
using testing::OffsetsIn;
using testing::ReplicaCluster;

const TopicPartition kTp{"t", 0};
constexpr int16_t kFetchVersion = 12;

std::vector<NodeId> Sorted(std::vector<NodeId> ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

// A consumer's fetch of t-0 from `offset`, answered at once.
FetchRequest ConsumerFetch(int64_t offset, int32_t max_wait_ms = 0) {
  FetchRequest request;
  request.replica_id = kConsumerReplicaId;
  request.max_wait_ms = max_wait_ms;
  request.min_bytes = 1;
  request.topics.push_back(
      {.topic = kTp.topic,
       .partitions = {{.partition = kTp.partition, .fetch_offset = offset}}});
  return request;
}

class ReplicaManagerTest : public ::testing::Test {
 protected:
  // A consumer fetch of t-0 sent to `broker`; its one partition's answer.
  FetchResponse::Partition Consume(NodeId broker, int64_t offset) {
    Result<FetchResponse> answer =
        c_.cluster().Call<FetchResponse>(c_.client(), broker, ApiKey::kFetch,
                                         kFetchVersion, ConsumerFetch(offset));
    EXPECT_TRUE(answer.ok());
    return answer->responses.at(0).partitions.at(0);
  }
  int64_t Now() { return c_.sim().env(c_.client()).NowMs(); }

  ReplicaCluster c_{42, 3};
};

// The followers copy what the leader appends, batch for batch and byte for
// byte (offsets and epochs as the leader wrote them), and the high
// watermark follows: the leader's once every in-sync replica has the
// records, the followers' one fetch later.
TEST_F(ReplicaManagerTest, FollowersCopyTheLeadersLogByteForByte) {
  c_.CreatePartition(kTp, {1, 2, 3});
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(c_.Append(1, kTp, BatchOf(2)).error_code, ErrorCode::kNone);
  }
  c_.sim().RunFor(2000);
  EXPECT_EQ(c_.partition(1, kTp).log_end_offset(), 6);
  EXPECT_EQ(c_.partition(1, kTp).high_watermark(), 6);
  for (NodeId follower : {2, 3}) {
    EXPECT_EQ(c_.LogBytes(follower, kTp), c_.LogBytes(1, kTp));
    EXPECT_EQ(c_.partition(follower, kTp).high_watermark(), 6);
  }
}

// A write is visible to consumers only once every in-sync replica has it:
// while a follower in the ISR is stopped (SIGSTOP), the leader's high
// watermark stays, and a consumer reads nothing; when it resumes and
// fetches, the records become visible.
TEST_F(ReplicaManagerTest, ConsumersReadOnlyUpToTheHighWatermark) {
  c_.CreatePartition(kTp, {1, 2});
  c_.sim().RunFor(100);
  c_.sim().Pause(2);
  ASSERT_EQ(c_.Append(1, kTp, BatchOf(2)).error_code, ErrorCode::kNone);
  c_.sim().RunFor(5000);
  FetchResponse::Partition before = Consume(1, 0);
  EXPECT_EQ(before.error_code, ErrorCode::kNone);
  EXPECT_EQ(before.high_watermark, 0);
  EXPECT_TRUE(OffsetsIn(*before.records).empty());

  c_.sim().Resume(2);
  c_.sim().RunFor(2000);
  FetchResponse::Partition after = Consume(1, 0);
  EXPECT_EQ(after.high_watermark, 2);
  EXPECT_EQ(OffsetsIn(*after.records), (std::vector<int64_t>{0, 1}));
}

// A consumer's long poll at the high watermark is not answered by the
// append (the records are not committed yet) but by the follower fetch that
// moves the high watermark over them.
TEST_F(ReplicaManagerTest, ALongPollIsAnsweredWhenTheHighWatermarkMoves) {
  c_.CreatePartition(kTp, {1, 2});
  c_.sim().RunFor(100);
  c_.sim().Pause(2);
  ASSERT_EQ(c_.Append(1, kTp, BatchOf(1)).error_code, ErrorCode::kNone);
  std::optional<Result<Bytes>> answer;
  int64_t answered_at = -1;
  c_.sim()
      .env(c_.client())
      .Send(1, {int16_t(ApiKey::kFetch), kFetchVersion, 0, "consumer"},
            EncodeMessage(ConsumerFetch(0, /*max_wait_ms=*/20'000),
                          ApiKey::kFetch, kFetchVersion),
            30'000, [&](Result<Bytes> body) {
              answer = std::move(body);
              answered_at = Now();
            });
  c_.sim().RunFor(3000);
  EXPECT_FALSE(answer.has_value());  // waiting: the HW has not moved

  const int64_t resumed_at = Now();
  c_.sim().Resume(2);
  ASSERT_TRUE(c_.sim().RunUntil([&] { return answer.has_value(); }, 5000));
  EXPECT_LT(answered_at - resumed_at, 1000);
  Result<FetchResponse> response = DecodeMessage<FetchResponse>(
      answer->value(), ApiKey::kFetch, kFetchVersion, 0, "FetchResponse");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(OffsetsIn(*response->responses[0].partitions[0].records),
            std::vector<int64_t>{0});
}

// KAFKA_RULES §3(b) 2 on one leader: a follower stopped for longer than
// replica.lag.time.max.ms (30 s) is dropped from the ISR (an AlterPartition
// the controller accepts), and the high watermark moves on without it. When
// it resumes and catches up, the leader proposes it back, and it rejoins.
TEST_F(ReplicaManagerTest, AStuckFollowerLeavesTheIsrAndRejoins) {
  c_.CreatePartition(kTp, {1, 2, 3});
  c_.sim().RunFor(100);
  c_.sim().Pause(3);
  const int64_t paused_at = Now();
  ASSERT_EQ(c_.Append(1, kTp, BatchOf(1)).error_code, ErrorCode::kNone);
  c_.sim().RunFor(1000);
  EXPECT_EQ(c_.partition(1, kTp).high_watermark(), 0);

  ASSERT_TRUE(c_.sim().RunUntil(
      [&] { return c_.partition(1, kTp).isr().size() == 2; }, 60'000));
  EXPECT_GE(Now() - paused_at, 30'000);
  EXPECT_EQ(Sorted(c_.partition(1, kTp).isr()), (std::vector<NodeId>{1, 2}));
  EXPECT_EQ(Sorted(ProposedIsr(
                c_.controller().received.at(0).topics[0].partitions[0])),
            (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(c_.partition(1, kTp).high_watermark(), 1);

  c_.sim().Resume(3);
  ASSERT_TRUE(c_.sim().RunUntil(
      [&] { return c_.partition(1, kTp).isr().size() == 3; }, 10'000));
  EXPECT_EQ(c_.LogBytes(3, kTp), c_.LogBytes(1, kTp));
}

// Only the leader takes writes and serves reads: a follower answers
// NOT_LEADER_OR_FOLLOWER, and so does a broker without a replica of a
// partition the cluster has (the asker's metadata is stale); a partition
// nobody has is UNKNOWN_TOPIC_OR_PARTITION.
TEST_F(ReplicaManagerTest, OnlyTheLeaderServesClients) {
  c_.CreatePartition(kTp, {1, 2});
  EXPECT_EQ(c_.Append(2, kTp, BatchOf(1)).error_code,
            ErrorCode::kNotLeaderOrFollower);
  EXPECT_EQ(c_.Append(3, kTp, BatchOf(1)).error_code,
            ErrorCode::kNotLeaderOrFollower);
  EXPECT_EQ(c_.Append(1, {"elsewhere", 0}, BatchOf(1)).error_code,
            ErrorCode::kUnknownTopicOrPartition);
  EXPECT_EQ(Consume(2, 0).error_code, ErrorCode::kNotLeaderOrFollower);
  EXPECT_EQ(c_.replicas(2)
                .FetchOffsetForTimestamp(kTp, kLatestTimestamp, -1)
                .error_code,
            ErrorCode::kNotLeaderOrFollower);
  Result<int64_t> deleted = Error{ErrorCode::kNone, ""};
  c_.replicas(2).DeleteRecords(kTp, 0, [&](Result<int64_t> r) { deleted = r; });
  EXPECT_EQ(deleted.error().code, ErrorCode::kNotLeaderOrFollower);
  EXPECT_EQ(Consume(1, 0).error_code, ErrorCode::kNone);
}

// KAFKA_RULES §3(b) 6, the zombie leader: cut off from the others, the old
// leader still takes acks=1 writes in epoch 0, while the controller elects
// another leader, which writes in epoch 1. When the partition heals and the
// old leader follows the new one, its fetch names epoch 0 as its last; the
// new leader answers that epoch 0 ended at offset 1 (DivergingEpoch), and
// the old leader truncates its unreplicated writes and copies the new
// leader's log.
TEST_F(ReplicaManagerTest, AZombieLeadersWritesAreTruncatedAway) {
  c_.CreatePartition(kTp, {1, 2});
  ASSERT_EQ(c_.Append(1, kTp, BatchOf(1)).error_code, ErrorCode::kNone);
  ASSERT_TRUE(c_.sim().RunUntil(
      [&] { return c_.partition(1, kTp).high_watermark() == 1; }, 5000));

  c_.sim().Partition({1}, {2});
  ASSERT_EQ(c_.Append(1, kTp, BatchOf(2)).error_code, ErrorCode::kNone);
  c_.Elect(kTp, 2, {2}, /*tell=*/{2});
  ASSERT_EQ(c_.Append(2, kTp, BatchOf(1)).error_code, ErrorCode::kNone);
  EXPECT_EQ(c_.partition(1, kTp).log_end_offset(), 3);

  c_.sim().Heal();
  c_.Push();
  ASSERT_TRUE(c_.sim().RunUntil(
      [&] { return c_.LogBytes(1, kTp) == c_.LogBytes(2, kTp); }, 10'000));
  EXPECT_EQ(c_.partition(1, kTp).log_end_offset(), 2);
  EXPECT_EQ(c_.partition(1, kTp).epochs().entries(),
            (std::vector<EpochEntry>{{0, 0}, {1, 1}}));
}

// OffsetForLeaderEpoch on the wire: the new leader tells where an old epoch
// ended in its log (where the next began) and that the current one ends at
// its log end; a stale or future current_leader_epoch is fenced, a follower
// refuses, an unknown partition is unknown.
TEST_F(ReplicaManagerTest, OffsetForLeaderEpochTellsWhereAnEpochEnded) {
  c_.CreatePartition(kTp, {1, 2});
  ASSERT_EQ(c_.Append(1, kTp, BatchOf(2)).error_code, ErrorCode::kNone);
  ASSERT_TRUE(c_.sim().RunUntil(
      [&] { return c_.partition(2, kTp).log_end_offset() == 2; }, 5000));
  c_.Elect(kTp, 2, {1, 2});
  ASSERT_EQ(c_.Append(2, kTp, BatchOf(1)).error_code, ErrorCode::kNone);

  auto ask = [&](NodeId broker, const std::string& topic,
                 int32_t current_leader_epoch, int32_t epoch) {
    OffsetForLeaderEpochRequest request;
    request.replica_id = kConsumerReplicaId;
    request.topics.push_back(
        {.topic = topic,
         .partitions = {{.partition = 0,
                         .current_leader_epoch = current_leader_epoch,
                         .leader_epoch = epoch}}});
    Result<OffsetForLeaderEpochResponse> answer =
        c_.cluster().Call<OffsetForLeaderEpochResponse>(
            c_.client(), broker, ApiKey::kOffsetForLeaderEpoch, 4, request);
    EXPECT_TRUE(answer.ok());
    return answer->topics.at(0).partitions.at(0);
  };
  auto epoch0 = ask(2, "t", 1, 0);
  EXPECT_EQ(epoch0.error_code, ErrorCode::kNone);
  EXPECT_EQ(epoch0.leader_epoch, 0);
  EXPECT_EQ(epoch0.end_offset, 2);
  auto epoch1 = ask(2, "t", 1, 1);
  EXPECT_EQ(epoch1.leader_epoch, 1);
  EXPECT_EQ(epoch1.end_offset, 3);
  EXPECT_EQ(ask(2, "t", 0, 0).error_code, ErrorCode::kFencedLeaderEpoch);
  EXPECT_EQ(ask(2, "t", 2, 0).error_code, ErrorCode::kUnknownLeaderEpoch);
  EXPECT_EQ(ask(1, "t", 1, 0).error_code, ErrorCode::kNotLeaderOrFollower);
  EXPECT_EQ(ask(2, "nope", -1, 0).error_code,
            ErrorCode::kUnknownTopicOrPartition);
}

// Every 5 s the high watermarks go to replication-offset-checkpoint, in
// Kafka's format; a restarted broker starts its replica from the
// checkpointed high watermark, before any fetch has told it one.
TEST_F(ReplicaManagerTest, HighWatermarksAreCheckpointedAndReadBack) {
  c_.CreatePartition(kTp, {1, 2});
  ASSERT_EQ(c_.Append(1, kTp, BatchOf(3)).error_code, ErrorCode::kNone);
  c_.sim().RunFor(5000);
  Result<std::map<TopicPartition, int64_t>> checkpoint = ReadOffsetCheckpoint(
      c_.sim().disk(2),
      std::string(testing::kDataDir) + "/" + kReplicationOffsetCheckpointFile);
  ASSERT_TRUE(checkpoint.ok());
  EXPECT_EQ(*checkpoint, (std::map<TopicPartition, int64_t>{{kTp, 3}}));

  c_.Stop(2);
  c_.Restart(2);
  c_.Push({2});
  EXPECT_EQ(c_.partition(2, kTp).high_watermark(), 3);
}

// A topic the controller no longer has is deleted here too: its replicas
// stop (a fetch waiting on it is answered) and its logs go.
TEST_F(ReplicaManagerTest, ADeletedTopicsReplicasStopAndTheirLogsGo) {
  c_.CreatePartition(kTp, {1, 2});
  ASSERT_EQ(c_.Append(1, kTp, BatchOf(1)).error_code, ErrorCode::kNone);
  c_.sim().RunFor(1000);
  c_.Delete("t");
  for (NodeId broker : {1, 2}) {
    EXPECT_EQ(c_.view(broker).GetPartition(kTp), nullptr);
    EXPECT_EQ(c_.host(broker).logs().GetLog(kTp), nullptr);
  }
  EXPECT_EQ(c_.replicas(1).fetch_purgatory().watched(), 0u);
}

}  // namespace
}  // namespace kafka
