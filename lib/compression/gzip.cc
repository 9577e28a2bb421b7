// gzip: a gzip stream (RFC 1952) through zlib, as Java's GZIPOutputStream
// writes and GZIPInputStream reads it.
#include <zlib.h>

#include <new>

#include "lib/compression/codecs.h"

namespace kafka::codecs {
namespace {

// zlib's windowBits: 15 (a 32 KiB window, the largest), plus 16 for the gzip
// wrapper instead of zlib's own.
constexpr int kGzipWindowBits = 15 + 16;
constexpr int kMemoryLevel = 8;  // zlib's default

Bytef* Input(ByteView input) { return const_cast<Bytef*>(input.data()); }

}  // namespace

Bytes GzipCompress(ByteView input) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits,
                   kMemoryLevel, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::bad_alloc();  // zlib fails to start only without memory
  }
  Bytes out(deflateBound(&stream, input.size()));
  stream.next_in = Input(input);
  stream.avail_in = static_cast<uInt>(input.size());
  stream.next_out = out.data();
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);  // deflateBound's room is always enough
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

// A gzip stream may hold several members back to back, as gzip(1) and Java's
// GZIPInputStream read it: each member starts again after the last.
Result<Bytes> GzipDecompress(ByteView input, size_t max_size) {
  z_stream stream{};
  if (inflateInit2(&stream, kGzipWindowBits) != Z_OK) throw std::bad_alloc();
  stream.next_in = Input(input);
  stream.avail_in = static_cast<uInt>(input.size());
  Bytes out;
  size_t written = 0;
  while (true) {
    MakeRoom(out, written, max_size);
    stream.next_out = out.data() + written;
    stream.avail_out = static_cast<uInt>(out.size() - written);
    const int status = inflate(&stream, Z_NO_FLUSH);
    written = out.size() - stream.avail_out;
    if (status == Z_STREAM_END) {
      if (stream.avail_in == 0) break;
      inflateReset(&stream);
    } else if (status == Z_BUF_ERROR) {  // no progress was possible
      inflateEnd(&stream);
      if (written == max_size) return TooLarge("gzip", max_size);
      return Corrupt("gzip", "the stream ends before its last member does");
    } else if (status != Z_OK) {
      Error error =
          Corrupt("gzip", stream.msg ? stream.msg : "not a gzip stream");
      inflateEnd(&stream);
      return error;
    }
  }
  inflateEnd(&stream);
  out.resize(written);
  return out;
}

}  // namespace kafka::codecs
