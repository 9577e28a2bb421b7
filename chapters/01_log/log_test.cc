#include "chapters/01_log/log.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <limits>

#include "chapters/01_log/test_util.h"
#include "lib/crc32c.h"
#include "lib/storage/posix_storage.h"

namespace kafka {
namespace {

using testing::BatchOf;
using testing::CompressedBatchOf;
using testing::Concat;
using testing::DecodeAll;
using testing::MemoryLogFixture;
using testing::OffsetsIn;
using testing::ReadAllOffsets;
using testing::ReadLog;

// Rule (KAFKA_RULES §1 scenario 1): offsets are dense and assigned by the log;
// batches of 2, 1 and 4 records get base offsets 0, 2, 3 and LEO becomes 7.
// (One request carries all three, so that this test needs only
// AssignOffsets: a second append would ask ShouldRoll first.)
TEST(LogTest, AssignsDenseOffsetsToBatches) {
  MemoryLogFixture f;
  Bytes request = Concat({BatchOf(2), BatchOf(1), BatchOf(4)});
  LogAppendInfo info = f.log().Append(request, f.now_ms_).value();
  EXPECT_EQ(info.first_offset, 0);
  EXPECT_EQ(info.last_offset, 6);
  EXPECT_EQ(f.log().log_end_offset(), 7);
  std::vector<int64_t> base_offsets;
  for (const RecordBatch& batch : DecodeAll(request)) {
    base_offsets.push_back(batch.header.base_offset);
  }
  EXPECT_EQ(base_offsets, (std::vector<int64_t>{0, 2, 3}));
}

// Rule (scenario 1, continued): a read returns the whole batch that holds the
// offset; Fetch(4) starts with the batch at 3 and the client skips offset 3.
TEST(LogTest, ReadReturnsTheWholeBatchHoldingTheOffset) {
  MemoryLogFixture f;
  f.Append(BatchOf(2));
  f.Append(BatchOf(1));
  f.Append(BatchOf(4));
  Bytes bytes = ReadLog(f.log(), 4, 1 << 20).value();
  std::vector<RecordBatch> batches = DecodeAll(bytes);
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].header.base_offset, 3);
  EXPECT_EQ(OffsetsIn(bytes), (std::vector<int64_t>{3, 4, 5, 6}));
}

constexpr CompressionType kCodecs[] = {
    CompressionType::kGzip, CompressionType::kSnappy, CompressionType::kLz4,
    CompressionType::kZstd};

// Rule: a compressed batch is stored as it was sent, its records still
// compressed; only baseOffset (and the leader epoch) change, as in Kafka's
// in-place assignment. Reading it back gives the same bytes and records.
TEST(LogTest, CompressedBatchesAreStoredAsSent) {
  MemoryLogFixture f;
  f.Append(BatchOf(2));
  for (CompressionType codec : kCodecs) {
    Bytes batch = CompressedBatchOf(3, codec);
    const int64_t offset = f.Append(batch).first_offset;
    Bytes stored = ReadLog(f.log(), offset, 1).value();
    SetBaseOffset(batch, offset);
    EXPECT_EQ(stored, batch) << CompressionTypeName(codec);
    ASSERT_EQ(DecodeAll(stored).size(), 1u);
    EXPECT_EQ(DecodeAll(stored)[0].header.compression_codec(), int(codec));
    EXPECT_EQ(OffsetsIn(stored),
              (std::vector<int64_t>{offset, offset + 1, offset + 2}));
  }
  EXPECT_EQ(f.log().log_end_offset(), 2 + 4 * 3);
}

// Rule: a compressed batch whose records do not decompress is CORRUPT_MESSAGE
// and one with a codec Kafka does not define UNSUPPORTED_COMPRESSION_TYPE;
// either way nothing of the append is written.
TEST(LogTest, BadCompressedBatchIsRefused) {
  MemoryLogFixture f;
  Bytes garbled = CompressedBatchOf(3, CompressionType::kLz4);
  garbled.erase(garbled.end() - 4, garbled.end());  // lz4 loses its end mark
  ByteWriter writer(garbled);
  writer.PatchInt32(8, static_cast<int32_t>(garbled.size()) - kLogOverhead);
  writer.PatchInt32(kCrcPosition,
                    static_cast<int32_t>(Crc32c(
                        ByteView(garbled).subspan(kAttributesPosition))));
  Bytes request = Concat({BatchOf(1), garbled});
  Result<LogAppendInfo> corrupt = f.log().Append(request, f.now_ms_);
  ASSERT_FALSE(corrupt.ok());
  EXPECT_EQ(corrupt.error().code, ErrorCode::kCorruptMessage);

  RecordBatch unknown = MakeBatch({{.timestamp = 1, .value = ToBytes("x")}});
  unknown.header.attributes = 6;
  Bytes unsupported = EncodeRecordBatch(unknown);
  Result<LogAppendInfo> refused = f.log().Append(unsupported, f.now_ms_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnsupportedCompressionType);
  EXPECT_EQ(f.log().log_end_offset(), 0);
}

