#include "lib/uuid.h"

#include <gtest/gtest.h>

namespace kafka {
namespace {

// Kafka's text form of a Uuid is URL-safe base64 of its 16 bytes, most
// significant first, without padding (Uuid.toString).
TEST(UuidTest, TextIsUrlSafeBase64WithoutPadding) {
  EXPECT_EQ(Uuid().ToString(), "AAAAAAAAAAAAAAAAAAAAAA");
  std::array<uint8_t, 16> bytes;
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = uint8_t(0xf0 + i);
  // 0xfb and 0xff need the URL-safe '-' and '_' where plain base64 has '+'
  // and '/'.
  EXPECT_EQ(Uuid(bytes).ToString(), "8PHy8_T19vf4-fr7_P3-_w");
}

TEST(UuidTest, ParseReadsBackWhatToStringWrote) {
  std::mt19937_64 random(1);
  for (int i = 0; i < 100; ++i) {
    const Uuid id = Uuid::Random(random);
    EXPECT_EQ(Uuid::Parse(id.ToString()), id);
  }
}

TEST(UuidTest, ParseRefusesWhatIsNotAnId) {
  EXPECT_EQ(Uuid::Parse(""), std::nullopt);
  EXPECT_EQ(Uuid::Parse("AAAAAAAAAAAAAAAAAAAAA"), std::nullopt);    // 21
  EXPECT_EQ(Uuid::Parse("AAAAAAAAAAAAAAAAAAAAAAA"), std::nullopt);  // 23
  EXPECT_EQ(Uuid::Parse("AAAAAAAAAAAAAAAAAAAA+A"), std::nullopt);   // not URL
  EXPECT_EQ(Uuid::Parse("AAAAAAAAAAAAAAAAAAAAAB"), std::nullopt);  // spare bits
}

TEST(UuidTest, RandomIdsAreVersion4AndNeverStartWithADash) {
  std::mt19937_64 random(7);
  for (int i = 0; i < 1000; ++i) {
    const Uuid id = Uuid::Random(random);
    EXPECT_FALSE(id.IsZero());
    EXPECT_EQ(id.bytes()[6] >> 4, 4);
    EXPECT_EQ(id.bytes()[8] >> 6, 2);
    EXPECT_NE(id.ToString()[0], '-');
  }
}

}  // namespace
}  // namespace kafka
