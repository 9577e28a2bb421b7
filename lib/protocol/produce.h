/// \file
/// Produce (api_key 0): a producer hands record batches to partition leaders.
///
/// One request carries batches for many partitions of many topics, and says
/// how durable the write must be before the answer (`acks`: 0 no answer at
/// all, 1 the leader's log, -1 every in-sync replica, Chapter 6). The answer
/// gives, per partition, an error code and the offset the leader assigned to
/// the first record. Versions 3 to 7 are implemented: v3 is the first with
/// record batch v2 and a transactional_id; v5 adds log_start_offset to the
/// answer; v4, v6 and v7 change only what errors a client may expect.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lib/bytes.h"
#include "lib/error.h"
#include "lib/protocol/wire.h"

namespace kafka {

struct ProduceRequest {
  struct PartitionData {
    int32_t index = 0;
    std::optional<Bytes> records;  ///< record batches, back to back
  };
  struct TopicData {
    std::string name;
    std::vector<PartitionData> partition_data;
  };

  std::optional<std::string> transactional_id;
  int16_t acks = 1;
  int32_t timeout_ms = 30'000;
  std::vector<TopicData> topic_data;

  void Write(WireWriter& writer, int16_t version) const;
  static ProduceRequest Read(WireReader& reader, int16_t version);
};

struct ProduceResponse {
  struct PartitionResponse {
    int32_t index = 0;
    ErrorCode error_code = ErrorCode::kNone;
    int64_t base_offset = -1;
    int64_t log_append_time_ms = -1;  ///< v2+; -1 for CreateTime topics
    int64_t log_start_offset = -1;    ///< v5+
  };
  struct TopicResponse {
    std::string name;
    std::vector<PartitionResponse> partition_responses;
  };

  std::vector<TopicResponse> responses;
  int32_t throttle_time_ms = 0;

  void Write(WireWriter& writer, int16_t version) const;
  static ProduceResponse Read(WireReader& reader, int16_t version);
};

}  // namespace kafka
