/// \file
/// The Raft layer's configuration, with Kafka's names and defaults
/// (QuorumConfig.java, KafkaRaftClient's settings).
///
///     controller.quorum.voters              3000@host:port,3001@host:port,...
///     controller.quorum.election.timeout.ms       1000
///     controller.quorum.fetch.timeout.ms          2000
///     controller.quorum.election.backoff.max.ms   1000
///     controller.quorum.append.linger.ms            25
///     controller.quorum.request.timeout.ms        2000
///     controller.quorum.retry.backoff.ms            20
///
/// A node in the voter set is a voter (a controller); any other node (a
/// broker) is an observer: it replicates the log but never votes and never
/// counts for the high watermark.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "chapters/01_log/log_config.h"
#include "lib/error.h"
#include "lib/node/node.h"
#include "lib/protocol/quorum.h"

namespace kafka {

/// The voters: node id -> where it listens (controller.quorum.voters).
using QuorumVoters = std::map<NodeId, HostPort>;

/// Parses controller.quorum.voters, "id@host:port" entries apart by commas
/// (Kafka's QuorumConfig.parseVoterConnections). An empty list, a bad id, a
/// bad address or an id named twice is INVALID_CONFIG, naming the entry.
Result<QuorumVoters> ParseQuorumVoters(std::string_view text);

/// One node's Raft settings.
struct RaftConfig {
  /// node.id.
  NodeId node_id = 0;
  /// controller.quorum.voters.
  QuorumVoters voters;
  /// The directory the metadata log's directory (__cluster_metadata-0) and
  /// the quorum-state file go in: the first of log.dirs, or
  /// metadata.log.dir.
  std::string data_dir;
  /// cluster.id (meta.properties): requests naming another cluster are
  /// refused with INCONSISTENT_CLUSTER_ID. Empty: not checked.
  std::string cluster_id;
  /// controller.quorum.election.timeout.ms: a voter with no leader becomes a
  /// candidate after this plus a random part as long.
  int64_t election_timeout_ms = 1000;
  /// controller.quorum.fetch.timeout.ms: a follower that has not heard from
  /// its leader for this long starts an election; a leader not fetched from
  /// by a majority for 1.5 times this resigns (check quorum).
  int64_t fetch_timeout_ms = 2000;
  /// controller.quorum.election.backoff.max.ms: the most a candidate that
  /// lost waits before it tries again.
  int64_t election_backoff_max_ms = 1000;
  /// controller.quorum.append.linger.ms. Kept for its name; appends are not
  /// lingered here (see KafkaRaftClient::Append).
  int64_t append_linger_ms = 25;
  /// controller.quorum.request.timeout.ms.
  int64_t request_timeout_ms = 2000;
  /// controller.quorum.retry.backoff.ms.
  int64_t retry_backoff_ms = 20;
  /// reconnect.backoff.max.ms: the longest wait before asking a node that
  /// did not answer again (the wait doubles from retry.backoff.ms with each
  /// request in a row it left unanswered).
  int64_t reconnect_backoff_max_ms = 1000;
  /// How long a leader holds a fetch that finds nothing new (Kafka's
  /// KafkaRaftClient.MAX_FETCH_WAIT_MS).
  int32_t fetch_max_wait_ms = 500;
  /// The most a fetch or a FetchSnapshot takes in one response
  /// (KafkaRaftClient.MAX_FETCH_SIZE_BYTES).
  int32_t fetch_max_bytes = 8 * 1024 * 1024;
  /// The metadata log's own settings.
  LogConfig log;

  /// A node outside the voter set only follows.
  bool observer() const { return !voters.contains(node_id); }
};

}  // namespace kafka
