#include "lib/compression/compression.h"

#include <algorithm>
#include <string>

#include "lib/compression/codecs.h"

namespace kafka {

std::optional<CompressionType> CompressionTypeFromId(int id) {
  if (id < 0 || id > static_cast<int>(CompressionType::kZstd)) {
    return std::nullopt;
  }
  return static_cast<CompressionType>(id);
}

std::string_view CompressionTypeName(CompressionType type) {
  switch (type) {
    case CompressionType::kNone:
      return "none";
    case CompressionType::kGzip:
      return "gzip";
    case CompressionType::kSnappy:
      return "snappy";
    case CompressionType::kLz4:
      return "lz4";
    case CompressionType::kZstd:
      return "zstd";
  }
  return "unknown";
}

std::optional<CompressionType> CompressionTypeFromName(std::string_view name) {
  for (CompressionType type : {CompressionType::kNone, CompressionType::kGzip,
                               CompressionType::kSnappy, CompressionType::kLz4,
                               CompressionType::kZstd}) {
    if (CompressionTypeName(type) == name) return type;
  }
  return std::nullopt;
}

Bytes Compress(CompressionType type, ByteView input) {
  switch (type) {
    case CompressionType::kNone:
      break;
    case CompressionType::kGzip:
      return codecs::GzipCompress(input);
    case CompressionType::kSnappy:
      return codecs::SnappyCompress(input);
    case CompressionType::kLz4:
      return codecs::Lz4Compress(input);
    case CompressionType::kZstd:
      return codecs::ZstdCompress(input);
  }
  return Bytes(input.begin(), input.end());
}

Result<Bytes> Decompress(CompressionType type, ByteView input,
                         size_t max_size) {
  switch (type) {
    case CompressionType::kNone:
      break;
    case CompressionType::kGzip:
      return codecs::GzipDecompress(input, max_size);
    case CompressionType::kSnappy:
      return codecs::SnappyDecompress(input, max_size);
    case CompressionType::kLz4:
      return codecs::Lz4Decompress(input, max_size);
    case CompressionType::kZstd:
      return codecs::ZstdDecompress(input, max_size);
  }
  if (input.size() > max_size) return codecs::TooLarge("none", max_size);
  return Bytes(input.begin(), input.end());
}

namespace codecs {

// The first step of a growing output buffer: enough for a typical batch in
// one go, small enough that a tiny hostile input cannot claim much.
constexpr size_t kFirstOutputStep = 64 * 1024;

void MakeRoom(Bytes& out, size_t written, size_t max_size) {
  if (written < out.size() || out.size() >= max_size) return;
  out.resize(std::min(max_size, std::max(2 * out.size(), kFirstOutputStep)));
}

Error Corrupt(std::string_view codec, std::string_view problem) {
  return Error{ErrorCode::kCorruptMessage,
               std::string(codec) + ": " + std::string(problem)};
}

Error TooLarge(std::string_view codec, size_t max_size) {
  return Corrupt(codec, "decompresses to more than the limit of " +
                            std::to_string(max_size) + " bytes");
}

}  // namespace codecs
}  // namespace kafka
