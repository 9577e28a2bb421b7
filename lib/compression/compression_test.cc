#include "lib/compression/compression.h"

#include <gtest/gtest.h>
#include <snappy.h>

#include <string>

namespace kafka {
namespace {

constexpr size_t kNoLimit = 64 << 20;

// Records-like bytes: repetitive enough to compress, varied enough that a
// codec bug which mixes up positions shows.
Bytes SampleInput(size_t size) {
  Bytes input(size);
  for (size_t i = 0; i < size; ++i)
    input[i] = uint8_t((i * 7) % 251 + i / 4096);
  return input;
}

class CodecTest : public ::testing::TestWithParam<CompressionType> {};

INSTANTIATE_TEST_SUITE_P(AllCodecs, CodecTest,
                         ::testing::Values(CompressionType::kGzip,
                                           CompressionType::kSnappy,
                                           CompressionType::kLz4,
                                           CompressionType::kZstd),
                         [](const auto& info) {
                           return std::string(CompressionTypeName(info.param));
                         });

// Rule: what a codec compresses, it decompresses to the same bytes, also
// past one block (64 KiB for lz4, 32 KiB for snappy-java's framing).
TEST_P(CodecTest, RoundTrips) {
  for (size_t size : {size_t(0), size_t(1), size_t(1000), size_t(300000)}) {
    Bytes input = SampleInput(size);
    Bytes compressed = Compress(GetParam(), input);
    Result<Bytes> output = Decompress(GetParam(), compressed, kNoLimit);
    ASSERT_TRUE(output.ok()) << output.error();
    EXPECT_EQ(*output, input) << size << " bytes";
  }
}

// Rule: a stream cut short is CORRUPT_MESSAGE, wherever it is cut.
TEST_P(CodecTest, TruncatedInputIsCorrupt) {
  Bytes compressed = Compress(GetParam(), SampleInput(100000));
  for (size_t cut :
       {size_t(0), size_t(1), compressed.size() / 2, compressed.size() - 1}) {
    ByteView truncated = ByteView(compressed).first(cut);
    Result<Bytes> output = Decompress(GetParam(), truncated, kNoLimit);
    ASSERT_FALSE(output.ok()) << "cut at " << cut;
    EXPECT_EQ(output.error().code, ErrorCode::kCorruptMessage);
  }
}

// Rule: bytes that are not the codec's stream are CORRUPT_MESSAGE.
TEST_P(CodecTest, GarbageIsCorrupt) {
  Bytes garbage = ToBytes("these bytes were never compressed by anything");
  Result<Bytes> output = Decompress(GetParam(), garbage, kNoLimit);
  ASSERT_FALSE(output.ok());
  EXPECT_EQ(output.error().code, ErrorCode::kCorruptMessage);
}

// Rule: damage inside a valid stream is CORRUPT_MESSAGE or, where the codec
// has no checksum to notice it, other bytes; never a crash.
TEST_P(CodecTest, FlippedBytesNeverCrash) {
  Bytes compressed = Compress(GetParam(), SampleInput(20000));
  for (size_t i = 0; i < compressed.size(); i += 7) {
    Bytes damaged = compressed;
    damaged[i] ^= 0x5a;
    Result<Bytes> output = Decompress(GetParam(), damaged, 20000);
    if (!output.ok()) {
      EXPECT_EQ(output.error().code, ErrorCode::kCorruptMessage);
    }
  }
}

// Rule: a stream that decompresses to more than the limit is refused, so a
// small hostile input cannot make the broker allocate without bound; one
// that reaches the limit exactly is not.
TEST_P(CodecTest, OutputIsCappedAtTheLimit) {
  Bytes zeros(1 << 20);
  Bytes compressed = Compress(GetParam(), zeros);
  ASSERT_LT(compressed.size(), zeros.size() / 10);
  Result<Bytes> bomb = Decompress(GetParam(), compressed, zeros.size() - 1);
  ASSERT_FALSE(bomb.ok());
  EXPECT_EQ(bomb.error().code, ErrorCode::kCorruptMessage);
  EXPECT_TRUE(Decompress(GetParam(), compressed, zeros.size()).ok());
}

// Rule: several frames (gzip members) back to back decompress to their
// contents one after the other, as each codec's own tool reads them.
TEST_P(CodecTest, ConcatenatedStreamsAreRead) {
  if (GetParam() == CompressionType::kSnappy) GTEST_SKIP() << "one stream";
  Bytes both = Compress(GetParam(), ToBytes("first "));
  Bytes second = Compress(GetParam(), ToBytes("second"));
  both.insert(both.end(), second.begin(), second.end());
  Result<Bytes> output = Decompress(GetParam(), both, kNoLimit);
  ASSERT_TRUE(output.ok()) << output.error();
  EXPECT_EQ(AsString(*output), "first second");
}

// Rule: the ids are Kafka's, and 5-7 are no codec.
TEST(CompressionTypeTest, IdsAndNamesAreKafkas) {
  EXPECT_EQ(CompressionTypeFromId(0), CompressionType::kNone);
  EXPECT_EQ(CompressionTypeFromId(1), CompressionType::kGzip);
  EXPECT_EQ(CompressionTypeFromId(2), CompressionType::kSnappy);
  EXPECT_EQ(CompressionTypeFromId(3), CompressionType::kLz4);
  EXPECT_EQ(CompressionTypeFromId(4), CompressionType::kZstd);
  for (int id : {5, 6, 7}) EXPECT_FALSE(CompressionTypeFromId(id));
  EXPECT_EQ(CompressionTypeFromName("zstd"), CompressionType::kZstd);
  EXPECT_EQ(CompressionTypeFromName("none"), CompressionType::kNone);
  EXPECT_FALSE(CompressionTypeFromName("producer"));
  EXPECT_FALSE(CompressionTypeFromName("GZIP"));
}

// Rule: gzip is a gzip stream (magic 1f 8b), zstd a zstd frame (magic
// 28 b5 2f fd, little-endian 0xFD2FB528).
TEST(CompressionFormatTest, GzipAndZstdStartWithTheirMagic) {
  Bytes gzip = Compress(CompressionType::kGzip, ToBytes("x"));
  EXPECT_EQ(Bytes(gzip.begin(), gzip.begin() + 2), (Bytes{0x1f, 0x8b}));
  Bytes zstd = Compress(CompressionType::kZstd, ToBytes("x"));
  EXPECT_EQ(Bytes(zstd.begin(), zstd.begin() + 4),
            (Bytes{0x28, 0xb5, 0x2f, 0xfd}));
}

// Rule: lz4 is an LZ4 frame (magic 04 22 4d 18) whose descriptor says
// version 1 with independent blocks (FLG 0x60) of at most 64 KiB (BD 0x40),
// which Kafka's Java reader requires.
TEST(CompressionFormatTest, Lz4IsAFrameOfIndependent64KiBBlocks) {
  Bytes lz4 = Compress(CompressionType::kLz4, SampleInput(1000));
  ASSERT_GE(lz4.size(), 7u);
  EXPECT_EQ(Bytes(lz4.begin(), lz4.begin() + 6),
            (Bytes{0x04, 0x22, 0x4d, 0x18, 0x60, 0x40}));
}

// Rule: we write snappy in snappy-java's framing, as the Java client does: a
// magic, version 1, compatible version 1, then length-prefixed blocks.
TEST(CompressionFormatTest, SnappyIsWrittenInSnappyJavasFraming) {
  Bytes snappy = Compress(CompressionType::kSnappy, ToBytes("hello"));
  Bytes header{0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1};
  ASSERT_GT(snappy.size(), header.size() + 4);
  EXPECT_EQ(Bytes(snappy.begin(), snappy.begin() + 16), header);
}

// Rule: a raw snappy block, as librdkafka writes it, is read too.
TEST(CompressionFormatTest, RawSnappyAsLibrdkafkaWritesIsRead) {
  std::string raw;
  std::string input = "a raw snappy block, no framing";
  snappy::Compress(input.data(), input.size(), &raw);
  Result<Bytes> output =
      Decompress(CompressionType::kSnappy, AsBytes(raw), kNoLimit);
  ASSERT_TRUE(output.ok()) << output.error();
  EXPECT_EQ(AsString(*output), input);
}

// Rule: a raw snappy block that claims more than the limit is refused before
// anything is allocated for it.
TEST(CompressionFormatTest, SnappyLengthClaimIsCheckedFirst) {
  // The varint 0xffffffff 0x0f: a block that says it holds 4 GiB.
  Bytes claim{0xff, 0xff, 0xff, 0xff, 0x0f, 0x00};
  Result<Bytes> output = Decompress(CompressionType::kSnappy, claim, 1 << 20);
  ASSERT_FALSE(output.ok());
  EXPECT_NE(output.error().message.find("limit"), std::string::npos);
}

}  // namespace
}  // namespace kafka
