/// \file
/// The codecs of compressed record batches: gzip, snappy, lz4 and zstd.
///
/// A Kafka producer may compress the records of a batch (everything after the
/// 61-byte header) as one block, and says which codec in the batch's
/// attributes, bits 0-2 (CompressionType.java): 0 none, 1 gzip, 2 snappy,
/// 3 lz4, 4 zstd. The header stays uncompressed, so a broker can still read
/// offsets, counts and the CRC, which covers the compressed bytes.
///
/// Each codec's stream is the one Kafka's clients write and read:
/// - gzip: a gzip stream (RFC 1952), as Java's GZIPOutputStream writes.
/// - snappy: the Java client writes snappy-java's framing (an 8-byte magic,
///   two version numbers, then length-prefixed snappy blocks); librdkafka
///   writes one raw snappy block. Both clients read both, and so do we; we
///   write the framing, as the Java client does.
/// - lz4: the LZ4 frame format with independent blocks of at most 64 KiB, as
///   Kafka's KafkaLZ4BlockOutputStream writes (its reader decompresses each
///   block on its own). The frame's header checksum is the standard one
///   (KIP-57; only the old magic 0 format had it wrong).
/// - zstd: a zstd frame.
///
/// Decompression never trusts its input: a stream that is truncated, garbled
/// or would grow past `max_size` is CORRUPT_MESSAGE, never a crash and never
/// an allocation the caller did not allow (a "decompression bomb").
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "lib/bytes.h"
#include "lib/error.h"

namespace kafka {

/// Kafka's codec ids, as attributes bits 0-2 hold them.
enum class CompressionType : int8_t {
  kNone = 0,
  kGzip = 1,
  kSnappy = 2,
  kLz4 = 3,
  kZstd = 4,
};

/// The codec with this id, or nullopt for the ids Kafka does not define
/// (5, 6, 7), which a broker answers with UNSUPPORTED_COMPRESSION_TYPE.
std::optional<CompressionType> CompressionTypeFromId(int id);

/// Kafka's name for a codec, as compression.type spells it: "none", "gzip",
/// "snappy", "lz4", "zstd".
std::string_view CompressionTypeName(CompressionType type);

/// The codec a compression.type value names, or nullopt for any other value.
std::optional<CompressionType> CompressionTypeFromName(std::string_view name);

/// Compresses `input` with `type`'s codec (kNone returns it as is).
Bytes Compress(CompressionType type, ByteView input);

/// Decompresses `input`, refusing with CORRUPT_MESSAGE a stream that does not
/// decode or that decodes to more than `max_size` bytes.
Result<Bytes> Decompress(CompressionType type, ByteView input, size_t max_size);

}  // namespace kafka
