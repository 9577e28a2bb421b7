// The leader epoch cache: Kafka's rules for assigning epochs, answering
// "where did epoch e end?", truncating, and keeping leader-epoch-checkpoint.
// Each test is a transcript: an action, then what the cache and its file
// hold after it.
#include "chapters/04_replication/leader_epoch_cache.h"

#include <gtest/gtest.h>

#include <memory>

#include "chapters/01_log/test_util.h"
#include "lib/storage/memory_storage.h"

namespace kafka {
namespace {

using testing::BatchOf;

const std::string kDir = "orders-0";
const std::string kFile = kDir + "/leader-epoch-checkpoint";

using Entries = std::vector<EpochEntry>;

class LeaderEpochCacheTest : public ::testing::Test {
 protected:
  LeaderEpochCacheTest() {
    CreateDirectoriesDurably(disk_, kDir);
    Reopen();
  }

  // A new cache loaded from the file, as after a restart.
  void Reopen() {
    cache_ = std::make_unique<LeaderEpochCache>(disk_, kDir);
    cache_->set_warning_sink(
        [this](const std::string& warning) { warnings_.push_back(warning); });
  }
  LeaderEpochCache& cache() { return *cache_; }
  std::string File() { return AsString(ReadWholeFile(disk_, kFile)); }
  void PutFile(const std::string& contents) {
    WriteFileAtomically(disk_, kFile, AsBytes(contents));
  }

  // The cache of the pictures in leader_epoch_cache.h: epoch 0 from offset
  // 0, epoch 2 from 120, epoch 5 from 300.
  void AssignThreeEpochs() {
    cache().Assign(0, 0);
    cache().Assign(2, 120);
    cache().Assign(5, 300);
    ASSERT_EQ(cache().entries(), (Entries{{0, 0}, {2, 120}, {5, 300}}));
    warnings_.clear();
  }

