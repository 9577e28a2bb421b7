/// \file
/// The four codecs behind compression.h, one file each, and what they share:
/// an output buffer that grows only up to the caller's limit, and the error
/// every codec reports for input it cannot decode.
#pragma once

#include <cstddef>
#include <string_view>

#include "lib/bytes.h"
#include "lib/error.h"

namespace kafka::codecs {

Bytes GzipCompress(ByteView input);
Result<Bytes> GzipDecompress(ByteView input, size_t max_size);
Bytes SnappyCompress(ByteView input);
Result<Bytes> SnappyDecompress(ByteView input, size_t max_size);
Bytes Lz4Compress(ByteView input);
Result<Bytes> Lz4Decompress(ByteView input, size_t max_size);
Bytes ZstdCompress(ByteView input);
Result<Bytes> ZstdDecompress(ByteView input, size_t max_size);

/// Gives `out` room after its first `written` bytes, growing it step by step
/// so that a stream's true size, not its claim, decides the allocation, and
/// never past `max_size` bytes in all. Leaves it as is when it is full at
/// max_size: the codec then makes no progress and reports TooLarge.
void MakeRoom(Bytes& out, size_t written, size_t max_size);

/// CORRUPT_MESSAGE: "<codec>: <problem>".
Error Corrupt(std::string_view codec, std::string_view problem);

/// CORRUPT_MESSAGE for a stream that decodes to more than max_size bytes.
Error TooLarge(std::string_view codec, size_t max_size);

}  // namespace kafka::codecs
