/// \file
/// Fetch (api_key 1): consumers (and, from Chapter 4, follower replicas) read
/// record batches from partition leaders.
///
/// A fetch names, per partition, the offset to read from and how many bytes it
/// may take; the whole request has a byte budget and a long-poll rule: answer
/// once min_bytes are available or max_wait_ms have passed. The answer carries,
/// per partition, the batches, the high watermark (the end of what consumers
/// may read) and, for read_committed consumers (Chapter 8), the last stable
/// offset and the aborted transactions. Versions 4 to 6 are implemented: v4
/// adds isolation_level, the last stable offset and aborted transactions; v5
/// adds log_start_offset; v6 changes only the errors a client may expect.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lib/bytes.h"
#include "lib/error.h"
#include "lib/protocol/wire.h"

namespace kafka {

/// Fetch.replica_id of an ordinary consumer (brokers put their own id there).
inline constexpr int32_t kConsumerReplicaId = -1;

struct FetchRequest {
  struct Partition {
    int32_t partition = 0;
    int64_t fetch_offset = 0;
    int64_t log_start_offset = -1;  ///< v5+, followers only
    int32_t partition_max_bytes = 1 << 20;
  };
  struct Topic {
    std::string topic;
    std::vector<Partition> partitions;
  };

  int32_t replica_id = kConsumerReplicaId;
  int32_t max_wait_ms = 500;
  int32_t min_bytes = 1;
  int32_t max_bytes = 50 << 20;
  int8_t isolation_level = 0;  ///< 0 read_uncommitted, 1 read_committed
  std::vector<Topic> topics;

  void Write(WireWriter& writer, int16_t version) const;
  static FetchRequest Read(WireReader& reader, int16_t version);
};

struct FetchResponse {
  struct AbortedTransaction {
    int64_t producer_id;
    int64_t first_offset;
  };
  struct Partition {
    int32_t partition_index = 0;
    ErrorCode error_code = ErrorCode::kNone;
    int64_t high_watermark = -1;
    int64_t last_stable_offset = -1;
    int64_t log_start_offset = -1;  ///< v5+
    std::optional<std::vector<AbortedTransaction>> aborted_transactions;
    std::optional<Bytes> records;
  };
  struct Topic {
    std::string topic;
    std::vector<Partition> partitions;
  };

  int32_t throttle_time_ms = 0;
  std::vector<Topic> responses;

  void Write(WireWriter& writer, int16_t version) const;
  static FetchResponse Read(WireReader& reader, int16_t version);
};

}  // namespace kafka
