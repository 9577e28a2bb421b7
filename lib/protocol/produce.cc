#include "lib/protocol/produce.h"

namespace kafka {

void ProduceRequest::Write(WireWriter& writer, int16_t) const {
  writer.WriteNullableString(transactional_id);
  writer.WriteInt16(acks);
  writer.WriteInt32(timeout_ms);
  WriteArray(writer, topic_data, [&](const TopicData& topic) {
    writer.WriteString(topic.name);
    WriteArray(writer, topic.partition_data, [&](const PartitionData& p) {
      writer.WriteInt32(p.index);
      writer.WriteNullableBytes(p.records);
    });
  });
}

ProduceRequest ProduceRequest::Read(WireReader& reader, int16_t) {
  ProduceRequest request;
  request.transactional_id = reader.ReadNullableString("transactional_id");
  request.acks = reader.ReadInt16("acks");
  request.timeout_ms = reader.ReadInt32("timeout_ms");
  request.topic_data = ReadArray<TopicData>(reader, "topic_data", 4, [&] {
    TopicData topic;
    topic.name = reader.ReadString("name");
    topic.partition_data =
        ReadArray<PartitionData>(reader, "partition_data", 8, [&] {
          PartitionData p;
          p.index = reader.ReadInt32("index");
          p.records = reader.ReadNullableBytes("records");
          return p;
        });
    return topic;
  });
  return request;
}

void ProduceResponse::Write(WireWriter& writer, int16_t version) const {
  WriteArray(writer, responses, [&](const TopicResponse& topic) {
    writer.WriteString(topic.name);
    WriteArray(writer, topic.partition_responses,
               [&](const PartitionResponse& p) {
                 writer.WriteInt32(p.index);
                 writer.WriteInt16(static_cast<int16_t>(p.error_code));
                 writer.WriteInt64(p.base_offset);
                 writer.WriteInt64(p.log_append_time_ms);
                 if (version >= 5) writer.WriteInt64(p.log_start_offset);
               });
  });
  writer.WriteInt32(throttle_time_ms);
}

ProduceResponse ProduceResponse::Read(WireReader& reader, int16_t version) {
  ProduceResponse response;
  response.responses = ReadArray<TopicResponse>(reader, "responses", 6, [&] {
    TopicResponse topic;
    topic.name = reader.ReadString("name");
    topic.partition_responses =
        ReadArray<PartitionResponse>(reader, "partition_responses", 22, [&] {
          PartitionResponse p;
          p.index = reader.ReadInt32("index");
          p.error_code = static_cast<ErrorCode>(reader.ReadInt16("error_code"));
          p.base_offset = reader.ReadInt64("base_offset");
          p.log_append_time_ms = reader.ReadInt64("log_append_time_ms");
          if (version >= 5)
            p.log_start_offset = reader.ReadInt64("log_start_offset");
          return p;
        });
    return topic;
  });
  response.throttle_time_ms = reader.ReadInt32("throttle_time_ms");
  return response;
}

}  // namespace kafka
