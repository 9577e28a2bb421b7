#include "chapters/01_log/index.h"

#include <gtest/gtest.h>

#include <random>

#include "chapters/01_log/test_util.h"
#include "lib/storage/memory_storage.h"

namespace kafka {
namespace {

using testing::BatchOf;
using testing::MemoryLogFixture;
using testing::ReadLog;

constexpr int64_t kBase = 100;

OffsetIndex MakeOffsetIndex(MemoryStorage& disk, int32_t max_bytes = 1024) {
  return OffsetIndex(disk.Open("d/x.index"), kBase, max_bytes);
}

// Rule: a lookup returns the last entry at or before the target offset, or the
// segment's start when there is none.
TEST(OffsetIndexTest, LookupFindsTheFloorEntry) {
  MemoryStorage disk;
  OffsetIndex index = MakeOffsetIndex(disk);
  index.Append(110, 4000);
  index.Append(125, 9000);
  EXPECT_EQ(index.Lookup(100), (OffsetPosition{kBase, 0}));
  EXPECT_EQ(index.Lookup(109), (OffsetPosition{kBase, 0}));
  EXPECT_EQ(index.Lookup(110), (OffsetPosition{110, 4000}));
  EXPECT_EQ(index.Lookup(124), (OffsetPosition{110, 4000}));
  EXPECT_EQ(index.Lookup(125), (OffsetPosition{125, 9000}));
  EXPECT_EQ(index.Lookup(1000), (OffsetPosition{125, 9000}));
}

// Rule: entries are 8 bytes on disk, offsets relative to the base offset.
TEST(OffsetIndexTest, EntriesAreRelativeOnDisk) {
  MemoryStorage disk;
  OffsetIndex index = MakeOffsetIndex(disk);
  index.Append(110, 4000);
  EXPECT_EQ(ReadWholeFile(disk, "d/x.index").size(), 0u)
      << "entries reach the file on Flush, as an mmap'd index's reach the disk";
  index.Flush();
  EXPECT_EQ(ReadWholeFile(disk, "d/x.index"),
            (Bytes{0, 0, 0, 10, 0, 0, 0x0F, 0xA0}));
  OffsetIndex reloaded = MakeOffsetIndex(disk);
  EXPECT_EQ(reloaded.entries(), index.entries());
}

// Rule: the sanity check catches partial entries, disorder and positions
// beyond the log.
TEST(OffsetIndexTest, SanityCheck) {
  MemoryStorage disk;
  {
    OffsetIndex index = MakeOffsetIndex(disk);
    index.Append(110, 400);
    index.Append(120, 800);
    index.Flush();
    EXPECT_TRUE(index.SanityCheck(1000).ok());
    EXPECT_FALSE(index.SanityCheck(800).ok()) << "position past the log end";
  }
  disk.Open("d/x.index")->Append(Bytes{0, 0, 0, 5, 0, 0, 0, 1});
  EXPECT_FALSE(MakeOffsetIndex(disk).SanityCheck(1000).ok()) << "disorder";
  disk.Open("d/x.index")->Truncate(20);
  EXPECT_FALSE(MakeOffsetIndex(disk).SanityCheck(1000).ok()) << "partial";
}

// Rule: the index is full at segment.index.bytes / 8 entries.
TEST(OffsetIndexTest, FullAtMaxIndexBytes) {
  MemoryStorage disk;
  OffsetIndex index = MakeOffsetIndex(disk, 16);
  index.Append(101, 1);
  EXPECT_FALSE(index.IsFull());
  index.Append(102, 2);
  EXPECT_TRUE(index.IsFull());
}

TEST(OffsetIndexTest, TruncateToRemovesEntriesAtAndAfter) {
  MemoryStorage disk;
  OffsetIndex index = MakeOffsetIndex(disk);
  index.Append(110, 1);
  index.Append(120, 2);
  index.Append(130, 3);
  index.Flush();
  index.TruncateTo(120);
  EXPECT_EQ(index.entries(), (std::vector<OffsetPosition>{{110, 1}}));
  EXPECT_EQ(ReadWholeFile(disk, "d/x.index").size(), 8u);
}

// Rule: the time index only grows: an entry is added only if its timestamp
// is larger than the last one.
TEST(TimeIndexTest, OnlyGrowingTimestampsAreIndexed) {
  MemoryStorage disk;
  TimeIndex index(disk.Open("d/x.timeindex"), kBase, 1024);
  index.MaybeAppend(500, 101);
  index.MaybeAppend(400, 102);
  index.MaybeAppend(500, 103);
  index.MaybeAppend(700, 104);
  index.Flush();
  EXPECT_EQ(index.entries(),
            (std::vector<TimestampOffset>{{500, 101}, {700, 104}}));
  EXPECT_EQ(index.Lookup(499), (TimestampOffset{-1, kBase}));
  EXPECT_EQ(index.Lookup(600), (TimestampOffset{500, 101}));
  EXPECT_EQ(ReadWholeFile(disk, "d/x.timeindex").size(), 24u);
}

// Rule: a batch without a timestamp (NO_TIMESTAMP, -1) adds no time index
// entry, not even to an empty index.
TEST(TimeIndexTest, NoTimestampIsNotIndexed) {
  MemoryStorage disk;
  TimeIndex index(disk.Open("d/x.timeindex"), kBase, 1024);
  index.MaybeAppend(kNoTimestamp, 101);
  EXPECT_TRUE(index.entries().empty());
}

// Rule: an offset index entry is added once more than index.interval.bytes of
// log were written since the last one, and points at the start of a batch.
TEST(OffsetIndexTest, EntryEveryIndexIntervalBytes) {
  LogConfig config;
  Bytes batch = BatchOf(1, 1000, 1000);
  config.index_interval_bytes = int32_t(batch.size()) * 2;
  MemoryLogFixture f(config);
  for (int i = 0; i < 10; ++i) f.Append(batch);
  const OffsetIndex& index = f.log().segments().begin()->second->offset_index();
  // Bytes since the last entry must exceed 2 batches: entries at batches 3,
  // 6, 9.
  const int32_t size = int32_t(batch.size());
  EXPECT_EQ(index.entries(), (std::vector<OffsetPosition>{
                                 {3, 3 * size}, {6, 6 * size}, {9, 9 * size}}));
}

// Property: for random appends, reading any offset through the index gives
// the same batch as a linear scan over every batch.
TEST(OffsetIndexTest, IndexedReadEqualsLinearScan) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 random(seed);
    LogConfig config;
    config.index_interval_bytes = int32_t(random() % 500);
    config.segment_bytes = 2000 + int64_t(random() % 4000);
    MemoryLogFixture f(config);

    struct Appended {
      int64_t base;
      int64_t last;
      Bytes bytes;
    };
    std::vector<Appended> appended;
    for (int i = 0; i < 100; ++i) {
      Bytes batch = BatchOf(1 + int(random() % 5), 1000, random() % 200);
      LogAppendInfo info = f.Append(batch);
      SetBaseOffset(batch, info.first_offset);  // as the log did to its copy
      appended.push_back({info.first_offset, info.last_offset, batch});
    }
    for (int64_t offset = 0; offset < f.log().log_end_offset(); ++offset) {
      // The linear scan: the batch whose offsets include `offset`.
      auto expected = std::find_if(
          appended.begin(), appended.end(), [&](const Appended& a) {
            return a.base <= offset && offset <= a.last;
          });
      Bytes read = ReadLog(f.log(), offset, 1).value();
      ASSERT_EQ(read, expected->bytes)
          << "seed " << seed << " offset " << offset;
    }
  }
}

}  // namespace
}  // namespace kafka
