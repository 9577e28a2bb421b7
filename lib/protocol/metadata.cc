#include "lib/protocol/metadata.h"

namespace kafka {
namespace {

void WriteInt32Array(WireWriter& writer, const std::vector<int32_t>& values) {
  WriteArray(writer, values, [&](int32_t v) { writer.WriteInt32(v); });
}

std::vector<int32_t> ReadInt32Array(WireReader& reader,
                                    std::string_view field) {
  return ReadArray<int32_t>(reader, field, 4,
                            [&] { return reader.ReadInt32(field); });
}

}  // namespace

void MetadataRequest::Write(WireWriter& writer, int16_t version) const {
  if (!topics) {
    writer.WriteArrayLength(version == 0 ? 0 : -1);
  } else {
    WriteArray(writer, *topics,
               [&](const std::string& name) { writer.WriteString(name); });
  }
  if (version >= 4) writer.WriteBool(allow_auto_topic_creation);
}

MetadataRequest MetadataRequest::Read(WireReader& reader, int16_t version) {
  MetadataRequest request;
  int32_t count = reader.ReadArrayLength("topics", 2);
  bool all_topics = count < 0 || (version == 0 && count == 0);
  if (!all_topics) {
    request.topics.emplace();
    for (int32_t i = 0; i < count && reader.ok(); ++i) {
      request.topics->push_back(reader.ReadString("name"));
    }
  }
  if (version >= 4) {
    request.allow_auto_topic_creation =
        reader.ReadBool("allow_auto_topic_creation");
  }
  return request;
}

void MetadataResponse::Write(WireWriter& writer, int16_t version) const {
  if (version >= 3) writer.WriteInt32(throttle_time_ms);
  WriteArray(writer, brokers, [&](const Broker& b) {
    writer.WriteInt32(b.node_id);
    writer.WriteString(b.host);
    writer.WriteInt32(b.port);
    if (version >= 1) writer.WriteNullableString(b.rack);
  });
  if (version >= 2) writer.WriteNullableString(cluster_id);
  if (version >= 1) writer.WriteInt32(controller_id);
  WriteArray(writer, topics, [&](const Topic& t) {
    writer.WriteInt16(static_cast<int16_t>(t.error_code));
    writer.WriteString(t.name);
    if (version >= 1) writer.WriteBool(t.is_internal);
    WriteArray(writer, t.partitions, [&](const Partition& p) {
      writer.WriteInt16(static_cast<int16_t>(p.error_code));
      writer.WriteInt32(p.partition_index);
      writer.WriteInt32(p.leader_id);
      WriteInt32Array(writer, p.replica_nodes);
      WriteInt32Array(writer, p.isr_nodes);
    });
  });
}

MetadataResponse MetadataResponse::Read(WireReader& reader, int16_t version) {
  MetadataResponse response;
  if (version >= 3)
    response.throttle_time_ms = reader.ReadInt32("throttle_time_ms");
  response.brokers = ReadArray<Broker>(reader, "brokers", 10, [&] {
    Broker b;
    b.node_id = reader.ReadInt32("node_id");
    b.host = reader.ReadString("host");
    b.port = reader.ReadInt32("port");
    if (version >= 1) b.rack = reader.ReadNullableString("rack");
    return b;
  });
  if (version >= 2)
    response.cluster_id = reader.ReadNullableString("cluster_id");
  if (version >= 1) response.controller_id = reader.ReadInt32("controller_id");
  response.topics = ReadArray<Topic>(reader, "topics", 8, [&] {
    Topic t;
    t.error_code = static_cast<ErrorCode>(reader.ReadInt16("error_code"));
    t.name = reader.ReadString("name");
    if (version >= 1) t.is_internal = reader.ReadBool("is_internal");
    t.partitions = ReadArray<Partition>(reader, "partitions", 18, [&] {
      Partition p;
      p.error_code = static_cast<ErrorCode>(reader.ReadInt16("error_code"));
      p.partition_index = reader.ReadInt32("partition_index");
      p.leader_id = reader.ReadInt32("leader_id");
      p.replica_nodes = ReadInt32Array(reader, "replica_nodes");
      p.isr_nodes = ReadInt32Array(reader, "isr_nodes");
      return p;
    });
    return t;
  });
  return response;
}

}  // namespace kafka
