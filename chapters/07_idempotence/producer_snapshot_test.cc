// The snapshot format of producer_snapshot.h, as LevelDB tests its log:
// what is written, that it reads back, and one test per kind of damage.
#include "chapters/07_idempotence/producer_snapshot.h"

#include <gtest/gtest.h>

#include "lib/crc32c.h"
#include "lib/storage/memory_storage.h"

namespace kafka {
namespace {

constexpr char kDir[] = "data/orders-0";
constexpr size_t kHeaderBytes = 2 + 4 + 4;  // version, crc, count
constexpr size_t kEntryBytes = 46;

RecordBatchHeader Batch(int64_t producer, int16_t epoch, int32_t base_sequence,
                        int records, int64_t offset) {
  RecordBatchHeader batch;
  batch.base_offset = offset;
  batch.last_offset_delta = records - 1;
  batch.records_count = records;
  batch.max_timestamp = 7000 + offset;
  batch.producer_id = producer;
  batch.producer_epoch = epoch;
  batch.base_sequence = base_sequence;
  return batch;
}

/// Producer 11 wrote sequences 0-9 and 10-14 in epoch 2; producer 12 wrote
/// 0-2 in epoch 0; then a batch without a producer.
ProducerStateManager TwoProducers() {
  ProducerStateManager state;
  state.Update(Batch(11, 2, 0, 10, 0));
  state.Update(Batch(12, 0, 0, 3, 10));
  state.Update(Batch(11, 2, 10, 5, 13));
  RecordBatchHeader plain;
  plain.base_offset = 18;
  state.Update(plain);
  return state;
}

Error DecodeError(const Bytes& bytes) {
  Result<std::vector<ProducerStateEntry>> decoded =
      DecodeProducerSnapshot(bytes);
  EXPECT_FALSE(decoded.ok());
  return decoded.ok() ? Error{} : decoded.error();
}

TEST(ProducerSnapshotTest, FilesAreNamedAfterTheirOffsetInTwentyDigits) {
  EXPECT_EQ(ProducerSnapshotFileName(420), "00000000000000000420.snapshot");
  EXPECT_EQ(ProducerSnapshotOffsetOf("00000000000000000420.snapshot"), 420);
  EXPECT_EQ(ProducerSnapshotOffsetOf("00000000000000000420.log"), std::nullopt);
  EXPECT_EQ(ProducerSnapshotOffsetOf("0000000000000000042x.snapshot"),
            std::nullopt);
  EXPECT_EQ(ProducerSnapshotOffsetOf("420.snapshot"), std::nullopt);
}

TEST(ProducerSnapshotTest, TheLayoutIsKafkasVersionOne) {
  const Bytes bytes = EncodeProducerSnapshot(TwoProducers());
  ASSERT_EQ(bytes.size(), kHeaderBytes + 2 * kEntryBytes);
  ByteReader in(bytes);
  EXPECT_EQ(in.ReadInt16("version"), 1);
  in.ReadUint32("crc");
  EXPECT_EQ(in.ReadInt32("count"), 2);
  // Producer 11, its newest batch: sequences 10-14 at offsets 13-17.
  EXPECT_EQ(in.ReadInt64("producer id"), 11);
  EXPECT_EQ(in.ReadInt16("epoch"), 2);
  EXPECT_EQ(in.ReadInt32("last sequence"), 14);
  EXPECT_EQ(in.ReadInt64("last offset"), 17);
  EXPECT_EQ(in.ReadInt32("offset delta"), 4);
  EXPECT_EQ(in.ReadInt64("timestamp"), 7013);
  EXPECT_EQ(in.ReadInt32("coordinator epoch"), -1);
  EXPECT_EQ(in.ReadInt64("txn first offset"), -1);
  EXPECT_TRUE(in.ok());
}

TEST(ProducerSnapshotTest, EachProducersNewestBatchReadsBack) {
  Result<std::vector<ProducerStateEntry>> decoded =
      DecodeProducerSnapshot(EncodeProducerSnapshot(TwoProducers()));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  ASSERT_EQ(decoded->size(), 2u);
  const ProducerStateEntry& first = (*decoded)[0];
  EXPECT_EQ(first.producer_id(), 11);
  EXPECT_EQ(first.producer_epoch(), 2);
  ASSERT_EQ(first.batches().size(), 1u);
  EXPECT_EQ(first.batches().front(), (BatchMetadata{.first_sequence = 10,
                                                    .last_sequence = 14,
                                                    .first_offset = 13,
                                                    .last_offset = 17,
                                                    .timestamp = 7013}));
}

TEST(ProducerSnapshotTest, ABatchAcrossTheSequenceWrapReadsBack) {
  ProducerStateManager state;
  state.Update(Batch(11, 0, 2147483645, 6, 0));  // ..., 2147483647, 0, 1, 2
  Result<std::vector<ProducerStateEntry>> decoded =
      DecodeProducerSnapshot(EncodeProducerSnapshot(state));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ((*decoded)[0].batches().front().first_sequence, 2147483645);
  EXPECT_EQ((*decoded)[0].batches().front().last_sequence, 2);
}

TEST(ProducerSnapshotTest, AShortFileIsDamage) {
  Bytes bytes = EncodeProducerSnapshot(TwoProducers());
  bytes.resize(5);
  Error error = DecodeError(bytes);
  EXPECT_EQ(error.code, ErrorCode::kKafkaStorageError);
  EXPECT_NE(error.message.find("crc"), std::string::npos) << error.message;
}

TEST(ProducerSnapshotTest, AnUnknownVersionIsDamage) {
  Bytes bytes = EncodeProducerSnapshot(TwoProducers());
  bytes[1] = 9;
  EXPECT_NE(DecodeError(bytes).message.find("unknown version 9"),
            std::string::npos);
}

TEST(ProducerSnapshotTest, AFlippedBitIsDamage) {
  Bytes bytes = EncodeProducerSnapshot(TwoProducers());
  bytes[kHeaderBytes + 7] ^= 0x10;  // inside the first producer id
  EXPECT_NE(DecodeError(bytes).message.find("CRC"), std::string::npos);
}

TEST(ProducerSnapshotTest, ATruncatedEntryIsDamage) {
  Bytes bytes = EncodeProducerSnapshot(TwoProducers());
  // The count says two; the bytes hold one and a half, with a right CRC.
  bytes.resize(kHeaderBytes + kEntryBytes + kEntryBytes / 2);
  Bytes body(bytes.begin() + 6, bytes.end());
  const uint32_t crc = Crc32c(body);
  for (int i = 0; i < 4; ++i) bytes[2 + i] = uint8_t(crc >> (24 - 8 * i));
  EXPECT_NE(DecodeError(bytes).message.find("a count of 2 producers"),
            std::string::npos);
}

class ProducerSnapshotFilesTest : public ::testing::Test {
 protected:
  ProducerSnapshotFilesTest() { storage_.CreateDirectories(kDir); }

