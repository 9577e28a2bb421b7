// The rules of producer_state_manager.h: what a partition's producers'
// state answers a client's batch, and how it follows its log.
#include "chapters/07_idempotence/producer_state_manager.h"

#include <gtest/gtest.h>

namespace kafka {
namespace {

constexpr int64_t kProducer = 4000;

/// A batch of `records` records from `producer`, at `offset`, written at
/// `timestamp`.
RecordBatchHeader Batch(int32_t base_sequence, int records, int64_t offset,
                        int16_t epoch = 0, int64_t producer = kProducer,
                        int64_t timestamp = 1000) {
  RecordBatchHeader batch;
  batch.base_offset = offset;
  batch.last_offset_delta = records - 1;
  batch.records_count = records;
  batch.max_timestamp = timestamp;
  batch.producer_id = producer;
  batch.producer_epoch = epoch;
  batch.base_sequence = base_sequence;
  return batch;
}

RecordBatchHeader PlainBatch(int records, int64_t offset) {
  RecordBatchHeader batch;
  batch.base_offset = offset;
  batch.last_offset_delta = records - 1;
  batch.records_count = records;
  return batch;
}

ErrorCode CheckError(const ProducerStateManager& state,
                     const RecordBatchHeader& batch) {
  Result<std::optional<BatchMetadata>> checked = state.CheckClientBatch(batch);
  return checked.ok() ? ErrorCode::kNone : checked.error().code;
}

bool Appends(const ProducerStateManager& state,
             const RecordBatchHeader& batch) {
  Result<std::optional<BatchMetadata>> checked = state.CheckClientBatch(batch);
  return checked.ok() && !checked->has_value();
}

TEST(ProducerStateManagerTest, ABatchWithoutAProducerIdIsAlwaysAppended) {
  ProducerStateManager state;
  state.Update(PlainBatch(10, 0));
  EXPECT_TRUE(Appends(state, PlainBatch(10, 0)));
  EXPECT_TRUE(state.producers().empty());
}

TEST(ProducerStateManagerTest, AProducerIdWithoutASequenceIsAnInvalidRecord) {
  ProducerStateManager state;
  EXPECT_EQ(CheckError(state, Batch(kNoSequence, 10, 0)),
            ErrorCode::kInvalidRecord);
  EXPECT_EQ(CheckError(state, Batch(0, 10, 0, kNoProducerEpoch)),
            ErrorCode::kInvalidRecord);
}

TEST(ProducerStateManagerTest, AnUnknownProducerMayStartAtAnySequence) {
  ProducerStateManager state;
  EXPECT_TRUE(Appends(state, Batch(0, 10, 0)));
  EXPECT_TRUE(Appends(state, Batch(77, 10, 0)));
}

TEST(ProducerStateManagerTest, ARetryOfAnAppendedBatchIsFoundWithItsOffsets) {
  ProducerStateManager state;
  state.Update(Batch(0, 10, 100));
  state.Update(Batch(10, 10, 110));
  Result<std::optional<BatchMetadata>> retry =
      state.CheckClientBatch(Batch(0, 10, 0));
  ASSERT_TRUE(retry.ok());
  ASSERT_TRUE(retry->has_value());
  EXPECT_EQ((*retry)->first_offset, 100);
  EXPECT_EQ((*retry)->last_offset, 109);
}

TEST(ProducerStateManagerTest, ChecksAreInKafkasOrder) {
  ProducerStateManager state;
  state.Update(Batch(0, 10, 100, /*epoch=*/3));
  // An older epoch: fenced, even at the next sequence.
  EXPECT_EQ(CheckError(state, Batch(10, 10, 0, /*epoch=*/2)),
            ErrorCode::kInvalidProducerEpoch);
  // The current epoch with a gap.
  EXPECT_EQ(CheckError(state, Batch(15, 10, 0, 3)),
            ErrorCode::kOutOfOrderSequenceNumber);
  // A newer epoch must start at 0.
  EXPECT_EQ(CheckError(state, Batch(10, 10, 0, 4)),
            ErrorCode::kOutOfOrderSequenceNumber);
  EXPECT_TRUE(Appends(state, Batch(0, 10, 0, 4)));
  EXPECT_TRUE(Appends(state, Batch(10, 10, 0, 3)));
}

TEST(ProducerStateManagerTest, ProducersAreKeptApart) {
  ProducerStateManager state;
  state.Update(Batch(0, 10, 100, 0, /*producer=*/1));
  state.Update(Batch(0, 5, 110, 0, /*producer=*/2));
  EXPECT_TRUE(Appends(state, Batch(10, 1, 0, 0, 1)));
  EXPECT_TRUE(Appends(state, Batch(5, 1, 0, 0, 2)));
  EXPECT_EQ(CheckError(state, Batch(5, 1, 0, 0, 1)),
            ErrorCode::kOutOfOrderSequenceNumber);
}

TEST(ProducerStateManagerTest, EveryBatchMovesTheMapEndOffset) {
  ProducerStateManager state(40);
  EXPECT_EQ(state.map_end_offset(), 40);
  state.Update(Batch(0, 10, 40));
  EXPECT_EQ(state.map_end_offset(), 50);
  state.Update(PlainBatch(5, 50));
  EXPECT_EQ(state.map_end_offset(), 55);
}

TEST(ProducerStateManagerTest, ALogStartPastAProducersBatchesForgetsIt) {
  ProducerStateManager state;
  state.Update(Batch(0, 10, 0, 0, /*producer=*/1));
  state.Update(Batch(0, 10, 10, 0, /*producer=*/2));
  state.TruncateHead(10);
  EXPECT_EQ(state.Find(1), nullptr);
  ASSERT_NE(state.Find(2), nullptr);
  // Forgotten, producer 1 may write any sequence again (KAFKA_RULES 6b.8).
  EXPECT_TRUE(Appends(state, Batch(500, 1, 0, 0, 1)));
}

TEST(ProducerStateManagerTest, AnIdleProducerExpires) {
  ProducerStateManager state;
  state.Update(Batch(0, 10, 0, 0, /*producer=*/1, /*timestamp=*/1000));
  state.Update(Batch(0, 10, 10, 0, /*producer=*/2, /*timestamp=*/5000));
  state.RemoveExpiredProducers(/*now_ms=*/5999, /*expiration_ms=*/5000);
  EXPECT_NE(state.Find(1), nullptr);
  state.RemoveExpiredProducers(6000, 5000);
  EXPECT_EQ(state.Find(1), nullptr);
  EXPECT_NE(state.Find(2), nullptr);
}

TEST(ProducerStateManagerTest, AFullTruncationForgetsEveryProducer) {
  ProducerStateManager state;
  state.Update(Batch(0, 10, 0));
  state.TruncateFullyAndStartAt(300);
  EXPECT_TRUE(state.producers().empty());
  EXPECT_EQ(state.map_end_offset(), 300);
}

}  // namespace
}  // namespace kafka
