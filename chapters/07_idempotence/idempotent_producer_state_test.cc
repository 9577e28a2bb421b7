// A replicated partition with Chapter 7's producer state: a retried batch
// is written once, by the leader and by a follower that becomes leader,
// and the state follows the log through truncation, a restart and a crash.
#include "chapters/07_idempotence/idempotent_producer_state.h"

#include <gtest/gtest.h>

#include <memory>

#include "chapters/01_log/test_util.h"
#include "chapters/04_replication/replicated_partition.h"
#include "lib/storage/memory_storage.h"

namespace kafka {
namespace {

constexpr char kDir[] = "data/orders-0";
constexpr int64_t kProducer = 4000;
constexpr NodeId kBroker = 1;

/// `records` records from kProducer in `epoch`, numbered from `sequence`.
Bytes IdempotentBatch(int32_t sequence, int records, int16_t epoch = 0) {
  RecordBatch batch = DecodeRecordBatch(testing::BatchOf(records)).value();
  batch.header.producer_id = kProducer;
  batch.header.producer_epoch = epoch;
  batch.header.base_sequence = sequence;
  return EncodeRecordBatch(batch);
}

class IdempotentPartitionTest : public ::testing::Test {
 protected:
  IdempotentPartitionTest() { Open(); }

  /// Opens the log and its partition as a broker's start does; the
  /// partition leads in `leader_epoch`.
  void Open(int32_t leader_epoch = 1) {
    partition_.reset();
    log_ = Log::Open(storage_, kDir, config_, now_ms_);
    partition_ = std::make_unique<ReplicatedPartition>(
        TopicPartition{"orders", 0}, *log_, kBroker, ReplicationConfig{});
    partition_->set_warning_sink(
        [this](const std::string& warning) { warnings_.push_back(warning); });
    partition_->set_producer_state(MakeIdempotentProducerState({}), now_ms_);
    partition_->MakeLeader({.partition = {"orders", 0},
                            .replicas = {kBroker},
                            .isr = {kBroker},
                            .leader = kBroker,
                            .leader_epoch = leader_epoch,
                            .partition_epoch = leader_epoch},
                           now_ms_);
  }
  /// A clean shutdown, then a start.
  void Restart() {
    partition_->Close();
    log_->Close();
    Open(2);
  }
  /// A crash (nothing flushed or closed), then a start.
  void Crash() { Open(2); }

  Result<LogAppendInfo> Produce(const Bytes& batch) {
    std::vector<RecordError> record_errors;
    return partition_->AppendClientBatch(batch, now_ms_, record_errors);
  }
  /// The first offset a batch was (or had been) written at.
  int64_t ProducedAt(const Bytes& batch) {
    Result<LogAppendInfo> appended = Produce(batch);
    EXPECT_TRUE(appended.ok()) << appended.error().message;
    return appended.ok() ? appended->first_offset : -1;
  }
  ErrorCode ProduceError(const Bytes& batch) {
    Result<LogAppendInfo> appended = Produce(batch);
    return appended.ok() ? ErrorCode::kNone : appended.error().code;
  }

