#include "lib/protocol/list_offsets.h"

namespace kafka {

void ListOffsetsRequest::Write(WireWriter& writer, int16_t version) const {
  writer.WriteInt32(replica_id);
  if (version >= 2) writer.WriteInt8(isolation_level);
  WriteArray(writer, topics, [&](const Topic& topic) {
    writer.WriteString(topic.name);
    WriteArray(writer, topic.partitions, [&](const Partition& p) {
      writer.WriteInt32(p.partition_index);
      writer.WriteInt64(p.timestamp);
    });
  });
}

ListOffsetsRequest ListOffsetsRequest::Read(WireReader& reader,
                                            int16_t version) {
  ListOffsetsRequest request;
  request.replica_id = reader.ReadInt32("replica_id");
  if (version >= 2)
    request.isolation_level = reader.ReadInt8("isolation_level");
  request.topics = ReadArray<Topic>(reader, "topics", 6, [&] {
    Topic topic;
    topic.name = reader.ReadString("name");
    topic.partitions = ReadArray<Partition>(reader, "partitions", 12, [&] {
      Partition p;
      p.partition_index = reader.ReadInt32("partition_index");
      p.timestamp = reader.ReadInt64("timestamp");
      return p;
    });
    return topic;
  });
  return request;
}

void ListOffsetsResponse::Write(WireWriter& writer, int16_t version) const {
  if (version >= 2) writer.WriteInt32(throttle_time_ms);
  WriteArray(writer, topics, [&](const Topic& topic) {
    writer.WriteString(topic.name);
    WriteArray(writer, topic.partitions, [&](const Partition& p) {
      writer.WriteInt32(p.partition_index);
      writer.WriteInt16(static_cast<int16_t>(p.error_code));
      writer.WriteInt64(p.timestamp);
      writer.WriteInt64(p.offset);
    });
  });
}

ListOffsetsResponse ListOffsetsResponse::Read(WireReader& reader,
                                              int16_t version) {
  ListOffsetsResponse response;
  if (version >= 2)
    response.throttle_time_ms = reader.ReadInt32("throttle_time_ms");
  response.topics = ReadArray<Topic>(reader, "topics", 6, [&] {
    Topic topic;
    topic.name = reader.ReadString("name");
    topic.partitions = ReadArray<Partition>(reader, "partitions", 22, [&] {
      Partition p;
      p.partition_index = reader.ReadInt32("partition_index");
      p.error_code = static_cast<ErrorCode>(reader.ReadInt16("error_code"));
      p.timestamp = reader.ReadInt64("timestamp");
      p.offset = reader.ReadInt64("offset");
      return p;
    });
    return topic;
  });
  return response;
}

}  // namespace kafka
