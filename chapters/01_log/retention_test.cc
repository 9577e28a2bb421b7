// Retention: deleting whole old segments by time and by size.
#include <gtest/gtest.h>

#include "chapters/01_log/log.h"
#include "chapters/01_log/test_util.h"

namespace kafka {
namespace {

using testing::BatchOf;
using testing::MemoryLogFixture;
using testing::ReadAllOffsets;
using testing::ReadLog;

constexpr int64_t kHour = 60 * 60 * 1000;

// One batch of two records per segment, at the given timestamps.
LogConfig OneBatchPerSegment() {
  LogConfig config;
  config.segment_bytes = int64_t(BatchOf(2).size());
  return config;
}

// Rule: retention.ms deletes whole segments whose newest record is older than
// retention.ms, oldest first, and the log start offset moves up.
TEST(RetentionTest, TimeRetentionDeletesOldSegments) {
  LogConfig config = OneBatchPerSegment();
  config.retention_ms = 10 * kHour;
  MemoryLogFixture f(config);
  f.Append(BatchOf(2, 1 * kHour));
  f.Append(BatchOf(2, 2 * kHour));
  f.Append(BatchOf(2, 3 * kHour));

  EXPECT_EQ(f.log().DeleteRetentionBreachedSegments(11 * kHour), 0);
  EXPECT_EQ(f.log().DeleteRetentionBreachedSegments(12 * kHour + 1), 2);
  EXPECT_EQ(f.log().log_start_offset(), 4);
  EXPECT_FALSE(f.disk().Exists("topic-0/00000000000000000000.log"));
  EXPECT_FALSE(f.disk().Exists("topic-0/00000000000000000000.index"));
  EXPECT_EQ(ReadAllOffsets(f.log()), (std::vector<int64_t>{4, 5}));
}

// Rule: a segment whose batches carry no timestamp (NO_TIMESTAMP) ages by its
// .log file's modification time, not by -1, which would make it look ancient.
TEST(RetentionTest, SegmentsWithoutTimestampsAgeByModificationTime) {
  LogConfig config = OneBatchPerSegment();
  config.retention_ms = 10 * kHour;
  MemoryLogFixture f(config);
  const int64_t start = 100 * kHour;
  for (int i = 0; i < 3; ++i) {
    f.now_ms_ = start + i * kHour;
    f.Append(BatchOf(2, kNoTimestamp));
  }
  EXPECT_EQ(f.log().DeleteRetentionBreachedSegments(start + 5 * kHour), 0);
  EXPECT_EQ(f.log().DeleteRetentionBreachedSegments(start + 11 * kHour + 1), 2)
      << "written at start and start + 1h";
  EXPECT_EQ(f.log().log_start_offset(), 4);
}

// Rule (scenario 6): a read below the log start offset gets
// OFFSET_OUT_OF_RANGE.
TEST(RetentionTest, ReadBelowLogStartIsOutOfRange) {
  LogConfig config = OneBatchPerSegment();
  config.retention_ms = kHour;
  MemoryLogFixture f(config);
  f.Append(BatchOf(2, 0));
  f.Append(BatchOf(2, 10 * kHour));
  f.log().DeleteRetentionBreachedSegments(10 * kHour);
  EXPECT_EQ(ReadLog(f.log(), 0, 100).error().code,
            ErrorCode::kOffsetOutOfRange);
  EXPECT_TRUE(ReadLog(f.log(), 2, 100).ok());
}

// Rule: retention.bytes deletes the oldest segments while the log would still
// be at least retention.bytes without them.
TEST(RetentionTest, SizeRetentionDeletesOldestSegments) {
  LogConfig config = OneBatchPerSegment();
  const int64_t segment = int64_t(BatchOf(2).size());
  config.retention_bytes = 2 * segment + segment / 2;
  MemoryLogFixture f(config);
  for (int i = 0; i < 5; ++i) f.Append(BatchOf(2));  // 5 segments
  EXPECT_EQ(f.log().DeleteRetentionBreachedSegments(f.now_ms_), 2);
  EXPECT_EQ(f.log().size_in_bytes(), uint64_t(3 * segment));
  EXPECT_EQ(f.log().log_start_offset(), 4);
}

// Rule: retention -1 keeps everything forever.
TEST(RetentionTest, MinusOneKeepsForever) {
  LogConfig config = OneBatchPerSegment();
  config.retention_ms = -1;
  config.retention_bytes = -1;
  MemoryLogFixture f(config);
  for (int i = 0; i < 3; ++i) f.Append(BatchOf(2, 0));
  EXPECT_EQ(f.log().DeleteRetentionBreachedSegments(1000 * 365 * 24 * kHour),
            0);
}

// Rule (scenario 5): a record timestamped a year in the future pins its
// segment past retention.ms, and every segment after it waits too.
TEST(RetentionTest, FutureTimestampPinsItsSegment) {
  LogConfig config = OneBatchPerSegment();
  config.retention_ms = kHour;
  MemoryLogFixture f(config);
  const int64_t year = 365 * 24 * kHour;
  f.Append(BatchOf(2, year));  // a client with a wrong clock
  f.Append(BatchOf(2, 0));
  f.Append(BatchOf(2, 0));
  EXPECT_EQ(f.log().DeleteRetentionBreachedSegments(100 * kHour), 0);
  EXPECT_EQ(f.log().log_start_offset(), 0);
}

// Rule (scenario 6): when every segment is deleted, the log rolls first, so
// the next append still gets the old log end offset: offsets are never reused.
TEST(RetentionTest, DeletingEverythingKeepsTheLogEndOffset) {
  LogConfig config;
  config.retention_ms = kHour;
  MemoryLogFixture f(config);
  f.Append(BatchOf(3, 0));
  f.Append(BatchOf(4, 0));
  EXPECT_EQ(f.log().DeleteRetentionBreachedSegments(10 * kHour), 1);
  EXPECT_EQ(f.log().log_start_offset(), 7);
  EXPECT_EQ(f.log().log_end_offset(), 7);
  EXPECT_TRUE(f.disk().Exists("topic-0/00000000000000000007.log"));
  EXPECT_EQ(f.Append(BatchOf(1, 10 * kHour)).first_offset, 7);

  f.log().Close();
  f.Reopen();
  EXPECT_EQ(f.log().log_start_offset(), 7) << "and after a restart";
  EXPECT_EQ(f.log().log_end_offset(), 8);
}

// Rule: an empty active segment is never deleted.
TEST(RetentionTest, EmptyActiveSegmentStays) {
  LogConfig config;
  config.retention_bytes = 0;
  MemoryLogFixture f(config);
  EXPECT_EQ(f.log().DeleteRetentionBreachedSegments(f.now_ms_), 0);
  EXPECT_EQ(f.log().segments().size(), 1u);
}

// Rule (DeleteRecords): the log start offset moves up to the offset asked
// for, inside a segment too; reads below it are OFFSET_OUT_OF_RANGE, and the
// segments wholly below it are deleted.
TEST(DeleteRecordsTest, LogStartOffsetMovesUpAndOldSegmentsGo) {
  MemoryLogFixture f(OneBatchPerSegment());
  for (int i = 0; i < 3; ++i) f.Append(BatchOf(2, 1000));  // 0-1, 2-3, 4-5
  ASSERT_TRUE(f.log().IncrementLogStartOffset(3).ok());
  EXPECT_EQ(f.log().log_start_offset(), 3);
  EXPECT_FALSE(f.disk().Exists("topic-0/00000000000000000000.log"));
  EXPECT_TRUE(f.disk().Exists("topic-0/00000000000000000002.log"))
      << "offset 3's segment stays: it holds 3";
  EXPECT_EQ(ReadLog(f.log(), 2, 100).error().code,
            ErrorCode::kOffsetOutOfRange);
  EXPECT_TRUE(ReadLog(f.log(), 3, 100).ok());
  EXPECT_EQ(f.log().FetchOffsetByTimestamp(kEarliestTimestamp)->offset, 3);
  EXPECT_EQ(f.log().FetchOffsetByTimestamp(0)->offset, 3)
      << "a timestamp search starts at the log start offset";
}

// Rule: the log start offset never moves back, and never past the log end.
TEST(DeleteRecordsTest, NeverBackNeverPastTheEnd) {
  MemoryLogFixture f(OneBatchPerSegment());
  f.Append(BatchOf(2, 1000));
  ASSERT_TRUE(f.log().IncrementLogStartOffset(1).ok());
  ASSERT_TRUE(f.log().IncrementLogStartOffset(0).ok());
  EXPECT_EQ(f.log().log_start_offset(), 1);
  EXPECT_EQ(f.log().IncrementLogStartOffset(3).error().code,
            ErrorCode::kOffsetOutOfRange);
  ASSERT_TRUE(f.log().IncrementLogStartOffset(2).ok());  // the log end: empty
  EXPECT_EQ(f.log().log_start_offset(), 2);
  EXPECT_EQ(f.log().log_end_offset(), 2);
}

// Rule: the log start offset survives a restart (log-start-offset-checkpoint),
// also where it lies inside the first segment left.
TEST(DeleteRecordsTest, LogStartOffsetSurvivesARestart) {
  MemoryLogFixture f(OneBatchPerSegment());
  for (int i = 0; i < 2; ++i) f.Append(BatchOf(2, 1000));
  ASSERT_TRUE(f.log().IncrementLogStartOffset(3).ok());
  f.Reopen();
  EXPECT_EQ(f.log().log_start_offset(), 3);
  EXPECT_EQ(ReadLog(f.log(), 2, 100).error().code,
            ErrorCode::kOffsetOutOfRange);
}

}  // namespace
}  // namespace kafka