  MemoryStorage disk_;
  std::unique_ptr<LeaderEpochCache> cache_;
  std::vector<std::string> warnings_;
};

// Rule: a new epoch at a later offset is appended, and the file is written
// at once, in Kafka's format ("epoch start-offset" lines).
TEST_F(LeaderEpochCacheTest, NewEpochIsAppendedAndWritten) {
  cache().Assign(0, 0);
  EXPECT_EQ(File(), "0\n1\n0 0\n");
  cache().Assign(1, 5);
  EXPECT_EQ(cache().entries(), (Entries{{0, 0}, {1, 5}}));
  EXPECT_EQ(File(), "0\n2\n0 0\n1 5\n");
  EXPECT_TRUE(warnings_.empty());
}

// Rule: the latest epoch at its own or a later offset changes nothing: a
// leader assigns its epoch with every append, and only the first counts.
TEST_F(LeaderEpochCacheTest, LatestEpochAgainChangesNothing) {
  cache().Assign(2, 10);
  cache().Assign(2, 10);
  cache().Assign(2, 15);
  EXPECT_EQ(cache().entries(), (Entries{{2, 10}}));
  EXPECT_EQ(File(), "0\n1\n2 10\n");
}

// Rule: the latest epoch at a smaller offset replaces its entry: the epoch
// began earlier than the cache thought (it was removed and assigned again).
TEST_F(LeaderEpochCacheTest, LatestEpochAtASmallerOffsetMovesItsStart) {
  cache().Assign(2, 10);
  cache().Assign(2, 7);
  EXPECT_EQ(cache().entries(), (Entries{{2, 7}}));
  EXPECT_EQ(File(), "0\n1\n2 7\n");
}

// Rule: an entry removes every later entry it conflicts with: here epoch 5
// (an epoch >= 3). The removal is logged, as Kafka warns.
TEST_F(LeaderEpochCacheTest, SmallerEpochRemovesLaterEpochsAndWarns) {
  AssignThreeEpochs();
  cache().Assign(3, 200);
  EXPECT_EQ(cache().entries(), (Entries{{0, 0}, {2, 120}, {3, 200}}));
  EXPECT_EQ(File(), "0\n3\n0 0\n2 120\n3 200\n");
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_NE(warnings_[0].find("(epoch 5, start 300)"), std::string::npos)
      << warnings_[0];
}

// Rule: an entry also removes the entries that start at or after its start
// offset, whatever their epoch: here epochs 2 and 5 go for epoch 6 at 100.
TEST_F(LeaderEpochCacheTest, EarlierStartRemovesEntriesAtOrAfterIt) {
  AssignThreeEpochs();
  cache().Assign(6, 100);
  EXPECT_EQ(cache().entries(), (Entries{{0, 0}, {6, 100}}));
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_NE(warnings_[0].find("(epoch 2, start 120), (epoch 5, start 300)"),
            std::string::npos)
      << warnings_[0];
}

// Rule: replacing the one latest epoch at the same start offset loses no
// data (that epoch wrote nothing), so there is no warning.
TEST_F(LeaderEpochCacheTest, ReplacingAnEpochThatWroteNothingIsNoWarning) {
  AssignThreeEpochs();
  cache().Assign(6, 300);
  EXPECT_EQ(cache().entries(), (Entries{{0, 0}, {2, 120}, {6, 300}}));
  EXPECT_TRUE(warnings_.empty());
}

// Rule: a negative epoch or offset is no entry (Kafka throws
// IllegalArgumentException); it is ignored, with a warning.
TEST_F(LeaderEpochCacheTest, NegativeEpochOrOffsetIsIgnored) {
  cache().Assign(1, 0);
  cache().Assign(kNoPartitionLeaderEpoch, 10);
  cache().Assign(2, -1);
  EXPECT_EQ(cache().entries(), (Entries{{1, 0}}));
  EXPECT_EQ(warnings_.size(), 2u);
}

// Rule: assigning a list applies Assign's rules entry by entry.
TEST_F(LeaderEpochCacheTest, AssignOfAListAppliesTheRulesInOrder) {
  cache().Assign(Entries{{0, 0}, {3, 10}, {2, 20}, {4, 30}});
  EXPECT_EQ(cache().entries(), (Entries{{0, 0}, {2, 20}, {4, 30}}));
  EXPECT_EQ(File(), "0\n3\n0 0\n2 20\n4 30\n");
}

// Rule: the latest epoch, the epoch before a given one, and where an epoch
// starts, read from the entries.
TEST_F(LeaderEpochCacheTest, LatestAndPreviousEpochsAndStartOffsets) {
  EXPECT_EQ(cache().LatestEpoch(), std::nullopt);
  AssignThreeEpochs();
  EXPECT_EQ(cache().LatestEpoch(), 5);
  EXPECT_EQ(cache().PreviousEpoch(5), 2);
  EXPECT_EQ(cache().PreviousEpoch(4), 2) << "the largest epoch below 4";
  EXPECT_EQ(cache().PreviousEpoch(2), 0);
  EXPECT_EQ(cache().PreviousEpoch(0), std::nullopt);
  EXPECT_EQ(cache().StartOffsetOf(2), 120);
  EXPECT_EQ(cache().StartOffsetOf(3), std::nullopt) << "no entry for 3";
}

// Rule: the latest epoch has not ended; its end is the log end offset.
TEST_F(LeaderEpochCacheTest, LatestEpochEndsAtTheLogEnd) {
  AssignThreeEpochs();
  EXPECT_EQ(cache().EndOffsetFor(5, 400), (EpochEndOffset{5, 400}));
}

// Rule: an earlier epoch ends where the next larger epoch starts; an epoch
// without an entry is answered with the largest epoch below it.
TEST_F(LeaderEpochCacheTest, EarlierEpochEndsWhereTheNextOneStarts) {
  AssignThreeEpochs();
  EXPECT_EQ(cache().EndOffsetFor(2, 400), (EpochEndOffset{2, 300}));
  EXPECT_EQ(cache().EndOffsetFor(4, 400), (EpochEndOffset{2, 300}));
  EXPECT_EQ(cache().EndOffsetFor(3, 400), (EpochEndOffset{2, 300}));
  EXPECT_EQ(cache().EndOffsetFor(0, 400), (EpochEndOffset{0, 120}));
  EXPECT_EQ(cache().EndOffsetFor(1, 400), (EpochEndOffset{0, 120}));
}

// Rule: an epoch below every entry (its batches were deleted from this log)
// ends where this log's first epoch starts, so a follower asking for it
// truncates to there (Kafka's endOffsetFor, whatever its javadoc says).
TEST_F(LeaderEpochCacheTest, EpochBelowTheFirstEndsWhereTheFirstStarts) {
  cache().Assign(2, 120);
  cache().Assign(5, 300);
  EXPECT_EQ(cache().EndOffsetFor(1, 400), (EpochEndOffset{1, 120}));
}

// Rule: UNDEFINED (-1, -1) when there is nothing to answer with: the
// undefined epoch, an epoch above the latest, or an empty cache.
TEST_F(LeaderEpochCacheTest, UndefinedWhenNothingAnswers) {
  EXPECT_EQ(cache().EndOffsetFor(0, 400), EpochEndOffset{}) << "empty cache";
  AssignThreeEpochs();
  EXPECT_EQ(cache().EndOffsetFor(kUndefinedEpoch, 400), EpochEndOffset{});
  EXPECT_EQ(cache().EndOffsetFor(6, 400), EpochEndOffset{});
  EXPECT_EQ(EpochEndOffset{}, (EpochEndOffset{-1, -1}));
}

// Rule: truncating the log to an end offset removes the entries starting at
// or after it; the entry whose epoch holds the new end stays as it was.
TEST_F(LeaderEpochCacheTest, TruncateFromEndRemovesEntriesFromTheEndOffset) {
  AssignThreeEpochs();
  cache().TruncateFromEnd(301);
  EXPECT_EQ(cache().entries(), (Entries{{0, 0}, {2, 120}, {5, 300}}));
  cache().TruncateFromEnd(300);
  EXPECT_EQ(cache().entries(), (Entries{{0, 0}, {2, 120}}));
  EXPECT_EQ(File(), "0\n2\n0 0\n2 120\n");
  cache().TruncateFromEnd(50);
  EXPECT_EQ(cache().entries(), (Entries{{0, 0}}));
  EXPECT_EQ(File(), "0\n1\n0 0\n");
}

// Rule: truncating to a negative end offset (no offset) changes nothing.
TEST_F(LeaderEpochCacheTest, TruncateFromEndToNoOffsetChangesNothing) {
  AssignThreeEpochs();
  cache().TruncateFromEnd(-1);
  EXPECT_EQ(cache().entries(), (Entries{{0, 0}, {2, 120}, {5, 300}}));
}

// Rule: moving the log start offset up removes the entries wholly below it
// and moves the entry covering the new start to start there.
TEST_F(LeaderEpochCacheTest, TruncateFromStartKeepsTheEpochOfTheNewStart) {
  AssignThreeEpochs();
  cache().TruncateFromStart(100);
  EXPECT_EQ(cache().entries(), (Entries{{0, 100}, {2, 120}, {5, 300}}));
  cache().TruncateFromStart(150);
  EXPECT_EQ(cache().entries(), (Entries{{2, 150}, {5, 300}}));
  EXPECT_EQ(File(), "0\n2\n2 150\n5 300\n");
  cache().TruncateFromStart(300);
  EXPECT_EQ(cache().entries(), (Entries{{5, 300}}))
      << "an entry at the new start is kept as it is";
}

// Rule: a start offset below every entry changes nothing.
TEST_F(LeaderEpochCacheTest,
       TruncateFromStartBelowTheFirstEntryChangesNothing) {
  cache().Assign(2, 120);
  cache().TruncateFromStart(50);
  EXPECT_EQ(cache().entries(), (Entries{{2, 120}}));
}

// Rule: Clear removes every entry and writes an empty file.
TEST_F(LeaderEpochCacheTest, ClearEmptiesCacheAndFile) {
  AssignThreeEpochs();
  cache().Clear();
  EXPECT_TRUE(cache().entries().empty());
  EXPECT_EQ(File(), "0\n0\n");
}

// Rule: the entries survive a restart, and a power failure right after a
// change: every change is written atomically and synced.
TEST_F(LeaderEpochCacheTest, EntriesSurviveAPowerFailure) {
  AssignThreeEpochs();
  cache().TruncateFromEnd(300);
  disk_.CrashLosingUnsynced();
  Reopen();
  EXPECT_TRUE(cache().load_error().ok());
  EXPECT_EQ(cache().entries(), (Entries{{0, 0}, {2, 120}}));
}

// Rule: a partition without the file (a new one) has an empty cache and no
// load error.
TEST_F(LeaderEpochCacheTest, MissingFileIsAnEmptyCache) {
  EXPECT_FALSE(disk_.Exists(kFile));
  EXPECT_TRUE(cache().load_error().ok());
  EXPECT_TRUE(cache().entries().empty());
}

// Rule: a file Kafka wrote loads as it is.
TEST_F(LeaderEpochCacheTest, LoadsAFileKafkaWrote) {
  PutFile("0\n3\n0 0\n2 120\n5 300\n");
  Reopen();
  EXPECT_EQ(cache().entries(), (Entries{{0, 0}, {2, 120}, {5, 300}}));
}

// Rule: the file's entries are assigned in order, as Kafka loads them, so an
// entry that does not go up removes the ones it conflicts with.
TEST_F(LeaderEpochCacheTest, LoadingAssignsTheEntriesInOrder) {
  PutFile("0\n3\n0 0\n3 10\n2 20\n");
  Reopen();
  EXPECT_EQ(cache().entries(), (Entries{{0, 0}, {2, 20}}));
}

// Rule: a corrupt file is a load error naming the file, and an empty cache
// (the owner rebuilds it from the log); here a negative start offset.
TEST_F(LeaderEpochCacheTest, CorruptFileIsALoadErrorAndAnEmptyCache) {
  PutFile("0\n2\n0 0\n2 -120\n");
  Reopen();
  ASSERT_FALSE(cache().load_error().ok());
  EXPECT_EQ(cache().load_error().error().code, ErrorCode::kKafkaStorageError);
  EXPECT_NE(cache().load_error().error().message.find(kFile), std::string::npos)
      << cache().load_error().error().message;
  EXPECT_NE(cache().load_error().error().message.find("negative"),
            std::string::npos)
      << cache().load_error().error().message;
  EXPECT_TRUE(cache().entries().empty());
}

// Rule: a negative epoch in the file is damage too.
TEST_F(LeaderEpochCacheTest, NegativeEpochInTheFileIsALoadError) {
  PutFile("0\n1\n-1 0\n");
  Reopen();
  ASSERT_FALSE(cache().load_error().ok());
  EXPECT_NE(cache().load_error().error().message.find("epoch \"-1\""),
            std::string::npos)
      << cache().load_error().error().message;
}

// A log whose batches were appended by leaders of epochs 0, 0, 2, 2 and 5
// (two records each), with one batch of no epoch between.
std::unique_ptr<Log> LogWithEpochs(Storage& disk) {
  std::unique_ptr<Log> log = Log::Open(disk, kDir, LogConfig{}, 0);
  for (int32_t epoch : {0, 0, 2, kNoPartitionLeaderEpoch, 2, 5}) {
    Bytes batch = BatchOf(2);
    EXPECT_TRUE(log->Append(batch, 0, epoch).ok());
  }
  return log;
}

// Rule: a rebuild reads each batch's partitionLeaderEpoch and assigns it at
// the batch's base offset; a batch without an epoch is skipped. The result
// is written to the file.
TEST_F(LeaderEpochCacheTest, RebuildReadsTheEpochsOfTheLogsBatches) {
  std::unique_ptr<Log> log = LogWithEpochs(disk_);
  RebuildLeaderEpochCache(*log, cache());
  EXPECT_EQ(cache().entries(), (Entries{{0, 0}, {2, 4}, {5, 10}}));
  EXPECT_EQ(File(), "0\n3\n0 0\n2 4\n5 10\n");
}

// Rule: a rebuild replaces a corrupt file's (empty) cache, and the next
// start loads what it wrote.
TEST_F(LeaderEpochCacheTest, RebuildRepairsACorruptFile) {
  std::unique_ptr<Log> log = LogWithEpochs(disk_);
  PutFile("0\n7\n0 0\n");
  Reopen();
  ASSERT_FALSE(cache().load_error().ok());
  RebuildLeaderEpochCache(*log, cache());
  Reopen();
  EXPECT_TRUE(cache().load_error().ok());
  EXPECT_EQ(cache().entries(), (Entries{{0, 0}, {2, 4}, {5, 10}}));
}

// Rule: a rebuild starts at the log start offset; the epoch of the batch
// holding it starts there, not at the batch's base offset (as
// TruncateFromStart would have left it).
TEST_F(LeaderEpochCacheTest, RebuildStartsAtTheLogStartOffset) {
  std::unique_ptr<Log> log = LogWithEpochs(disk_);
  ASSERT_TRUE(log->IncrementLogStartOffset(5).ok());  // inside 4..5, epoch 2
  RebuildLeaderEpochCache(*log, cache());
  EXPECT_EQ(cache().entries(), (Entries{{2, 5}, {5, 10}}));
}

// Rule: a rebuild reads the whole log, segment after segment (here one
// batch a segment, epochs 1 to 4).
TEST_F(LeaderEpochCacheTest, RebuildReadsEverySegment) {
  LogConfig config;
  config.segment_bytes = int64_t(BatchOf(2).size());
  std::unique_ptr<Log> log = Log::Open(disk_, kDir, config, 0);
  for (int32_t epoch : {1, 2, 3, 4}) {
    Bytes batch = BatchOf(2);
    ASSERT_TRUE(log->Append(batch, 0, epoch).ok());
  }
  ASSERT_EQ(log->segments().size(), 4u);
  RebuildLeaderEpochCache(*log, cache());
  EXPECT_EQ(cache().entries(), (Entries{{1, 0}, {2, 2}, {3, 4}, {4, 6}}));
}

// Rule: a rebuild of a log without epochs (written before any leader
// stamped them) leaves an empty cache, and an empty file.
TEST_F(LeaderEpochCacheTest, RebuildOfALogWithoutEpochsIsEmpty) {
  AssignThreeEpochs();
  std::unique_ptr<Log> log = Log::Open(disk_, kDir, LogConfig{}, 0);
  Bytes batch = BatchOf(3);
  ASSERT_TRUE(log->Append(batch, 0).ok());
  RebuildLeaderEpochCache(*log, cache());
  EXPECT_TRUE(cache().entries().empty());
  EXPECT_EQ(File(), "0\n0\n");
}

}  // namespace
}  // namespace kafka
