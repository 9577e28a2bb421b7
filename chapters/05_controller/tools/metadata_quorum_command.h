/// \file
/// kafka-metadata-quorum's text (Kafka's MetadataQuorumCommand, before
/// KIP-853's directory ids and endpoints).
///
/// The tool asks a broker for DescribeQuorum (v1), which the broker forwards
/// to the active controller, the leader of the metadata log
/// `__cluster_metadata-0`: it alone knows how far each voter (controller)
/// and observer (broker) has fetched. `describe --status` prints the quorum
/// in a few lines (the cluster id from DescribeCluster):
///
///   ClusterId:              <id>
///   LeaderId:               3000
///   LeaderEpoch:            2
///   HighWatermark:          57
///   MaxFollowerLag:         0
///   MaxFollowerLagTimeMs:   0
///   CurrentVoters:          [3000,3001,3002]
///   CurrentObservers:       [1,2,3]
///
/// MaxFollowerLag is how many records the voter furthest behind lacks;
/// MaxFollowerLagTimeMs how long ago, by the leader's clock, it last was
/// caught up, relative to the leader's own time. `describe --replication`
/// prints a row per replica: the leader, then the other voters (Follower),
/// then the observers, with log end offset, lag behind the leader, and when
/// (leader's clock, ms since the epoch) each last fetched and was caught up.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "lib/error.h"
#include "lib/protocol/quorum.h"

namespace kafka {

/// The request for the metadata partition, `__cluster_metadata-0`.
DescribeQuorumRequest MetadataQuorumRequest();

/// The metadata partition's state in `response`, or the error the response
/// (or that partition) carries, or that it has no such partition or no
/// leader among its voters.
Result<DescribeQuorumResponse::Partition> MetadataQuorumState(
    const DescribeQuorumResponse& response);

/// `describe --status`'s text, of a partition as MetadataQuorumState returns
/// it (its leader among its voters); likewise FormatQuorumReplication.
std::string FormatQuorumStatus(const std::string& cluster_id,
                               const DescribeQuorumResponse::Partition& quorum);

/// `describe --replication`'s table. With `now_ms` (--human-readable), the
/// timestamps are printed as "N ms ago".
std::string FormatQuorumReplication(
    const DescribeQuorumResponse::Partition& quorum,
    std::optional<int64_t> now_ms = std::nullopt);

/// Kafka's ToolsUtils.prettyPrintTable: each column as wide as its widest
/// cell, each cell followed by a tab.
std::string PrettyPrintTable(const std::vector<std::string>& headers,
                             const std::vector<std::vector<std::string>>& rows);

}  // namespace kafka
