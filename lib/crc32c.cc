#include "lib/crc32c.h"

#include <array>
#include <cstring>

namespace kafka {
namespace {

// The Castagnoli polynomial, bit-reversed (CRC-32C processes bits LSB first).
constexpr uint32_t kPolynomial = 0x82F63B78;

constexpr std::array<uint32_t, 256> MakeTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t byte = 0; byte < 256; ++byte) {
    uint32_t crc = byte;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 1) ? (crc >> 1) ^ kPolynomial : crc >> 1;
    }
    table[byte] = crc;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kTable = MakeTable();

// Appending n zero bytes to a message changes its (unconditioned) CRC register
// by a fixed linear map, since CRC is linear over GF(2). ZeroShift holds that
// map for one n as four 256-entry tables, one per byte of the register. It lets
// the hardware path below checksum three blocks at once and then combine them:
// CRC(A|B) = Shift_|B|(CRC(A)) xor CRC(B) when the registers are unconditioned.
class ZeroShift {
 public:
  explicit ZeroShift(size_t zero_bytes) {
    // The image of each single-bit register value, by running the byte-wise
    // update over `zero_bytes` zeros.
    uint32_t bit_image[32];
    for (int bit = 0; bit < 32; ++bit) {
      uint32_t reg = uint32_t{1} << bit;
      for (size_t i = 0; i < zero_bytes; ++i)
        reg = kTable[reg & 0xFF] ^ (reg >> 8);
      bit_image[bit] = reg;
    }
    for (int byte = 0; byte < 4; ++byte) {
      for (uint32_t value = 0; value < 256; ++value) {
        uint32_t image = 0;
        for (int bit = 0; bit < 8; ++bit) {
          if (value & (1u << bit)) image ^= bit_image[8 * byte + bit];
        }
        tables_[byte][value] = image;
      }
    }
  }

  uint32_t Apply(uint32_t reg) const {
    return tables_[0][reg & 0xFF] ^ tables_[1][(reg >> 8) & 0xFF] ^
           tables_[2][(reg >> 16) & 0xFF] ^ tables_[3][reg >> 24];
  }

 private:
  uint32_t tables_[4][256];
};

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint64_t Crc32cWords(uint64_t reg,
                                                       const uint8_t* p,
                                                       size_t words) {
  for (size_t i = 0; i < words; ++i, p += 8) {
    uint64_t word;
    std::memcpy(&word, p, sizeof word);
    reg = __builtin_ia32_crc32di(reg, word);
  }
  return reg;
}

// The crc32 instruction takes 3 cycles but can start every cycle, so three
// independent blocks checksummed side by side run about three times faster
// than one long chain. `block` bytes from each of three consecutive blocks.
__attribute__((target("sse4.2"))) uint32_t Crc32cThreeBlocks(
    uint32_t reg, const uint8_t* p, size_t block, const ZeroShift& shift) {
  uint64_t a = reg, b = 0, c = 0;
  for (size_t i = 0; i < block; i += 8) {
    uint64_t wa, wb, wc;
    std::memcpy(&wa, p + i, 8);
    std::memcpy(&wb, p + block + i, 8);
    std::memcpy(&wc, p + 2 * block + i, 8);
    a = __builtin_ia32_crc32di(a, wa);
    b = __builtin_ia32_crc32di(b, wb);
    c = __builtin_ia32_crc32di(c, wc);
  }
  uint32_t ab =
      shift.Apply(static_cast<uint32_t>(a)) ^ static_cast<uint32_t>(b);
  return shift.Apply(ab) ^ static_cast<uint32_t>(c);
}

__attribute__((target("sse4.2"))) uint32_t Crc32cHardware(
    std::span<const uint8_t> data) {
  constexpr size_t kLongBlock = 2048, kShortBlock = 256;
  static const ZeroShift long_shift(kLongBlock), short_shift(kShortBlock);
  uint32_t reg = 0xFFFFFFFF;
  const uint8_t* p = data.data();
  size_t n = data.size();
  for (; n >= 3 * kLongBlock; n -= 3 * kLongBlock, p += 3 * kLongBlock) {
    reg = Crc32cThreeBlocks(reg, p, kLongBlock, long_shift);
  }
  for (; n >= 3 * kShortBlock; n -= 3 * kShortBlock, p += 3 * kShortBlock) {
    reg = Crc32cThreeBlocks(reg, p, kShortBlock, short_shift);
  }
  reg = static_cast<uint32_t>(Crc32cWords(reg, p, n / 8));
  p += n / 8 * 8;
  for (n %= 8; n > 0; --n, ++p) reg = __builtin_ia32_crc32qi(reg, *p);
  return reg ^ 0xFFFFFFFF;
}

bool CpuHasSse42() {
  static const bool has = __builtin_cpu_supports("sse4.2");
  return has;
}
#endif

}  // namespace

uint32_t Crc32cPortable(std::span<const uint8_t> data) {
  uint32_t crc = 0xFFFFFFFF;
  for (uint8_t byte : data) crc = kTable[(crc ^ byte) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFF;
}

uint32_t Crc32c(std::span<const uint8_t> data) {
#if defined(__x86_64__)
  if (CpuHasSse42()) return Crc32cHardware(data);
#endif
  return Crc32cPortable(data);
}

}  // namespace kafka
