// Kafka's checkpoint file format: what is written, and each kind of damage
// that reading it detects.
#include "chapters/04_replication/checkpoint_file.h"

#include <gtest/gtest.h>

#include "lib/storage/memory_storage.h"

namespace kafka {
namespace {

const std::string kDir = "topic-0";
const std::string kPath = kDir + "/leader-epoch-checkpoint";

// An entry of the leader-epoch-checkpoint kind, "epoch start-offset", read
// with the helpers every checkpoint's parser uses.
struct Entry {
  int64_t epoch;
  int64_t offset;
  bool operator==(const Entry&) const = default;
};

Result<Entry> ParseEntry(std::string_view line) {
  std::vector<std::string_view> fields = SplitCheckpointFields(line);
  if (fields.size() != 2) {
    return Error{ErrorCode::kKafkaStorageError, "expected 2 fields"};
  }
  Result<int64_t> epoch = ParseCheckpointNumber(fields[0], "epoch", 0, 1000);
  if (!epoch.ok()) return epoch.error();
  Result<int64_t> offset =
      ParseCheckpointNumber(fields[1], "offset", 0, INT64_MAX);
  if (!offset.ok()) return offset.error();
  return Entry{*epoch, *offset};
}

class CheckpointFileTest : public ::testing::Test {
 protected:
  CheckpointFileTest() { CreateDirectoriesDurably(disk_, kDir); }

  CheckpointFile file() { return CheckpointFile(disk_, kPath, 0); }
  void Put(const std::string& contents) {
    WriteFileAtomically(disk_, kPath, AsBytes(contents));
  }
  std::string Contents() { return AsString(ReadWholeFile(disk_, kPath)); }
  Result<std::vector<Entry>> Read() { return file().Read<Entry>(ParseEntry); }

  // Reading the file fails with KAFKA_STORAGE_ERROR, and the message names
  // the file and says `what`.
  void ExpectCorrupt(const std::string& what) {
    Result<std::vector<Entry>> entries = Read();
    ASSERT_FALSE(entries.ok()) << "read " << Contents();
    EXPECT_EQ(entries.error().code, ErrorCode::kKafkaStorageError);
    EXPECT_NE(entries.error().message.find(kPath), std::string::npos)
        << entries.error().message;
    EXPECT_NE(entries.error().message.find(what), std::string::npos)
        << entries.error().message;
  }

