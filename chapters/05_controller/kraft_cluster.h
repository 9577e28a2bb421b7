/// \file
/// Chapter 5's cluster in the simulator, for tests: a quorum of controllers
/// (ids 3000 and up, the voters of the metadata log) and brokers 1 to N,
/// each a KRaftBroker, with what the tests ask of it.
///
/// Chapter 4's cluster had one static controller that a test told what to
/// do (fence this broker, elect that leader). Here nobody tells the
/// controllers anything: they elect an active controller among themselves,
/// the brokers register and heartbeat, and a broker that dies is fenced
/// when its session ends, its partitions getting new leaders. So the
/// fixture's helpers wait for the cluster to do things (an active
/// controller, every broker unfenced, a partition led, a replica caught up)
/// and read its state where a Kafka operator would: the active
/// controller's image (kafka-topics --describe), the brokers' replicas.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "chapters/04_replication/partition_state.h"
#include "chapters/04_replication/replication_cluster.h"
#include "chapters/05_controller/controller/controller_server.h"
#include "chapters/05_controller/kraft_broker.h"
#include "lib/sim/cluster.h"

namespace kafka {

/// What the tests change: the brokers', the controllers' and the quorum's
/// settings. Node ids, addresses, data directories and the voters are the
/// fixture's.
struct KRaftClusterConfig {
  int controllers = 3;
  KRaftBrokerConfig broker;
  QuorumControllerConfig controller;
  /// The quorum's timeouts (controller.quorum.*), for brokers and
  /// controllers alike.
  RaftConfig raft;
};

/// Kafka's defaults, with the offsets topic on three brokers (as Kafka's
/// default has it) and few partitions of it, so that runs stay short.
KRaftClusterConfig DefaultKRaftClusterConfig();

class KRaftCluster : public SimCluster {
 public:
  static constexpr NodeId kFirstControllerId = 3000;

  KRaftCluster(uint64_t seed, int brokers,
               KRaftClusterConfig config = DefaultKRaftClusterConfig());

  const std::vector<NodeId>& controllers() const { return controllers_; }
  ControllerServer& controller(NodeId id) {
    return sim().node<ControllerServer>(id);
  }
  KRaftBroker& broker(NodeId id) { return sim().node<KRaftBroker>(id); }
  /// Every node: the brokers, then the controllers.
  std::vector<NodeId> nodes() const;
  /// The nodes other than `ids`.
  std::vector<NodeId> AllBut(const std::vector<NodeId>& ids) const;

  /// The controller that is active now (its quorum controller leads), if
  /// one is up; of two that think so (one isolated), the later epoch's.
  std::optional<NodeId> active_controller();
  /// The active controller's committed state; nullptr if none is active.
  const MetadataImage* image();
  /// A partition's state in the active controller's image.
  std::optional<PartitionState> state(const TopicPartition& partition);
  /// Broker `id`'s replica of `partition`, or nullptr (none, or it is
  /// down).
  const ReplicatedPartition* replica(NodeId id,
                                     const TopicPartition& partition);

  /// Runs until a controller is active, or `max_ms` pass.
  bool RunUntilActiveController(int64_t max_ms = 10'000);
  /// Runs until every broker that is up is unfenced (registered, caught
  /// up), or `max_ms` pass.
  bool RunUntilBrokersUnfenced(int64_t max_ms = 30'000);
  /// Runs until `partition`'s state satisfies `holds`.
  bool RunUntilState(const TopicPartition& partition,
                     const std::function<bool(const PartitionState&)>& holds,
                     int64_t max_ms);
  /// Runs until `partition` has a leader that knows it leads, in the
  /// controller's leader epoch.
  bool RunUntilLeaderElected(const TopicPartition& partition,
                             int64_t max_ms = 30'000);
  /// Runs until every ISR replica of `partition` has the leader's log end
  /// offset and high watermark, at the log end.
  bool RunUntilReplicated(const TopicPartition& partition,
                          int64_t max_ms = 30'000);

  /// Creates a topic through broker `via` (CreateTopics, forwarded to the
  /// active controller) and runs until every replica on a broker that is
  /// up exists and knows its leader; the creation's error otherwise.
  /// `assignments`, if given, places partition i on assignments[i].
  Status CreateTopic(const std::string& topic, int32_t partitions,
                     int16_t replication_factor,
                     std::vector<CreateTopicsRequest::Config> configs = {},
                     std::vector<std::vector<NodeId>> assignments = {},
                     NodeId via = 1);
  /// ElectLeaders (PREFERRED or UNCLEAN) for `partitions`, sent to broker
  /// `via`, which forwards it to the active controller.
  Result<ElectLeadersResponse> ElectLeaders(
      int8_t election_type, const std::vector<TopicPartition>& partitions,
      NodeId via = 1);

  /// Produce and consumer Fetch from the fixture's client node (Chapter
  /// 4's helpers).
  ErrorCode Produce(NodeId to, const TopicPartition& partition,
                    const std::vector<std::string>& values, int16_t acks = 1,
                    int32_t timeout_ms = 5000);
  FetchResponse::Partition Fetch(NodeId to, const TopicPartition& partition,
                                 int64_t offset,
                                 int32_t current_leader_epoch = -1);

  /// A client node for the tests' own requests.
  NodeId client() const { return client_; }

 private:
  bool EveryReplicaHas(const std::string& topic, int32_t partitions);

  std::vector<NodeId> controllers_;
  NodeId client_ = -1;
};

}  // namespace kafka
