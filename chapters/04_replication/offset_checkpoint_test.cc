// replication-offset-checkpoint: the high watermarks of a data directory's
// partitions, as Kafka's OffsetCheckpointFile writes and reads them.
#include "chapters/04_replication/offset_checkpoint.h"

#include <gtest/gtest.h>

#include "lib/storage/memory_storage.h"

namespace kafka {
namespace {

const std::string kDataDir = "data";
const std::string kFile = kDataDir + "/" + kReplicationOffsetCheckpointFile;

using Offsets = std::map<TopicPartition, int64_t>;

class OffsetCheckpointTest : public ::testing::Test {
 protected:
  OffsetCheckpointTest() { CreateDirectoriesDurably(disk_, kDataDir); }

  std::string File() { return AsString(ReadWholeFile(disk_, kFile)); }
  void PutFile(const std::string& contents) {
    WriteFileAtomically(disk_, kFile, AsBytes(contents));
  }
  // Reading fails with KAFKA_STORAGE_ERROR naming the file and saying `what`.
  void ExpectCorrupt(const std::string& what) {
    Result<Offsets> offsets = ReadOffsetCheckpoint(disk_, kFile);
    ASSERT_FALSE(offsets.ok()) << File();
    EXPECT_EQ(offsets.error().code, ErrorCode::kKafkaStorageError);
    EXPECT_NE(offsets.error().message.find(kFile), std::string::npos)
        << offsets.error().message;
    EXPECT_NE(offsets.error().message.find(what), std::string::npos)
        << offsets.error().message;
  }

  MemoryStorage disk_;
};

// Rule: the file is Kafka's: version 0, the count, then "topic partition
// offset" lines (sorted here; Kafka's order is a hash map's).
TEST_F(OffsetCheckpointTest, WritesKafkasFormat) {
  WriteOffsetCheckpoint(
      disk_, kFile, {{{"orders", 1}, 4}, {{"orders", 0}, 17}, {{"a", 2}, 0}});
  EXPECT_EQ(File(), "0\n3\na 2 0\norders 0 17\norders 1 4\n");
}

// Rule: what was written reads back, and survives a power failure right
// after the write.
TEST_F(OffsetCheckpointTest, ReadsBackWhatWasWrittenAfterAPowerFailure) {
  const Offsets offsets{{{"orders", 0}, 17}, {{"orders", 1}, 4}};
  WriteOffsetCheckpoint(disk_, kFile, offsets);
  disk_.CrashLosingUnsynced();
  EXPECT_EQ(ReadOffsetCheckpoint(disk_, kFile).value(), offsets);
}

// Rule: a data directory without the file has no high watermarks yet.
TEST_F(OffsetCheckpointTest, MissingFileIsNoOffsets) {
  EXPECT_TRUE(ReadOffsetCheckpoint(disk_, kFile).value().empty());
}

// Rule: a file Kafka wrote, with its hash-map order, reads as it is.
TEST_F(OffsetCheckpointTest, ReadsAFileKafkaWrote) {
  PutFile("0\n2\norders 1 4\norders 0 17\n");
  EXPECT_EQ(ReadOffsetCheckpoint(disk_, kFile).value(),
            (Offsets{{{"orders", 0}, 17}, {{"orders", 1}, 4}}));
}

// Rule: a partition named twice keeps its last offset, as Kafka's map does.
TEST_F(OffsetCheckpointTest, PartitionNamedTwiceKeepsItsLastOffset) {
  PutFile("0\n2\norders 0 17\norders 0 20\n");
  EXPECT_EQ(ReadOffsetCheckpoint(disk_, kFile).value(),
            (Offsets{{{"orders", 0}, 20}}));
}

// Damage: an entry that is not three fields.
TEST_F(OffsetCheckpointTest, EntryWithoutThreeFields) {
  PutFile("0\n1\norders 17\n");
  ExpectCorrupt("line 3 \"orders 17\": expected 3 fields");
}

// Damage: a partition that is not a number, or negative.
TEST_F(OffsetCheckpointTest, BadPartitionNumber) {
  PutFile("0\n1\norders x 17\n");
  ExpectCorrupt("partition \"x\" is not a number");
  PutFile("0\n1\norders -1 17\n");
  ExpectCorrupt("partition \"-1\" is negative");
}

// Damage: a negative offset.
TEST_F(OffsetCheckpointTest, NegativeOffset) {
  PutFile("0\n1\norders 0 -17\n");
  ExpectCorrupt("offset \"-17\" is negative");
}

// Damage: the checkpoint format's own (see checkpoint_file_test): here a
// count that disagrees with the lines.
TEST_F(OffsetCheckpointTest, CountThatDisagreesWithTheEntries) {
  PutFile("0\n2\norders 0 17\n");
  ExpectCorrupt("the count line says 2 entries, but 1 follow");
}

}  // namespace
}  // namespace kafka
