/// \file
/// The Raft layer as its users see it: Kafka's RaftClient interface
/// (org.apache.kafka.raft.RaftClient) and its Listener.
///
/// KRaft keeps the cluster's metadata in one replicated log,
/// `__cluster_metadata-0`. The controllers (the voters) run Raft over it; the
/// brokers (observers) follow it. The quorum controller appends its decisions
/// as batches of metadata records; every node hears, through a RaftListener,
/// each batch once the quorum has committed it, in offset order, and the
/// leader's changes. The records are opaque bytes here: the Raft layer
/// replicates them, the controller and the broker decode them.
///
/// KafkaRaftClient (kafka_raft_client.h) is the real implementation; a test of
/// the controller or the broker may fake this interface.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "lib/bytes.h"
#include "lib/error.h"
#include "lib/node/node.h"

namespace kafka {

/// Who leads which epoch, as this node knows it: Kafka's LeaderAndEpoch.
struct LeaderAndEpoch {
  std::optional<NodeId> leader;  // unknown in this epoch: nullopt
  int32_t epoch = 0;
  bool operator==(const LeaderAndEpoch&) const = default;
};

/// Records the quorum committed, one batch as the leader appended it.
struct CommittedBatch {
  int64_t base_offset = 0;  // offset of records[0]
  int64_t last_offset = 0;  // offset of records.back()
  int32_t epoch = 0;        // the leader epoch that appended it
  int64_t append_timestamp_ms = 0;
  std::vector<Bytes> records;  // each an encoded metadata record (the value)
};

/// Kafka's RaftClient.Listener.
class RaftListener {
 public:
  virtual ~RaftListener() = default;
  /// Committed batches, in offset order, each once per start (after a
  /// (re)start or a snapshot load: from the snapshot's end). Control batches
  /// (LeaderChange, snapshot header/footer) are not passed.
  virtual void HandleCommit(const CommittedBatch& batch) = 0;
  /// Replace all state with this snapshot's records; it covers offsets <
  /// end_offset.
  virtual void HandleLoadSnapshot(int64_t end_offset, int32_t epoch,
                                  const std::vector<Bytes>& records) = 0;
  /// The leader or epoch changed (also called once at start).
  virtual void HandleLeaderChange(const LeaderAndEpoch& leader) = 0;
};

/// What the controller and the broker use of the Raft layer; fakeable in
/// tests.
class RaftClient {
 public:
  virtual ~RaftClient() = default;
  virtual void Register(RaftListener* listener) = 0;
  virtual LeaderAndEpoch leader_and_epoch() const = 0;
  /// Appends `records` as one batch if this node leads `epoch`; the offset of
  /// the last record. NOT_LEADER_OR_FOLLOWER (or NOT_CONTROLLER) otherwise.
  /// The batch is committed later (HandleCommit), or never if leadership is
  /// lost.
  virtual Result<int64_t> Append(int32_t epoch, std::vector<Bytes> records) = 0;
  /// The high watermark: records below it are committed. nullopt if unknown.
  virtual std::optional<int64_t> high_watermark() const = 0;
  /// Writes a snapshot of the listener's state as of `end_offset` (committed,
  /// exclusive) in `epoch`, and lets the log start move up to it.
  virtual void CreateSnapshot(int64_t end_offset, int32_t epoch,
                              std::vector<Bytes> records) = 0;
  /// This leader steps down (EndQuorumEpoch): controlled shutdown of a
  /// controller.
  virtual void Resign(int32_t epoch) = 0;
};

}  // namespace kafka
