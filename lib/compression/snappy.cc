// snappy: raw snappy blocks (libsnappy), in snappy-java's framing as the Java
// client writes them, or as one raw block as librdkafka writes it.
#include <snappy.h>

#include <algorithm>
#include <string>

#include "lib/compression/codecs.h"

namespace kafka::codecs {
namespace {

// snappy-java's stream header (SnappyCodec): a magic, then its format
// version and the oldest version that can read it, both 1.
constexpr uint8_t kXerialMagic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr int32_t kXerialVersion = 1;
constexpr int32_t kXerialCompatibleVersion = 1;
constexpr size_t kXerialHeaderSize = sizeof kXerialMagic + 4 + 4;
// snappy-java's default block size: each block is compressed on its own.
constexpr size_t kXerialBlockSize = 32 * 1024;

const char* Chars(ByteView bytes) {
  return reinterpret_cast<const char*>(bytes.data());
}

bool IsXerialStream(ByteView input) {
  return input.size() >= kXerialHeaderSize &&
         std::equal(std::begin(kXerialMagic), std::end(kXerialMagic),
                    input.begin());
}

// Appends one raw snappy block's contents to `out`. The block states its
// uncompressed length first, which is checked before anything is allocated.
Status AppendRawBlock(ByteView block, Bytes& out, size_t max_size) {
  size_t length = 0;
  if (!snappy::GetUncompressedLength(Chars(block), block.size(), &length)) {
    return Corrupt("snappy", "not a snappy block");
  }
  if (length > max_size - out.size()) return TooLarge("snappy", max_size);
  const size_t start = out.size();
  out.resize(start + length);
  if (!snappy::RawUncompress(Chars(block), block.size(),
                             reinterpret_cast<char*>(out.data() + start))) {
    return Corrupt("snappy", "a damaged or truncated snappy block");
  }
  return Status();
}

Result<Bytes> DecompressXerial(ByteView input, size_t max_size) {
  ByteReader reader(input.subspan(sizeof kXerialMagic));
  reader.ReadInt32("snappy-java version");
  if (reader.ReadInt32("snappy-java compatible version") >
      kXerialCompatibleVersion) {
    return Corrupt("snappy", "a snappy-java stream of a newer format");
  }
  Bytes out;
  while (reader.ok() && reader.remaining() > 0) {
    const int32_t length = reader.ReadInt32("snappy-java block length");
    if (length < 0) return Corrupt("snappy", "a negative block length");
    ByteView block = reader.ReadRaw(size_t(length), "snappy-java block");
    if (!reader.ok()) break;
    if (Status added = AppendRawBlock(block, out, max_size); !added.ok()) {
      return added.error();
    }
  }
  if (!reader.ok()) return Corrupt("snappy", reader.error());
  return out;
}

}  // namespace

Bytes SnappyCompress(ByteView input) {
  Bytes out;
  ByteWriter writer(out);
  writer.WriteRaw(kXerialMagic);
  writer.WriteInt32(kXerialVersion);
  writer.WriteInt32(kXerialCompatibleVersion);
  std::string block;
  for (size_t start = 0; start < input.size(); start += kXerialBlockSize) {
    ByteView chunk =
        input.subspan(start, std::min(kXerialBlockSize, input.size() - start));
    snappy::Compress(Chars(chunk), chunk.size(), &block);
    writer.WriteInt32(static_cast<int32_t>(block.size()));
    writer.WriteRaw(AsBytes(block));
  }
  return out;
}

Result<Bytes> SnappyDecompress(ByteView input, size_t max_size) {
  if (IsXerialStream(input)) return DecompressXerial(input, max_size);
  Bytes out;
  if (Status added = AppendRawBlock(input, out, max_size); !added.ok()) {
    return added.error();
  }
  return out;
}

}  // namespace kafka::codecs
