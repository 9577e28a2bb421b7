/// \file
/// The reliability checker: reads a run's history (history.h) and names
/// what went wrong in Jepsen's Kafka vocabulary (KAFKA_RULES §8):
///
///   lost-write            an acknowledged send is not in the final read
///   duplicate             one value at two offsets
///   nonmonotonic-send     one producer's records of one partition are in
///                         the log in another order than it sent them
///   inconsistent-offsets  one offset of a partition held two values, in
///                         two reads (or a read and a send's answer)
///   nonmonotonic-poll     a consumer's next record of a partition had a
///                         lower offset than its last
///   poll-skip             a consumer's next record of a partition came
///                         after offsets that hold records it never got
///
/// A send that failed or got no answer may or may not be written (a
/// timeout is indeterminate, as in Jepsen), so it is in no anomaly unless
/// it is read twice. The checker needs nothing but the history, and tests
/// of it (checker_test.cc) feed it hand-written histories, one per anomaly.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tests/reliability/history.h"

namespace kafka {

struct Anomaly {
  enum class Kind {
    kLostWrite,
    kDuplicate,
    kNonmonotonicSend,
    kInconsistentOffsets,
    kNonmonotonicPoll,
    kPollSkip,
  };
  Kind kind;
  int32_t partition = -1;
  int64_t time_ms = 0;  ///< when it shows: what a chart of it is centred on
  std::string detail;   ///< the values and offsets, for a person to read
};

/// "lost-write", "duplicate", ...
std::string_view AnomalyName(Anomaly::Kind kind);

/// Every anomaly in `history`, those of one kind together.
std::vector<Anomaly> CheckHistory(const History& history);

}  // namespace kafka
