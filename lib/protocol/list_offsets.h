/// \file
/// ListOffsets (api_key 2): find an offset by timestamp, or the log's ends.
///
/// A consumer with no committed offset asks for the earliest (timestamp -2) or
/// latest (-1) offset of a partition, as auto.offset.reset says; a timestamp
/// asks for the first offset whose record is at least that recent (Chapter 1's
/// Log::FetchOffsetByTimestamp). Versions 1 and 2 are implemented: v1 is the
/// first with one timestamp and offset per partition; v2 adds isolation_level
/// and throttle_time_ms.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lib/error.h"
#include "lib/protocol/wire.h"

namespace kafka {

struct ListOffsetsRequest {
  struct Partition {
    int32_t partition_index = 0;
    int64_t timestamp = -1;
  };
  struct Topic {
    std::string name;
    std::vector<Partition> partitions;
  };

  int32_t replica_id = -1;
  int8_t isolation_level = 0;  ///< v2+
  std::vector<Topic> topics;

  void Write(WireWriter& writer, int16_t version) const;
  static ListOffsetsRequest Read(WireReader& reader, int16_t version);
};

struct ListOffsetsResponse {
  struct Partition {
    int32_t partition_index = 0;
    ErrorCode error_code = ErrorCode::kNone;
    int64_t timestamp = -1;
    int64_t offset = -1;
  };
  struct Topic {
    std::string name;
    std::vector<Partition> partitions;
  };

  int32_t throttle_time_ms = 0;  ///< v2+
  std::vector<Topic> topics;

  void Write(WireWriter& writer, int16_t version) const;
  static ListOffsetsResponse Read(WireReader& reader, int16_t version);
};

}  // namespace kafka
