/// \file
/// The consumer-group APIs (Chapter 3): finding a group's coordinator,
/// joining and leaving, heartbeats, and committed offsets.
///
///   FindCoordinator (10)  v0-1  which broker coordinates this group
///   JoinGroup       (11)  v0-2  join (or rejoin) and get a generation id;
///                               the leader also gets every member's
///                               subscription
///   SyncGroup       (14)  v0-1  the leader hands out assignments; everyone
///                               gets theirs
///   Heartbeat       (12)  v0-1  "still here"; REBALANCE_IN_PROGRESS means
///                               rejoin
///   LeaveGroup      (13)  v0-1  leave at once instead of timing out
///   OffsetCommit    (8)   v2    the next offset to read, per partition
///   OffsetFetch     (9)   v1    what the group committed
///
/// The ranges follow WIRE_PROTOCOL.md: librdkafka's balanced consumer needs
/// version 0 of each in the range, kafka-python wants JoinGroup 2.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lib/bytes.h"
#include "lib/error.h"
#include "lib/protocol/wire.h"

namespace kafka {

struct FindCoordinatorRequest {
  std::string key;      ///< the group id (or a transactional id, Chapter 8)
  int8_t key_type = 0;  ///< v1+: 0 group, 1 transaction

  void Write(WireWriter& writer, int16_t version) const;
  static FindCoordinatorRequest Read(WireReader& reader, int16_t version);
};

struct FindCoordinatorResponse {
  int32_t throttle_time_ms = 0;  ///< v1+
  ErrorCode error_code = ErrorCode::kNone;
  std::optional<std::string> error_message;  ///< v1+
  int32_t node_id = -1;
  std::string host;
  int32_t port = -1;

  void Write(WireWriter& writer, int16_t version) const;
  static FindCoordinatorResponse Read(WireReader& reader, int16_t version);
};

struct JoinGroupRequest {
  struct Protocol {
    std::string name;  ///< an assignor: "range", "roundrobin", ...
    Bytes metadata;    ///< the member's subscription, for that assignor
  };
  std::string group_id;
  int32_t session_timeout_ms = 45'000;
  int32_t rebalance_timeout_ms = -1;  ///< v1+; v0 uses the session timeout
  std::string member_id;              ///< "" to join for the first time
  std::string protocol_type = "consumer";
  std::vector<Protocol> protocols;

  void Write(WireWriter& writer, int16_t version) const;
  static JoinGroupRequest Read(WireReader& reader, int16_t version);
};

struct JoinGroupResponse {
  struct Member {
    std::string member_id;
    Bytes metadata;
  };
  int32_t throttle_time_ms = 0;  ///< v2+
  ErrorCode error_code = ErrorCode::kNone;
  int32_t generation_id = -1;
  std::string protocol_name;
  std::string leader;
  std::string member_id;
  std::vector<Member> members;  ///< the leader's answer only

  void Write(WireWriter& writer, int16_t version) const;
  static JoinGroupResponse Read(WireReader& reader, int16_t version);
};

struct SyncGroupRequest {
  struct Assignment {
    std::string member_id;
    Bytes assignment;
  };
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::vector<Assignment> assignments;  ///< from the leader only

  void Write(WireWriter& writer, int16_t version) const;
  static SyncGroupRequest Read(WireReader& reader, int16_t version);
};

struct SyncGroupResponse {
  int32_t throttle_time_ms = 0;  ///< v1+
  ErrorCode error_code = ErrorCode::kNone;
  Bytes assignment;

  void Write(WireWriter& writer, int16_t version) const;
  static SyncGroupResponse Read(WireReader& reader, int16_t version);
};

struct HeartbeatRequest {
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;

  void Write(WireWriter& writer, int16_t version) const;
  static HeartbeatRequest Read(WireReader& reader, int16_t version);
};

struct LeaveGroupRequest {
  std::string group_id;
  std::string member_id;

