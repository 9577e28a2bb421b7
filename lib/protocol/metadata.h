/// \file
/// Metadata (api_key 3): which brokers exist, which topics and partitions,
/// and which broker leads each partition.
///
/// A client's first real question: it sends produce and fetch requests only
/// to partition leaders, so it must know where they are. Versions 0 to 4 are
/// implemented. v0 asks for all topics with an empty list; from v1 an empty
/// list means none and a null list means all, and the answer adds racks, the
/// controller and whether a topic is internal; v2 adds the cluster id; v3 the
/// throttle time; v4 lets the client say whether a request may create the
/// topics it names (auto.create.topics.enable).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lib/error.h"
#include "lib/protocol/wire.h"

namespace kafka {

struct MetadataRequest {
  /// nullopt: every topic (v0 sends an empty list for that).
  std::optional<std::vector<std::string>> topics;
  bool allow_auto_topic_creation = true;  ///< v4+

  void Write(WireWriter& writer, int16_t version) const;
  static MetadataRequest Read(WireReader& reader, int16_t version);
};

struct MetadataResponse {
  struct Broker {
    int32_t node_id = 0;
    std::string host;
    int32_t port = 0;
    std::optional<std::string> rack;  ///< v1+
  };
  struct Partition {
    ErrorCode error_code = ErrorCode::kNone;
    int32_t partition_index = 0;
    int32_t leader_id = -1;
    std::vector<int32_t> replica_nodes;
    std::vector<int32_t> isr_nodes;
  };
  struct Topic {
    ErrorCode error_code = ErrorCode::kNone;
    std::string name;
    bool is_internal = false;  ///< v1+
    std::vector<Partition> partitions;
  };

  int32_t throttle_time_ms = 0;  ///< v3+
  std::vector<Broker> brokers;
  std::optional<std::string> cluster_id;  ///< v2+
  int32_t controller_id = -1;             ///< v1+
  std::vector<Topic> topics;

  void Write(WireWriter& writer, int16_t version) const;
  static MetadataResponse Read(WireReader& reader, int16_t version);
};

}  // namespace kafka
