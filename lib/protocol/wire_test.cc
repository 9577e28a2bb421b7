#include "lib/protocol/wire.h"

#include <gtest/gtest.h>

namespace kafka {
namespace {

Bytes Written(bool flexible, const std::function<void(WireWriter&)>& write) {
  Bytes out;
  WireWriter writer(out, flexible);
  write(writer);
  return out;
}

// Rule: a classic STRING has an int16 length; a null one has length -1.
TEST(WireTest, ClassicStrings) {
  EXPECT_EQ(Written(false, [](WireWriter& w) { w.WriteString("ab"); }),
            (Bytes{0x00, 0x02, 'a', 'b'}));
  EXPECT_EQ(Written(false,
                    [](WireWriter& w) { w.WriteNullableString(std::nullopt); }),
            (Bytes{0xFF, 0xFF}));
  EXPECT_EQ(Written(false, [](WireWriter& w) { w.WriteBytes(Bytes{7}); }),
            (Bytes{0x00, 0x00, 0x00, 0x01, 7}));
}

// Rule (KIP-482): a COMPACT_STRING's length is an unsigned varint of length +
// 1, so 0 means null and 1 means empty.
TEST(WireTest, CompactStrings) {
  EXPECT_EQ(Written(true, [](WireWriter& w) { w.WriteString("ab"); }),
            (Bytes{0x03, 'a', 'b'}));
  EXPECT_EQ(Written(true, [](WireWriter& w) { w.WriteString(""); }),
            (Bytes{0x01}));
  EXPECT_EQ(
      Written(true, [](WireWriter& w) { w.WriteNullableString(std::nullopt); }),
      (Bytes{0x00}));
  EXPECT_EQ(Written(true, [](WireWriter& w) { w.WriteArrayLength(200); }),
            (Bytes{0xC9, 0x01}));
  EXPECT_EQ(Written(true, [](WireWriter& w) { w.WriteTaggedFields(); }),
            (Bytes{0x00}));
  EXPECT_EQ(Written(false, [](WireWriter& w) { w.WriteTaggedFields(); }),
            (Bytes{}));
}

TEST(WireTest, RoundTripBothForms) {
  for (bool flexible : {false, true}) {
    Bytes out = Written(flexible, [](WireWriter& w) {
      w.WriteString("hello");
      w.WriteNullableString(std::nullopt);
      w.WriteNullableBytes(Bytes{1, 2});
      w.WriteArrayLength(-1);
    });
    WireReader reader(out, flexible);
    EXPECT_EQ(reader.ReadString("a"), "hello");
    EXPECT_EQ(reader.ReadNullableString("b"), std::nullopt);
    EXPECT_EQ(reader.ReadNullableBytes("c"), (Bytes{1, 2}));
    EXPECT_EQ(reader.ReadArrayLength("d"), -1);
    EXPECT_TRUE(reader.ok()) << reader.error();
    EXPECT_EQ(reader.remaining(), 0u);
  }
}

// Rule: unknown tagged fields are skipped, whatever they hold.
TEST(WireTest, UnknownTaggedFieldsAreSkipped) {
  Bytes out{0x02, 0x00, 0x01, 0xAA, 0x05, 0x02, 0xBB, 0xCC, 0x7F};
  WireReader reader(out, true);
  reader.SkipTaggedFields();
  EXPECT_TRUE(reader.ok());
  EXPECT_EQ(reader.ReadInt8("next"), 0x7F);
}

// Rule: a bad length is an error naming the field, never a huge allocation.
TEST(WireTest, ImpossibleLengthsAreErrors) {
  Bytes huge_array{0x7F, 0xFF, 0xFF, 0xFF, 0, 0};
  WireReader array_reader(huge_array, false, /*origin=*/10);
  EXPECT_EQ(array_reader.ReadArrayLength("topics", 4), -1);
  EXPECT_EQ(array_reader.error(),
            "field 'topics' at byte 14: array of 2147483647 elements cannot "
            "fit in the 2 bytes left");

  Bytes negative{0xFF, 0xFE};
  WireReader string_reader(negative, false);
  string_reader.ReadNullableString("client_id");
  EXPECT_FALSE(string_reader.ok());

  Bytes null_string{0xFF, 0xFF};
  WireReader required(null_string, false);
  required.ReadString("topic");
  EXPECT_NE(required.error().find("null where a string is required"),
            std::string::npos);
}

}  // namespace
}  // namespace kafka
