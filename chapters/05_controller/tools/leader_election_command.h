/// \file
/// kafka-leader-election's request and text (Kafka's LeaderElectionCommand).
///
/// The tool sends one ElectLeaders (v2) to a broker, which forwards it to the
/// active controller. A PREFERRED election makes each partition's preferred
/// replica (the first of its assignment, the first of kafka-topics'
/// Replicas) the leader if it is in the ISR; an UNCLEAN one elects any live
/// replica for a partition that has no leader, accepting the loss of what
/// only the lost ISR had (KIP-460). The answer says, per partition, done,
/// ELECTION_NOT_NEEDED (the right leader leads already), or why not, and the
/// tool prints, as Kafka's does:
///
///   Successfully completed leader election (PREFERRED) for partitions t-0, t-1
///   Valid replica already elected for partitions t-2
///   Error completing leader election (PREFERRED) for partition: t-3:
///   <exception>
///
/// and fails (exit 1, "1 replica(s) could not be elected" on stderr) if any
/// partition failed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lib/error.h"
#include "lib/protocol/elect_leaders.h"

namespace kafka {

/// A topic partition, printed as Kafka's TopicPartition.toString: "t-0".
struct ElectionPartition {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const ElectionPartition&) const = default;
  std::string ToString() const {
    return topic + "-" + std::to_string(partition);
  }
};

/// "PREFERRED" or "UNCLEAN", as Kafka's ElectionType prints.
std::string ElectionTypeName(int8_t election_type);

/// --election-type's value, "preferred" or "unclean" (any case, as Kafka's
/// enum converter); an error naming the accepted values otherwise.
Result<int8_t> ParseElectionType(const std::string& text);

/// The request: `partitions`, or every partition (null) if nullopt
/// (--all-topic-partitions). Partitions of one topic go together.
ElectLeadersRequest BuildElectLeadersRequest(
    int8_t election_type,
    const std::optional<std::vector<ElectionPartition>>& partitions);

/// What the tool prints for an answer, and how it exits.
struct ElectionReport {
  std::string out;  ///< stdout
  std::string err;  ///< stderr
  int exit_code = 0;
};

/// The report for `response` (partitions sorted within each line).
ElectionReport ReportElection(int8_t election_type,
                              const ElectLeadersResponse& response);

/// --path-to-json-file's contents, Kafka's format:
///   {"partitions": [{"topic": "foo", "partition": 1}, ...]}
/// Errors as Kafka's: no "partitions" field, duplicate partitions, or text
/// that is not such JSON.
Result<std::vector<ElectionPartition>> ParseElectionJson(std::string_view json);

}  // namespace kafka
