#include "chapters/01_log/record_batch.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "lib/compression/compression.h"
#include "lib/crc32c.h"

namespace kafka {
namespace {

// A record as views into the batch's bytes: what decoding produces before
// (and, when only validating, instead of) copying anything.
struct RecordView {
  int8_t attributes = 0;
  int64_t timestamp_delta = 0;
  int32_t offset_delta = 0;
  std::optional<ByteView> key;
  std::optional<ByteView> value;
  std::vector<std::pair<ByteView, std::optional<ByteView>>> headers;
};

std::optional<Bytes> Copy(const std::optional<ByteView>& view) {
  if (!view) return std::nullopt;
  return Bytes(view->begin(), view->end());
}

// Reads a varint length followed by that many bytes; length -1 means null.
// Always inline: called out of line, its 24-byte result goes through memory,
// and reading it back stalls each record of every batch a broker validates.
[[gnu::always_inline]] inline std::optional<ByteView> ReadNullableBytes(
    ByteReader& reader, std::string_view field) {
  int32_t length = reader.ReadVarint(field);
  if (length == -1) return std::nullopt;
  if (length < -1) {
    reader.Fail(field, "negative length " + std::to_string(length));
    return std::nullopt;
  }
  return reader.ReadRaw(static_cast<size_t>(length), field);
}

// Reads the next record into `record`, which the caller reuses from record to
// record: building a fresh one each time costs more than reading it.
void ReadRecord(ByteReader& reader, RecordView& record) {
  record.headers.clear();
  int32_t length = reader.ReadVarint("record length");
  size_t body_start = reader.position();
  record.attributes = reader.ReadInt8("record attributes");
  record.timestamp_delta = reader.ReadVarlong("timestampDelta");
  record.offset_delta = reader.ReadVarint("offsetDelta");
  record.key = ReadNullableBytes(reader, "key");
  record.value = ReadNullableBytes(reader, "value");
  int32_t header_count = reader.ReadVarint("headers count");
  if (header_count < 0) reader.Fail("headers count", "negative count");
  for (int32_t i = 0; i < header_count && reader.ok(); ++i) {
    std::optional<ByteView> key = ReadNullableBytes(reader, "header key");
    if (!key) reader.Fail("header key", "header keys cannot be null");
    std::optional<ByteView> value = ReadNullableBytes(reader, "header value");
    if (key) record.headers.emplace_back(*key, value);
  }
  if (reader.ok() && reader.position() - body_start != size_t(length)) {
    reader.Fail("record length",
                "says " + std::to_string(length) + " bytes, record has " +
                    std::to_string(reader.position() - body_start));
  }
}

void WriteNullableBytes(ByteWriter& writer, const std::optional<Bytes>& bytes) {
  if (!bytes) {
    writer.WriteVarint(-1);
    return;
  }
  writer.WriteVarint(static_cast<int32_t>(bytes->size()));
  writer.WriteRaw(*bytes);
}

void WriteRecord(ByteWriter& writer, const Record& record) {
  Bytes body;
  ByteWriter body_writer(body);
  body_writer.WriteInt8(record.attributes);
  body_writer.WriteVarlong(record.timestamp_delta);
  body_writer.WriteVarint(record.offset_delta);
  WriteNullableBytes(body_writer, record.key);
  WriteNullableBytes(body_writer, record.value);
  body_writer.WriteVarint(static_cast<int32_t>(record.headers.size()));
  for (const RecordHeader& header : record.headers) {
    WriteNullableBytes(body_writer, ToBytes(header.key));
    WriteNullableBytes(body_writer, header.value);
  }
  writer.WriteVarint(static_cast<int32_t>(body.size()));
  writer.WriteRaw(body);
}

// The records part of a batch, compressed with the codec `codec_id` names.
// An id that names no codec leaves them uncompressed, so that a test can
// build the batch a broken client would send.
Bytes EncodeRecords(const std::vector<Record>& records, int codec_id) {
  Bytes out;
  ByteWriter writer(out);
  for (const Record& record : records) WriteRecord(writer, record);
  std::optional<CompressionType> codec = CompressionTypeFromId(codec_id);
  return codec ? Compress(*codec, out) : out;
}

std::string Hex(uint32_t value) {
  char text[11];
  std::snprintf(text, sizeof text, "0x%08x", value);
  return text;
}

Error Corrupt(size_t position, const std::string& problem) {
  return Error{
      ErrorCode::kCorruptMessage,
      "record batch at byte " + std::to_string(position) + ": " + problem};
}

// A reader over a batch's records: its own bytes after the header, or, for a
// compressed batch, its records decompressed into `decompressed` (positions
// then count from the start of the decompressed records). Kafka's
// LogValidator decompresses a client's compressed batch the same way, to
// check every record before the batch is stored as it came.
Result<ByteReader> RecordsReader(ByteView batch,
                                 const RecordBatchHeader& header,
                                 size_t position, Bytes& decompressed) {
  ByteView stored = batch.subspan(kBatchHeaderSize);
  std::optional<CompressionType> codec =
      CompressionTypeFromId(header.compression_codec());
  if (!codec) {
    return Error{ErrorCode::kUnsupportedCompressionType,
                 "record batch at byte " + std::to_string(position) +
                     ": compression codec " +
                     std::to_string(header.compression_codec()) +
                     " is not one Kafka defines"};
  }
  if (*codec == CompressionType::kNone) {
    return ByteReader(stored, position + kBatchHeaderSize);
  }
  Result<Bytes> records =
      Decompress(*codec, stored, kMaxDecompressedRecordsSize);
  if (!records.ok()) return Corrupt(position, records.error().message);
  decompressed = std::move(*records);
  return ByteReader(decompressed);
}

// Checks a batch whose header is decoded as a whole (length and CRC) and
// walks its records, calling on_record for each. Shared by decoding and
// validating.
template <typename OnRecord>
Status WalkRecords(ByteView batch, const RecordBatchHeader& header,
                   size_t position, OnRecord on_record) {
  if (batch.size() != size_t(header.SizeInBytes())) {
    return Corrupt(position,
                   "batchLength says " + std::to_string(header.SizeInBytes()) +
                       " bytes in all, found " + std::to_string(batch.size()));
  }
  uint32_t computed = Crc32c(batch.subspan(kAttributesPosition));
  if (computed != header.crc) {
    return Corrupt(position, "CRC mismatch: stored " + Hex(header.crc) +
                                 ", computed " + Hex(computed));
  }
  Bytes decompressed;
  Result<ByteReader> records =
      RecordsReader(batch, header, position, decompressed);
  if (!records.ok()) return records.error();
  ByteReader& reader = *records;
  int32_t previous_offset_delta = -1;
  RecordView record;
  for (int32_t i = 0; i < header.records_count && reader.ok(); ++i) {
    ReadRecord(reader, record);
    if (!reader.ok()) break;
    if (record.offset_delta <= previous_offset_delta) {
      reader.Fail("offsetDelta", "offsets inside a batch must increase");
    }
    previous_offset_delta = record.offset_delta;
    on_record(record);
  }
  if (reader.ok() && previous_offset_delta != header.last_offset_delta) {
    reader.Fail("lastOffsetDelta",
                "header says " + std::to_string(header.last_offset_delta) +
                    ", last record has " +
                    std::to_string(previous_offset_delta));
  }
  if (reader.ok() && reader.remaining() != 0) {
    reader.Fail("records", std::to_string(reader.remaining()) +
                               " bytes left after recordsCount records");
  }
  if (!reader.ok()) {
    return Corrupt(position, (header.compression_codec() == 0
                                  ? ""
                                  : "in the decompressed records, ") +
                                 reader.error());
  }
  return Status();
}

template <typename OnRecord>
Result<RecordBatchHeader> WalkBatch(ByteView batch, size_t position,
                                    OnRecord on_record) {
  Result<RecordBatchHeader> header = DecodeBatchHeader(batch, position);
  if (!header.ok()) return header;
  Status walked = WalkRecords(batch, *header, position, on_record);
  if (!walked.ok()) return walked.error();
  return header;
}

}  // namespace

RecordBatch MakeBatch(const std::vector<SimpleRecord>& records,
                      int64_t base_offset) {
  RecordBatch batch;
  batch.header.base_offset = base_offset;
  if (records.empty()) return batch;
  batch.header.base_timestamp = records.front().timestamp;
  batch.header.max_timestamp = records.front().timestamp;
  for (size_t i = 0; i < records.size(); ++i) {
    const SimpleRecord& simple = records[i];
    batch.header.max_timestamp =
        std::max(batch.header.max_timestamp, simple.timestamp);
    batch.records.push_back(Record{
        .timestamp_delta = simple.timestamp - batch.header.base_timestamp,
        .offset_delta = static_cast<int32_t>(i),
        .key = simple.key,
        .value = simple.value,
        .headers = simple.headers,
    });
  }
  batch.header.last_offset_delta = static_cast<int32_t>(records.size() - 1);
  return batch;
}

Bytes EncodeRecordBatch(const RecordBatch& batch) {
  const RecordBatchHeader& h = batch.header;
  Bytes out;
  ByteWriter writer(out);
  writer.WriteInt64(h.base_offset);
  writer.WriteInt32(0);  // batchLength, patched below
  writer.WriteInt32(h.partition_leader_epoch);
  writer.WriteInt8(h.magic);
  writer.WriteUint32(0);  // crc, patched below
  writer.WriteInt16(h.attributes);
  writer.WriteInt32(h.last_offset_delta);
  writer.WriteInt64(h.base_timestamp);
  writer.WriteInt64(h.max_timestamp);
  writer.WriteInt64(h.producer_id);
  writer.WriteInt16(h.producer_epoch);
  writer.WriteInt32(h.base_sequence);
  writer.WriteInt32(static_cast<int32_t>(batch.records.size()));
  writer.WriteRaw(EncodeRecords(batch.records, h.compression_codec()));

  writer.PatchInt32(8, static_cast<int32_t>(out.size()) - kLogOverhead);
  uint32_t crc = Crc32c(ByteView(out).subspan(kAttributesPosition));
  writer.PatchInt32(kCrcPosition, static_cast<int32_t>(crc));
  return out;
}

Result<RecordBatchHeader> DecodeBatchHeader(ByteView bytes, size_t position) {
  ByteReader reader(bytes, position);
  RecordBatchHeader h;
  h.base_offset = reader.ReadInt64("baseOffset");
  h.batch_length = reader.ReadInt32("batchLength");
  h.partition_leader_epoch = reader.ReadInt32("partitionLeaderEpoch");
  h.magic = reader.ReadInt8("magic");
  h.crc = reader.ReadUint32("crc");
  h.attributes = reader.ReadInt16("attributes");
  h.last_offset_delta = reader.ReadInt32("lastOffsetDelta");
  h.base_timestamp = reader.ReadInt64("baseTimestamp");
  h.max_timestamp = reader.ReadInt64("maxTimestamp");
  h.producer_id = reader.ReadInt64("producerId");
  h.producer_epoch = reader.ReadInt16("producerEpoch");
  h.base_sequence = reader.ReadInt32("baseSequence");
  h.records_count = reader.ReadInt32("recordsCount");
  if (!reader.ok()) return Corrupt(position, reader.error());
  if (h.magic != kMagicV2) {
    return Corrupt(position, "magic is " + std::to_string(h.magic) +
                                 ", only magic 2 is supported");
  }
  if (h.batch_length < kBatchHeaderSize - kLogOverhead) {
    return Corrupt(position, "batchLength " + std::to_string(h.batch_length) +
                                 " is smaller than the batch header");
  }
  // The whole batch, log overhead included, must fit in an int32 size.
  if (h.batch_length > std::numeric_limits<int32_t>::max() - kLogOverhead) {
    return Corrupt(position, "batchLength " + std::to_string(h.batch_length) +
                                 " is larger than any batch can be");
  }
  if (h.records_count < 0 || h.last_offset_delta < 0) {
    return Corrupt(position, "negative recordsCount or lastOffsetDelta");
  }
  return h;
}

Result<RecordBatch> DecodeRecordBatch(ByteView batch, size_t position) {
  RecordBatch decoded;
  Result<RecordBatchHeader> header =
      WalkBatch(batch, position, [&](const RecordView& view) {
        Record record{
            .attributes = view.attributes,
            .timestamp_delta = view.timestamp_delta,
            .offset_delta = view.offset_delta,
            .key = Copy(view.key),
            .value = Copy(view.value),
        };
        for (const auto& [key, value] : view.headers) {
          record.headers.push_back({AsString(key), Copy(value)});
        }
        decoded.records.push_back(std::move(record));
      });
  if (!header.ok()) return header.error();
  decoded.header = header.value();
  return decoded;
}

Result<RecordBatchHeader> ValidateRecordBatch(ByteView batch, size_t position) {
  return WalkBatch(batch, position, [](const RecordView&) {});
}

Result<std::vector<BatchSlice>> SplitAndValidateBatches(ByteView records) {
  std::vector<BatchSlice> slices;
  size_t position = 0;
  while (position < records.size()) {
    ByteView rest = records.subspan(position);
    Result<RecordBatchHeader> header = DecodeBatchHeader(rest, position);
    if (!header.ok()) return header.error();
    if (rest.size() < size_t(header->SizeInBytes())) {
      return Corrupt(position, "batch of " +
                                   std::to_string(header->SizeInBytes()) +
                                   " bytes, only " +
                                   std::to_string(rest.size()) + " left");
    }
    ByteView batch = rest.first(header->SizeInBytes());
    Status valid =
        WalkRecords(batch, *header, position, [](const RecordView&) {});
    if (!valid.ok()) return valid.error();
    slices.push_back({header.value(), position});
    position += batch.size();
  }
  return slices;
}

namespace {

// Writes `value` big-endian into `bytes`, in place.
void WriteBigEndianAt(std::span<uint8_t> bytes, uint64_t value) {
  for (size_t i = bytes.size(); i-- > 0; value >>= 8) {
    bytes[i] = static_cast<uint8_t>(value);
  }
}

}  // namespace

void SetBaseOffset(std::span<uint8_t> batch, int64_t base_offset) {
  WriteBigEndianAt(batch.first(8), static_cast<uint64_t>(base_offset));
}

void SetPartitionLeaderEpoch(std::span<uint8_t> batch, int32_t leader_epoch) {
  WriteBigEndianAt(batch.subspan(kPartitionLeaderEpochPosition, 4),
                   static_cast<uint32_t>(leader_epoch));
}

}  // namespace kafka
