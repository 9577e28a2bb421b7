/// \file
/// CreateTopics (api_key 19) and CreatePartitions (api_key 37): an admin
/// creates topics, and grows their partition counts.
///
/// A topic is created with a number of partitions and a replication factor
/// (or explicit replica assignments) and optional topic configs. Partitions
/// can later be added, never removed: a record's partition is chosen by a hash
/// of its key modulo the count, and removing a partition would both lose its
/// data and move keys elsewhere (INVALID_PARTITIONS). Versions: CreateTopics 0
/// to 2 (v1 adds validate_only and error messages, v2 the throttle time),
/// CreatePartitions 0 and 1 (v1 changes only the errors to expect).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lib/error.h"
#include "lib/protocol/wire.h"

namespace kafka {

struct CreateTopicsRequest {
  struct Assignment {
    int32_t partition_index = 0;
    std::vector<int32_t> broker_ids;
  };
  struct Config {
    std::string name;
    std::optional<std::string> value;
  };
  struct Topic {
    std::string name;
    int32_t num_partitions = -1;      ///< -1: the broker's num.partitions
    int16_t replication_factor = -1;  ///< -1: default.replication.factor
    std::vector<Assignment> assignments;
    std::vector<Config> configs;
  };

  std::vector<Topic> topics;
  int32_t timeout_ms = 30'000;
  bool validate_only = false;  ///< v1+

  void Write(WireWriter& writer, int16_t version) const;
  static CreateTopicsRequest Read(WireReader& reader, int16_t version);
};

struct CreateTopicsResponse {
  struct Result {
    std::string name;
    ErrorCode error_code = ErrorCode::kNone;
    std::optional<std::string> error_message;  ///< v1+
  };

  int32_t throttle_time_ms = 0;  ///< v2+
  std::vector<Result> topics;

  void Write(WireWriter& writer, int16_t version) const;
  static CreateTopicsResponse Read(WireReader& reader, int16_t version);
};

struct CreatePartitionsRequest {
  struct Topic {
    std::string name;
    int32_t count = 0;  ///< the new total number of partitions
    /// Replicas for each new partition; nullopt lets the broker choose.
    std::optional<std::vector<std::vector<int32_t>>> assignments;
  };

  std::vector<Topic> topics;
  int32_t timeout_ms = 30'000;
  bool validate_only = false;

  void Write(WireWriter& writer, int16_t version) const;
  static CreatePartitionsRequest Read(WireReader& reader, int16_t version);
};

struct CreatePartitionsResponse {
  struct Result {
    std::string name;
    ErrorCode error_code = ErrorCode::kNone;
    std::optional<std::string> error_message;
  };

  int32_t throttle_time_ms = 0;
  std::vector<Result> results;

  void Write(WireWriter& writer, int16_t version) const;
  static CreatePartitionsResponse Read(WireReader& reader, int16_t version);
};

}  // namespace kafka
