// lz4: the LZ4 frame format (liblz4's lz4frame), with independent blocks of
// at most 64 KiB as Kafka's KafkaLZ4BlockOutputStream writes it.
#include <lz4frame.h>

#include <memory>
#include <new>

#include "lib/compression/codecs.h"

namespace kafka::codecs {
namespace {

struct FreeContext {
  void operator()(LZ4F_dctx* context) const {
    LZ4F_freeDecompressionContext(context);
  }
};

}  // namespace

Bytes Lz4Compress(ByteView input) {
  LZ4F_preferences_t preferences{};
  preferences.frameInfo.blockSizeID = LZ4F_max64KB;
  // Kafka's Java reader decompresses each block on its own.
  preferences.frameInfo.blockMode = LZ4F_blockIndependent;
  Bytes out(LZ4F_compressFrameBound(input.size(), &preferences));
  const size_t size = LZ4F_compressFrame(out.data(), out.size(), input.data(),
                                         input.size(), &preferences);
  // With the bound's room, lz4 fails only if it cannot allocate.
  if (LZ4F_isError(size)) throw std::bad_alloc();
  out.resize(size);
  return out;
}

// Frames back to back are read one after the other, as lz4(1) reads them.
Result<Bytes> Lz4Decompress(ByteView input, size_t max_size) {
  LZ4F_dctx* raw_context = nullptr;
  if (LZ4F_isError(
          LZ4F_createDecompressionContext(&raw_context, LZ4F_VERSION))) {
    throw std::bad_alloc();
  }
  std::unique_ptr<LZ4F_dctx, FreeContext> context(raw_context);
  Bytes out;
  size_t written = 0;
  size_t read = 0;
  while (true) {
    MakeRoom(out, written, max_size);
    size_t input_used = input.size() - read;
    size_t output_made = out.size() - written;
    // 0 when a frame has just ended, else how much input it wants next.
    const size_t wanted =
        LZ4F_decompress(context.get(), out.data() + written, &output_made,
                        input.data() + read, &input_used, nullptr);
    if (LZ4F_isError(wanted)) {
      return Corrupt("lz4", LZ4F_getErrorName(wanted));
    }
    read += input_used;
    written += output_made;
    if (wanted == 0 && read == input.size()) break;
    if (input_used == 0 && output_made == 0) {
      if (written == max_size) return TooLarge("lz4", max_size);
      return Corrupt("lz4", "the input ends inside a frame");
    }
  }
  out.resize(written);
  return out;
}

}  // namespace kafka::codecs
