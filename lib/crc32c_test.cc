#include "lib/crc32c.h"

#include <gtest/gtest.h>

#include <numeric>
#include <random>
#include <vector>

namespace kafka {
namespace {

std::vector<uint8_t> Filled(size_t n, uint8_t value) {
  return std::vector<uint8_t>(n, value);
}

// Rule: the checksum is CRC-32C (Castagnoli), matching the published check
// value.
TEST(Crc32cTest, MatchesTheStandardCheckValue) {
  const std::string check = "123456789";
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(check.data()),
                                 check.size());
  EXPECT_EQ(Crc32c(bytes), 0xE3069283u);
  EXPECT_EQ(Crc32cPortable(bytes), 0xE3069283u);
}

// Rule: CRC-32C matches the test vectors of RFC 3720 (iSCSI), appendix B.4.
TEST(Crc32cTest, MatchesRfc3720Vectors) {
  std::vector<uint8_t> ascending(32);
  std::iota(ascending.begin(), ascending.end(), 0);
  std::vector<uint8_t> descending(ascending.rbegin(), ascending.rend());

  EXPECT_EQ(Crc32c(Filled(32, 0x00)), 0x8A9136AAu);
  EXPECT_EQ(Crc32c(Filled(32, 0xFF)), 0x62A8AB43u);
  EXPECT_EQ(Crc32c(ascending), 0x46DD794Eu);
  EXPECT_EQ(Crc32c(descending), 0x113FDB5Cu);
}

TEST(Crc32cTest, EmptyInputIsZero) {
  EXPECT_EQ(Crc32c(std::span<const uint8_t>()), 0u);
}

// Rule: the hardware and table-driven paths agree on every length and
// alignment, including lengths that use the three-block paths (768 and 6144
// bytes and up).
TEST(Crc32cTest, HardwareAndPortablePathsAgree) {
  std::mt19937 random(42);
  std::vector<uint8_t> data(20000);
  for (auto& byte : data) byte = static_cast<uint8_t>(random());
  std::vector<size_t> lengths;
  for (size_t length = 0; length < 1000; length += 37)
    lengths.push_back(length);
  for (size_t length : {767, 768, 769, 6143, 6144, 6145, 13000, 19990}) {
    lengths.push_back(length);
  }
  for (size_t start = 0; start < 9; ++start) {
    for (size_t length : lengths) {
      std::span<const uint8_t> piece(data.data() + start, length);
      ASSERT_EQ(Crc32c(piece), Crc32cPortable(piece))
          << "start " << start << " length " << length;
    }
  }
}

}  // namespace
}  // namespace kafka
