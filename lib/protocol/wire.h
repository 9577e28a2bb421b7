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
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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
  /// Skips a tagged-field section (flexible versions only), for a structure
  /// that defines no tagged fields: every tag is unknown.
  void SkipTaggedFields();
  /// Reads a tagged-field section: `read_known(tag)` reads the value of a
  /// tag it knows from this reader and returns true, or returns false and
  /// the field is skipped, as an old reader skips a newer writer's fields.
  template <typename ReadKnown>
  void ReadTaggedFields(ReadKnown read_known);

 private:
  /// A length: int16/int32 in classic versions, unsigned varint - 1 in
  /// flexible ones. -1 means null.
  int32_t ReadLength(std::string_view field, bool int16_length);

  bool flexible_;
};

/// Collects a structure's tagged fields, then writes its tagged-field
/// section: a count, then per field its tag, the size of its value and the
/// value, in increasing tag order (KIP-482).
class TaggedFieldsWriter {
 public:
  /// A writer for the value of field `tag`, in the compact forms (tagged
  /// fields exist only in flexible versions). Add tags in increasing order.
  WireWriter Add(uint32_t tag) {
    fields_.push_back({tag, Bytes{}});
    return WireWriter(fields_.back().second, /*flexible=*/true);
  }
  /// Writes nothing in a non-flexible version, as WriteTaggedFields.
  void WriteTo(WireWriter& writer) const;

 private:
  std::deque<std::pair<uint32_t, Bytes>> fields_;  // stable references
};

template <typename ReadKnown>
void WireReader::ReadTaggedFields(ReadKnown read_known) {
  if (!flexible_) return;
  uint32_t count = ReadUnsignedVarint("tagged fields count");
  for (uint32_t i = 0; i < count && ok(); ++i) {
    uint32_t tag = ReadUnsignedVarint("tag");
    uint32_t size = ReadUnsignedVarint("tagged field size");
    size_t start = position();
    if (!ok()) return;
    if (!read_known(tag)) {
      ReadRaw(size, "tagged field");
    } else if (ok() && position() - start != size) {
      Fail("tagged field",
           "tag " + std::to_string(tag) + " announces " + std::to_string(size) +
               " bytes, its value took " + std::to_string(position() - start));
    }
  }
}

/// Writes an ARRAY (or COMPACT_ARRAY) of `items`, each with `write_item`.
template <typename T, typename WriteItem>
void WriteArray(WireWriter& writer, const std::vector<T>& items,
                WriteItem write_item) {
  writer.WriteArrayLength(static_cast<int32_t>(items.size()));
  for (const T& item : items) write_item(item);
}

/// The same for a nullable array: a null one is written as count -1 (0 in
/// the compact form).
template <typename T, typename WriteItem>
void WriteNullableArray(WireWriter& writer,
                        const std::optional<std::vector<T>>& items,
                        WriteItem write_item) {
  if (!items) {
    writer.WriteArrayLength(-1);
    return;
  }
  WriteArray(writer, *items, write_item);
}

/// Reads a nullable ARRAY (or COMPACT_ARRAY) with `read_item` (which returns
/// a T). `min_item_size` bounds the count (see ReadArrayLength).
template <typename T, typename ReadItem>
std::optional<std::vector<T>> ReadNullableArray(WireReader& reader,
                                                std::string_view field,
                                                size_t min_item_size,
                                                ReadItem read_item) {
  int32_t count = reader.ReadArrayLength(field, min_item_size);
  if (count < 0) return std::nullopt;
  std::vector<T> items;
  for (int32_t i = 0; i < count && reader.ok(); ++i) {
    items.push_back(read_item());
  }
  return items;
}

/// The same for an array that cannot be null: a null one reads as empty.
template <typename T, typename ReadItem>
std::vector<T> ReadArray(WireReader& reader, std::string_view field,
                         size_t min_item_size, ReadItem read_item) {
  return ReadNullableArray<T>(reader, field, min_item_size, read_item)
      .value_or(std::vector<T>{});
}

}  // namespace kafka
