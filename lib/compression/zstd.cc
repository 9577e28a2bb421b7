// zstd: zstd frames (libzstd), streamed so that a frame need not state its
// size, as the Java client's zstd-jni stream writes none.
#include <zstd.h>

#include <algorithm>
#include <bit>
#include <memory>
#include <new>

#include "lib/compression/codecs.h"

namespace kafka::codecs {
namespace {

// zstd's default level, which Kafka's producer uses too.
constexpr int kZstdLevel = 3;

struct FreeContext {
  void operator()(ZSTD_DCtx* context) const { ZSTD_freeDCtx(context); }
};

// zstd's own default limit on a frame's window: 2^27 bytes (128 MiB).
constexpr int kDefaultWindowLogMax = 27;

// A frame names the window its decoder must hold in memory. No window larger
// than the whole output allowed is needed, so none larger is accepted.
int WindowLogFor(size_t max_size) {
  const int log = std::bit_width(std::max<size_t>(max_size, 1) - 1);
  const int smallest = ZSTD_dParam_getBounds(ZSTD_d_windowLogMax).lowerBound;
  return std::clamp(log, smallest, kDefaultWindowLogMax);
}

}  // namespace

Bytes ZstdCompress(ByteView input) {
  Bytes out(ZSTD_compressBound(input.size()));
  const size_t size = ZSTD_compress(out.data(), out.size(), input.data(),
                                    input.size(), kZstdLevel);
  // With the bound's room, zstd fails only if it cannot allocate.
  if (ZSTD_isError(size)) throw std::bad_alloc();
  out.resize(size);
  return out;
}

// Frames back to back are read one after the other, as zstd(1) reads them.
Result<Bytes> ZstdDecompress(ByteView input, size_t max_size) {
  std::unique_ptr<ZSTD_DCtx, FreeContext> context(ZSTD_createDCtx());
  if (!context) throw std::bad_alloc();
  ZSTD_DCtx_setParameter(context.get(), ZSTD_d_windowLogMax,
                         WindowLogFor(max_size));
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  Bytes out;
  size_t written = 0;
  while (true) {
    MakeRoom(out, written, max_size);
    ZSTD_outBuffer room{out.data(), out.size(), written};
    const size_t read_before = in.pos;
    // 0 when a frame has ended and all of it is out, else a size hint.
    const size_t hint = ZSTD_decompressStream(context.get(), &room, &in);
    if (ZSTD_isError(hint)) return Corrupt("zstd", ZSTD_getErrorName(hint));
    const bool progress = in.pos != read_before || room.pos != written;
    written = room.pos;
    if (hint == 0 && in.pos == in.size) break;
    if (!progress) {
      if (written == max_size) return TooLarge("zstd", max_size);
      return Corrupt("zstd", "the input ends inside a frame");
    }
  }
  out.resize(written);
  return out;
}

}  // namespace kafka::codecs
