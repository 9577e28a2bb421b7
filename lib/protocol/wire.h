/// \file
/// Kafka's protocol primitive types: how request and response fields are
/// written on the wire.
///
/// Every Kafka request and response is a sequence of fields of a few types
/// (see "Protocol Primitive Types" in Kafka's protocol guide): fixed-width
/// big-endian integers, strings and byte arrays with an int16 or int32 length
/// in front (-1 for null), and arrays with an int32 count.
///
/// KIP-482 added "flexible versions": from some version of each API on, lengths
/// and counts are unsigned varints holding length + 1 (so 0 means null),
/// called COMPACT_STRING, COMPACT_BYTES and COMPACT_ARRAY, and every structure
/// ends with a section of tagged fields that old readers can skip. The
/// functions below take `flexible` and choose the right form, so a message's
/// encoder reads like its schema.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/bytes.h"

namespace kafka {

/// Writes protocol fields; `flexible` selects the compact forms.
class WireWriter : public ByteWriter {
 public:
  WireWriter(Bytes& out, bool flexible)
      : ByteWriter(out), flexible_(flexible) {}

  bool flexible() const { return flexible_; }

  void WriteBool(bool b) { WriteInt8(b ? 1 : 0); }
  void WriteString(std::string_view s);  ///< STRING or COMPACT_STRING
  void WriteNullableString(const std::optional<std::string>& s);
  void WriteBytes(ByteView b);  ///< BYTES or COMPACT_BYTES
  void WriteNullableBytes(const std::optional<Bytes>& b);
  /// The count in front of an array's elements (-1 / 0 for a null array).
  void WriteArrayLength(int32_t count);
  /// An empty tagged-field section; writes nothing in non-flexible versions.
  void WriteTaggedFields();

 private:
  void WriteLength(int32_t length, bool int16_length);

  bool flexible_;
};

/// Reads protocol fields, bounds-checked, naming each field in its errors.
class WireReader : public ByteReader {
 public:
  WireReader(ByteView input, bool flexible, size_t origin = 0)
      : ByteReader(input, origin), flexible_(flexible) {}

  bool flexible() const { return flexible_; }

  bool ReadBool(std::string_view field) { return ReadInt8(field) != 0; }
  std::string ReadString(std::string_view field);
  std::optional<std::string> ReadNullableString(std::string_view field);
  Bytes ReadBytes(std::string_view field);
  std::optional<Bytes> ReadNullableBytes(std::string_view field);
  /// An array's element count; -1 for a null array. Fails if the count could
  /// not possibly fit in the bytes that are left, so a bad count cannot make a
  /// decoder allocate gigabytes.
  int32_t ReadArrayLength(std::string_view field, size_t min_element_size = 1);
  /// Skips a tagged-field section (flexible versions only). This project
  /// defines no tagged fields yet, so every tag is unknown and skipped.
  void SkipTaggedFields();

 private:
  /// A length: int16/int32 in classic versions, unsigned varint - 1 in
  /// flexible ones. -1 means null.
  int32_t ReadLength(std::string_view field, bool int16_length);

  bool flexible_;
};

/// Writes an ARRAY (or COMPACT_ARRAY) of `items`, each with `write_item`.
template <typename T, typename WriteItem>
void WriteArray(WireWriter& writer, const std::vector<T>& items,
                WriteItem write_item) {
  writer.WriteArrayLength(static_cast<int32_t>(items.size()));
  for (const T& item : items) write_item(item);
}

/// Reads an ARRAY (or COMPACT_ARRAY) with `read_item` (which returns a T);
/// a null array reads as empty. `min_item_size` bounds the count (see
/// ReadArrayLength).
template <typename T, typename ReadItem>
std::vector<T> ReadArray(WireReader& reader, std::string_view field,
                         size_t min_item_size, ReadItem read_item) {
  std::vector<T> items;
  int32_t count = reader.ReadArrayLength(field, min_item_size);
  for (int32_t i = 0; i < count && reader.ok(); ++i) {
    items.push_back(read_item());
  }
  return items;
}

}  // namespace kafka