  void Write(WireWriter& writer, int16_t version) const;
  static LeaveGroupRequest Read(WireReader& reader, int16_t version);
};

/// Heartbeat's and LeaveGroup's answers: an error code (and, from v1, a
/// throttle time first).
struct GroupErrorResponse {
  int32_t throttle_time_ms = 0;  ///< v1+
  ErrorCode error_code = ErrorCode::kNone;

  void Write(WireWriter& writer, int16_t version) const;
  static GroupErrorResponse Read(WireReader& reader, int16_t version);
};

struct OffsetCommitRequest {
  struct Partition {
    int32_t partition_index = 0;
    int64_t committed_offset = -1;  ///< the next offset to read
    std::optional<std::string> committed_metadata;
  };
  struct Topic {
    std::string name;
    std::vector<Partition> partitions;
  };
  std::string group_id;
  int32_t generation_id = -1;  ///< -1: a commit from outside the group
  std::string member_id;
  int64_t retention_time_ms = -1;
  std::vector<Topic> topics;

  void Write(WireWriter& writer, int16_t version) const;
  static OffsetCommitRequest Read(WireReader& reader, int16_t version);
};

struct OffsetCommitResponse {
  struct Partition {
    int32_t partition_index = 0;
    ErrorCode error_code = ErrorCode::kNone;
  };
  struct Topic {
    std::string name;
    std::vector<Partition> partitions;
  };
  std::vector<Topic> topics;

  void Write(WireWriter& writer, int16_t version) const;
  static OffsetCommitResponse Read(WireReader& reader, int16_t version);
};

struct OffsetFetchRequest {
  struct Topic {
    std::string name;
    std::vector<int32_t> partition_indexes;
  };
  std::string group_id;
  std::vector<Topic> topics;

  void Write(WireWriter& writer, int16_t version) const;
  static OffsetFetchRequest Read(WireReader& reader, int16_t version);
};

struct OffsetFetchResponse {
  struct Partition {
    int32_t partition_index = 0;
    int64_t committed_offset = -1;  ///< -1, error NONE: nothing committed
    std::optional<std::string> metadata;
    ErrorCode error_code = ErrorCode::kNone;
  };
  struct Topic {
    std::string name;
    std::vector<Partition> partitions;
  };
  std::vector<Topic> topics;

  void Write(WireWriter& writer, int16_t version) const;
  static OffsetFetchResponse Read(WireReader& reader, int16_t version);
};

/// ListGroups (16) v0-1: every group this coordinator knows.
struct ListGroupsRequest {
  void Write(WireWriter&, int16_t) const {}
  static ListGroupsRequest Read(WireReader&, int16_t) { return {}; }
};

struct ListGroupsResponse {
  struct Group {
    std::string group_id;
    std::string protocol_type;
  };
  int32_t throttle_time_ms = 0;  ///< v1+
  ErrorCode error_code = ErrorCode::kNone;
  std::vector<Group> groups;

  void Write(WireWriter& writer, int16_t version) const;
  static ListGroupsResponse Read(WireReader& reader, int16_t version);
};

/// DescribeGroups (15) v0-1: a group's state, chosen assignor, and members
/// with their subscriptions and assignments.
struct DescribeGroupsRequest {
  std::vector<std::string> groups;

  void Write(WireWriter& writer, int16_t version) const;
  static DescribeGroupsRequest Read(WireReader& reader, int16_t version);
};

struct DescribeGroupsResponse {
  struct Member {
    std::string member_id;
    std::string client_id;
    std::string client_host;
    Bytes member_metadata;
    Bytes member_assignment;
  };
  struct Group {
    ErrorCode error_code = ErrorCode::kNone;
    std::string group_id;
    std::string group_state;
    std::string protocol_type;
    std::string protocol_data;  ///< the chosen assignor
    std::vector<Member> members;
  };
  int32_t throttle_time_ms = 0;  ///< v1+
  std::vector<Group> groups;

  void Write(WireWriter& writer, int16_t version) const;
  static DescribeGroupsResponse Read(WireReader& reader, int16_t version);
};

}  // namespace kafka
