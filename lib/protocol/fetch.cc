#include "lib/protocol/fetch.h"

namespace kafka {

void FetchRequest::Write(WireWriter& writer, int16_t version) const {
  writer.WriteInt32(replica_id);
  writer.WriteInt32(max_wait_ms);
  writer.WriteInt32(min_bytes);
  writer.WriteInt32(max_bytes);
  writer.WriteInt8(isolation_level);
  WriteArray(writer, topics, [&](const Topic& topic) {
    writer.WriteString(topic.topic);
    WriteArray(writer, topic.partitions, [&](const Partition& p) {
      writer.WriteInt32(p.partition);
      writer.WriteInt64(p.fetch_offset);
      if (version >= 5) writer.WriteInt64(p.log_start_offset);
      writer.WriteInt32(p.partition_max_bytes);
    });
  });
}

FetchRequest FetchRequest::Read(WireReader& reader, int16_t version) {
  FetchRequest request;
  request.replica_id = reader.ReadInt32("replica_id");
  request.max_wait_ms = reader.ReadInt32("max_wait_ms");
  request.min_bytes = reader.ReadInt32("min_bytes");
  request.max_bytes = reader.ReadInt32("max_bytes");
  request.isolation_level = reader.ReadInt8("isolation_level");
  request.topics = ReadArray<Topic>(reader, "topics", 6, [&] {
    Topic topic;
    topic.topic = reader.ReadString("topic");
    topic.partitions = ReadArray<Partition>(reader, "partitions", 16, [&] {
      Partition p;
      p.partition = reader.ReadInt32("partition");
      p.fetch_offset = reader.ReadInt64("fetch_offset");
      if (version >= 5)
        p.log_start_offset = reader.ReadInt64("log_start_offset");
      p.partition_max_bytes = reader.ReadInt32("partition_max_bytes");
      return p;
    });
    return topic;
  });
  return request;
}

void FetchResponse::Write(WireWriter& writer, int16_t version) const {
  writer.WriteInt32(throttle_time_ms);
  WriteArray(writer, responses, [&](const Topic& topic) {
    writer.WriteString(topic.topic);
    WriteArray(writer, topic.partitions, [&](const Partition& p) {
      writer.WriteInt32(p.partition_index);
      writer.WriteInt16(static_cast<int16_t>(p.error_code));
      writer.WriteInt64(p.high_watermark);
      writer.WriteInt64(p.last_stable_offset);
      if (version >= 5) writer.WriteInt64(p.log_start_offset);
      if (!p.aborted_transactions) {
        writer.WriteArrayLength(-1);
      } else {
        WriteArray(writer, *p.aborted_transactions,
                   [&](const AbortedTransaction& t) {
                     writer.WriteInt64(t.producer_id);
                     writer.WriteInt64(t.first_offset);
                   });
      }
      writer.WriteNullableBytes(p.records);
    });
  });
}

FetchResponse FetchResponse::Read(WireReader& reader, int16_t version) {
  FetchResponse response;
  response.throttle_time_ms = reader.ReadInt32("throttle_time_ms");
  response.responses = ReadArray<Topic>(reader, "responses", 6, [&] {
    Topic topic;
    topic.topic = reader.ReadString("topic");
    topic.partitions = ReadArray<Partition>(reader, "partitions", 30, [&] {
      Partition p;
      p.partition_index = reader.ReadInt32("partition_index");
      p.error_code = static_cast<ErrorCode>(reader.ReadInt16("error_code"));
      p.high_watermark = reader.ReadInt64("high_watermark");
      p.last_stable_offset = reader.ReadInt64("last_stable_offset");
      if (version >= 5)
        p.log_start_offset = reader.ReadInt64("log_start_offset");
      int32_t aborted = reader.ReadArrayLength("aborted_transactions", 16);
      if (aborted >= 0) {
        p.aborted_transactions.emplace();
        for (int32_t i = 0; i < aborted && reader.ok(); ++i) {
          AbortedTransaction t;
          t.producer_id = reader.ReadInt64("producer_id");
          t.first_offset = reader.ReadInt64("first_offset");
          p.aborted_transactions->push_back(t);
        }
      }
      p.records = reader.ReadNullableBytes("records");
      return p;
    });
    return topic;
  });
  return response;
}

}  // namespace kafka