// Rule: the leader overwrites whatever offsets an incoming batch carries, and
// does so in the caller's buffer without breaking the CRC.
TEST(LogTest, IncomingOffsetsAreRewritten) {
  MemoryLogFixture f;
  RecordBatch batch = MakeBatch({{.timestamp = 1, .value = ToBytes("x")}},
                                /*base_offset=*/999);
  Bytes request = Concat({BatchOf(3), EncodeRecordBatch(batch)});
  ASSERT_TRUE(f.log().Append(request, 0).ok());
  EXPECT_EQ(DecodeAll(request).back().header.base_offset, 3);
  EXPECT_EQ(OffsetsIn(ReadLog(f.log(), 3, 1000).value()),
            (std::vector<int64_t>{3}));
}

// Rule (Chapter 4 needs it): a leader of a replicated partition stamps the
// epoch it leads in into every batch it appends, and the batch stays valid;
// without an epoch the field stays as the producer sent it (-1).
TEST(LogTest, AppendStampsTheLeaderEpoch) {
  MemoryLogFixture f;
  Bytes request = Concat({BatchOf(2), BatchOf(1)});
  ASSERT_TRUE(f.log().Append(request, 0, /*leader_epoch=*/5).ok());
  Bytes unstamped = Concat({BatchOf(1), BatchOf(1)});
  ASSERT_TRUE(f.log().Append(unstamped, 0).ok());
  std::vector<int32_t> epochs;
  for (const RecordBatch& batch :
       DecodeAll(ReadLog(f.log(), 0, 1 << 20).value())) {
    epochs.push_back(batch.header.partition_leader_epoch);
  }
  EXPECT_EQ(epochs, (std::vector<int32_t>{5, 5, -1, -1}));
}

// Rule: a follower appends the leader's batches as they are: offsets and
// leader epochs kept, not reassigned, and a gap is allowed.
TEST(LogTest, FollowerAppendKeepsOffsetsAndEpochs) {
  MemoryLogFixture leader;
  Bytes request = Concat({BatchOf(2), BatchOf(3)});
  ASSERT_TRUE(leader.log().Append(request, 0, /*leader_epoch=*/7).ok());
  Bytes copied = ReadLog(leader.log(), 0, 1 << 20).value();

  MemoryLogFixture follower;
  LogAppendInfo info = follower.log().AppendAsFollower(copied, 0).value();
  EXPECT_EQ(info.first_offset, 0);
  EXPECT_EQ(info.last_offset, 4);
  EXPECT_EQ(ReadLog(follower.log(), 0, 1 << 20).value(), copied);

  Bytes later = BatchOf(1);
  SetBaseOffset(later, 9);
  EXPECT_EQ(follower.log().AppendAsFollower(later, 0).value().first_offset, 9);
  EXPECT_EQ(follower.log().log_end_offset(), 10);
}

// Rule: a follower never rewrites its log by appending: a batch that starts
// below the log end offset is refused, and nothing of the append is written.
TEST(LogTest, FollowerAppendBelowTheLogEndIsRefused) {
  MemoryLogFixture f;
  f.Append(BatchOf(2));
  Bytes stale = BatchOf(1);
  SetBaseOffset(stale, 1);
  Bytes fresh = BatchOf(1);
  SetBaseOffset(fresh, 2);
  Result<LogAppendInfo> refused =
      f.log().AppendAsFollower(Concat({fresh, stale}), 0);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kUnknownServerError);
  EXPECT_EQ(f.log().log_end_offset(), 2);
}

