#include "lib/bytes.h"

#include <algorithm>

namespace kafka {

ByteView AsBytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

std::string AsString(ByteView bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

Bytes ToBytes(std::string_view text) {
  ByteView view = AsBytes(text);
  return Bytes(view.begin(), view.end());
}

namespace {

template <typename Unsigned>
void WriteBigEndian(Bytes& out, Unsigned v) {
  for (int shift = 8 * (sizeof(Unsigned) - 1); shift >= 0; shift -= 8) {
    out.push_back(static_cast<uint8_t>(v >> shift));
  }
}

void WriteVarintBits(Bytes& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<uint8_t>(v));
}

}  // namespace

void ByteWriter::WriteInt8(int8_t v) {
  out_.push_back(static_cast<uint8_t>(v));
}
void ByteWriter::WriteInt16(int16_t v) {
  WriteBigEndian(out_, static_cast<uint16_t>(v));
}
void ByteWriter::WriteUint16(uint16_t v) { WriteBigEndian(out_, v); }
void ByteWriter::WriteInt32(int32_t v) {
  WriteBigEndian(out_, static_cast<uint32_t>(v));
}
void ByteWriter::WriteInt64(int64_t v) {
  WriteBigEndian(out_, static_cast<uint64_t>(v));
}
void ByteWriter::WriteUint32(uint32_t v) { WriteBigEndian(out_, v); }

// Zigzag maps signed to unsigned so that small magnitudes stay small:
// 0→0, -1→1, 1→2, -2→3, ...
void ByteWriter::WriteVarint(int32_t v) {
  uint32_t zigzag =
      (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
  WriteVarintBits(out_, zigzag);
}

void ByteWriter::WriteVarlong(int64_t v) {
  uint64_t zigzag =
      (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  WriteVarintBits(out_, zigzag);
}

void ByteWriter::WriteUnsignedVarint(uint32_t v) { WriteVarintBits(out_, v); }

void ByteWriter::WriteRaw(ByteView bytes) {
  out_.insert(out_.end(), bytes.begin(), bytes.end());
}

void ByteWriter::PatchInt32(size_t position, int32_t v) {
  uint32_t u = static_cast<uint32_t>(v);
  for (int i = 0; i < 4; ++i) {
    out_[position + i] = static_cast<uint8_t>(u >> (24 - 8 * i));
  }
}

void ByteReader::Fail(std::string_view field, const std::string& problem) {
  if (!ok()) return;  // keep the first error: later ones are consequences
  error_ = "field '" + std::string(field) + "' at byte " +
           std::to_string(position()) + ": " + problem;
}

void ByteReader::FailShortRead(size_t n, std::string_view field) {
  if (!ok()) return;
  Fail(field, "needs " + std::to_string(n) + " bytes, " +
                  std::to_string(remaining()) + " left");
}

void ByteReader::LogField(size_t n, std::string_view field) {
  field_log_->push_back({position(), n, std::string(field)});
}

uint64_t ByteReader::ReadVarintBitsChecked(int max_bytes,
                                           std::string_view field) {
  if (!ok()) return 0;
  // Find where the varint ends (the first byte without the continuation bit)
  // before taking it, so that it is taken, and logged, as one field.
  const uint8_t* start = input_.data() + consumed_;
  const size_t limit = std::min(remaining(), size_t(max_bytes));
  size_t length = 1;
  while (length <= limit && (start[length - 1] & 0x80) != 0) ++length;
  if (length > size_t(max_bytes)) {
    Fail(field, "varint longer than " + std::to_string(max_bytes) + " bytes");
    return 0;
  }
  const uint8_t* p = Take(length, field);  // fails if the input ends inside
  if (!p) return 0;
  uint64_t v = 0;
  for (size_t i = 0; i < length; ++i) {
    v |= static_cast<uint64_t>(p[i] & 0x7F) << (7 * i);
  }
  return v;
}

}  // namespace kafka
