#include "chapters/05_controller/raft/control_records.h"

#include <string>

#include "lib/protocol/wire.h"

namespace kafka {
namespace {

constexpr int16_t kControlRecordKeyVersion = 0;
constexpr int16_t kMessageVersion = 0;

Bytes ControlKey(ControlRecordType type) {
  Bytes key;
  ByteWriter writer(key);
  writer.WriteInt16(kControlRecordKeyVersion);
  writer.WriteInt16(int16_t(type));
  return key;
}

Bytes ControlBatch(ControlRecordType type, Bytes value, int64_t timestamp_ms,
                   int64_t base_offset) {
  RecordBatch batch = MakeBatch(
      {SimpleRecord{timestamp_ms, ControlKey(type), std::move(value), {}}},
      base_offset);
  batch.header.attributes |= kControlFlag;
  return EncodeRecordBatch(batch);
}

void WriteVoters(WireWriter& writer, const std::vector<NodeId>& voters) {
  writer.WriteArrayLength(int32_t(voters.size()));
  for (NodeId voter : voters) {
    writer.WriteInt32(voter);
    writer.WriteTaggedFields();
  }
}

std::vector<NodeId> ReadVoters(WireReader& reader) {
  std::vector<NodeId> voters;
  const int32_t count = reader.ReadArrayLength("voters", 5);
  for (int32_t i = 0; i < count && reader.ok(); ++i) {
    voters.push_back(reader.ReadInt32("voter_id"));
    reader.SkipTaggedFields();
  }
  return voters;
}

Error Corrupt(const std::string& why) {
  return Error{ErrorCode::kCorruptMessage, "control record: " + why};
}

}  // namespace

Bytes MakeLeaderChangeBatch(const LeaderChangeMessage& message,
                            int64_t timestamp_ms) {
  Bytes value;
  WireWriter writer(value, /*flexible=*/true);
  writer.WriteInt16(kMessageVersion);
  writer.WriteInt32(message.leader_id);
  WriteVoters(writer, message.voters);
  WriteVoters(writer, message.granting_voters);
  writer.WriteTaggedFields();
  return ControlBatch(ControlRecordType::kLeaderChange, std::move(value),
                      timestamp_ms, 0);
}

Bytes MakeSnapshotHeaderBatch(int64_t last_contained_log_timestamp,
                              int64_t base_offset) {
  Bytes value;
  WireWriter writer(value, /*flexible=*/true);
  writer.WriteInt16(kMessageVersion);
  writer.WriteInt64(last_contained_log_timestamp);
  writer.WriteTaggedFields();
  return ControlBatch(ControlRecordType::kSnapshotHeader, std::move(value),
                      last_contained_log_timestamp, base_offset);
}

Bytes MakeSnapshotFooterBatch(int64_t base_offset) {
  Bytes value;
  WireWriter writer(value, /*flexible=*/true);
  writer.WriteInt16(kMessageVersion);
  writer.WriteTaggedFields();
  return ControlBatch(ControlRecordType::kSnapshotFooter, std::move(value), 0,
                      base_offset);
}

Result<ControlRecordType> ControlTypeOf(const RecordBatch& batch) {
  if (batch.records.size() != 1 || !batch.records[0].key) {
    return Corrupt("a control batch holds one record with a key");
  }
  ByteReader reader(*batch.records[0].key);
  reader.ReadInt16("control record key version");
  const int16_t type = reader.ReadInt16("control record type");
  if (!reader.ok()) return Corrupt(reader.error());
  return ControlRecordType(type);
}

Result<LeaderChangeMessage> DecodeLeaderChange(const RecordBatch& batch) {
  if (batch.records.size() != 1 || !batch.records[0].value) {
    return Corrupt("a LeaderChange batch holds one record with a value");
  }
  WireReader reader(*batch.records[0].value, /*flexible=*/true);
  reader.ReadInt16("version");
  LeaderChangeMessage message;
  message.leader_id = reader.ReadInt32("leader_id");
  message.voters = ReadVoters(reader);
  message.granting_voters = ReadVoters(reader);
  reader.SkipTaggedFields();
  if (!reader.ok()) return Corrupt(reader.error());
  return message;
}

}  // namespace kafka