  ProducerStateManager StateAt(int64_t offset, int32_t last_sequence) {
    ProducerStateManager state;
    state.Update(Batch(11, 0, last_sequence, 1, offset - 1));
    return state;
  }
  std::string PathOf(int64_t offset) {
    return std::string(kDir) + "/" + ProducerSnapshotFileName(offset);
  }

  MemoryStorage storage_;
  ProducerSnapshotFiles files_{storage_, kDir};
  std::vector<std::string> warnings_;
  std::function<void(const std::string&)> warn_ =
      [this](const std::string& warning) { warnings_.push_back(warning); };
};

TEST_F(ProducerSnapshotFilesTest, LoadsTheNewestAtOrBelowTheLogEnd) {
  files_.Write(StateAt(10, 9));
  files_.Write(StateAt(20, 19));
  files_.Write(StateAt(30, 29));
  std::optional<ProducerStateManager> loaded =
      files_.LoadNewestAtOrBelow(25, warn_);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->map_end_offset(), 20);
  EXPECT_EQ(loaded->Find(11)->LastSequence(), 19);
  // The one past the log end described batches the log no longer has.
  EXPECT_EQ(files_.Offsets(), (std::vector<int64_t>{10, 20}));
  EXPECT_TRUE(warnings_.empty());
}

TEST_F(ProducerSnapshotFilesTest, ADamagedSnapshotIsDeletedAndAnOlderOneUsed) {
  files_.Write(StateAt(10, 9));
  files_.Write(StateAt(20, 19));
  WriteFileAtomically(storage_, PathOf(20), AsBytes("not a snapshot"));
  std::optional<ProducerStateManager> loaded =
      files_.LoadNewestAtOrBelow(25, warn_);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->map_end_offset(), 10);
  EXPECT_EQ(files_.Offsets(), (std::vector<int64_t>{10}));
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_NE(warnings_[0].find(ProducerSnapshotFileName(20)), std::string::npos)
      << warnings_[0];
}

TEST_F(ProducerSnapshotFilesTest, NoSnapshotLoadsNothing) {
  EXPECT_EQ(files_.LoadNewestAtOrBelow(25, warn_), std::nullopt);
}

TEST_F(ProducerSnapshotFilesTest, SnapshotsBelowTheFirstSegmentAreDeleted) {
  files_.Write(StateAt(10, 9));
  files_.Write(StateAt(20, 19));
  files_.DeleteBefore(20);
  EXPECT_EQ(files_.Offsets(), (std::vector<int64_t>{20}));
}

}  // namespace
}  // namespace kafka
