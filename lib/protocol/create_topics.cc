#include "lib/protocol/create_topics.h"

namespace kafka {
namespace {

void WriteBrokerIds(WireWriter& writer, const std::vector<int32_t>& ids) {
  WriteArray(writer, ids, [&](int32_t id) { writer.WriteInt32(id); });
}

std::vector<int32_t> ReadBrokerIds(WireReader& reader) {
  return ReadArray<int32_t>(reader, "broker_ids", 4,
                            [&] { return reader.ReadInt32("broker_id"); });
}

// The per-topic results of both APIs have the same shape.
template <typename Result>
void WriteResults(WireWriter& writer, const std::vector<Result>& results,
                  bool with_message) {
  WriteArray(writer, results, [&](const Result& r) {
    writer.WriteString(r.name);
    writer.WriteInt16(static_cast<int16_t>(r.error_code));
    if (with_message) writer.WriteNullableString(r.error_message);
  });
}

template <typename Result>
std::vector<Result> ReadResults(WireReader& reader, std::string_view field,
                                bool with_message) {
  return ReadArray<Result>(reader, field, 4, [&] {
    Result r;
    r.name = reader.ReadString("name");
    r.error_code = static_cast<ErrorCode>(reader.ReadInt16("error_code"));
    if (with_message)
      r.error_message = reader.ReadNullableString("error_message");
    return r;
  });
}

}  // namespace

void CreateTopicsRequest::Write(WireWriter& writer, int16_t version) const {
  WriteArray(writer, topics, [&](const Topic& t) {
    writer.WriteString(t.name);
    writer.WriteInt32(t.num_partitions);
    writer.WriteInt16(t.replication_factor);
    WriteArray(writer, t.assignments, [&](const Assignment& a) {
      writer.WriteInt32(a.partition_index);
      WriteBrokerIds(writer, a.broker_ids);
    });
    WriteArray(writer, t.configs, [&](const Config& c) {
      writer.WriteString(c.name);
      writer.WriteNullableString(c.value);
    });
  });
  writer.WriteInt32(timeout_ms);
  if (version >= 1) writer.WriteBool(validate_only);
}

CreateTopicsRequest CreateTopicsRequest::Read(WireReader& reader,
                                              int16_t version) {
  CreateTopicsRequest request;
  request.topics = ReadArray<Topic>(reader, "topics", 16, [&] {
    Topic t;
    t.name = reader.ReadString("name");
    t.num_partitions = reader.ReadInt32("num_partitions");
    t.replication_factor = reader.ReadInt16("replication_factor");
    t.assignments = ReadArray<Assignment>(reader, "assignments", 8, [&] {
      Assignment a;
      a.partition_index = reader.ReadInt32("partition_index");
      a.broker_ids = ReadBrokerIds(reader);
      return a;
    });
    t.configs = ReadArray<Config>(reader, "configs", 4, [&] {
      Config c;
      c.name = reader.ReadString("name");
      c.value = reader.ReadNullableString("value");
      return c;
    });
    return t;
  });
  request.timeout_ms = reader.ReadInt32("timeout_ms");
  if (version >= 1) request.validate_only = reader.ReadBool("validate_only");
  return request;
}

void CreateTopicsResponse::Write(WireWriter& writer, int16_t version) const {
  if (version >= 2) writer.WriteInt32(throttle_time_ms);
  WriteResults(writer, topics, version >= 1);
}

CreateTopicsResponse CreateTopicsResponse::Read(WireReader& reader,
                                                int16_t version) {
  CreateTopicsResponse response;
  if (version >= 2)
    response.throttle_time_ms = reader.ReadInt32("throttle_time_ms");
  response.topics = ReadResults<Result>(reader, "topics", version >= 1);
  return response;
}

void CreatePartitionsRequest::Write(WireWriter& writer, int16_t) const {
  WriteArray(writer, topics, [&](const Topic& t) {
    writer.WriteString(t.name);
    writer.WriteInt32(t.count);
    if (!t.assignments) {
      writer.WriteArrayLength(-1);
    } else {
      WriteArray(writer, *t.assignments, [&](const std::vector<int32_t>& ids) {
        WriteBrokerIds(writer, ids);
      });
    }
  });
  writer.WriteInt32(timeout_ms);
  writer.WriteBool(validate_only);
}

CreatePartitionsRequest CreatePartitionsRequest::Read(WireReader& reader,
                                                      int16_t) {
  CreatePartitionsRequest request;
  request.topics = ReadArray<Topic>(reader, "topics", 10, [&] {
    Topic t;
    t.name = reader.ReadString("name");
    t.count = reader.ReadInt32("count");
    int32_t assignments = reader.ReadArrayLength("assignments", 4);
    if (assignments >= 0) {
      t.assignments.emplace();
      for (int32_t i = 0; i < assignments && reader.ok(); ++i) {
        t.assignments->push_back(ReadBrokerIds(reader));
      }
    }
    return t;
  });
  request.timeout_ms = reader.ReadInt32("timeout_ms");
  request.validate_only = reader.ReadBool("validate_only");
  return request;
}

void CreatePartitionsResponse::Write(WireWriter& writer, int16_t) const {
  writer.WriteInt32(throttle_time_ms);
  WriteResults(writer, results, /*with_message=*/true);
}

CreatePartitionsResponse CreatePartitionsResponse::Read(WireReader& reader,
                                                        int16_t) {
  CreatePartitionsResponse response;
  response.throttle_time_ms = reader.ReadInt32("throttle_time_ms");
  response.results =
      ReadResults<Result>(reader, "results", /*with_message=*/true);
  return response;
}

}  // namespace kafka
