#include "chapters/01_log/record_batch.h"

#include <gtest/gtest.h>

#include <limits>

#include "chapters/01_log/test_util.h"
#include "lib/crc32c.h"

namespace kafka {
namespace {

using testing::BatchOf;

int32_t Int32At(const Bytes& bytes, size_t position) {
  ByteReader reader(ByteView(bytes).subspan(position, 4));
  return reader.ReadInt32("field");
}

RecordBatch SampleBatch() {
  RecordBatch batch = MakeBatch(
      {
          {.timestamp = 1000, .key = ToBytes("key"), .value = ToBytes("v1")},
          {.timestamp = 990, .key = std::nullopt, .value = ToBytes("v2")},
          {.timestamp = 1005,
           .key = Bytes{},
           .value = std::nullopt,
           .headers = {{"trace", ToBytes("abc")}, {"empty", std::nullopt}}},
      },
      /*base_offset=*/42);
  batch.header.partition_leader_epoch = 7;
  batch.header.producer_id = 1234;
  batch.header.producer_epoch = 3;
  batch.header.base_sequence = 10;
  return batch;
}

// Rule: encoding then decoding gives back the same batch, including null and
// empty keys, null values, headers and negative timestamp deltas.
TEST(RecordBatchTest, EncodeDecodeRoundTrip) {
  RecordBatch batch = SampleBatch();
  Bytes encoded = EncodeRecordBatch(batch);
  Result<RecordBatch> decoded = DecodeRecordBatch(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();

  EXPECT_EQ(decoded->records, batch.records);
  EXPECT_EQ(decoded->header.base_offset, 42);
  EXPECT_EQ(decoded->header.records_count, 3);
  EXPECT_EQ(decoded->header.last_offset_delta, 2);
  EXPECT_EQ(decoded->header.max_timestamp, 1005);
  EXPECT_EQ(decoded->records[1].timestamp_delta, -10);
  EXPECT_FALSE(decoded->records[1].key.has_value()) << "null key stays null";
  EXPECT_TRUE(decoded->records[2].key.has_value()) << "empty key is not null";
  EXPECT_EQ(decoded->records[2].key->size(), 0u);
  EXPECT_EQ(EncodeRecordBatch(decoded.value()), encoded) << "byte-exact";
}

// Rule: the header fields sit at Kafka's byte positions (DefaultRecordBatch).
TEST(RecordBatchTest, HeaderFieldsAtKafkaPositions) {
  Bytes encoded = EncodeRecordBatch(SampleBatch());
  ByteReader reader(encoded);
  EXPECT_EQ(reader.ReadInt64("baseOffset"), 42);
  EXPECT_EQ(reader.ReadInt32("batchLength"), int32_t(encoded.size()) - 12);
  EXPECT_EQ(Int32At(encoded, 12), 7) << "partitionLeaderEpoch at 12";
  EXPECT_EQ(encoded[16], 2) << "magic at 16";
  EXPECT_EQ(Int32At(encoded, 23), 2) << "lastOffsetDelta at 23";
  EXPECT_EQ(Int32At(encoded, 53), 10) << "baseSequence at 53";
  EXPECT_EQ(Int32At(encoded, 57), 3) << "recordsCount at 57";
}

// Rule: a record is length, attributes, timestampDelta, offsetDelta, key,
// value, headers, all as zigzag varints. Checked byte by byte.
TEST(RecordBatchTest, RecordBytesAreKafkaVarints) {
  Bytes encoded = EncodeRecordBatch(MakeBatch(
      {{.timestamp = 5, .key = ToBytes("k"), .value = ToBytes("v")}}));
  ASSERT_EQ(encoded.size(), 61u + 9u);
  Bytes record(encoded.begin() + 61, encoded.end());
  // length 8 → zigzag 16; attributes 0; timestampDelta 0; offsetDelta 0;
  // keyLength 1 → 2, 'k'; valueLength 1 → 2, 'v'; no headers.
  EXPECT_EQ(record,
            (Bytes{0x10, 0x00, 0x00, 0x00, 0x02, 'k', 0x02, 'v', 0x00}));
}

// Rule: the CRC is CRC-32C over attributes..end, and excludes baseOffset and
// partitionLeaderEpoch, so a leader can rewrite those without recomputing it.
TEST(RecordBatchTest, CrcCoversAttributesToEndOnly) {
  Bytes encoded = EncodeRecordBatch(SampleBatch());
  uint32_t stored = static_cast<uint32_t>(Int32At(encoded, 17));
  EXPECT_EQ(stored, Crc32c(ByteView(encoded).subspan(21)));

  SetBaseOffset(encoded, 1000);
  encoded[12] ^= 0xFF;  // partitionLeaderEpoch
  Result<RecordBatch> decoded = DecodeRecordBatch(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
  EXPECT_EQ(decoded->header.base_offset, 1000);
}

// Rule: a flipped byte anywhere in attributes..end is caught by the CRC, and
// the error says what and where.
TEST(RecordBatchTest, CorruptByteIsRejectedWithPosition) {
  Bytes encoded = EncodeRecordBatch(SampleBatch());
  for (size_t position = 21; position < encoded.size(); ++position) {
    Bytes corrupt = encoded;
    corrupt[position] ^= 0x01;
    Result<RecordBatch> decoded = DecodeRecordBatch(corrupt, /*position=*/4096);
    ASSERT_FALSE(decoded.ok()) << "flip at " << position;
    EXPECT_EQ(decoded.error().code, ErrorCode::kCorruptMessage);
  }
  encoded[30] ^= 0x01;
  EXPECT_EQ(DecodeRecordBatch(encoded, 4096).error().message.substr(0, 43),
            "record batch at byte 4096: CRC mismatch: st");
}

// Rule: truncated input is an error, never a crash, at every possible length.
TEST(RecordBatchTest, TruncatedBatchIsRejectedAtEveryLength) {
  Bytes encoded = EncodeRecordBatch(SampleBatch());
  for (size_t length = 0; length < encoded.size(); ++length) {
    Result<RecordBatch> decoded =
        DecodeRecordBatch(ByteView(encoded).first(length));
    ASSERT_FALSE(decoded.ok()) << "length " << length;
    EXPECT_EQ(decoded.error().code, ErrorCode::kCorruptMessage);
  }
}

// Rule: the record structure is checked too, even when the CRC matches (a
// buggy client computes a CRC over bad records).
TEST(RecordBatchTest, BadRecordsWithValidCrcAreRejected) {
  RecordBatch batch = SampleBatch();
  batch.header.last_offset_delta = 5;  // but the last record has delta 2
  Result<RecordBatch> decoded = DecodeRecordBatch(EncodeRecordBatch(batch));
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.error().message.find("lastOffsetDelta"), std::string::npos);

  batch = SampleBatch();
  batch.records[1].offset_delta = 0;  // offsets must increase
  EXPECT_FALSE(DecodeRecordBatch(EncodeRecordBatch(batch)).ok());
}

// Rule: only magic 2 is supported; older formats are rejected by name.
TEST(RecordBatchTest, OtherMagicIsRejected) {
  Bytes encoded = EncodeRecordBatch(SampleBatch());
  encoded[16] = 1;
  Result<RecordBatchHeader> header = DecodeBatchHeader(encoded);
  ASSERT_FALSE(header.ok());
  EXPECT_NE(header.error().message.find("magic is 1"), std::string::npos);
}

// Rule: a batchLength too large for any batch is corrupt (found by fuzzing:
// adding the log overhead to it overflowed an int32).
TEST(RecordBatchTest, HugeBatchLengthIsRejected) {
  Bytes encoded = EncodeRecordBatch(SampleBatch());
  ByteWriter writer(encoded);
  writer.PatchInt32(8, std::numeric_limits<int32_t>::max());
  Result<RecordBatchHeader> header = DecodeBatchHeader(encoded);
  ASSERT_FALSE(header.ok());
  EXPECT_EQ(header.error().code, ErrorCode::kCorruptMessage);
  EXPECT_NE(header.error().message.find("batchLength 2147483647"),
            std::string::npos);
}

// A batch's length and CRC made right again after a test changed its bytes,
// as a client that meant those bytes would have sent them.
void Reseal(Bytes& batch) {
  ByteWriter writer(batch);
  writer.PatchInt32(8, static_cast<int32_t>(batch.size()) - kLogOverhead);
  uint32_t crc = Crc32c(ByteView(batch).subspan(kAttributesPosition));
  writer.PatchInt32(kCrcPosition, static_cast<int32_t>(crc));
}

Bytes EncodedWithCodec(RecordBatch batch, int codec) {
  batch.header.attributes = static_cast<int16_t>(codec);
  return EncodeRecordBatch(batch);
}

// Rule: a batch compressed with each of Kafka's codecs (gzip 1, snappy 2,
// lz4 3, zstd 4) decodes to its records, and keeps its codec in attributes;
// only the records part is compressed, the header is not.
TEST(RecordBatchTest, CompressedBatchesDecode) {
  RecordBatch batch = SampleBatch();
  Bytes plain = EncodeRecordBatch(batch);
  for (int codec = 1; codec <= 4; ++codec) {
    Bytes encoded = EncodedWithCodec(batch, codec);
    EXPECT_NE(Bytes(encoded.begin() + kBatchHeaderSize, encoded.end()),
              Bytes(plain.begin() + kBatchHeaderSize, plain.end()));
    Result<RecordBatch> decoded = DecodeRecordBatch(encoded);
    ASSERT_TRUE(decoded.ok()) << "codec " << codec << ": " << decoded.error();
    EXPECT_EQ(decoded->records, batch.records) << "codec " << codec;
    EXPECT_EQ(decoded->header.compression_codec(), codec);
    EXPECT_EQ(decoded->header.records_count, 3);
    EXPECT_TRUE(ValidateRecordBatch(encoded).ok()) << "codec " << codec;
  }
}

// Rule: only codec ids Kafka does not define (5, 6, 7) are
// UNSUPPORTED_COMPRESSION_TYPE.
TEST(RecordBatchTest, UnknownCodecIsUnsupported) {
  for (int codec = 5; codec <= 7; ++codec) {
    Result<RecordBatch> decoded =
        DecodeRecordBatch(EncodedWithCodec(SampleBatch(), codec));
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.error().code, ErrorCode::kUnsupportedCompressionType);
  }
}

// Rule: a batch that says it is compressed but whose records do not
// decompress is CORRUPT_MESSAGE, even with a right CRC: records sent
// uncompressed under a gzip flag, and a zstd stream cut short.
TEST(RecordBatchTest, CompressedBatchThatDoesNotDecompressIsCorrupt) {
  Bytes mislabelled = EncodeRecordBatch(SampleBatch());
  mislabelled[kAttributesPosition + 1] = 1;  // gzip, low byte of int16
  Reseal(mislabelled);
  Bytes truncated = EncodedWithCodec(SampleBatch(), 4);
  truncated.erase(truncated.end() - 3, truncated.end());
  Reseal(truncated);
  for (const Bytes& batch : {mislabelled, truncated}) {
    Result<RecordBatch> decoded = DecodeRecordBatch(batch, 4096);
    ASSERT_FALSE(decoded.ok());
    EXPECT_EQ(decoded.error().code, ErrorCode::kCorruptMessage);
    EXPECT_EQ(decoded.error().message.find("record batch at byte 4096: "), 0u);
  }
}

// Rule: the decompressed records are checked as uncompressed ones are: a
// recordsCount that does not match the records inside is CORRUPT_MESSAGE.
TEST(RecordBatchTest, CompressedRecordsMustMatchTheCount) {
  for (int32_t count : {2, 4}) {
    Bytes batch = EncodedWithCodec(SampleBatch(), 1);
    ByteWriter(batch).PatchInt32(kBatchHeaderSize - 4, count);
    Reseal(batch);
    Result<RecordBatchHeader> valid = ValidateRecordBatch(batch);
    ASSERT_FALSE(valid.ok()) << "recordsCount " << count;
    EXPECT_EQ(valid.error().code, ErrorCode::kCorruptMessage);
    EXPECT_NE(valid.error().message.find("decompressed records"),
              std::string::npos);
  }
}

// Rule: records that would decompress to more than
// kMaxDecompressedRecordsSize are CORRUPT_MESSAGE, however small the batch.
TEST(RecordBatchTest, DecompressionBombIsRefused) {
  RecordBatch batch = MakeBatch(
      {{.timestamp = 1, .value = Bytes(kMaxDecompressedRecordsSize, 0)}});
  Bytes bomb = EncodedWithCodec(batch, 4);
  ASSERT_LT(bomb.size(), 1u << 20);
  Result<RecordBatchHeader> valid = ValidateRecordBatch(bomb);
  ASSERT_FALSE(valid.ok());
  EXPECT_EQ(valid.error().code, ErrorCode::kCorruptMessage);
  EXPECT_NE(valid.error().message.find("limit"), std::string::npos);
}

// Rule: several batches back to back split into validated slices.
TEST(RecordBatchTest, SplitsBackToBackBatches) {
  Bytes first = BatchOf(2);
  Bytes second = BatchOf(3);
  Bytes both = first;
  both.insert(both.end(), second.begin(), second.end());
  Result<std::vector<BatchSlice>> slices = SplitAndValidateBatches(both);
  ASSERT_TRUE(slices.ok());
  ASSERT_EQ(slices->size(), 2u);
  EXPECT_EQ((*slices)[1].position, first.size());
  EXPECT_EQ((*slices)[1].header.records_count, 3);

  both.pop_back();  // the second batch is now torn
  Result<std::vector<BatchSlice>> torn = SplitAndValidateBatches(both);
  ASSERT_FALSE(torn.ok());
  EXPECT_NE(
      torn.error().message.find("at byte " + std::to_string(first.size())),
      std::string::npos);
}

}  // namespace
}  // namespace kafka
