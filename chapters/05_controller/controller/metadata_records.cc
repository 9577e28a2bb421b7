#include "chapters/05_controller/controller/metadata_records.h"

#include <optional>
#include <sstream>
#include <vector>

#include "lib/protocol/wire.h"

namespace kafka {
namespace {

// ---- Framing ----------------------------------------------------------------

// Reads the body of the record type whose api key is `api_key`, trying the
// variant's types in turn: the list of known types is MetadataRecord's.
template <size_t kIndex = 0>
Result<MetadataRecord> ReadBody(int16_t api_key, int16_t version,
                                WireReader& reader) {
  if constexpr (kIndex == std::variant_size_v<MetadataRecord>) {
    return Error{ErrorCode::kUnsupportedVersion,
                 "unknown metadata record type " + std::to_string(api_key)};
  } else {
    using Record = std::variant_alternative_t<kIndex, MetadataRecord>;
    if (api_key != Record::kApiKey) {
      return ReadBody<kIndex + 1>(api_key, version, reader);
    }
    if (version < Record::kMinVersion || version > Record::kMaxVersion) {
      return Error{ErrorCode::kUnsupportedVersion,
                   "metadata record type " + std::to_string(api_key) +
                       " has no version " + std::to_string(version)};
    }
    return MetadataRecord(Record::Read(reader, version));
  }
}

Error Corrupt(const std::string& problem) {
  return Error{ErrorCode::kCorruptMessage, "metadata record: " + problem};
}

// ---- Describe ---------------------------------------------------------------

std::string List(const std::vector<int32_t>& ids) {
  std::string out = "[";
  for (size_t i = 0; i < ids.size(); ++i) {
    out += (i ? ", " : "") + std::to_string(ids[i]);
  }
  return out + "]";
}

std::string List(const std::optional<std::vector<int32_t>>& ids) {
  return ids ? List(*ids) : "null";
}

std::string Quoted(const std::optional<std::string>& text) {
  return text ? "\"" + *text + "\"" : "null";
}

std::string Describe(const RegisterBrokerRecord& r) {
  std::string endpoints;
  for (const auto& endpoint : r.end_points) {
    endpoints += (endpoints.empty() ? "" : ", ") + endpoint.name + "://" +
                 endpoint.host + ":" + std::to_string(endpoint.port);
  }
  return "RegisterBrokerRecord(broker_id=" + std::to_string(r.broker_id) +
         ", broker_epoch=" + std::to_string(r.broker_epoch) +
         ", incarnation_id=" + r.incarnation_id.ToString() + ", end_points=[" +
         endpoints + "], rack=" + Quoted(r.rack) +
         ", fenced=" + (r.fenced ? "true" : "false") +
         ", in_controlled_shutdown=" +
         (r.in_controlled_shutdown ? "true" : "false") + ")";
}

std::string Describe(const TopicRecord& r) {
  return "TopicRecord(name=\"" + r.name +
         "\", topic_id=" + r.topic_id.ToString() + ")";
}

std::string Describe(const PartitionRecord& r) {
  return "PartitionRecord(topic_id=" + r.topic_id.ToString() +
         ", partition_id=" + std::to_string(r.partition_id) +
         ", replicas=" + List(r.replicas) + ", isr=" + List(r.isr) +
         ", leader=" + std::to_string(r.leader) +
         ", leader_epoch=" + std::to_string(r.leader_epoch) +
         ", partition_epoch=" + std::to_string(r.partition_epoch) +
         ", leader_recovery_state=" + std::to_string(r.leader_recovery_state) +
         ")";
}

std::string Describe(const ConfigRecord& r) {
  return "ConfigRecord(resource_type=" + std::to_string(r.resource_type) +
         ", resource_name=\"" + r.resource_name + "\", name=\"" + r.name +
         "\", value=" + Quoted(r.value) + ")";
}

// Only the fields that changed, as Kafka's dump tools print the record.
std::string Describe(const PartitionChangeRecord& r) {
  std::string out = "PartitionChangeRecord(topic_id=" + r.topic_id.ToString() +
                    ", partition_id=" + std::to_string(r.partition_id);
  if (r.leader != -2) out += ", leader=" + std::to_string(r.leader);
  if (r.isr) out += ", isr=" + List(r.isr);
  if (r.replicas) out += ", replicas=" + List(r.replicas);
  if (r.leader_recovery_state != -1) {
    out += ", leader_recovery_state=" + std::to_string(r.leader_recovery_state);
  }
  return out + ")";
}

std::string Describe(const FenceBrokerRecord& r) {
  return "FenceBrokerRecord(id=" + std::to_string(r.id) +
         ", epoch=" + std::to_string(r.epoch) + ")";
}

std::string Describe(const UnfenceBrokerRecord& r) {
  return "UnfenceBrokerRecord(id=" + std::to_string(r.id) +
         ", epoch=" + std::to_string(r.epoch) + ")";
}

std::string Describe(const RemoveTopicRecord& r) {
  return "RemoveTopicRecord(topic_id=" + r.topic_id.ToString() + ")";
}

std::string Describe(const FeatureLevelRecord& r) {
  return "FeatureLevelRecord(name=\"" + r.name +
         "\", feature_level=" + std::to_string(r.feature_level) + ")";
}

std::string Describe(const ProducerIdsRecord& r) {
  return "ProducerIdsRecord(broker_id=" + std::to_string(r.broker_id) +
         ", broker_epoch=" + std::to_string(r.broker_epoch) +
         ", next_producer_id=" + std::to_string(r.next_producer_id) + ")";
}

std::string Describe(const BrokerRegistrationChangeRecord& r) {
  return "BrokerRegistrationChangeRecord(broker_id=" +
         std::to_string(r.broker_id) +
         ", broker_epoch=" + std::to_string(r.broker_epoch) +
         ", fenced=" + std::to_string(r.fenced) + ", in_controlled_shutdown=" +
         std::to_string(r.in_controlled_shutdown) + ")";
}

std::string Describe(const NoOpRecord&) { return "NoOpRecord()"; }

}  // namespace

int16_t RecordVersion(const MetadataRecord& record) {
  return std::visit([](const auto& r) { return r.kMaxVersion; }, record);
}

int16_t RecordApiKey(const MetadataRecord& record) {
  return std::visit([](const auto& r) { return r.kApiKey; }, record);
}

//! [metadata record serde]
Bytes EncodeMetadataRecord(const MetadataRecord& record) {
  Bytes out;
  WireWriter writer(out, /*flexible=*/true);
  writer.WriteUnsignedVarint(kMetadataRecordFrameVersion);
  writer.WriteUnsignedVarint(uint32_t(RecordApiKey(record)));
  const int16_t version = RecordVersion(record);
  writer.WriteUnsignedVarint(uint32_t(version));
  std::visit([&](const auto& r) { r.Write(writer, version); }, record);
  return out;
}

Result<MetadataRecord> DecodeMetadataRecord(ByteView bytes) {
  WireReader reader(bytes, /*flexible=*/true);
  const uint32_t frame = reader.ReadUnsignedVarint("frame_version");
  const uint32_t api_key = reader.ReadUnsignedVarint("api_key");
  const uint32_t version = reader.ReadUnsignedVarint("version");
  if (!reader.ok()) return Corrupt(reader.error());
  if (frame != kMetadataRecordFrameVersion) {
    return Corrupt("unknown frame version " + std::to_string(frame));
  }
  if (api_key > uint32_t(INT16_MAX) || version > uint32_t(INT16_MAX)) {
    return Corrupt("api key or version out of range");
  }
  Result<MetadataRecord> record =
      ReadBody(int16_t(api_key), int16_t(version), reader);
  if (!record.ok()) return record;
  if (!reader.ok()) return Corrupt(reader.error());
  if (reader.remaining() != 0) {
    return Corrupt(std::to_string(reader.remaining()) +
                   " bytes after the record");
  }
  return record;
}
//! [metadata record serde]

std::string Describe(const MetadataRecord& record) {
  return std::visit([](const auto& r) { return Describe(r); }, record);
}

}  // namespace kafka
