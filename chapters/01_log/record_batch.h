/// \file
/// The record batch: the unit Kafka stores on disk and sends on the wire.
///
/// A producer never sends single records. It groups records for one partition
/// into a batch, and the batch travels unchanged from the producer's memory,
/// through the broker's log file, to the consumer: the broker assigns offsets
/// by rewriting one header field, and never decodes records on the hot path.
///
/// This is Kafka's record batch format v2 ("magic 2", DefaultRecordBatch.java),
/// byte for byte:
///
///     offset  field                  type
///     ------  ---------------------  -----------------------------------------
///      0      baseOffset             int64   offset of the first record
///      8      batchLength            int32   bytes after this field
///     12      partitionLeaderEpoch   int32   set by the leader (Chapter 4)
///     16      magic                  int8    = 2
///     17      crc                    uint32  CRC-32C of bytes 21..end
///     21      attributes             int16   compression, timestamp type, ...
///     23      lastOffsetDelta        int32   last record's offset - baseOffset
///     27      baseTimestamp          int64   first record's timestamp
///     35      maxTimestamp           int64   largest timestamp in the batch
///     43      producerId             int64   idempotence (Ch. 7), else -1
///     51      producerEpoch          int16                    else -1
///     53      baseSequence           int32                    else -1
///     57      recordsCount           int32
///     61      records...
///
/// Each record stores its offset and timestamp as deltas from the batch's base
/// values, in zigzag varints, so a small record costs a few bytes of overhead.
/// The CRC leaves out baseOffset and partitionLeaderEpoch so that the broker
/// can set them without recomputing it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "lib/bytes.h"
#include "lib/error.h"

namespace kafka {

inline constexpr int8_t kMagicV2 = 2;
/// baseOffset + batchLength: the part of a batch that is not counted in its
/// length.
inline constexpr int32_t kLogOverhead = 12;
/// The fixed header, from baseOffset to recordsCount inclusive.
inline constexpr int32_t kBatchHeaderSize = 61;
inline constexpr size_t kPartitionLeaderEpochPosition = 12;
/// The same place in every record format, v0 to v2, so a reader can tell the
/// format before it knows the layout.
inline constexpr size_t kMagicPosition = 16;
inline constexpr size_t kCrcPosition = 17;
inline constexpr size_t kAttributesPosition = 21;

inline constexpr int64_t kNoProducerId = -1;
inline constexpr int16_t kNoProducerEpoch = -1;
inline constexpr int32_t kNoSequence = -1;
inline constexpr int32_t kNoPartitionLeaderEpoch = -1;
/// A batch's timestamps when its producer set none (RecordBatch.NO_TIMESTAMP).
inline constexpr int64_t kNoTimestamp = -1;

/// Bits of the attributes field.
/// The compression codec: 0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd
/// (lib/compression); 5-7 are no codec.
inline constexpr int16_t kCompressionCodecMask = 0x07;
inline constexpr int16_t kTimestampTypeMask = 0x08;  ///< set = LogAppendTime
inline constexpr int16_t kTransactionalFlag = 0x10;
inline constexpr int16_t kControlFlag = 0x20;

/// The most a compressed batch's records may decompress to: 64 MiB. A batch
/// that would decompress to more is CORRUPT_MESSAGE, so that a small hostile
/// batch cannot make the broker allocate without bound. Kafka has no such
/// limit because it decompresses record by record as it validates; this
/// project decompresses a batch's records as a whole. The cap is far above
/// what a batch under max.message.bytes (1 MiB by default) holds in practice.
inline constexpr size_t kMaxDecompressedRecordsSize = 64 << 20;

/// A record header: a string key and a nullable value.
struct RecordHeader {
  std::string key;
  std::optional<Bytes> value;  ///< nullopt = null, distinct from empty

  bool operator==(const RecordHeader&) const = default;
};

/// One record as it is encoded inside a batch.
struct Record {
  int8_t attributes = 0;  ///< unused by Kafka so far; always 0
  int64_t timestamp_delta = 0;
  int32_t offset_delta = 0;
  std::optional<Bytes> key;  ///< nullopt = null key, distinct from an empty key
  std::optional<Bytes> value;  ///< nullopt = null value (a tombstone)
  std::vector<RecordHeader> headers;

