// Recovery: what a crash loses, and what opening the log repairs.
#include <gtest/gtest.h>

#include <random>

#include "chapters/01_log/log.h"
#include "chapters/01_log/test_util.h"

namespace kafka {
namespace {

using testing::BatchOf;
using testing::CompressedBatchOf;
using testing::MemoryLogFixture;
using testing::ReadAllOffsets;
using testing::ReadLog;

const std::string kFirstLog = "topic-0/00000000000000000000.log";
const std::string kFirstIndex = "topic-0/00000000000000000000.index";
const std::string kFirstTimeIndex = "topic-0/00000000000000000000.timeindex";

std::vector<int64_t> Range(int64_t from, int64_t to) {
  std::vector<int64_t> offsets;
  for (int64_t o = from; o < to; ++o) offsets.push_back(o);
  return offsets;
}

// Rule (scenario 3): a torn tail (a write cut short by a crash) is truncated
// on restart to the last whole, valid batch; no partial batch is visible.
TEST(RecoveryTest, TornTailIsTruncated) {
  MemoryLogFixture f;
  for (int i = 0; i < 3; ++i) f.Append(BatchOf(2));
  uint64_t size = f.log().size_in_bytes();
  f.disk().Open(kFirstLog)->Truncate(size - 5);  // cut the last batch short

  f.Reopen();  // without Close(): the process crashed, the page cache survived
  EXPECT_FALSE(f.log().recovery_report().clean_shutdown);
  EXPECT_EQ(f.log().log_end_offset(), 4);
  EXPECT_EQ(f.log().recovery_report().bytes_truncated, BatchOf(2).size() - 5);
  EXPECT_EQ(ReadAllOffsets(f.log()), Range(0, 4));
  EXPECT_EQ(f.Append(BatchOf(1)).first_offset, 4) << "appends continue";
}

// Rule (scenario 3): a flipped byte fails the CRC; the log is cut before that
// batch, and everything after it goes too.
TEST(RecoveryTest, CorruptBatchAndEverythingAfterItIsTruncated) {
  MemoryLogFixture f;
  for (int i = 0; i < 4; ++i) f.Append(BatchOf(2));
  f.disk().FlipByte(kFirstLog, BatchOf(2).size() + 40);  // inside batch 2

  f.Reopen();  // without Close(): an unclean shutdown
  EXPECT_EQ(f.log().log_end_offset(), 2);
  EXPECT_EQ(f.log().recovery_report().bytes_truncated, 3 * BatchOf(2).size());
}

// Rule: recovery validates compressed batches as an append does (their
// records decompressed and walked), so after a crash they are all kept, and
// a torn compressed batch at the tail is cut like any other.
TEST(RecoveryTest, CompressedBatchesAreRecovered) {
  MemoryLogFixture f;
  f.Append(CompressedBatchOf(2, CompressionType::kGzip));
  f.Append(CompressedBatchOf(2, CompressionType::kSnappy));
  f.Append(CompressedBatchOf(2, CompressionType::kLz4));
  Bytes last = CompressedBatchOf(2, CompressionType::kZstd);
  f.Append(last);
  f.disk().Open(kFirstLog)->Truncate(f.log().size_in_bytes() - 3);

  f.Reopen();  // without Close(): an unclean shutdown
  EXPECT_EQ(f.log().recovery_report().bytes_truncated, last.size() - 3);
  EXPECT_EQ(ReadAllOffsets(f.log()), Range(0, 6));
  f.Reopen();
  EXPECT_EQ(f.log().recovery_report().bytes_truncated, 0u);
  EXPECT_EQ(ReadAllOffsets(f.log()), Range(0, 6));
}

// Rule: corruption in a segment deletes every later segment (they cannot
// continue a log whose middle is gone).
TEST(RecoveryTest, CorruptSegmentDeletesLaterSegments) {
  LogConfig config;
  config.segment_bytes = int64_t(BatchOf(1).size()) * 2;
  config.flush_messages = 1'000'000;
  MemoryLogFixture f(config);
  for (int i = 0; i < 6; ++i) f.Append(BatchOf(1));  // segments 0, 2, 4
  // Pretend nothing was ever flushed, so every segment is recovered.
  WriteFileAtomically(f.disk(), "topic-0/recovery-point-offset-checkpoint",
                      AsBytes("0\n0\n"));
  f.disk().FlipByte("topic-0/00000000000000000002.log", 30);

  f.Reopen();
  EXPECT_EQ(f.log().log_end_offset(), 2);
  EXPECT_EQ(f.log().recovery_report().segments_deleted, 1);
  EXPECT_FALSE(f.disk().Exists("topic-0/00000000000000000004.log"));
}

// Rule (scenario 3): deleted .index and .timeindex files are rebuilt, and
// identically.
TEST(RecoveryTest, DeletedIndexesAreRebuiltIdentically) {
  LogConfig config;
  config.index_interval_bytes = 100;
  MemoryLogFixture f(config);
  for (int i = 0; i < 20; ++i) f.Append(BatchOf(1, 1000 + i, 60));
  f.log().Close();
  Bytes index = ReadWholeFile(f.disk(), kFirstIndex);
  Bytes time_index = ReadWholeFile(f.disk(), kFirstTimeIndex);
  ASSERT_GT(index.size(), 0u);
  f.disk().Remove(kFirstIndex);
  f.disk().Remove(kFirstTimeIndex);

  f.Reopen();
  EXPECT_EQ(f.log().recovery_report().indexes_rebuilt, 1);
  f.log().Close();
  EXPECT_EQ(ReadWholeFile(f.disk(), kFirstIndex), index);
  // The rebuilt time index lacks only the entry written when the segment
  // became inactive... and this segment is still active, so it is equal.
  EXPECT_EQ(ReadWholeFile(f.disk(), kFirstTimeIndex), time_index);
}

// Rule: an index that fails its sanity check (garbage, a partial entry) is
// rebuilt even after a clean shutdown.
TEST(RecoveryTest, CorruptIndexIsRebuilt) {
  LogConfig config;
  config.index_interval_bytes = 100;
  MemoryLogFixture f(config);
  for (int i = 0; i < 20; ++i) f.Append(BatchOf(1, 1000, 60));
  f.log().Close();
  Bytes good = ReadWholeFile(f.disk(), kFirstIndex);
  f.disk().Open(kFirstIndex)->Append(Bytes{1, 2, 3});  // a partial entry

  f.Reopen();
  EXPECT_TRUE(f.log().recovery_report().clean_shutdown);
  EXPECT_EQ(f.log().recovery_report().indexes_rebuilt, 1);
  EXPECT_EQ(ReadWholeFile(f.disk(), kFirstIndex), good);
  EXPECT_EQ(ReadAllOffsets(f.log()), Range(0, 20));
}

// Rule: damage found while serving (a batch length overwritten while the log
// is open) is a CORRUPT_MESSAGE error for the reads that meet it, not a crash;
// the log keeps serving the offsets before it.
TEST(RecoveryTest, DamageFoundByAReadIsAnError) {
  MemoryLogFixture f;
  for (int i = 0; i < 3; ++i) f.Append(BatchOf(2));
  const uint64_t second_batch = BatchOf(2).size();
  f.disk().FlipByte(kFirstLog, second_batch + 8);  // its batchLength

  Result<Bytes> damaged = ReadLog(f.log(), 4, 1 << 20);
  ASSERT_FALSE(damaged.ok());
  EXPECT_EQ(damaged.error().code, ErrorCode::kCorruptMessage);
  EXPECT_EQ(testing::OffsetsIn(ReadLog(f.log(), 0, 1).value()),
            (std::vector<int64_t>{0, 1}));
}

// Rule: every length read from disk is checked before use. A batchLength of
// -12 makes a batch's size (12 + batchLength) zero; a read over it must end,
// with the whole batches before it, and a read of the damaged batch itself is
// CORRUPT_MESSAGE.
TEST(RecoveryTest, ZeroSizedBatchEndsAReadInsteadOfLoopingOnIt) {
  MemoryLogFixture f;
  for (int i = 0; i < 3; ++i) f.Append(BatchOf(2));
  Bytes contents = ReadWholeFile(f.disk(), kFirstLog);
  const size_t second_batch = BatchOf(2).size();
  for (size_t i = 0; i < 4; ++i) {  // batchLength = -12, big-endian
    contents[second_batch + 8 + i] = i < 3 ? 0xFF : 0xF4;
  }
  auto file = f.disk().Open(kFirstLog);
  file->Truncate(0);
  file->Append(contents);

  EXPECT_EQ(testing::OffsetsIn(ReadLog(f.log(), 0, 1 << 20).value()),
            (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(ReadLog(f.log(), 2, 1 << 20).error().code,
            ErrorCode::kCorruptMessage);
}

// Rule: after a clean shutdown the log is trusted: nothing is re-validated.
TEST(RecoveryTest, CleanShutdownSkipsRecovery) {
  MemoryLogFixture f;
  for (int i = 0; i < 3; ++i) f.Append(BatchOf(2));
  f.log().Close();
  f.Reopen();
  EXPECT_TRUE(f.log().recovery_report().clean_shutdown);
  EXPECT_EQ(f.log().recovery_report().segments_recovered, 0);
  EXPECT_EQ(f.log().log_end_offset(), 6);
}

// Rule: only segments from the recovery point on are validated; segments
// wholly below it were fsynced and are trusted.
TEST(RecoveryTest, RecoveryStartsAtTheRecoveryPoint) {
  LogConfig config;
  config.segment_bytes = int64_t(BatchOf(1).size()) * 2;
  MemoryLogFixture f(config);
  for (int i = 0; i < 7; ++i) f.Append(BatchOf(1));  // segments 0, 2, 4, 6
  EXPECT_EQ(f.log().recovery_point(), 6) << "rolls flushed 0..5";
  f.disk().CrashLosingUnsynced();

  f.Reopen();
  EXPECT_EQ(f.log().recovery_report().recovery_point, 6);
  EXPECT_EQ(f.log().recovery_report().segments_recovered, 1);
  EXPECT_EQ(f.log().log_end_offset(), 6) << "the unflushed batch at 6 is lost";
}

// Rule: a crash loses only what was not flushed; Flush() makes appends durable.
TEST(RecoveryTest, CrashLosesOnlyTheUnflushedTail) {
  MemoryLogFixture f;
  f.Append(BatchOf(2));
  f.Append(BatchOf(2));
  f.log().Flush();
  f.Append(BatchOf(2));
  f.disk().CrashLosingUnsynced();

  f.Reopen();
  EXPECT_EQ(ReadAllOffsets(f.log()), Range(0, 4));
}

// Rule: with flush.messages=1 every acknowledged batch survives a power
// failure, also in segments rolled since, and in a partition directory that is
// new: fsyncing a file does not make its name durable; syncing its directory
// does (Kafka's Utils.flushDir).
TEST(RecoveryTest, FlushedBatchesInNewSegmentsAndDirectoriesSurvivePowerLoss) {
  LogConfig config;
  config.flush_messages = 1;
  config.segment_bytes = int64_t(BatchOf(2).size()) * 2;
  MemoryLogFixture f(config);
  for (int i = 0; i < 5; ++i) f.Append(BatchOf(2));
  ASSERT_EQ(f.log().segments().size(), 3u);
  f.disk().CrashLosingUnsynced();

  f.Reopen();
  EXPECT_EQ(ReadAllOffsets(f.log()), Range(0, 10));
}

// Rule: recovery stops at a batch whose base offset goes backwards (here the
// same batch written twice): offsets in a log only grow.
TEST(RecoveryTest, BatchWhoseOffsetsGoBackwardsIsTruncated) {
  MemoryLogFixture f;
  f.Append(BatchOf(2));
  Bytes repeated = ReadWholeFile(f.disk(), kFirstLog);
  f.disk().Open(kFirstLog)->Append(repeated);

  f.Reopen();  // an unclean shutdown: the segment is recovered
  EXPECT_EQ(f.log().recovery_report().bytes_truncated, repeated.size());
  EXPECT_EQ(f.log().log_end_offset(), 2);
  EXPECT_EQ(f.Append(BatchOf(1)).first_offset, 2);
}

// Property: a crash at a random moment, tearing the unsynced tail at a random
// byte, recovers to a valid prefix of what was appended that holds every
// flushed batch. Many seeds, each reproducible.
TEST(RecoveryTest, RandomCrashRecoversAValidPrefixWithEveryFlushedBatch) {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    std::mt19937_64 random(seed);
    LogConfig config;
    config.segment_bytes = 600;
    config.index_interval_bytes = 150;
    MemoryLogFixture f(config);

    std::vector<Bytes> appended_values;  // value of the record at each offset
    int64_t flushed = 0;
    int appends = std::uniform_int_distribution<int>(1, 30)(random);
    for (int i = 0; i < appends; ++i) {
      int count = std::uniform_int_distribution<int>(1, 4)(random);
      Bytes batch = BatchOf(count, 1000 + i, 5 + i);
      f.Append(batch);
      for (int r = 0; r < count; ++r) {
        appended_values.push_back(Bytes(5 + i, uint8_t('a' + r % 26)));
      }
      if (random() % 5 == 0) {
        f.log().Flush();
        flushed = f.log().log_end_offset();
      }
    }
    f.disk().Crash(random);
    f.Reopen();

    const Log& log = f.log();
    ASSERT_GE(log.log_end_offset(), flushed) << "seed " << seed;
    ASSERT_LE(log.log_end_offset(), int64_t(appended_values.size()));
    int64_t next = 0;
    while (next < log.log_end_offset()) {
      Bytes bytes = ReadLog(log, next, 1 << 20).value();
      for (const RecordBatch& batch : testing::DecodeAll(bytes)) {
        for (const Record& record : batch.records) {
          int64_t offset = batch.header.base_offset + record.offset_delta;
          ASSERT_EQ(offset, next) << "seed " << seed;
          ASSERT_EQ(record.value, appended_values[offset]) << "seed " << seed;
          ++next;
        }
      }
    }
    // The recovered log takes appends where it ends.
    ASSERT_EQ(f.Append(BatchOf(1)).first_offset, next) << "seed " << seed;
  }
}

}  // namespace
}  // namespace kafka
