#include "chapters/01_log/dump.h"

#include <limits>

#include "chapters/01_log/index.h"
#include "chapters/01_log/log_segment.h"
#include "chapters/01_log/record_batch.h"
#include "lib/compression/compression.h"

namespace kafka {
namespace {

// Kafka's name for the batch's codec, as DumpLogSegments prints it.
std::string_view CodecName(const RecordBatchHeader& h) {
  std::optional<CompressionType> codec =
      CompressionTypeFromId(h.compression_codec());
  return codec ? CompressionTypeName(*codec) : "unknown";
}

std::string Printable(const std::optional<Bytes>& bytes) {
  if (!bytes) return "null";
  std::string text;
  for (uint8_t byte : *bytes) {
    text += (byte >= 32 && byte < 127) ? char(byte) : '.';
  }
  return text;
}

void PrintBatchHeader(const RecordBatchHeader& h, uint64_t position,
                      std::ostream& out) {
  out << "baseOffset: " << h.base_offset << " lastOffset: " << h.LastOffset()
      << " count: " << h.records_count
      << " partitionLeaderEpoch: " << h.partition_leader_epoch
      << " producerId: " << h.producer_id
      << " producerEpoch: " << h.producer_epoch
      << " baseSequence: " << h.base_sequence
      << " isTransactional: " << bool(h.attributes & kTransactionalFlag)
      << " isControl: " << bool(h.attributes & kControlFlag)
      << " position: " << position << " CreateTime: " << h.max_timestamp
      << " size: " << h.SizeInBytes() << " magic: " << int(h.magic)
      << " compresscodec: " << CodecName(h) << " crc: " << h.crc << "\n";
}

void PrintRecords(const RecordBatch& batch, std::ostream& out) {
  for (const Record& record : batch.records) {
    out << "| offset: " << batch.header.base_offset + record.offset_delta
        << " CreateTime: "
        << batch.header.base_timestamp + record.timestamp_delta
        << " keySize: " << (record.key ? int(record.key->size()) : -1)
        << " valueSize: " << (record.value ? int(record.value->size()) : -1)
        << " headerKeys: [";
    for (size_t i = 0; i < record.headers.size(); ++i) {
      out << (i ? "," : "") << record.headers[i].key;
    }
    out << "] key: " << Printable(record.key)
        << " payload: " << Printable(record.value) << "\n";
  }
}

bool DumpLog(const Bytes& contents, bool print_records, std::ostream& out) {
  size_t position = 0;
  while (position < contents.size()) {
    ByteView rest = ByteView(contents).subspan(position);
    Result<RecordBatchHeader> header = DecodeBatchHeader(rest, position);
    if (header.ok() && size_t(header->SizeInBytes()) > rest.size()) {
      header = Error{ErrorCode::kCorruptMessage,
                     "batch at byte " + std::to_string(position) +
                         " is cut short (a torn write)"};
    }
    if (!header.ok()) {
      out << "invalid: " << header.error().ToString() << "\n";
      return false;
    }
    ByteView bytes = rest.first(header->SizeInBytes());
    Result<RecordBatch> batch = DecodeRecordBatch(bytes, position);
    PrintBatchHeader(header.value(), position, out);
    if (!batch.ok()) {
      out << "invalid: " << batch.error().ToString() << "\n";
      return false;
    }
    if (print_records) PrintRecords(batch.value(), out);
    position += bytes.size();
  }
  return true;
}

}  // namespace

bool DumpSegmentFile(Storage& storage, const std::string& path,
                     bool print_records, std::ostream& out) {
  out << "Dumping " << path << "\n";
  const std::string name = path.substr(path.rfind('/') + 1);
  const int32_t no_limit = std::numeric_limits<int32_t>::max();
  if (BaseOffsetFromFileName(name, kLogFileSuffix)) {
    return DumpLog(ReadWholeFile(storage, path), print_records, out);
  }
  if (auto base = BaseOffsetFromFileName(name, kIndexFileSuffix)) {
    OffsetIndex index(storage.Open(path), *base, no_limit);
    for (const OffsetPosition& entry : index.entries()) {
      out << "offset: " << entry.offset << " position: " << entry.position
          << "\n";
    }
    return true;
  }
  if (auto base = BaseOffsetFromFileName(name, kTimeIndexFileSuffix)) {
    TimeIndex index(storage.Open(path), *base, no_limit);
    for (const TimestampOffset& entry : index.entries()) {
      out << "timestamp: " << entry.timestamp << " offset: " << entry.offset
          << "\n";
    }
    return true;
  }
  out << "not a segment file: expected a name like "
         "00000000000000000000.log, .index or .timeindex\n";
  return false;
}

}  // namespace kafka
