/// \file
/// Bytes, and reading and writing Kafka's primitive encodings.
///
/// Kafka's formats are big-endian fixed-width integers (int8..int64) plus,
/// inside records, zigzag variable-length integers: the same encoding as
/// Protocol Buffers' sint32/sint64 (see ByteUtils.java). Small numbers,
/// positive or negative, take one byte, which is why a record's offset and
/// timestamp are stored as deltas from the batch's base values.
///
/// ByteReader never reads past its input. A read that does not fit records an
/// error naming the field and the byte position, returns 0, and makes every
/// later read a no-op, so a decoder can read a whole structure and check `ok()`
/// once at the end.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kafka {

using Bytes = std::vector<uint8_t>;
using ByteView = std::span<const uint8_t>;

/// Views of text as bytes and back, for keys and values in tests and tools.
ByteView AsBytes(std::string_view text);
std::string AsString(ByteView bytes);
Bytes ToBytes(std::string_view text);

/// Appends encoded values to a growing buffer.
class ByteWriter {
 public:
  explicit ByteWriter(Bytes& out) : out_(out) {}

  void WriteInt8(int8_t v);
  void WriteInt16(int16_t v);
  void WriteUint16(uint16_t v);
  void WriteInt32(int32_t v);
  void WriteInt64(int64_t v);
  void WriteUint32(uint32_t v);
  void WriteVarint(int32_t v);   ///< zigzag, as Kafka's ByteUtils.writeVarint
  void WriteVarlong(int64_t v);  ///< zigzag, as ByteUtils.writeVarlong
  /// Unsigned, no zigzag: lengths and counts in the protocol's flexible
  /// versions (ByteUtils.writeUnsignedVarint).
  void WriteUnsignedVarint(uint32_t v);
  void WriteRaw(ByteView bytes);

  size_t position() const { return out_.size(); }
  /// Overwrites 4 bytes written earlier (a length or CRC known only at the
  /// end).
  void PatchInt32(size_t position, int32_t v);

 private:
  Bytes& out_;
};

/// Which bytes a reader read as which field (see ByteReader::LogFieldsTo).
struct FieldSpan {
  size_t position;
  size_t length;
  std::string field;
};

/// Reads encoded values from a byte span, bounds-checked.
class ByteReader {
 public:
  /// `origin` is the position of `input[0]` in some larger buffer (a file, a
  /// request), so error messages can give positions a reader can look up.
  explicit ByteReader(ByteView input, size_t origin = 0)
      : input_(input), origin_(origin) {}

  /// Each read names the field it reads, for the error message.
  int8_t ReadInt8(std::string_view field);
  int16_t ReadInt16(std::string_view field);
  uint16_t ReadUint16(std::string_view field);
  int32_t ReadInt32(std::string_view field);
  int64_t ReadInt64(std::string_view field);
  uint32_t ReadUint32(std::string_view field);
  int32_t ReadVarint(std::string_view field);
  int64_t ReadVarlong(std::string_view field);
  uint32_t ReadUnsignedVarint(std::string_view field);
  /// Reads `length` raw bytes; returns an empty view on error.
  ByteView ReadRaw(size_t length, std::string_view field);

  bool ok() const { return error_.empty(); }
  /// "field 'lastOffsetDelta' at byte 23: needs 4 bytes, 2 left".
  const std::string& error() const { return error_; }
  /// Records an error found by the caller (a bad value rather than a short
  /// read).
  void Fail(std::string_view field, const std::string& problem);

  size_t position() const { return origin_ + consumed_; }
  size_t remaining() const { return input_.size() - consumed_; }

  /// Notes every field read from now on in `log`, for an annotated hexdump
  /// (lib/protocol/hexdump.h). Off by default: it costs an allocation per
  /// field.
  void LogFieldsTo(std::vector<FieldSpan>* log) { field_log_ = log; }

