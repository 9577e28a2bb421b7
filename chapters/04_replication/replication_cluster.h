/// \file
/// Chapter 4's cluster in the simulator, for tests: brokers 1 to N, each a
/// ReplicatedBroker, and the static controller (node 3000) that they all
/// know, with what the tests ask of it: create a topic and wait until every
/// replica has it, look at a partition's replicas, and play the
/// controller's part in a failure (fence a broker, elect a leader).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chapters/04_replication/replicated_broker.h"
#include "chapters/04_replication/static_controller.h"
#include "lib/sim/cluster.h"

namespace kafka {

/// What the tests usually change: the brokers' settings and the
/// controller's. Node ids, addresses and data directories are the
/// fixture's.
struct ReplicationClusterConfig {
  ReplicatedBrokerConfig broker;
  StaticControllerConfig controller;
};

/// The settings a test starts from: Kafka's defaults, with the offsets
/// topic on three brokers as Kafka's default has it.
ReplicationClusterConfig DefaultReplicationClusterConfig();

/// Every batch of `log` from its start up to `end`, as the bytes on disk:
/// what the tests compare between replicas.
Bytes BatchesBelow(const Log& log, int64_t end);

/// The values of the records in `records` (a fetch's batches), in order.
std::vector<std::string> ValuesOf(const std::optional<Bytes>& records);

/// The values of the records a partition's log holds, from its start to its
/// end, whatever the high watermark.
std::vector<std::string> LogValues(const ReplicatedPartition& replica);

/// Appends `values` to `partition` with one Produce (acks `acks`, the
/// request's timeout_ms `timeout_ms`) sent from node `from` to broker
/// `to`; the partition's error code. (Any chapter's cluster of replicated
/// brokers uses it.)
ErrorCode ProduceValues(SimCluster& cluster, NodeId from, NodeId to,
                        const TopicPartition& partition,
                        const std::vector<std::string>& values,
                        int16_t acks = 1, int32_t timeout_ms = 5000);

/// Fetches `partition` from `offset` at broker `to`, from node `from`, as a
/// consumer (replica_id -1) that knows leader epoch `current_leader_epoch`.
FetchResponse::Partition FetchAsConsumer(SimCluster& cluster, NodeId from,
                                         NodeId to,
                                         const TopicPartition& partition,
                                         int64_t offset,
                                         int32_t current_leader_epoch = -1);

class ReplicationCluster : public SimCluster {
 public:
  static constexpr NodeId kControllerId = 3000;

  ReplicationCluster(
      uint64_t seed, int brokers,
      ReplicationClusterConfig config = DefaultReplicationClusterConfig());

  StaticController& controller() {
    return sim().node<StaticController>(kControllerId);
  }
  ReplicatedBroker& broker(NodeId id) {
    return sim().node<ReplicatedBroker>(id);
  }
  /// Broker `id`'s replica of `partition`, or nullptr (none, or the broker
  /// is down).
  const ReplicatedPartition* replica(NodeId id,
                                     const TopicPartition& partition);

  /// Creates a topic through broker `via` (CreateTopics, forwarded to the
  /// controller) and runs until every replica of every partition exists and
  /// knows its leader; the creation's error otherwise.
  Status CreateTopic(const std::string& topic, int32_t partitions,
                     int16_t replication_factor,
                     std::vector<CreateTopicsRequest::Config> configs = {},
                     NodeId via = 1);

  /// Runs until every replica of `partition` in its ISR has the leader's
  /// log end offset and high watermark, or `max_ms` pass.
  bool RunUntilReplicated(const TopicPartition& partition,
                          int64_t max_ms = 10'000);

  /// Appends `values` to `partition` with one Produce (acks `acks`) sent to
  /// broker `to` from a client node; the partition's error code.
  ErrorCode Produce(NodeId to, const TopicPartition& partition,
                    const std::vector<std::string>& values, int16_t acks = 1);
  /// Fetches `partition` from `offset` at broker `to`, as a consumer
  /// (replica_id -1) that knows leader epoch `current_leader_epoch`.
  FetchResponse::Partition Fetch(NodeId to, const TopicPartition& partition,
                                 int64_t offset,
                                 int32_t current_leader_epoch = -1);

  /// A client node for the tests' own requests.
  NodeId client() const { return client_; }

 private:
  bool EveryReplicaHas(const std::string& topic, int32_t partitions);

  NodeId client_ = -1;
};

}  // namespace kafka
