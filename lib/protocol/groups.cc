#include "lib/protocol/groups.h"

namespace kafka {

void FindCoordinatorRequest::Write(WireWriter& writer, int16_t version) const {
  writer.WriteString(key);
  if (version >= 1) writer.WriteInt8(key_type);
}

FindCoordinatorRequest FindCoordinatorRequest::Read(WireReader& reader,
                                                    int16_t version) {
  FindCoordinatorRequest request;
  request.key = reader.ReadString("key");
  if (version >= 1) request.key_type = reader.ReadInt8("key_type");
  return request;
}

void FindCoordinatorResponse::Write(WireWriter& writer, int16_t version) const {
  if (version >= 1) writer.WriteInt32(throttle_time_ms);
  writer.WriteInt16(static_cast<int16_t>(error_code));
  if (version >= 1) writer.WriteNullableString(error_message);
  writer.WriteInt32(node_id);
  writer.WriteString(host);
  writer.WriteInt32(port);
}

FindCoordinatorResponse FindCoordinatorResponse::Read(WireReader& reader,
                                                      int16_t version) {
  FindCoordinatorResponse response;
  if (version >= 1)
    response.throttle_time_ms = reader.ReadInt32("throttle_time_ms");
  response.error_code = static_cast<ErrorCode>(reader.ReadInt16("error_code"));
  if (version >= 1)
    response.error_message = reader.ReadNullableString("error_message");
  response.node_id = reader.ReadInt32("node_id");
  response.host = reader.ReadString("host");
  response.port = reader.ReadInt32("port");
  return response;
}

void JoinGroupRequest::Write(WireWriter& writer, int16_t version) const {
  writer.WriteString(group_id);
  writer.WriteInt32(session_timeout_ms);
  if (version >= 1) writer.WriteInt32(rebalance_timeout_ms);
  writer.WriteString(member_id);
  writer.WriteString(protocol_type);
  WriteArray(writer, protocols, [&](const Protocol& p) {
    writer.WriteString(p.name);
    writer.WriteBytes(p.metadata);
  });
}

JoinGroupRequest JoinGroupRequest::Read(WireReader& reader, int16_t version) {
  JoinGroupRequest request;
  request.group_id = reader.ReadString("group_id");
  request.session_timeout_ms = reader.ReadInt32("session_timeout_ms");
  request.rebalance_timeout_ms = version >= 1
                                     ? reader.ReadInt32("rebalance_timeout_ms")
                                     : request.session_timeout_ms;
  request.member_id = reader.ReadString("member_id");
  request.protocol_type = reader.ReadString("protocol_type");
  request.protocols = ReadArray<Protocol>(reader, "protocols", 6, [&] {
    Protocol p;
    p.name = reader.ReadString("name");
    p.metadata = reader.ReadBytes("metadata");
    return p;
  });
  return request;
}

void JoinGroupResponse::Write(WireWriter& writer, int16_t version) const {
  if (version >= 2) writer.WriteInt32(throttle_time_ms);
  writer.WriteInt16(static_cast<int16_t>(error_code));
  writer.WriteInt32(generation_id);
  writer.WriteString(protocol_name);
  writer.WriteString(leader);
  writer.WriteString(member_id);
  WriteArray(writer, members, [&](const Member& m) {
    writer.WriteString(m.member_id);
    writer.WriteBytes(m.metadata);
  });
}

JoinGroupResponse JoinGroupResponse::Read(WireReader& reader, int16_t version) {
  JoinGroupResponse response;
  if (version >= 2)
    response.throttle_time_ms = reader.ReadInt32("throttle_time_ms");
  response.error_code = static_cast<ErrorCode>(reader.ReadInt16("error_code"));
  response.generation_id = reader.ReadInt32("generation_id");
  response.protocol_name = reader.ReadString("protocol_name");
  response.leader = reader.ReadString("leader");
  response.member_id = reader.ReadString("member_id");
  response.members = ReadArray<Member>(reader, "members", 6, [&] {
    Member m;
    m.member_id = reader.ReadString("member_id");
    m.metadata = reader.ReadBytes("metadata");
    return m;
  });
  return response;
}

void SyncGroupRequest::Write(WireWriter& writer, int16_t) const {
  writer.WriteString(group_id);
  writer.WriteInt32(generation_id);
  writer.WriteString(member_id);
  WriteArray(writer, assignments, [&](const Assignment& a) {
    writer.WriteString(a.member_id);
    writer.WriteBytes(a.assignment);
  });
}

SyncGroupRequest SyncGroupRequest::Read(WireReader& reader, int16_t) {
  SyncGroupRequest request;
  request.group_id = reader.ReadString("group_id");
  request.generation_id = reader.ReadInt32("generation_id");
  request.member_id = reader.ReadString("member_id");
  request.assignments = ReadArray<Assignment>(reader, "assignments", 6, [&] {
    Assignment a;
    a.member_id = reader.ReadString("member_id");
    a.assignment = reader.ReadBytes("assignment");
    return a;
  });
  return request;
}

void SyncGroupResponse::Write(WireWriter& writer, int16_t version) const {
  if (version >= 1) writer.WriteInt32(throttle_time_ms);
  writer.WriteInt16(static_cast<int16_t>(error_code));
  writer.WriteBytes(assignment);
}

SyncGroupResponse SyncGroupResponse::Read(WireReader& reader, int16_t version) {
  SyncGroupResponse response;
  if (version >= 1)
    response.throttle_time_ms = reader.ReadInt32("throttle_time_ms");
  response.error_code = static_cast<ErrorCode>(reader.ReadInt16("error_code"));
  response.assignment = reader.ReadBytes("assignment");
  return response;
}

void HeartbeatRequest::Write(WireWriter& writer, int16_t) const {
  writer.WriteString(group_id);
  writer.WriteInt32(generation_id);
  writer.WriteString(member_id);
}

HeartbeatRequest HeartbeatRequest::Read(WireReader& reader, int16_t) {
  HeartbeatRequest request;
  request.group_id = reader.ReadString("group_id");
  request.generation_id = reader.ReadInt32("generation_id");
  request.member_id = reader.ReadString("member_id");
  return request;
}

void LeaveGroupRequest::Write(WireWriter& writer, int16_t) const {
  writer.WriteString(group_id);
  writer.WriteString(member_id);
}

LeaveGroupRequest LeaveGroupRequest::Read(WireReader& reader, int16_t) {
  LeaveGroupRequest request;
  request.group_id = reader.ReadString("group_id");
  request.member_id = reader.ReadString("member_id");
  return request;
}

void GroupErrorResponse::Write(WireWriter& writer, int16_t version) const {
  if (version >= 1) writer.WriteInt32(throttle_time_ms);
  writer.WriteInt16(static_cast<int16_t>(error_code));
}

GroupErrorResponse GroupErrorResponse::Read(WireReader& reader,
                                            int16_t version) {
  GroupErrorResponse response;
  if (version >= 1)
    response.throttle_time_ms = reader.ReadInt32("throttle_time_ms");
  response.error_code = static_cast<ErrorCode>(reader.ReadInt16("error_code"));
  return response;
}

void OffsetCommitRequest::Write(WireWriter& writer, int16_t) const {
  writer.WriteString(group_id);
  writer.WriteInt32(generation_id);
  writer.WriteString(member_id);
  writer.WriteInt64(retention_time_ms);
  WriteArray(writer, topics, [&](const Topic& t) {
    writer.WriteString(t.name);
    WriteArray(writer, t.partitions, [&](const Partition& p) {
      writer.WriteInt32(p.partition_index);
      writer.WriteInt64(p.committed_offset);
      writer.WriteNullableString(p.committed_metadata);
    });
  });
}

OffsetCommitRequest OffsetCommitRequest::Read(WireReader& reader, int16_t) {
  OffsetCommitRequest request;
  request.group_id = reader.ReadString("group_id");
  request.generation_id = reader.ReadInt32("generation_id");
  request.member_id = reader.ReadString("member_id");
  request.retention_time_ms = reader.ReadInt64("retention_time_ms");
  request.topics = ReadArray<Topic>(reader, "topics", 6, [&] {
    Topic t;
    t.name = reader.ReadString("name");
    t.partitions = ReadArray<Partition>(reader, "partitions", 14, [&] {
      Partition p;
      p.partition_index = reader.ReadInt32("partition_index");
      p.committed_offset = reader.ReadInt64("committed_offset");
      p.committed_metadata = reader.ReadNullableString("committed_metadata");
      return p;
    });
    return t;
  });
  return request;
}

void OffsetCommitResponse::Write(WireWriter& writer, int16_t) const {
  WriteArray(writer, topics, [&](const Topic& t) {
    writer.WriteString(t.name);
    WriteArray(writer, t.partitions, [&](const Partition& p) {
      writer.WriteInt32(p.partition_index);
      writer.WriteInt16(static_cast<int16_t>(p.error_code));
    });
  });
}

OffsetCommitResponse OffsetCommitResponse::Read(WireReader& reader, int16_t) {
  OffsetCommitResponse response;
  response.topics = ReadArray<Topic>(reader, "topics", 6, [&] {
    Topic t;
    t.name = reader.ReadString("name");
    t.partitions = ReadArray<Partition>(reader, "partitions", 6, [&] {
      Partition p;
      p.partition_index = reader.ReadInt32("partition_index");
      p.error_code = static_cast<ErrorCode>(reader.ReadInt16("error_code"));
      return p;
    });
    return t;
  });
  return response;
}

void OffsetFetchRequest::Write(WireWriter& writer, int16_t) const {
  writer.WriteString(group_id);
  WriteArray(writer, topics, [&](const Topic& t) {
    writer.WriteString(t.name);
    WriteArray(writer, t.partition_indexes,
               [&](int32_t p) { writer.WriteInt32(p); });
  });
}

OffsetFetchRequest OffsetFetchRequest::Read(WireReader& reader, int16_t) {
  OffsetFetchRequest request;
  request.group_id = reader.ReadString("group_id");
  request.topics = ReadArray<Topic>(reader, "topics", 6, [&] {
    Topic t;
    t.name = reader.ReadString("name");
    t.partition_indexes =
        ReadArray<int32_t>(reader, "partition_indexes", 4,
                           [&] { return reader.ReadInt32("partition_index"); });
    return t;
  });
  return request;
}

void OffsetFetchResponse::Write(WireWriter& writer, int16_t) const {
  WriteArray(writer, topics, [&](const Topic& t) {
    writer.WriteString(t.name);
    WriteArray(writer, t.partitions, [&](const Partition& p) {
      writer.WriteInt32(p.partition_index);
      writer.WriteInt64(p.committed_offset);
      writer.WriteNullableString(p.metadata);
      writer.WriteInt16(static_cast<int16_t>(p.error_code));
    });
  });
}

OffsetFetchResponse OffsetFetchResponse::Read(WireReader& reader, int16_t) {
  OffsetFetchResponse response;
  response.topics = ReadArray<Topic>(reader, "topics", 6, [&] {
    Topic t;
    t.name = reader.ReadString("name");
    t.partitions = ReadArray<Partition>(reader, "partitions", 16, [&] {
      Partition p;
      p.partition_index = reader.ReadInt32("partition_index");
      p.committed_offset = reader.ReadInt64("committed_offset");
      p.metadata = reader.ReadNullableString("metadata");
      p.error_code = static_cast<ErrorCode>(reader.ReadInt16("error_code"));
      return p;
    });
    return t;
  });
  return response;
}

void ListGroupsResponse::Write(WireWriter& writer, int16_t version) const {
  if (version >= 1) writer.WriteInt32(throttle_time_ms);
  writer.WriteInt16(static_cast<int16_t>(error_code));
  WriteArray(writer, groups, [&](const Group& g) {
    writer.WriteString(g.group_id);
    writer.WriteString(g.protocol_type);
  });
}

ListGroupsResponse ListGroupsResponse::Read(WireReader& reader,
                                            int16_t version) {
  ListGroupsResponse response;
  if (version >= 1)
    response.throttle_time_ms = reader.ReadInt32("throttle_time_ms");
  response.error_code = static_cast<ErrorCode>(reader.ReadInt16("error_code"));
  response.groups = ReadArray<Group>(reader, "groups", 4, [&] {
    Group g;
    g.group_id = reader.ReadString("group_id");
    g.protocol_type = reader.ReadString("protocol_type");
    return g;
  });
  return response;
}

void DescribeGroupsRequest::Write(WireWriter& writer, int16_t) const {
  WriteArray(writer, groups,
             [&](const std::string& g) { writer.WriteString(g); });
}

DescribeGroupsRequest DescribeGroupsRequest::Read(WireReader& reader, int16_t) {
  DescribeGroupsRequest request;
  request.groups = ReadArray<std::string>(
      reader, "groups", 2, [&] { return reader.ReadString("group_id"); });
  return request;
}

void DescribeGroupsResponse::Write(WireWriter& writer, int16_t version) const {
  if (version >= 1) writer.WriteInt32(throttle_time_ms);
  WriteArray(writer, groups, [&](const Group& g) {
    writer.WriteInt16(static_cast<int16_t>(g.error_code));
    writer.WriteString(g.group_id);
    writer.WriteString(g.group_state);
    writer.WriteString(g.protocol_type);
    writer.WriteString(g.protocol_data);
    WriteArray(writer, g.members, [&](const Member& m) {
      writer.WriteString(m.member_id);
      writer.WriteString(m.client_id);
      writer.WriteString(m.client_host);
      writer.WriteBytes(m.member_metadata);
      writer.WriteBytes(m.member_assignment);
    });
  });
}

DescribeGroupsResponse DescribeGroupsResponse::Read(WireReader& reader,
                                                    int16_t version) {
  DescribeGroupsResponse response;
  if (version >= 1)
    response.throttle_time_ms = reader.ReadInt32("throttle_time_ms");
  response.groups = ReadArray<Group>(reader, "groups", 12, [&] {
    Group g;
    g.error_code = static_cast<ErrorCode>(reader.ReadInt16("error_code"));
    g.group_id = reader.ReadString("group_id");
    g.group_state = reader.ReadString("group_state");
    g.protocol_type = reader.ReadString("protocol_type");
    g.protocol_data = reader.ReadString("protocol_data");
    g.members = ReadArray<Member>(reader, "members", 14, [&] {
      Member m;
      m.member_id = reader.ReadString("member_id");
      m.client_id = reader.ReadString("client_id");
      m.client_host = reader.ReadString("client_host");
      m.member_metadata = reader.ReadBytes("member_metadata");
      m.member_assignment = reader.ReadBytes("member_assignment");
      return m;
    });
    return g;
  });
  return response;
}

}  // namespace kafka
