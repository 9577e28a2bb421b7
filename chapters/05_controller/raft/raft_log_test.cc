// The metadata log's pieces: controller.quorum.voters, control records,
// snapshot files and their names, and where a fetcher's log diverged.
#include "chapters/05_controller/raft/raft_log.h"

#include <gtest/gtest.h>

#include "chapters/05_controller/raft/control_records.h"
#include "chapters/05_controller/raft/raft_config.h"
#include "lib/storage/memory_storage.h"

namespace kafka {
namespace {

Bytes Value(const std::string& text) { return Bytes(text.begin(), text.end()); }

TEST(QuorumVotersTest, ParsesIdAtHostPortList) {
  const QuorumVoters voters =
      ParseQuorumVoters("3000@127.0.0.1:9093, 3001@localhost:9094,3002@c:1")
          .value();
  EXPECT_EQ(voters, (QuorumVoters{{3000, {"127.0.0.1", 9093}},
                                  {3001, {"localhost", 9094}},
                                  {3002, {"c", 1}}}));
}

TEST(QuorumVotersTest, RefusesBadEntries) {
  for (const char* text : {"", "3000", "x@h:1", "3000@h", "3000@h:0",
                           "3000@h:1,3000@g:2", "-1@h:1"}) {
    Result<QuorumVoters> parsed = ParseQuorumVoters(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidConfig);
  }
}

TEST(ControlRecordsTest, LeaderChangeIsAControlBatchOfTypeTwo) {
  const LeaderChangeMessage message{3001, {3000, 3001, 3002}, {3001, 3002}};
  const Bytes encoded = MakeLeaderChangeBatch(message, 1234);
  const RecordBatch batch = DecodeRecordBatch(encoded).value();
  EXPECT_TRUE(IsControlBatch(batch.header));
  EXPECT_EQ(ControlTypeOf(batch).value(), ControlRecordType::kLeaderChange);
  EXPECT_EQ(DecodeLeaderChange(batch).value(), message);
  // The control record key: version 0, type 2.
  EXPECT_EQ(*batch.records[0].key, (Bytes{0, 0, 0, 2}));
}

TEST(SnapshotFileTest, IsNamedForItsEndOffsetAndEpoch) {
  EXPECT_EQ(SnapshotFileName({120, 3}),
            "00000000000000000120-0000000003.checkpoint");
  EXPECT_EQ(
      SnapshotIdFromFileName("00000000000000000120-0000000003.checkpoint"),
      (SnapshotId{120, 3}));
  for (const char* name :
       {"00000000000000000000.log", "leader-epoch-checkpoint",
        "00000000000000000120-0000000003.checkpoint.tmp", "quorum-state"}) {
    EXPECT_EQ(SnapshotIdFromFileName(name), std::nullopt) << name;
  }
}

TEST(SnapshotFileTest, HoldsHeaderRecordsAndFooter) {
  std::vector<Bytes> records;
  for (size_t i = 0; i < kSnapshotBatchRecords + 5; ++i) {
    records.push_back(Value("r" + std::to_string(i)));
  }
  const Bytes file = EncodeSnapshot(records, 99);
  const std::vector<BatchSlice> batches = SplitAndValidateBatches(file).value();
  ASSERT_EQ(batches.size(), 4u);  // header, two of records, footer
  EXPECT_TRUE(IsControlBatch(batches.front().header));
  EXPECT_TRUE(IsControlBatch(batches.back().header));
  EXPECT_EQ(DecodeSnapshot(file).value(), records);
  EXPECT_EQ(DecodeSnapshot(EncodeSnapshot({}, 0)).value(),
            std::vector<Bytes>());
}

TEST(SnapshotFileTest, ATruncatedOrForeignFileIsNoSnapshot) {
  const Bytes file = EncodeSnapshot({Value("a")}, 1);
  const Bytes truncated(file.begin(), file.end() - 10);
  EXPECT_EQ(DecodeSnapshot(truncated).error().code, ErrorCode::kCorruptMessage);
  // Records without a header and a footer.
  const Bytes plain =
      EncodeRecordBatch(MakeBatch({{1, std::nullopt, Value("a"), {}}}));
  EXPECT_EQ(DecodeSnapshot(plain).error().code, ErrorCode::kCorruptMessage);
}

// A log with epoch 1 at offsets 0-1 and epoch 3 at 2-3.
class RaftLogTest : public ::testing::Test {
 protected:
  RaftLogTest() : log_(storage_, "/data", LogConfig{}, 0) {
    Append(1);
    Append(1);
    Append(3);
    Append(3);
  }
  void Append(int32_t epoch) {
    ASSERT_TRUE(log_.AppendAsLeader(EncodeRecordBatch(MakeBatch(
                                        {{1, std::nullopt, Value("v"), {}}})),
                                    epoch, 0)
                    .ok());
  }
  MemoryStorage storage_;
  RaftLog log_;
};

TEST_F(RaftLogTest, AFetcherThatAgreesDoesNotDiverge) {
  EXPECT_EQ(log_.last_fetched_epoch(), 3);
  EXPECT_EQ(log_.Diverging(0, 0), std::nullopt);
  EXPECT_EQ(log_.Diverging(2, 1), std::nullopt);
  EXPECT_EQ(log_.Diverging(4, 3), std::nullopt);
}

TEST_F(RaftLogTest, AFetcherPastAnEpochsEndDiverged) {
  // It has epoch 1 up to offset 3: epoch 1 ended at 2 here.
  EXPECT_EQ(log_.Diverging(3, 1), (EpochEndOffset{1, 2}));
  // It has epoch 2, which this log never had: epoch 1's end.
  EXPECT_EQ(log_.Diverging(3, 2), (EpochEndOffset{1, 2}));
}

TEST_F(RaftLogTest, SnapshotMovesTheLogStartAndDropsOlderSnapshots) {
  log_.CreateSnapshot({2, 1}, {Value("state-2")}, 10);
  log_.CreateSnapshot({4, 3}, {Value("state-4")}, 20);
  EXPECT_EQ(log_.start_offset(), 4);
  EXPECT_EQ(log_.latest_snapshot(), (SnapshotId{4, 3}));
  EXPECT_FALSE(storage_.Exists(MetadataLogDir("/data") + "/" +
                               SnapshotFileName({2, 1})));
  EXPECT_EQ(log_.ReadSnapshot({4, 3}).value(),
            std::vector<Bytes>{Value("state-4")});
  // A follower at the snapshot's end agrees.
  EXPECT_EQ(log_.Diverging(4, 3), std::nullopt);
  int64_t size = 0;
  EXPECT_EQ(log_.ReadSnapshotChunk({2, 1}, 0, 10, size).error().code,
            ErrorCode::kSnapshotNotFound);
  EXPECT_EQ(log_.ReadSnapshotChunk({4, 3}, 1 << 20, 10, size).error().code,
            ErrorCode::kPositionOutOfRange);
}

TEST_F(RaftLogTest, InstallingASnapshotStartsTheLogOverAtItsEnd) {
  const Bytes file = EncodeSnapshot({Value("s")}, 5);
  EXPECT_FALSE(log_.InstallSnapshot({9, 4}, Bytes{1, 2, 3}).ok());
  EXPECT_EQ(log_.end_offset(), 4);  // nothing changed
  EXPECT_EQ(log_.InstallSnapshot({9, 4}, file).value(),
            std::vector<Bytes>{Value("s")});
  EXPECT_EQ(log_.start_offset(), 9);
  EXPECT_EQ(log_.end_offset(), 9);
  EXPECT_EQ(log_.last_fetched_epoch(), 4);
}

}  // namespace
}  // namespace kafka
