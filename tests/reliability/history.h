/// \file
/// What a reliability run's clients saw, and nothing else: the history the
/// checker reads (checker.h). Jepsen's Kafka test keeps the same kinds of
/// operation: each send with its outcome, each poll with the records it
/// returned, and a final read of every partition once the faults have
/// healed. The simulator's internals (the replicas' logs, the controller's
/// state) are not in it: an anomaly is something a client could see.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace kafka {

/// One record a producer sent. Values are unique across the run, so a
/// value names one send.
struct SendOp {
  enum class Outcome {
    kPending,       ///< no answer yet (at the end: indeterminate)
    kAcknowledged,  ///< the producer was told it is written
    kFailed,        ///< the producer was told it failed: maybe written
  };
  int producer = 0;
  std::string value;
  int64_t invoked_ms = 0;
  int64_t completed_ms = -1;
  Outcome outcome = Outcome::kPending;
  int32_t partition = -1;  ///< as acknowledged
  int64_t offset = -1;     ///< as acknowledged
  std::string error;       ///< why it failed
};

/// A record at an offset of a partition, as some read returned it.
struct ReadRecord {
  int64_t offset = 0;
  std::string value;
};

/// What one consumer's fetch returned for one partition.
struct PollOp {
  int consumer = 0;
  int64_t time_ms = 0;
  int32_t partition = 0;
  std::vector<ReadRecord> records;
};

struct History {
  std::vector<SendOp> sends;
  std::vector<PollOp> polls;
  /// Every partition read from its start to its high watermark after the
  /// healing period, by partition.
  std::map<int32_t, std::vector<ReadRecord>> final_read;
};

}  // namespace kafka
