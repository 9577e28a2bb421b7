#include "lib/uuid.h"

namespace kafka {
namespace {

// RFC 4648's URL-safe alphabet, which Java's Base64.getUrlEncoder uses.
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
// 16 bytes are 128 bits: 21 whole characters of 6 bits, and 2 bits more.
constexpr size_t kTextLength = 22;

int ValueOf(char c) {
  const size_t found = kAlphabet.find(c);
  return found == std::string_view::npos ? -1 : int(found);
}

// Kafka's Uuid.METADATA_TOPIC_ID: 0 then 1, reserved.
bool IsReserved(const Uuid& id) {
  std::array<uint8_t, 16> one{};
  one[15] = 1;
  return id.IsZero() || id == Uuid(one);
}

}  // namespace

Uuid Uuid::Random(std::mt19937_64& random) {
  for (;;) {
    std::array<uint8_t, 16> bytes;
    for (size_t i = 0; i < bytes.size(); i += 8) {
      uint64_t word = random();
      for (size_t j = 0; j < 8; ++j) bytes[i + j] = uint8_t(word >> (8 * j));
    }
    bytes[6] = uint8_t((bytes[6] & 0x0f) | 0x40);  // version 4: random
    bytes[8] = uint8_t((bytes[8] & 0x3f) | 0x80);  // the RFC 4122 variant
    Uuid id(bytes);
    if (!IsReserved(id) && id.ToString()[0] != '-') return id;
  }
}

std::string Uuid::ToString() const {
  std::string text;
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t byte : bytes_) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      text += kAlphabet[(buffer >> bits) & 0x3f];
    }
  }
  if (bits > 0) text += kAlphabet[(buffer << (6 - bits)) & 0x3f];
  return text;
}

std::optional<Uuid> Uuid::Parse(std::string_view text) {
  if (text.size() != kTextLength) return std::nullopt;
  std::array<uint8_t, 16> bytes{};
  uint32_t buffer = 0;
  int bits = 0;
  size_t out = 0;
  for (char c : text) {
    const int value = ValueOf(c);
    if (value < 0) return std::nullopt;
    buffer = (buffer << 6) | uint32_t(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (out < bytes.size()) bytes[out++] = uint8_t(buffer >> bits);
    }
  }
  // The last character's 4 spare bits are zero in a canonical text.
  if ((buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  return Uuid(bytes);
}

}  // namespace kafka
