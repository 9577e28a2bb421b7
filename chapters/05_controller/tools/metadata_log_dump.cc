#include "chapters/05_controller/tools/metadata_log_dump.h"

#include <string>

#include "chapters/01_log/record_batch.h"
#include "chapters/05_controller/controller/metadata_records.h"
#include "chapters/05_controller/raft/control_records.h"
#include "lib/compression/compression.h"

namespace kafka {
namespace {

std::string_view Bool(bool value) { return value ? "true" : "false"; }

std::string_view CodecName(const RecordBatchHeader& h) {
  std::optional<CompressionType> codec =
      CompressionTypeFromId(h.compression_codec());
  return codec ? CompressionTypeName(*codec) : "unknown";
}

// DumpLogSegments' batch line, its fields in its order.
void PrintBatch(const RecordBatchHeader& h, size_t position, bool valid,
                std::ostream& out) {
  const int32_t last_sequence = h.base_sequence == kNoSequence
                                    ? kNoSequence
                                    : h.base_sequence + h.last_offset_delta;
  out << "baseOffset: " << h.base_offset << " lastOffset: " << h.LastOffset()
      << " count: " << h.records_count << " baseSequence: " << h.base_sequence
      << " lastSequence: " << last_sequence << " producerId: " << h.producer_id
      << " producerEpoch: " << h.producer_epoch
      << " partitionLeaderEpoch: " << h.partition_leader_epoch
      << " isTransactional: " << Bool(h.attributes & kTransactionalFlag)
      << " isControl: " << Bool(IsControlBatch(h))
      << " deleteHorizonMs: OptionalLong.empty position: " << position
      << " CreateTime: " << h.max_timestamp << " size: " << h.SizeInBytes()
      << " magic: " << int(h.magic) << " compresscodec: " << CodecName(h)
      << " crc: " << h.crc << " isvalid: " << Bool(valid) << "\n";
}

// "| offset: ... headerKeys: [] ", the part every record line shares.
void PrintRecordPrefix(const RecordBatch& batch, const Record& record,
                       std::ostream& out) {
  const RecordBatchHeader& h = batch.header;
  out << "| offset: " << h.base_offset + record.offset_delta
      << " CreateTime: " << h.base_timestamp + record.timestamp_delta
      << " keySize: " << (record.key ? int(record.key->size()) : -1)
      << " valueSize: " << (record.value ? int(record.value->size()) : -1)
      << " sequence: "
      << (h.base_sequence == kNoSequence
              ? kNoSequence
              : h.base_sequence + record.offset_delta)
      << " headerKeys: [] ";
}

std::string VoterList(const std::vector<NodeId>& voters) {
  std::string text = "[";
  for (size_t i = 0; i < voters.size(); ++i) {
    text += std::string(i ? "," : "") +
            "{\"voterId\":" + std::to_string(voters[i]) + "}";
  }
  return text + "]";
}

// A control batch's one record, as Kafka's decoder prints it.
bool PrintControlRecord(const RecordBatch& batch, std::ostream& out) {
  Result<ControlRecordType> type = ControlTypeOf(batch);
  if (!type.ok()) {
    out << "invalid: " << type.error().ToString() << "\n";
    return false;
  }
  switch (*type) {
    case ControlRecordType::kLeaderChange: {
      Result<LeaderChangeMessage> change = DecodeLeaderChange(batch);
      if (!change.ok()) {
        out << "invalid: " << change.error().ToString() << "\n";
        return false;
      }
      out << "LeaderChange: {\"version\":0,\"leaderId\":" << change->leader_id
          << ",\"voters\":" << VoterList(change->voters)
          << ",\"grantingVoters\":" << VoterList(change->granting_voters)
          << "}\n";
      return true;
    }
    case ControlRecordType::kSnapshotHeader:
      out << "SnapshotHeader\n";
      return true;
    case ControlRecordType::kSnapshotFooter:
      out << "SnapshotFooter\n";
      return true;
  }
  return true;
}

// A data record: one metadata record, framed as MetadataRecordSerde.
bool PrintMetadataRecord(const Record& record, std::ostream& out) {
  if (!record.value) {
    out << "invalid: a metadata record with a null value\n";
    return false;
  }
  Result<MetadataRecord> decoded = DecodeMetadataRecord(*record.value);
  if (!decoded.ok()) {
    out << "invalid: " << decoded.error().ToString() << "\n";
    return false;
  }
  out << "payload: " << Describe(*decoded) << "\n";
  return true;
}

bool PrintRecords(const RecordBatch& batch, std::ostream& out) {
  bool valid = true;
  for (const Record& record : batch.records) {
    PrintRecordPrefix(batch, record, out);
    valid &= IsControlBatch(batch.header) ? PrintControlRecord(batch, out)
                                          : PrintMetadataRecord(record, out);
  }
  return valid;
}

}  // namespace

bool DumpMetadataLog(ByteView contents, std::ostream& out) {
  size_t position = 0;
  bool valid = true;
  while (position < contents.size()) {
    ByteView rest = contents.subspan(position);
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
    PrintBatch(*header, position, batch.ok(), out);
    if (!batch.ok()) {
      out << "invalid: " << batch.error().ToString() << "\n";
      return false;
    }
    valid &= PrintRecords(*batch, out);
    position += bytes.size();
  }
  return valid;
}

}  // namespace kafka
