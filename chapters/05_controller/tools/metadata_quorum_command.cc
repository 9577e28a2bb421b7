#include "chapters/05_controller/tools/metadata_quorum_command.h"

#include <algorithm>

#include "chapters/05_controller/tools/admin_errors.h"

namespace kafka {
namespace {

using ReplicaState = DescribeQuorumResponse::ReplicaState;

const ReplicaState* FindLeader(const DescribeQuorumResponse::Partition& q) {
  auto leader = std::ranges::find(q.current_voters, q.leader_id,
                                  &ReplicaState::replica_id);
  return leader == q.current_voters.end() ? nullptr : &*leader;
}

// The voter furthest behind: the first with the smallest log end offset.
const ReplicaState& MostLaggingVoter(
    const DescribeQuorumResponse::Partition& q) {
  const ReplicaState* lagging = &q.current_voters.front();
  for (const ReplicaState& voter : q.current_voters) {
    if (voter.log_end_offset < lagging->log_end_offset) lagging = &voter;
  }
  return *lagging;
}

// 0 if the leader lags most; else the leader's last caught-up time minus
// the follower's, or -1 if either is unknown.
int64_t MaxFollowerLagTimeMs(const ReplicaState& leader,
                             const ReplicaState& lagging) {
  if (&leader == &lagging) return 0;
  if (leader.last_caught_up_timestamp < 0 ||
      lagging.last_caught_up_timestamp < 0) {
    return -1;
  }
  return leader.last_caught_up_timestamp - lagging.last_caught_up_timestamp;
}

std::string ReplicaIds(const std::vector<ReplicaState>& replicas) {
  std::string text = "[";
  for (size_t i = 0; i < replicas.size(); ++i) {
    text += (i ? "," : "") + std::to_string(replicas[i].replica_id);
  }
  return text + "]";
}

std::string Timestamp(int64_t timestamp_ms, std::optional<int64_t> now_ms) {
  if (timestamp_ms < 0) return "-1";
  if (!now_ms) return std::to_string(timestamp_ms);
  return std::to_string(std::max<int64_t>(0, *now_ms - timestamp_ms)) +
         " ms ago";
}

std::vector<std::string> Row(const ReplicaState& replica,
                             const ReplicaState& leader,
                             const std::string& status,
                             std::optional<int64_t> now_ms) {
  return {std::to_string(replica.replica_id),
          std::to_string(replica.log_end_offset),
          std::to_string(leader.log_end_offset - replica.log_end_offset),
          Timestamp(replica.last_fetch_timestamp, now_ms),
          Timestamp(replica.last_caught_up_timestamp, now_ms),
          status};
}

}  // namespace

DescribeQuorumRequest MetadataQuorumRequest() {
  DescribeQuorumRequest request;
  request.topics.push_back({.topic_name = std::string(kMetadataTopicName),
                            .partitions = {{kMetadataPartition}}});
  return request;
}

Result<DescribeQuorumResponse::Partition> MetadataQuorumState(
    const DescribeQuorumResponse& response) {
  if (response.error_code != ErrorCode::kNone) {
    return Error{response.error_code,
                 ExceptionMessage(response.error_code, std::nullopt)};
  }
  for (const auto& topic : response.topics) {
    if (topic.topic_name != kMetadataTopicName) continue;
    for (const auto& partition : topic.partitions) {
      if (partition.partition_index != kMetadataPartition) continue;
      if (partition.error_code != ErrorCode::kNone) {
        return Error{partition.error_code,
                     ExceptionMessage(partition.error_code, std::nullopt)};
      }
      if (!FindLeader(partition)) {
        return Error{ErrorCode::kLeaderNotAvailable,
                     "The metadata quorum has no leader among its voters "
                     "(LeaderId " +
                         std::to_string(partition.leader_id) + ")"};
      }
      return partition;
    }
  }
  return Error{ErrorCode::kUnknownTopicOrPartition,
               "The answer has no partition __cluster_metadata-0"};
}

std::string FormatQuorumStatus(
    const std::string& cluster_id,
    const DescribeQuorumResponse::Partition& quorum) {
  const ReplicaState& leader = *FindLeader(quorum);
  const ReplicaState& lagging = MostLaggingVoter(quorum);
  return "ClusterId:              " + cluster_id +
         "\nLeaderId:               " + std::to_string(quorum.leader_id) +
         "\nLeaderEpoch:            " + std::to_string(quorum.leader_epoch) +
         "\nHighWatermark:          " + std::to_string(quorum.high_watermark) +
         "\nMaxFollowerLag:         " +
         std::to_string(leader.log_end_offset - lagging.log_end_offset) +
         "\nMaxFollowerLagTimeMs:   " +
         std::to_string(MaxFollowerLagTimeMs(leader, lagging)) +
         "\nCurrentVoters:          " + ReplicaIds(quorum.current_voters) +
         "\nCurrentObservers:       " + ReplicaIds(quorum.observers) + "\n";
}

std::string FormatQuorumReplication(
    const DescribeQuorumResponse::Partition& quorum,
    std::optional<int64_t> now_ms) {
  const ReplicaState& leader = *FindLeader(quorum);
  std::vector<std::vector<std::string>> rows = {
      Row(leader, leader, "Leader", now_ms)};
  for (const ReplicaState& voter : quorum.current_voters) {
    if (&voter != &leader)
      rows.push_back(Row(voter, leader, "Follower", now_ms));
  }
  for (const ReplicaState& observer : quorum.observers) {
    rows.push_back(Row(observer, leader, "Observer", now_ms));
  }
  return PrettyPrintTable(
      {"NodeId", "LogEndOffset", "Lag", "LastFetchTimestamp",
       "LastCaughtUpTimestamp", "Status"},
      rows);
}

std::string PrettyPrintTable(
    const std::vector<std::string>& headers,
    const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const std::string& header : headers) widths.push_back(header.size());
  for (const auto& row : rows) {
    for (size_t i = 0; i < widths.size() && i < row.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      line += row[i] + std::string(widths[i] - row[i].size(), ' ') + "\t";
    }
    return line + "\n";
  };
  std::string text = print_row(headers);
  for (const auto& row : rows) text += print_row(row);
  return text;
}

}  // namespace kafka