  MemoryStorage storage_;
  LogConfig config_;
  int64_t now_ms_ = 1000;
  std::unique_ptr<Log> log_;
  std::unique_ptr<ReplicatedPartition> partition_;
  std::vector<std::string> warnings_;
};

TEST_F(IdempotentPartitionTest, ARetriedBatchIsWrittenOnceAndGetsItsOffsets) {
  EXPECT_EQ(ProducedAt(IdempotentBatch(0, 10)), 0);
  EXPECT_EQ(ProducedAt(IdempotentBatch(10, 5)), 10);
  Result<LogAppendInfo> retry = Produce(IdempotentBatch(0, 10));
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->first_offset, 0);
  EXPECT_EQ(retry->last_offset, 9);
  EXPECT_EQ(partition_->log_end_offset(), 15);
}

TEST_F(IdempotentPartitionTest, AGapIsRefusedAndNothingIsAppended) {
  ProducedAt(IdempotentBatch(0, 10));
  EXPECT_EQ(ProduceError(IdempotentBatch(15, 5)),
            ErrorCode::kOutOfOrderSequenceNumber);
  EXPECT_EQ(ProduceError(IdempotentBatch(5, 10)),  // a partial overlap
            ErrorCode::kOutOfOrderSequenceNumber);
  EXPECT_EQ(partition_->log_end_offset(), 10);
}

TEST_F(IdempotentPartitionTest, ARetryOlderThanFiveBatchesIsOutOfOrder) {
  for (int i = 0; i < 6; ++i) ProducedAt(IdempotentBatch(10 * i, 10));
  EXPECT_EQ(ProduceError(IdempotentBatch(0, 10)),
            ErrorCode::kOutOfOrderSequenceNumber);
  EXPECT_EQ(ProducedAt(IdempotentBatch(10, 10)), 10);  // the oldest of five
}

TEST_F(IdempotentPartitionTest, AFollowersCopyDeduplicatesOnceItLeads) {
  // The leader wrote 0-9 at offsets 0-9; this replica copied it, then the
  // leader died before answering, and this replica leads now.
  partition_->MakeFollower({.partition = {"orders", 0},
                            .replicas = {kBroker, 2},
                            .isr = {kBroker, 2},
                            .leader = 2,
                            .leader_epoch = 2,
                            .partition_epoch = 2});
  RecordBatch copied = DecodeRecordBatch(IdempotentBatch(0, 10)).value();
  copied.header.partition_leader_epoch = 2;
  ASSERT_TRUE(
      partition_->AppendRecordsAsFollower(EncodeRecordBatch(copied), now_ms_)
          .ok());
  partition_->MakeLeader({.partition = {"orders", 0},
                          .replicas = {kBroker, 2},
                          .isr = {kBroker},
                          .leader = kBroker,
                          .leader_epoch = 3,
                          .partition_epoch = 3},
                         now_ms_);
  EXPECT_EQ(ProducedAt(IdempotentBatch(0, 10)), 0);
  EXPECT_EQ(partition_->log_end_offset(), 10);
}

TEST_F(IdempotentPartitionTest, ATruncatedBatchIsForgotten) {
  ProducedAt(IdempotentBatch(0, 10));
  ProducedAt(IdempotentBatch(10, 10));
  partition_->TruncateTo(10);
  // The producer's retry of 10-19 is new again, and written.
  EXPECT_EQ(ProducedAt(IdempotentBatch(10, 10)), 10);
  EXPECT_EQ(partition_->log_end_offset(), 20);
}

TEST_F(IdempotentPartitionTest, ACrashRebuildsTheStateFromTheLog) {
  for (int i = 0; i < 3; ++i) ProducedAt(IdempotentBatch(10 * i, 10));
  Crash();
  EXPECT_EQ(ProducedAt(IdempotentBatch(0, 10)), 0);  // all five replayed
  EXPECT_EQ(ProducedAt(IdempotentBatch(30, 10)), 30);
  EXPECT_EQ(partition_->log_end_offset(), 40);
}

TEST_F(IdempotentPartitionTest, ACleanShutdownLoadsItsSnapshot) {
  for (int i = 0; i < 3; ++i) ProducedAt(IdempotentBatch(10 * i, 10));
  Restart();
  EXPECT_TRUE(
      storage_.Exists(std::string(kDir) + "/" + ProducerSnapshotFileName(30)));
  // A snapshot keeps each producer's newest batch only, as Kafka's does:
  // the newest is still a duplicate, an older one is no longer known.
  EXPECT_EQ(ProducedAt(IdempotentBatch(20, 10)), 20);
  EXPECT_EQ(ProduceError(IdempotentBatch(0, 10)),
            ErrorCode::kOutOfOrderSequenceNumber);
  EXPECT_EQ(ProducedAt(IdempotentBatch(30, 10)), 30);
}

TEST_F(IdempotentPartitionTest, ADamagedSnapshotIsReplacedByTheLog) {
  for (int i = 0; i < 3; ++i) ProducedAt(IdempotentBatch(10 * i, 10));
  partition_->Close();
  log_->Close();
  WriteFileAtomically(storage_,
                      std::string(kDir) + "/" + ProducerSnapshotFileName(30),
                      AsBytes("damaged"));
  Open(2);
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_NE(warnings_[0].find("corrupt producer snapshot"), std::string::npos)
      << warnings_[0];
  EXPECT_EQ(ProducedAt(IdempotentBatch(0, 10)), 0);  // replayed from offset 0
}

TEST_F(IdempotentPartitionTest, ASegmentRollTakesASnapshot) {
  config_.segment_bytes = 400;
  Open();
  for (int i = 0; i < 4; ++i) ProducedAt(IdempotentBatch(10 * i, 10));
  ASSERT_GT(log_->segments().size(), 1u);
  bool any = false;
  for (const std::string& name : storage_.List(kDir)) {
    any = any || ProducerSnapshotOffsetOf(name).has_value();
  }
  EXPECT_TRUE(any);
}

TEST_F(IdempotentPartitionTest, ABatchWithoutAProducerIsAlwaysAppended) {
  ProducedAt(testing::BatchOf(3));
  EXPECT_EQ(ProducedAt(testing::BatchOf(3)), 3);
}

}  // namespace
}  // namespace kafka