// Rule: a follower validates what it copies like a leader does.
TEST(LogTest, FollowerAppendValidatesBatches) {
  MemoryLogFixture f;
  Bytes corrupt = BatchOf(2);
  corrupt.back() ^= 0xFF;
  EXPECT_EQ(f.log().AppendAsFollower(corrupt, 0).error().code,
            ErrorCode::kCorruptMessage);
  EXPECT_EQ(f.log().log_end_offset(), 0);
}

// Rule (Chapter 4's high watermark): a read with an upper bound returns only
// the batches that end below it; from the bound up to the log end it is empty,
// not an error.
TEST(LogTest, ReadStopsAtTheUpperBound) {
  MemoryLogFixture f;
  Bytes request = Concat({BatchOf(2), BatchOf(1), BatchOf(4)});
  ASSERT_TRUE(f.log().Append(request, 0).ok());
  Bytes out;
  ASSERT_TRUE(f.log().Read(0, 1 << 20, out, /*upper_bound=*/3).ok());
  EXPECT_EQ(OffsetsIn(out), (std::vector<int64_t>{0, 1, 2}));
  ASSERT_TRUE(f.log().Read(3, 1 << 20, out, 3).ok());
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(f.log().Read(5, 1 << 20, out, 3).ok());
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(f.log().Read(0, 1 << 20, out, 7).ok());
  EXPECT_EQ(OffsetsIn(out).size(), 7u);
}

// Rule: a read returns whole batches only, at most max_bytes of them, but
// always at least one batch even if it is larger than max_bytes (KIP-74).
TEST(LogTest, ReadReturnsWholeBatchesAndAtLeastOne) {
  MemoryLogFixture f;
  Bytes batch = BatchOf(1, 1000, 100);
  for (int i = 0; i < 5; ++i) f.Append(batch);
  const int32_t size = int32_t(batch.size());

  EXPECT_EQ(ReadLog(f.log(), 0, 1).value().size(), size_t(size));
  EXPECT_EQ(ReadLog(f.log(), 0, 2 * size + size / 2).value().size(),
            size_t(2 * size));
  EXPECT_EQ(ReadLog(f.log(), 0, 1 << 20).value().size(), size_t(5 * size));
}

// Rule: reads outside [log start offset, log end offset] get
// OFFSET_OUT_OF_RANGE; a read at the log end offset is empty.
TEST(LogTest, OffsetOutOfRange) {
  MemoryLogFixture f;
  f.Append(BatchOf(3));
  EXPECT_TRUE(ReadLog(f.log(), 3, 100).value().empty());
  Result<Bytes> beyond = ReadLog(f.log(), 4, 100);
  ASSERT_FALSE(beyond.ok());
  EXPECT_EQ(beyond.error().code, ErrorCode::kOffsetOutOfRange);
  EXPECT_EQ(beyond.error().message, "offset 4 is outside [0, 3]");
  EXPECT_EQ(ReadLog(f.log(), -1, 100).error().code,
            ErrorCode::kOffsetOutOfRange);
}

// Rule (scenario 2): with a tiny segment.bytes the log rolls; the new segment
// is named after the next offset, and reads continue across the boundary.
TEST(LogTest, RollsOnSegmentBytesAndReadsAcrossSegments) {
  LogConfig config;
  Bytes batch = BatchOf(2, 1000, 50);
  config.segment_bytes = int64_t(batch.size()) * 3;
  MemoryLogFixture f(config);
  for (int i = 0; i < 7; ++i) f.Append(batch);

  std::vector<int64_t> bases;
  for (const auto& [base, segment] : f.log().segments()) bases.push_back(base);
  EXPECT_EQ(bases, (std::vector<int64_t>{0, 6, 12}));
  EXPECT_TRUE(f.disk().Exists("topic-0/00000000000000000006.log"));
  EXPECT_TRUE(f.disk().Exists("topic-0/00000000000000000006.index"));
  EXPECT_TRUE(f.disk().Exists("topic-0/00000000000000000006.timeindex"));

  std::vector<int64_t> expected(14);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(ReadAllOffsets(f.log()), expected);
}

