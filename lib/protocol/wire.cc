#include "lib/protocol/wire.h"

#include <limits>

namespace kafka {

void WireWriter::WriteLength(int32_t length, bool int16_length) {
  if (flexible_) {
    WriteUnsignedVarint(static_cast<uint32_t>(length + 1));  // 0 = null
  } else if (int16_length) {
    WriteInt16(static_cast<int16_t>(length));
  } else {
    WriteInt32(length);
  }
}

void WireWriter::WriteString(std::string_view s) {
  WriteLength(static_cast<int32_t>(s.size()), /*int16_length=*/true);
  WriteRaw(AsBytes(s));
}

void WireWriter::WriteNullableString(const std::optional<std::string>& s) {
  if (!s) {
    WriteLength(-1, /*int16_length=*/true);
    return;
  }
  WriteString(*s);
}

void WireWriter::WriteBytes(ByteView b) {
  WriteLength(static_cast<int32_t>(b.size()), /*int16_length=*/false);
  WriteRaw(b);
}

void WireWriter::WriteNullableBytes(const std::optional<Bytes>& b) {
  if (!b) {
    WriteLength(-1, /*int16_length=*/false);
    return;
  }
  WriteBytes(*b);
}

void WireWriter::WriteArrayLength(int32_t count) {
  WriteLength(count, /*int16_length=*/false);
}

void WireWriter::WriteTaggedFields() {
  if (flexible_) WriteUnsignedVarint(0);
}

int32_t WireReader::ReadLength(std::string_view field, bool int16_length) {
  if (flexible_) {
    uint32_t encoded = ReadUnsignedVarint(field);
    if (encoded > uint32_t(std::numeric_limits<int32_t>::max())) {
      Fail(field, "length " + std::to_string(encoded) + " is too large");
      return -1;
    }
    return static_cast<int32_t>(encoded) - 1;
  }
  int32_t length = int16_length ? ReadInt16(field) : ReadInt32(field);
  if (length < -1) Fail(field, "negative length " + std::to_string(length));
  return length;
}

std::optional<std::string> WireReader::ReadNullableString(
    std::string_view field) {
  int32_t length = ReadLength(field, /*int16_length=*/true);
  if (length < 0 || !ok()) return std::nullopt;
  return AsString(ReadRaw(size_t(length), field));
}

std::string WireReader::ReadString(std::string_view field) {
  size_t position_before = position();
  std::optional<std::string> s = ReadNullableString(field);
  if (!s && ok()) {
    Fail(field, "null where a string is required (at byte " +
                    std::to_string(position_before) + ")");
  }
  return s.value_or("");
}

std::optional<Bytes> WireReader::ReadNullableBytes(std::string_view field) {
  int32_t length = ReadLength(field, /*int16_length=*/false);
  if (length < 0 || !ok()) return std::nullopt;
  ByteView raw = ReadRaw(size_t(length), field);
  return Bytes(raw.begin(), raw.end());
}

Bytes WireReader::ReadBytes(std::string_view field) {
  std::optional<Bytes> b = ReadNullableBytes(field);
  if (!b && ok()) Fail(field, "null where bytes are required");
  return b.value_or(Bytes{});
}

int32_t WireReader::ReadArrayLength(std::string_view field,
                                    size_t min_element_size) {
  int32_t count = ReadLength(field, /*int16_length=*/false);
  if (ok() && count > 0 &&
      size_t(count) > remaining() / std::max<size_t>(1, min_element_size)) {
    Fail(field, "array of " + std::to_string(count) +
                    " elements cannot fit in the " +
                    std::to_string(remaining()) + " bytes left");
    return -1;
  }
  return count;
}

void WireReader::SkipTaggedFields() {
  ReadTaggedFields([](uint32_t) { return false; });
}

void TaggedFieldsWriter::WriteTo(WireWriter& writer) const {
  if (!writer.flexible()) return;
  writer.WriteUnsignedVarint(static_cast<uint32_t>(fields_.size()));
  for (const auto& [tag, value] : fields_) {
    writer.WriteUnsignedVarint(tag);
    writer.WriteUnsignedVarint(static_cast<uint32_t>(value.size()));
    writer.WriteRaw(value);
  }
}

}  // namespace kafka
