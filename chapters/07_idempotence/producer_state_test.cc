// The rules of producer_state.h, one test each: what a leader answers a
// batch from a producer it knows, given the five batches it remembers.
#include "chapters/07_idempotence/producer_state.h"

#include <gtest/gtest.h>

#include <limits>

namespace kafka {
namespace {

constexpr int64_t kProducer = 4000;
constexpr int32_t kMaxSequence = std::numeric_limits<int32_t>::max();

/// A batch of `records` records from kProducer, at `offset` in the log.
RecordBatchHeader Batch(int16_t epoch, int32_t base_sequence, int records,
                        int64_t offset = 0) {
  RecordBatchHeader batch;
  batch.base_offset = offset;
  batch.last_offset_delta = records - 1;
  batch.records_count = records;
  batch.max_timestamp = 1000 + offset;
  batch.producer_id = kProducer;
  batch.producer_epoch = epoch;
  batch.base_sequence = base_sequence;
  return batch;
}

/// A producer whose batches of ten records, sequences 0-9, 10-19, ...,
/// were appended at offsets 100, 110, ....
ProducerStateEntry AfterBatchesOfTen(int batches, int16_t epoch = 0) {
  ProducerStateEntry entry(kProducer);
  for (int i = 0; i < batches; ++i) {
    entry.AddBatch(Batch(epoch, 10 * i, 10, 100 + 10 * i));
  }
  return entry;
}

ErrorCode SequenceCheck(const ProducerStateEntry& entry,
                        const RecordBatchHeader& batch) {
  Status status = CheckSequence(entry, batch);
  return status.ok() ? ErrorCode::kNone : status.error().code;
}

TEST(SequenceArithmeticTest, WrapsFromTheLargestInt32ToZero) {
  EXPECT_EQ(IncrementSequence(5, 3), 8);
  EXPECT_EQ(IncrementSequence(kMaxSequence, 1), 0);
  EXPECT_EQ(IncrementSequence(kMaxSequence - 1, 4), 2);
  EXPECT_EQ(LastSequenceOf(Batch(0, kMaxSequence - 1, 3)), 0);
}

TEST(ProducerStateEntryTest, RemembersTheNewestFiveBatches) {
  ProducerStateEntry entry = AfterBatchesOfTen(7);
  ASSERT_EQ(entry.batches().size(), 5u);
  EXPECT_EQ(entry.batches().front().first_sequence, 60);
  EXPECT_EQ(entry.batches().back().first_sequence, 20);
  EXPECT_EQ(entry.LastSequence(), 69);
  EXPECT_EQ(entry.LastTimestamp(), 1160);
}

TEST(ProducerStateEntryTest, ANewEpochForgetsTheOldEpochsBatches) {
  ProducerStateEntry entry = AfterBatchesOfTen(3);
  entry.AddBatch(Batch(1, 0, 4, 200));
  EXPECT_EQ(entry.producer_epoch(), 1);
  ASSERT_EQ(entry.batches().size(), 1u);
  EXPECT_EQ(entry.LastSequence(), 3);
}

TEST(FindDuplicateBatchTest, EachOfTheFiveRememberedBatchesIsFound) {
  ProducerStateEntry entry = AfterBatchesOfTen(7);
  for (int i = 2; i < 7; ++i) {
    std::optional<BatchMetadata> original =
        entry.FindDuplicateBatch(Batch(0, 10 * i, 10));
    ASSERT_TRUE(original.has_value()) << "batch " << i;
    EXPECT_EQ(original->first_offset, 100 + 10 * i);
    EXPECT_EQ(original->last_offset, 109 + 10 * i);
  }
}

TEST(FindDuplicateBatchTest, ABatchOlderThanTheFiveIsNotFound) {
  ProducerStateEntry entry = AfterBatchesOfTen(7);
  EXPECT_FALSE(entry.FindDuplicateBatch(Batch(0, 10, 10)).has_value());
}

TEST(FindDuplicateBatchTest, OnlyTheExactRangeOfTheSameEpochIsADuplicate) {
  ProducerStateEntry entry = AfterBatchesOfTen(3);
  EXPECT_FALSE(entry.FindDuplicateBatch(Batch(0, 10, 5)).has_value());
  EXPECT_FALSE(entry.FindDuplicateBatch(Batch(0, 5, 10)).has_value());
  EXPECT_FALSE(entry.FindDuplicateBatch(Batch(1, 10, 10)).has_value());
}

TEST(CheckProducerEpochTest, AnOlderEpochIsRefusedFromAClientOnly) {
  ProducerStateEntry entry = AfterBatchesOfTen(1, /*epoch=*/3);
  Status status =
      CheckProducerEpoch(entry, Batch(2, 10, 1), AppendOrigin::kClient);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidProducerEpoch);
  EXPECT_TRUE(
      CheckProducerEpoch(entry, Batch(2, 10, 1), AppendOrigin::kReplication)
          .ok());
  EXPECT_TRUE(
      CheckProducerEpoch(entry, Batch(4, 0, 1), AppendOrigin::kClient).ok());
}

TEST(CheckSequenceTest, AnUnknownProducerMayStartAtAnySequence) {
  ProducerStateEntry unknown(kProducer);
  EXPECT_EQ(SequenceCheck(unknown, Batch(0, 0, 1)), ErrorCode::kNone);
  EXPECT_EQ(SequenceCheck(unknown, Batch(0, 7, 1)), ErrorCode::kNone);
}

TEST(CheckSequenceTest, TheSameEpochContinuesFromTheLastSequence) {
  ProducerStateEntry entry = AfterBatchesOfTen(2);
  EXPECT_EQ(SequenceCheck(entry, Batch(0, 20, 10)), ErrorCode::kNone);
}

TEST(CheckSequenceTest, AGapIsOutOfOrder) {
  ProducerStateEntry entry = AfterBatchesOfTen(2);
  EXPECT_EQ(SequenceCheck(entry, Batch(0, 21, 10)),
            ErrorCode::kOutOfOrderSequenceNumber);
}

TEST(CheckSequenceTest, APartialOverlapIsOutOfOrder) {
  ProducerStateEntry entry = AfterBatchesOfTen(2);
  EXPECT_EQ(SequenceCheck(entry, Batch(0, 15, 10)),
            ErrorCode::kOutOfOrderSequenceNumber);
}

TEST(CheckSequenceTest, ARetryOlderThanTheFiveIsOutOfOrder) {
  ProducerStateEntry entry = AfterBatchesOfTen(7);
  ASSERT_FALSE(entry.FindDuplicateBatch(Batch(0, 10, 10)).has_value());
  EXPECT_EQ(SequenceCheck(entry, Batch(0, 10, 10)),
            ErrorCode::kOutOfOrderSequenceNumber);
}

TEST(CheckSequenceTest, ANewEpochStartsAtZero) {
  ProducerStateEntry entry = AfterBatchesOfTen(2);
  EXPECT_EQ(SequenceCheck(entry, Batch(1, 0, 10)), ErrorCode::kNone);
  EXPECT_EQ(SequenceCheck(entry, Batch(1, 20, 10)),
            ErrorCode::kOutOfOrderSequenceNumber);
}

TEST(CheckSequenceTest, ZeroFollowsTheLargestSequence) {
  ProducerStateEntry entry(kProducer);
  entry.AddBatch(Batch(0, kMaxSequence - 9, 10));
  EXPECT_EQ(SequenceCheck(entry, Batch(0, 0, 10)), ErrorCode::kNone);
  EXPECT_EQ(SequenceCheck(entry, Batch(0, 1, 10)),
            ErrorCode::kOutOfOrderSequenceNumber);
}

}  // namespace
}  // namespace kafka