// Rule: segment.ms rolls by record time: when the incoming batch's max
// timestamp is more than segment.ms after the segment's first batch.
TEST(LogTest, RollsOnSegmentMsByRecordTime) {
  LogConfig config;
  config.segment_ms = 1000;
  MemoryLogFixture f(config);
  EXPECT_FALSE(f.Append(BatchOf(1, /*timestamp=*/10'000)).rolled);
  EXPECT_FALSE(f.Append(BatchOf(1, 11'000)).rolled) << "exactly segment.ms";
  EXPECT_TRUE(f.Append(BatchOf(1, 11'001)).rolled);
  EXPECT_EQ(f.log().segments().size(), 2u);
  // The clock does not matter, only record timestamps.
  f.now_ms_ += 1'000'000;
  EXPECT_FALSE(f.Append(BatchOf(1, 11'002)).rolled);
}

// Rule: a full offset index rolls the segment (segment.index.bytes).
TEST(LogTest, RollsWhenTheIndexIsFull) {
  LogConfig config;
  config.index_interval_bytes =
      0;  // an index entry for every batch but the first
  config.segment_index_bytes = 3 * OffsetIndex::kEntrySize;
  MemoryLogFixture f(config);
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(f.Append(BatchOf(1)).rolled);
  EXPECT_TRUE(f.log().segments().begin()->second->offset_index().IsFull());
  EXPECT_TRUE(f.Append(BatchOf(1)).rolled);
}

// Rule: a full time index rolls the segment too, even while the offset index
// has room (its 12-byte entries fill segment.index.bytes before the offset
// index's 8-byte ones).
TEST(LogTest, RollsWhenTheTimeIndexIsFull) {
  LogConfig config;
  config.index_interval_bytes = 0;
  config.segment_index_bytes = 3 * TimeIndex::kEntrySize;
  MemoryLogFixture f(config);
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(f.Append(BatchOf(1, /*timestamp=*/1000 + i)).rolled);
  }
  const LogSegment& first = *f.log().segments().begin()->second;
  EXPECT_TRUE(first.time_index().IsFull());
  EXPECT_FALSE(first.offset_index().IsFull());
  EXPECT_TRUE(f.Append(BatchOf(1, 2000)).rolled);
}

// Rule: when the segment's first batch has no timestamp, segment.ms counts
// wall time since the segment began (Kafka's fallback), so the segment rolls
// neither at every append nor never.
TEST(LogTest, SegmentWithoutTimestampsRollsOnSegmentMsByWallClock) {
  LogConfig config;
  config.segment_ms = 1000;
  MemoryLogFixture f(config);
  f.now_ms_ = 10'000;
  EXPECT_FALSE(f.Append(BatchOf(1, kNoTimestamp)).rolled);
  f.now_ms_ = 10'500;
  EXPECT_FALSE(f.Append(BatchOf(1, 1'000'000)).rolled)
      << "a record time is not compared with NO_TIMESTAMP";
  EXPECT_FALSE(f.Append(BatchOf(1, kNoTimestamp)).rolled);
  f.now_ms_ = 11'001;
  EXPECT_TRUE(f.Append(BatchOf(1, kNoTimestamp)).rolled);
}

// Rule: a corrupt batch is rejected with CORRUPT_MESSAGE and nothing is
// appended, not even the valid batches before it in the same request.
TEST(LogTest, CorruptBatchAppendsNothing) {
  MemoryLogFixture f;
  f.Append(BatchOf(2));
  Bytes good = BatchOf(1);
  Bytes bad = BatchOf(1);
  bad[bad.size() - 1] ^= 0xFF;
  Bytes request = good;
  request.insert(request.end(), bad.begin(), bad.end());

  Result<LogAppendInfo> result = f.log().Append(request, 0);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kCorruptMessage);
  EXPECT_NE(
      result.error().message.find("at byte " + std::to_string(good.size())),
      std::string::npos);
  EXPECT_EQ(f.log().log_end_offset(), 2);
  EXPECT_EQ(f.log().size_in_bytes(), BatchOf(2).size());
}

// Rule: a batch larger than max.message.bytes gets MESSAGE_TOO_LARGE.
TEST(LogTest, OversizedBatchIsRejected) {
  LogConfig config;
  config.max_message_bytes = 200;
  MemoryLogFixture f(config);
  Bytes big = BatchOf(1, 1000, 300);
  Result<LogAppendInfo> result = f.log().Append(big, 0);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kMessageTooLarge);
  EXPECT_EQ(f.log().log_end_offset(), 0);
}

// Rule: an append larger than segment.bytes gets RECORD_LIST_TOO_LARGE: it
// could never fit in a segment.
TEST(LogTest, AppendLargerThanASegmentIsRejected) {
  LogConfig config;
  config.segment_bytes = 100;
  MemoryLogFixture f(config);
  Bytes big = BatchOf(1, 1000, 200);
  Result<LogAppendInfo> result = f.log().Append(big, 0);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kRecordListTooLarge);
  EXPECT_EQ(f.log().log_end_offset(), 0);
}

// Rule: max.message.bytes is checked before segment.bytes, as in Kafka, so a
// batch over both limits gets MESSAGE_TOO_LARGE.
TEST(LogTest, BatchOverBothLimitsIsTooLargeAMessage) {
  LogConfig config;
  config.segment_bytes = 100;
  config.max_message_bytes = 100;
  MemoryLogFixture f(config);
  Bytes big = BatchOf(1, 1000, 200);
  Result<LogAppendInfo> result = f.log().Append(big, 0);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kMessageTooLarge);
}

// Rule: a segment rolls before a relative offset would overflow int32, the
// width of an index entry's offset.
TEST(LogSegmentTest, RollsBeforeRelativeOffsetsOverflow) {
  MemoryStorage disk;
  LogConfig config;
  const int64_t base = 1'000;
  auto segment = LogSegment::Create(disk, "t-0", base, config);
  Bytes batch = BatchOf(1);
  SetBaseOffset(batch, base);
  segment->Append(batch, SplitAndValidateBatches(batch).value(), 1000);
  const int64_t max_relative = std::numeric_limits<int32_t>::max();
  EXPECT_FALSE(segment->ShouldRoll(10, 1000, base + max_relative, 1000));
  EXPECT_TRUE(segment->ShouldRoll(10, 1000, base + max_relative + 1, 1000));
}

// Rule: an empty segment never rolls on time: there is nothing in it to be
// old, however long ago it was created.
TEST(LogSegmentTest, EmptySegmentDoesNotRollOnTime) {
  MemoryStorage disk;
  LogConfig config;
  config.segment_ms = 1000;
  auto segment = LogSegment::Create(disk, "t-0", 0, config);
  EXPECT_FALSE(segment->ShouldRoll(10, kNoTimestamp, 0, 1'000'000));
  EXPECT_FALSE(segment->ShouldRoll(10, 1'000'000, 0, 1'000'000));
}

// Rule (scenario 4): the time index holds only growing timestamps; the offset
// for a timestamp is the first record whose timestamp is >= it.
TEST(LogTest, OffsetForTimestamp) {
  LogConfig config;
  config.index_interval_bytes = 0;
  MemoryLogFixture f(config);
  f.Append(BatchOf(1, 100));
  f.Append(BatchOf(1, 50));
  f.Append(BatchOf(1, 200));

  const LogSegment& segment = *f.log().segments().begin()->second;
  EXPECT_EQ(segment.time_index().entries(),
            (std::vector<TimestampOffset>{{100, 0}, {200, 2}}));
  EXPECT_EQ(f.log().FetchOffsetByTimestamp(150)->offset, 2);
  EXPECT_EQ(f.log().FetchOffsetByTimestamp(60)->offset, 0);
  EXPECT_EQ(f.log().FetchOffsetByTimestamp(200)->timestamp, 200);
  EXPECT_FALSE(f.log().FetchOffsetByTimestamp(201).has_value());
  EXPECT_EQ(f.log().FetchOffsetByTimestamp(kLatestTimestamp)->offset, 3);
  EXPECT_EQ(f.log().FetchOffsetByTimestamp(kEarliestTimestamp)->offset, 0);
}

// Rule: the search looks inside a batch for the first matching record.
TEST(LogTest, OffsetForTimestampInsideABatch) {
  MemoryLogFixture f;
  f.Append(EncodeRecordBatch(
      MakeBatch({{.timestamp = 10}, {.timestamp = 30}, {.timestamp = 20}})));
  EXPECT_EQ(f.log().FetchOffsetByTimestamp(15)->offset, 1);
  EXPECT_EQ(f.log().FetchOffsetByTimestamp(25)->offset, 1);
}

// Rule: truncate-to removes every batch whose last offset is >= the target; a
// batch straddling the target goes whole; appends continue from the new end.
TEST(LogTest, TruncateTo) {
  LogConfig config;
  config.segment_bytes = int64_t(BatchOf(2).size()) * 2;
  MemoryLogFixture f(config);
  for (int i = 0; i < 5; ++i) f.Append(BatchOf(2));  // offsets 0..9
  ASSERT_EQ(f.log().segments().size(), 3u);

  f.log().TruncateTo(5);  // the batch 4..5 straddles 5: it goes too
  EXPECT_EQ(f.log().log_end_offset(), 4);
  // Segments starting after 5 are deleted; the one at 4 stays, now empty.
  EXPECT_EQ(f.log().segments().size(), 2u);
  EXPECT_FALSE(f.disk().Exists("topic-0/00000000000000000008.log"));
  EXPECT_TRUE(f.log().segments().rbegin()->second->empty());
  EXPECT_EQ(f.Append(BatchOf(1)).first_offset, 4);
  EXPECT_EQ(ReadAllOffsets(f.log()), (std::vector<int64_t>{0, 1, 2, 3, 4}));

  f.log().TruncateTo(0);
  EXPECT_EQ(f.log().log_end_offset(), 0);
  EXPECT_TRUE(ReadLog(f.log(), 0, 100).value().empty());
}

// Rule: by default nothing is fsynced per append (flush.messages is "never");
// Kafka's durability comes from replication.
TEST(LogTest, NoFsyncPerAppendByDefault) {
  MemoryLogFixture f;
  for (int i = 0; i < 100; ++i) f.Append(BatchOf(1));
  EXPECT_GT(f.disk().UnsyncedBytes(), 100 * BatchOf(1).size() - 1);
  EXPECT_EQ(f.log().recovery_point(), 0);
}

// Rule: flush.messages forces an fsync once that many records are unflushed.
TEST(LogTest, FlushMessagesForcesFsync) {
  LogConfig config;
  config.flush_messages = 3;
  MemoryLogFixture f(config);
  f.Append(BatchOf(2));
  EXPECT_EQ(f.log().recovery_point(), 0);
  f.Append(BatchOf(1));
  EXPECT_EQ(f.log().recovery_point(), 3);
  EXPECT_EQ(f.disk().UnsyncedBytes(), 0u);
}

// Rule: flush.ms forces an fsync once the oldest unflushed append is that old.
TEST(LogTest, FlushMsForcesFsync) {
  LogConfig config;
  config.flush_ms = 500;
  MemoryLogFixture f(config);
  f.Append(BatchOf(1));
  f.now_ms_ += 499;
  f.Append(BatchOf(1));
  EXPECT_EQ(f.log().recovery_point(), 0);
  f.now_ms_ += 1;
  f.Append(BatchOf(1));
  EXPECT_EQ(f.log().recovery_point(), 3);
}

// Rule: rolling a segment fsyncs it and moves the recovery point to the new
// segment's base offset.
TEST(LogTest, RollFlushesTheOldSegment) {
  LogConfig config;
  config.segment_bytes = int64_t(BatchOf(1).size());
  MemoryLogFixture f(config);
  f.Append(BatchOf(1));
  f.Append(BatchOf(1));
  EXPECT_EQ(f.log().recovery_point(), 1);
  EXPECT_EQ(f.disk().UnsyncedBytes(), BatchOf(1).size());
}

// Rule: on real files, segments are named by base offset in 20 digits, and a
// restarted log (clean shutdown) serves every record it had.
TEST(LogTest, PosixFilesSurviveRestart) {
  std::string dir = std::string(::testing::TempDir()) + "/log_test_posix/t-0";
  std::filesystem::remove_all(dir);
  PosixStorage storage;
  LogConfig config;
  config.segment_bytes = int64_t(BatchOf(2).size()) * 2;
  {
    auto log = Log::Open(storage, dir, config, 0);
    for (int i = 0; i < 3; ++i) {
      Bytes batch = BatchOf(2);
      ASSERT_TRUE(log->Append(batch, 0).ok());
    }
    log->Close();
  }
  EXPECT_TRUE(std::filesystem::exists(dir + "/00000000000000000000.log"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/00000000000000000004.log"));
  EXPECT_TRUE(std::filesystem::exists(dir + "/.kafka_cleanshutdown"));

  auto log = Log::Open(storage, dir, config, 0);
  EXPECT_TRUE(log->recovery_report().clean_shutdown);
  EXPECT_EQ(log->recovery_report().segments_recovered, 0);
  EXPECT_EQ(ReadAllOffsets(*log), (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
}

}  // namespace
}  // namespace kafka