  bool operator==(const Record&) const = default;
};

/// The 61-byte batch header, field by field, in Kafka's order.
struct RecordBatchHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;
  int32_t partition_leader_epoch = kNoPartitionLeaderEpoch;
  int8_t magic = kMagicV2;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  int64_t producer_id = kNoProducerId;
  int16_t producer_epoch = kNoProducerEpoch;
  int32_t base_sequence = kNoSequence;
  int32_t records_count = 0;

  int64_t LastOffset() const { return base_offset + last_offset_delta; }
  /// The offset after this batch: what the log end offset becomes after it.
  int64_t NextOffset() const { return LastOffset() + 1; }
  int32_t SizeInBytes() const { return kLogOverhead + batch_length; }
  int compression_codec() const { return attributes & kCompressionCodecMask; }

  bool operator==(const RecordBatchHeader&) const = default;
};

/// A decoded batch: its header and its records.
struct RecordBatch {
  RecordBatchHeader header;
  std::vector<Record> records;

  bool operator==(const RecordBatch&) const = default;
};

/// What a producer hands over: a record with an absolute timestamp.
struct SimpleRecord {
  int64_t timestamp = 0;
  std::optional<Bytes> key;
  std::optional<Bytes> value;
  std::vector<RecordHeader> headers;
};

/// Builds an uncompressed, non-transactional batch with offsets
/// base_offset, base_offset + 1, ... and timestamps as given. (Set a codec in
/// its header's attributes to have EncodeRecordBatch compress it.)
RecordBatch MakeBatch(const std::vector<SimpleRecord>& records,
                      int64_t base_offset = 0);

/// Encodes a batch. batchLength, crc and recordsCount are computed from the
/// records; every other header field is written as given. The records are
/// compressed as one block with the codec the attributes name, as a producer
/// does; an id that names no codec (5-7) leaves them as they are.
Bytes EncodeRecordBatch(const RecordBatch& batch);

/// Decodes the fixed 61-byte header and checks what can be checked without the
/// rest of the batch: magic 2 and a batchLength large enough for the header.
/// `position` is where `bytes` starts in the file or request, for error
/// messages.
Result<RecordBatchHeader> DecodeBatchHeader(ByteView bytes,
                                            size_t position = 0);

/// Fully decodes and validates one batch: the header, the length, the CRC, and
/// every record, decompressing them first if the batch is compressed. Errors
/// are CORRUPT_MESSAGE (also for records that do not decompress, or that
/// decompress to more than kMaxDecompressedRecordsSize), or
/// UNSUPPORTED_COMPRESSION_TYPE for a codec id Kafka does not define.
Result<RecordBatch> DecodeRecordBatch(ByteView batch, size_t position = 0);

/// Validates a batch as DecodeRecordBatch does, without copying records out.
/// The broker runs this on every batch before it touches the log.
Result<RecordBatchHeader> ValidateRecordBatch(ByteView batch,
                                              size_t position = 0);

/// One batch inside a sequence of batches: its header and where it starts.
struct BatchSlice {
  RecordBatchHeader header;
  size_t position;  ///< where the batch starts in the sequence
};

/// Splits a sequence of batches, back to back as in a produce request or a log
/// file ("MemoryRecords" in Kafka), into validated batches.
Result<std::vector<BatchSlice>> SplitAndValidateBatches(ByteView records);

/// Rewrites baseOffset in an encoded batch. The CRC does not cover it, so the
/// batch stays valid: this is how a leader assigns offsets cheaply.
void SetBaseOffset(std::span<uint8_t> batch, int64_t base_offset);

/// Rewrites partitionLeaderEpoch in an encoded batch: the leader stamps the
/// epoch it leads in (Chapter 4). The CRC does not cover it either.
void SetPartitionLeaderEpoch(std::span<uint8_t> batch, int32_t leader_epoch);

}  // namespace kafka
