// acks on one leader (KAFKA_RULES §5(a)), as transcripts: three replica
// hosts with Chapter 6's delayed produce, a controller the test drives
// (replica_host_test_util.h), and appends given straight to the leader's
// replica manager, as the Produce handler gives them. Each test is one
// rule: when acks=1 and acks=all are answered, what min.insync.replicas
// refuses, and what a waiting produce hears when its wait ends otherwise.
#include "chapters/06_acks/delayed_produce.h"

#include <gtest/gtest.h>

#include <optional>

#include "chapters/01_log/test_util.h"
#include "chapters/04_replication/replica_host_test_util.h"

namespace kafka {
namespace {

using testing::BatchOf;
using testing::ReplicaCluster;
using testing::ReplicaHostOptions;

const TopicPartition kTp{"t", 0};
constexpr int16_t kAcksAll = -1;

ReplicaHostOptions WithMinInsyncReplicas(int32_t min_insync_replicas) {
  ReplicaHostOptions options{
      .seams = {.produce_acks = MakeDelayedProduceAcks()}};
  options.log.min_insync_replicas = min_insync_replicas;
  return options;
}

class DelayedProduceTest : public ::testing::Test {
 protected:
  // Sends `count` records to the leader (broker 1) with `acks`; the answer
  // lands in the returned slot whenever it comes.
  std::shared_ptr<std::optional<PartitionAppendResult>> Send(
      int16_t acks, int count = 1, int32_t timeout_ms = 30'000) {
    auto answer = std::make_shared<std::optional<PartitionAppendResult>>();
    c_.AppendAsync(
        1, kTp, BatchOf(count), acks, timeout_ms,
        [answer](const PartitionAppendResult& result) { *answer = result; });
    return answer;
  }
  const ReplicatedPartition& Leader() { return c_.partition(1, kTp); }