  MemoryStorage disk_;
};

// Rule: the file is the version line, the count line, and one line per
// entry, each ended by a newline, as Kafka's CheckpointFile writes it.
TEST_F(CheckpointFileTest, WritesVersionCountAndEntryLines) {
  file().Write({"0 0", "2 120", "5 300"});
  EXPECT_EQ(Contents(), "0\n3\n0 0\n2 120\n5 300\n");

  file().Write({});
  EXPECT_EQ(Contents(), "0\n0\n") << "no entries: a count of 0";
}

// Rule: what was written reads back, entry by entry.
TEST_F(CheckpointFileTest, ReadsBackWhatWasWritten) {
  file().Write({"0 0", "2 120"});
  EXPECT_EQ(file().ReadEntryLines().value(),
            (std::vector<std::string>{"0 0", "2 120"}));
  EXPECT_EQ(Read().value(), (std::vector<Entry>{{0, 0}, {2, 120}}));
}

// Rule: a file that was never written holds no entries; that is no error.
TEST_F(CheckpointFileTest, MissingFileHasNoEntries) {
  ASSERT_TRUE(Read().ok());
  EXPECT_TRUE(Read()->empty());
  EXPECT_FALSE(disk_.Exists(kPath)) << "reading creates nothing";
}

// Rule: the file is written atomically and synced, so it survives a power
// failure right after the write, and a later write replaces it whole.
TEST_F(CheckpointFileTest, WrittenFileSurvivesAPowerFailure) {
  file().Write({"0 0"});
  file().Write({"0 0", "1 7"});
  disk_.CrashLosingUnsynced();
  EXPECT_EQ(Contents(), "0\n2\n0 0\n1 7\n");
  EXPECT_FALSE(disk_.Exists(kPath + ".tmp"))
      << "the temporary file was renamed";
}

// Rule: Java's readLine reads a last line that lacks its newline; so does
// this reader.
TEST_F(CheckpointFileTest, LastLineWithoutNewlineIsRead) {
  Put("0\n2\n0 0\n2 120");
  EXPECT_EQ(Read().value(), (std::vector<Entry>{{0, 0}, {2, 120}}));
}

// Rule: fields may be apart by any run of spaces or tabs (Kafka splits at
// whitespace).
TEST_F(CheckpointFileTest, FieldsMayBeApartByAnyWhitespace) {
  Put("0\n1\n2 \t 120\n");
  EXPECT_EQ(Read().value(), (std::vector<Entry>{{2, 120}}));
}

// Damage: an empty file has no version line. (Kafka reads it as no entries,
// because it creates the file empty; nothing here writes an empty file.)
TEST_F(CheckpointFileTest, EmptyFileLacksItsVersionLine) {
  Put("");
  ExpectCorrupt("no version line");
}

// Damage: the first line is not a number.
TEST_F(CheckpointFileTest, VersionThatIsNotANumber) {
  Put("zero\n0\n");
  ExpectCorrupt("line 1: version \"zero\" is not a number");
}

// Damage: a version this reader does not know (a newer broker's file).
TEST_F(CheckpointFileTest, UnknownVersion) {
  Put("1\n0\n");
  ExpectCorrupt("unknown version 1 (expected 0)");
}

// Damage: a version line and nothing after it.
TEST_F(CheckpointFileTest, MissingCountLine) {
  Put("0\n");
  ExpectCorrupt("no count line");
}

// Damage: the second line is not a number.
TEST_F(CheckpointFileTest, CountThatIsNotANumber) {
  Put("0\ntwo\n0 0\n2 120\n");
  ExpectCorrupt("line 2: count \"two\" is not a number");
}

// Damage: a negative count.
TEST_F(CheckpointFileTest, NegativeCount) {
  Put("0\n-1\n");
  ExpectCorrupt("line 2: count \"-1\" is negative");
}

// Damage: fewer entry lines than the count says (a cut file).
TEST_F(CheckpointFileTest, FewerEntriesThanTheCount) {
  Put("0\n3\n0 0\n2 120\n");
  ExpectCorrupt("the count line says 3 entries, but 2 follow");
}

// Damage: more entry lines than the count says.
TEST_F(CheckpointFileTest, MoreEntriesThanTheCount) {
  Put("0\n1\n0 0\n2 120\n");
  ExpectCorrupt("the count line says 1 entries, but 2 follow");
}

// Damage: an entry line with the wrong number of fields; the error names
// the line (the file's fourth) and quotes it.
TEST_F(CheckpointFileTest, MalformedEntryLine) {
  Put("0\n2\n0 0\n2 120 7\n");
  ExpectCorrupt("line 4 \"2 120 7\": expected 2 fields");
}

// Damage: a blank line among the entries is a malformed entry, not skipped.
TEST_F(CheckpointFileTest, BlankEntryLine) {
  Put("0\n2\n0 0\n\n");
  ExpectCorrupt("line 4 \"\": expected 2 fields");
}

// Damage: an entry field that is not a number (or has junk after one).
TEST_F(CheckpointFileTest, EntryFieldThatIsNotANumber) {
  Put("0\n1\n2 12x\n");
  ExpectCorrupt("line 3 \"2 12x\": offset \"12x\" is not a number");
}

// Damage: a negative offset.
TEST_F(CheckpointFileTest, NegativeOffset) {
  Put("0\n1\n2 -120\n");
  ExpectCorrupt("line 3 \"2 -120\": offset \"-120\" is negative");
}

// Damage: a number beyond its field's range (here an epoch above 1000, or
// an offset beyond int64).
TEST_F(CheckpointFileTest, NumberOutOfRange) {
  Put("0\n1\n1001 0\n");
  ExpectCorrupt("epoch \"1001\" is out of range");
  Put("0\n1\n1 9223372036854775808\n");
  ExpectCorrupt("offset \"9223372036854775808\" is out of range");
}

}  // namespace
}  // namespace kafka
