// An idempotent producer's sequence bookkeeping (producer_sequences.h),
// rule by rule.
#include "chapters/02_partitions/producer_sequences.h"

#include <gtest/gtest.h>

namespace kafka {
namespace {

const TopicPartition kOrders{"orders", 0};
const TopicPartition kPayments{"payments", 0};

TEST(ProducerSequencesTest, EachPartitionCountsItsRecordsFromZero) {
  ProducerSequences sequences;
  sequences.SetProducerId(7, 0);
  EXPECT_EQ(sequences.Stamp(kOrders, 3).base_sequence, 0);
  EXPECT_EQ(sequences.Stamp(kOrders, 2).base_sequence, 3);
  EXPECT_EQ(sequences.Stamp(kPayments, 1).base_sequence, 0);
  const BatchStamp stamp = sequences.Stamp(kOrders, 1);
  EXPECT_EQ(stamp.producer_id, 7);
  EXPECT_EQ(stamp.producer_epoch, 0);
  EXPECT_EQ(stamp.base_sequence, 5);
}

TEST(ProducerSequencesTest, OnlyTheBatchAfterTheLastAcknowledgedIsNext) {
  ProducerSequences sequences;
  sequences.SetProducerId(7, 0);
  const BatchStamp first = sequences.Stamp(kOrders, 3);
  const BatchStamp second = sequences.Stamp(kOrders, 3);
  EXPECT_TRUE(sequences.IsNextToAcknowledge(kOrders, first));
  EXPECT_FALSE(sequences.IsNextToAcknowledge(kOrders, second));
  sequences.Acknowledged(kOrders, first, 3);
  EXPECT_TRUE(sequences.IsNextToAcknowledge(kOrders, second));
}

TEST(ProducerSequencesTest, ABumpedEpochStartsEveryPartitionAtZero) {
  ProducerSequences sequences;
  sequences.SetProducerId(7, 0);
  const BatchStamp old = sequences.Stamp(kOrders, 4);
  sequences.BumpEpoch();
  EXPECT_FALSE(sequences.IsCurrent(old));
  const BatchStamp fresh = sequences.Stamp(kOrders, 1);
  EXPECT_EQ(fresh.producer_epoch, 1);
  EXPECT_EQ(fresh.base_sequence, 0);
  // An older epoch's acknowledgement no longer counts.
  sequences.Acknowledged(kOrders, old, 4);
  EXPECT_TRUE(sequences.IsNextToAcknowledge(kOrders, fresh));
}

TEST(ProducerSequencesTest, AnEarlierBatchAcknowledgedLateDoesNotGoBack) {
  ProducerSequences sequences;
  sequences.SetProducerId(7, 0);
  const BatchStamp first = sequences.Stamp(kOrders, 2);
  const BatchStamp second = sequences.Stamp(kOrders, 2);
  const BatchStamp third = sequences.Stamp(kOrders, 2);
  sequences.Acknowledged(kOrders, second, 2);  // first's answer was lost
  sequences.Acknowledged(kOrders, first, 2);   // its retry: a duplicate
  EXPECT_TRUE(sequences.IsNextToAcknowledge(kOrders, third));
}

TEST(ProducerSequencesTest, AStampedBatchIsUnresolvedUntilItsOutcome) {
  ProducerSequences sequences;
  sequences.SetProducerId(7, 0);
  const BatchStamp first = sequences.Stamp(kOrders, 1);
  const BatchStamp second = sequences.Stamp(kOrders, 1);
  EXPECT_EQ(sequences.Unresolved(kOrders), 2);
  sequences.Resolved(kOrders, first);
  EXPECT_EQ(sequences.Unresolved(kOrders), 1);
  sequences.BumpEpoch();  // nothing of the old epoch counts any more
  sequences.Resolved(kOrders, second);
  EXPECT_EQ(sequences.Unresolved(kOrders), 0);
}

TEST(ProducerSequencesTest, AfterAllowsForTheWrap) {
  EXPECT_TRUE(IsAfter(5, 3));
  EXPECT_FALSE(IsAfter(3, 5));
  EXPECT_FALSE(IsAfter(3, 3));
  EXPECT_TRUE(IsAfter(1, 2147483646));
}

TEST(ProducerSequencesTest, PastTheLargestEpochTheProducerIdIsForgotten) {
  ProducerSequences sequences;
  sequences.SetProducerId(7, 32766);
  sequences.BumpEpoch();
  EXPECT_EQ(sequences.producer_epoch(), 32767);
  const BatchStamp last_epoch = sequences.Stamp(kOrders, 1);
  sequences.BumpEpoch();
  EXPECT_FALSE(sequences.has_producer_id());
  EXPECT_FALSE(sequences.IsCurrent(last_epoch));
}

TEST(ProducerSequencesTest, SequencesWrapToZeroAfterTheLargestInt32) {
  EXPECT_EQ(AddToSequence(2147483647, 1), 0);
  EXPECT_EQ(AddToSequence(2147483640, 10), 2);
  EXPECT_EQ(AddToSequence(-1, 1), 0);
}

}  // namespace
}  // namespace kafka