  ReplicaCluster c_{42, 3, WithMinInsyncReplicas(2)};
};

// acks=1 is answered after the leader's own append, while a follower in
// the ISR has not copied it yet: the high watermark is still below it.
TEST_F(DelayedProduceTest, AcksOneIsAnsweredAfterTheLeadersAppend) {
  c_.CreatePartition(kTp, {1, 2, 3});
  c_.sim().RunFor(100);
  c_.sim().Pause(3);
  auto answer = Send(1, 2);
  ASSERT_TRUE(answer->has_value());
  EXPECT_EQ((*answer)->error_code, ErrorCode::kNone);
  EXPECT_EQ((*answer)->base_offset, 0);
  EXPECT_EQ(Leader().high_watermark(), 0);
}

// acks=all waits until the high watermark passes the batch: not while a
// follower of the ISR is stopped, but as soon as its fetch brings it the
// batch, and then with the batch's offset.
TEST_F(DelayedProduceTest,
       AcksAllIsAnsweredWhenTheHighWatermarkPassesTheBatch) {
  c_.CreatePartition(kTp, {1, 2, 3});
  c_.sim().RunFor(100);
  c_.sim().Pause(3);
  auto answer = Send(kAcksAll, 2);
  c_.sim().RunFor(5000);
  EXPECT_FALSE(answer->has_value());
  EXPECT_EQ(Leader().high_watermark(), 0);

  c_.sim().Resume(3);
  ASSERT_TRUE(c_.sim().RunUntil([&] { return answer->has_value(); }, 2000));
  EXPECT_EQ((*answer)->error_code, ErrorCode::kNone);
  EXPECT_EQ((*answer)->base_offset, 0);
  EXPECT_GE(Leader().high_watermark(), 2);
}

// With an ISR smaller than min.insync.replicas, acks=all is refused with
// NOT_ENOUGH_REPLICAS and nothing is appended; acks=1 is not concerned.
TEST_F(DelayedProduceTest, UnderMinInsyncReplicasAcksAllIsRefusedUnappended) {
  c_.CreatePartition(kTp, {1, 2, 3});
  c_.Elect(kTp, 1, {1});
  auto refused = Send(kAcksAll, 3);
  ASSERT_TRUE(refused->has_value());
  EXPECT_EQ((*refused)->error_code, ErrorCode::kNotEnoughReplicas);
  EXPECT_EQ(Leader().log_end_offset(), 0);

  auto appended = Send(1, 3);
  ASSERT_TRUE(appended->has_value());
  EXPECT_EQ((*appended)->error_code, ErrorCode::kNone);
  EXPECT_EQ(Leader().log_end_offset(), 3);
}

// min.insync.replicas is capped at the replica count: on a partition of
// one replica, min.insync.replicas=2 still lets acks=all in.
TEST_F(DelayedProduceTest, MinInsyncReplicasIsAtMostTheReplicaCount) {
  c_.CreatePartition(kTp, {1});
  auto answer = Send(kAcksAll);
  ASSERT_TRUE(answer->has_value());
  EXPECT_EQ((*answer)->error_code, ErrorCode::kNone);
}

// A produce still waiting when its timeout_ms pass is REQUEST_TIMED_OUT,
// yet its batch is in the leader's log: when the stopped follower comes
// back, the batch is committed and a consumer reads what the producer was
// told had failed (KAFKA_RULES §5(b) 4).
TEST_F(DelayedProduceTest, ATimedOutProduceMayStillBeCommitted) {
  c_.CreatePartition(kTp, {1, 2, 3});
  c_.sim().RunFor(100);
  c_.sim().Pause(3);
  auto answer = Send(kAcksAll, 1, /*timeout_ms=*/2000);
  c_.sim().RunFor(1900);
  EXPECT_FALSE(answer->has_value());
  c_.sim().RunFor(200);
  ASSERT_TRUE(answer->has_value());
  EXPECT_EQ((*answer)->error_code, ErrorCode::kRequestTimedOut);

  c_.sim().Resume(3);
  ASSERT_TRUE(
      c_.sim().RunUntil([&] { return Leader().high_watermark() == 1; }, 2000));
}

// A leader that stops leading answers its waiting produces at once with
// NOT_LEADER_OR_FOLLOWER: it cannot tell whether the new leader keeps them.
TEST_F(DelayedProduceTest, ALeaderThatStopsLeadingAnswersNotLeaderOrFollower) {
  c_.CreatePartition(kTp, {1, 2, 3});
  c_.sim().RunFor(100);
  c_.sim().Pause(3);
  auto answer = Send(kAcksAll);
  c_.sim().RunFor(100);
  ASSERT_FALSE(answer->has_value());
  c_.Elect(kTp, 2, {2, 3});
  ASSERT_TRUE(answer->has_value());
  EXPECT_EQ((*answer)->error_code, ErrorCode::kNotLeaderOrFollower);
}

// When the ISR shrinks under min.insync.replicas after the append, the
// high watermark stops (Chapter 4's strict rule): the produce waits, and
// is answered once a follower rejoins and the ISR is large enough again.
TEST_F(DelayedProduceTest, AProduceWaitsOutAnIsrUnderMinInsyncReplicas) {
  c_.CreatePartition(kTp, {1, 2, 3});
  c_.sim().RunFor(100);
  c_.sim().Pause(2);
  c_.sim().Pause(3);
  // A timeout longer than the story, which takes replica.lag.time.max.ms
  // (30 s) and more.
  auto answer = Send(kAcksAll, 1, /*timeout_ms=*/120'000);
  // replica.lag.time.max.ms later, both followers leave the ISR.
  ASSERT_TRUE(c_.sim().RunUntil(
      [&] { return Leader().isr() == std::vector<NodeId>{1}; }, 60'000));
  c_.sim().RunFor(1000);
  EXPECT_EQ(Leader().high_watermark(), 0);

  c_.sim().Resume(2);
  ASSERT_TRUE(c_.sim().RunUntil([&] { return answer->has_value(); }, 5000));
  EXPECT_EQ((*answer)->error_code, ErrorCode::kNone);
  EXPECT_EQ(Leader().isr().size(), 2u);
}

// Kafka's checkEnoughReplicasReachOffset, its four answers: not the
// leader; the high watermark below the batch's end; past it with enough
// of the ISR; past it with the ISR under min.insync.replicas (the batch is
// in the log, but NOT_ENOUGH_REPLICAS_AFTER_APPEND). For the last, the
// controller shrinks an ISR whose high watermark is already past.
TEST_F(DelayedProduceTest, CheckEnoughReplicasReachOffsetAnswers) {
  c_.CreatePartition(kTp, {1, 2, 3});
  EXPECT_EQ(CheckEnoughReplicasReachOffset(nullptr, 1),
            (ReplicationProgress{false, ErrorCode::kNotLeaderOrFollower}));
  EXPECT_EQ(CheckEnoughReplicasReachOffset(&c_.partition(2, kTp), 1),
            (ReplicationProgress{false, ErrorCode::kNotLeaderOrFollower}));
  c_.Append(1, kTp, BatchOf(2));
  EXPECT_EQ(CheckEnoughReplicasReachOffset(&Leader(), 2),
            (ReplicationProgress{false, ErrorCode::kNone}));
  ASSERT_TRUE(
      c_.sim().RunUntil([&] { return Leader().high_watermark() == 2; }, 2000));
  EXPECT_EQ(CheckEnoughReplicasReachOffset(&Leader(), 2),
            (ReplicationProgress{true, ErrorCode::kNone}));

  c_.Elect(kTp, 1, {1});
  EXPECT_EQ(
      CheckEnoughReplicasReachOffset(&Leader(), 2),
      (ReplicationProgress{true, ErrorCode::kNotEnoughReplicasAfterAppend}));
}

}  // namespace
}  // namespace kafka
