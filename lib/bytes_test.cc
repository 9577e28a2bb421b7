#include "lib/bytes.h"

#include <gtest/gtest.h>

#include <limits>

namespace kafka {
namespace {

Bytes EncodeVarint(int32_t v) {
  Bytes out;
  ByteWriter(out).WriteVarint(v);
  return out;
}

// Rule: integers are big-endian on the wire and on disk.
TEST(BytesTest, FixedWidthIntegersAreBigEndian) {
  Bytes out;
  ByteWriter writer(out);
  writer.WriteInt16(0x0102);
  writer.WriteInt32(0x03040506);
  writer.WriteInt64(0x0708090A0B0C0D0E);
  EXPECT_EQ(out, (Bytes{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}));

  ByteReader reader(out);
  EXPECT_EQ(reader.ReadInt16("a"), 0x0102);
  EXPECT_EQ(reader.ReadInt32("b"), 0x03040506);
  EXPECT_EQ(reader.ReadInt64("c"), 0x0708090A0B0C0D0E);
  EXPECT_TRUE(reader.ok());
}

// Rule: varints are zigzag-encoded, so small negative numbers stay short.
TEST(BytesTest, VarintsAreZigzagEncoded) {
  EXPECT_EQ(EncodeVarint(0), (Bytes{0x00}));
  EXPECT_EQ(EncodeVarint(-1), (Bytes{0x01}));
  EXPECT_EQ(EncodeVarint(1), (Bytes{0x02}));
  EXPECT_EQ(EncodeVarint(63), (Bytes{0x7E}));
  EXPECT_EQ(EncodeVarint(-64), (Bytes{0x7F}));
  EXPECT_EQ(EncodeVarint(64), (Bytes{0x80, 0x01}));
  EXPECT_EQ(EncodeVarint(300), (Bytes{0xD8, 0x04}));
}

TEST(BytesTest, VarintsRoundTripAtTheExtremes) {
  for (int64_t v : {int64_t{0}, int64_t{-1}, int64_t{1},
                    std::numeric_limits<int64_t>::min(),
                    std::numeric_limits<int64_t>::max()}) {
    Bytes out;
    ByteWriter(out).WriteVarlong(v);
    ByteReader reader(out);
    EXPECT_EQ(reader.ReadVarlong("v"), v);
    EXPECT_TRUE(reader.ok());
  }
  for (int32_t v : {std::numeric_limits<int32_t>::min(),
                    std::numeric_limits<int32_t>::max()}) {
    Bytes out = EncodeVarint(v);
    EXPECT_EQ(out.size(), 5u);
    ByteReader reader(out);
    EXPECT_EQ(reader.ReadVarint("v"), v);
  }
}

// Rule: a short read is an error naming the field and the byte position.
TEST(BytesTest, ShortReadNamesFieldAndPosition) {
  Bytes out{0, 0, 0, 1, 0, 0};
  ByteReader reader(out, /*origin=*/100);
  EXPECT_EQ(reader.ReadInt32("count"), 1);
  EXPECT_EQ(reader.ReadInt32("length"), 0);
  EXPECT_FALSE(reader.ok());
  EXPECT_EQ(reader.error(),
            "field 'length' at byte 104: needs 4 bytes, 2 left");
  // Later reads keep the first error.
  reader.ReadInt8("next");
  EXPECT_EQ(reader.error(),
            "field 'length' at byte 104: needs 4 bytes, 2 left");
}

// Rule: a varint longer than its type allows is rejected, not looped over.
TEST(BytesTest, OverlongVarintIsAnError) {
  Bytes out(6, 0x80);
  ByteReader reader(out);
  reader.ReadVarint("keyLength");
  EXPECT_FALSE(reader.ok());
  EXPECT_NE(reader.error().find("longer than 5 bytes"), std::string::npos);
}

}  // namespace
}  // namespace kafka