 private:
  // Need and Take run for every field of every record a broker validates, so
  // their common path is inline and the rest is out of line.
  bool Need(size_t n, std::string_view field) {
    if (ok() && remaining() >= n) return true;
    FailShortRead(n, field);
    return false;
  }
  /// Consumes `n` bytes for `field`: their start, or nullptr after an error.
  const uint8_t* Take(size_t n, std::string_view field) {
    if (!Need(n, field)) return nullptr;
    if (field_log_ != nullptr) LogField(n, field);
    const uint8_t* p = input_.data() + consumed_;
    consumed_ += n;
    return p;
  }
  void FailShortRead(size_t n, std::string_view field);
  void LogField(size_t n, std::string_view field);
  uint64_t ReadVarintBits(int max_bytes, std::string_view field) {
    // Most varints are a byte or two (deltas, lengths). With room for the
    // longest one left, decode without checking each byte; the input's end,
    // an over-long varint and the hexdump's field log go the slow way.
    if (remaining() >= size_t(max_bytes) && ok() && field_log_ == nullptr) {
      const uint8_t* p = input_.data() + consumed_;
      uint64_t v = 0;
      for (int i = 0; i < max_bytes; ++i) {
        v |= static_cast<uint64_t>(p[i] & 0x7F) << (7 * i);
        if ((p[i] & 0x80) == 0) {
          consumed_ += size_t(i) + 1;
          return v;
        }
      }
    }
    return ReadVarintBitsChecked(max_bytes, field);
  }
  /// Byte by byte, bounds-checked: errors, the input's end, the field log.
  uint64_t ReadVarintBitsChecked(int max_bytes, std::string_view field);

  ByteView input_;
  size_t origin_;
  size_t consumed_ = 0;
  std::string error_;
  std::vector<FieldSpan>* field_log_ = nullptr;
};

// The reads are inline: a broker calls them for every field of every record
// it validates.

namespace internal {
template <typename Unsigned>
Unsigned ReadBigEndian(const uint8_t* p) {
  Unsigned v = 0;
  for (size_t i = 0; i < sizeof(Unsigned); ++i) v = (v << 8) | p[i];
  return v;
}
}  // namespace internal

inline int8_t ByteReader::ReadInt8(std::string_view field) {
  const uint8_t* p = Take(1, field);
  return p ? static_cast<int8_t>(*p) : 0;
}

inline int16_t ByteReader::ReadInt16(std::string_view field) {
  const uint8_t* p = Take(2, field);
  return p ? static_cast<int16_t>(internal::ReadBigEndian<uint16_t>(p)) : 0;
}

inline uint16_t ByteReader::ReadUint16(std::string_view field) {
  const uint8_t* p = Take(2, field);
  return p ? internal::ReadBigEndian<uint16_t>(p) : 0;
}

inline int32_t ByteReader::ReadInt32(std::string_view field) {
  return static_cast<int32_t>(ReadUint32(field));
}

inline uint32_t ByteReader::ReadUint32(std::string_view field) {
  const uint8_t* p = Take(4, field);
  return p ? internal::ReadBigEndian<uint32_t>(p) : 0;
}

inline int64_t ByteReader::ReadInt64(std::string_view field) {
  const uint8_t* p = Take(8, field);
  return p ? static_cast<int64_t>(internal::ReadBigEndian<uint64_t>(p)) : 0;
}

inline int32_t ByteReader::ReadVarint(std::string_view field) {
  auto zigzag = static_cast<uint32_t>(ReadVarintBits(5, field));
  return static_cast<int32_t>((zigzag >> 1) ^ (~(zigzag & 1) + 1));
}

inline int64_t ByteReader::ReadVarlong(std::string_view field) {
  uint64_t zigzag = ReadVarintBits(10, field);
  return static_cast<int64_t>((zigzag >> 1) ^ (~(zigzag & 1) + 1));
}

inline uint32_t ByteReader::ReadUnsignedVarint(std::string_view field) {
  return static_cast<uint32_t>(ReadVarintBits(5, field));
}

inline ByteView ByteReader::ReadRaw(size_t length, std::string_view field) {
  const uint8_t* p = Take(length, field);
  return p ? ByteView(p, length) : ByteView();
}

}  // namespace kafka
