/// \file
/// For the data plane's tests: brokers reduced to their replica managers, and
/// a controller reduced to its partition states, in the simulator.
///
/// A ReplicaHost is a broker node holding only what the
/// ReplicatedReplicaManager needs (its logs, a ControllerMetadataCache, the
/// manager) and the two APIs other brokers and consumers send it: Fetch and
/// OffsetForLeaderEpoch. A FakeController keeps each partition's
/// PartitionState, accepts or refuses AlterPartition by Kafka's rules (leader
/// epoch, then partition epoch), and after each change tells every running
/// host, directly: a test that wants the real controller and UpdateMetadata
/// uses the integrator's cluster fixture instead. ReplicaCluster puts them
/// together and lets a test elect leaders, cut the network and send requests.
#pragma once

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "chapters/02_partitions/log_manager.h"
#include "chapters/02_partitions/partition_apis.h"
#include "chapters/04_replication/controller_metadata.h"
#include "chapters/04_replication/partition_state.h"
#include "chapters/04_replication/replicated_replica_manager.h"
#include "chapters/04_replication/replication_apis.h"
#include "lib/node/request_handlers.h"
#include "lib/protocol/alter_partition.h"
#include "lib/protocol/fetch.h"
#include "lib/sim/cluster.h"

namespace kafka::testing {

inline constexpr NodeId kController = 3000;
inline constexpr char kDataDir[] = "kafka-logs";
inline constexpr std::array<uint8_t, 16> kTopicId = {7, 7, 7, 7, 7, 7, 7, 7,
                                                     7, 7, 7, 7, 7, 7, 7, 7};

/// What a test may change in every host: the logs' default configs (a
/// topic's min.insync.replicas, say), and the replica managers' seams
/// (Chapter 6's delayed produce, Chapter 7's producer state; unset, Chapter
/// 4's).
struct ReplicaHostOptions {
  LogConfig log;
  ReplicaManagerSeams seams;
};

/// A broker with only its replica manager and the APIs brokers use.
class ReplicaHost : public ServingNode {
 public:
  explicit ReplicaHost(NodeId id, ReplicaHostOptions options = {})
      : id_(id), options_(std::move(options)) {}

  void Start(Environment& env) override {
    logs_ = std::make_unique<LogManager>(env.storage(), kDataDir, options_.log);
    logs_->LoadLogs(env.NowMs(), env.random());
    replicas_ = std::make_unique<ReplicatedReplicaManager>(
        env, *logs_, metadata_,
        ReplicaManagerConfig{.broker_id = id_, .data_dir = kDataDir},
        FixedControllerNode(kController), nullptr, options_.seams);
    replicas_->Startup();
    apis_ = std::make_unique<ReplicationApis>(*replicas_);
    apis_->RegisterWith(handlers());
    handlers().Register(ApiKey::kFetch, [this](const Request& request,
                                               Responder respond) {
      Result<FetchRequest> decoded = DecodeRequestBody<FetchRequest>(request);
      if (!decoded.ok()) return decoded.status();
      ResolveTopicIds(*decoded, request.header.api_version, metadata_);
      replicas_->FetchMessages(
          std::move(decoded).value(),
          [respond, header = request.header](FetchResponse response) {
            respond(EncodeResponseBody(response, header));
          });
      return Status();
    });
  }
  void Stop() override {
    replicas_->Shutdown();
    logs_->CloseAll();
  }

  /// What the controller's UpdateMetadata would bring.
  void Update(const std::vector<BrokerEndpoint>& brokers,
              const std::vector<PartitionState>& states) {
    metadata_.Update(brokers, states);
    replicas_->ApplyPartitionStates(states, {});
  }

  ReplicatedReplicaManager& replicas() { return *replicas_; }
  LogManager& logs() { return *logs_; }

 private:
  NodeId id_;
  ReplicaHostOptions options_;
  ControllerMetadataCache metadata_{"test-cluster"};
  std::unique_ptr<LogManager> logs_;
  std::unique_ptr<ReplicatedReplicaManager> replicas_;
  std::unique_ptr<ReplicationApis> apis_;
};

/// The controller's partition states, and its AlterPartition.
class FakeController : public ServingNode {
 public:
  void Start(Environment&) override {
    handlers().Register(ApiKey::kAlterPartition,
                        HandlerOf(this, &FakeController::HandleAlterPartition));
  }

  std::map<TopicPartition, PartitionState> states;
  /// Every AlterPartition received, in order.
  std::vector<AlterPartitionRequest> received;
  /// Called after an accepted change (the cluster pushes the new states).
  std::function<void()> on_change;

 private:
  Status HandleAlterPartition(const Request& request, Responder respond) {
    Result<AlterPartitionRequest> decoded =
        DecodeRequestBody<AlterPartitionRequest>(request);
    if (!decoded.ok()) return decoded.status();
    received.push_back(*decoded);
    AlterPartitionResponse response;
    bool changed = false;
    for (const auto& topic : decoded->topics) {
      auto& answer = response.topics.emplace_back();
      answer.topic_id = topic.topic_id;
      for (const auto& proposal : topic.partitions) {
        answer.partitions.push_back(
            Decide({TopicNameOf(topic.topic_id), proposal.partition_index},
                   proposal, changed));
      }
    }
    respond(EncodeResponseBody(response, request.header));
    if (changed && on_change) on_change();
    return Status();
  }

  std::string TopicNameOf(const Uuid& id) const {
    for (const auto& [partition, state] : states) {
      if (state.topic_id == id) return partition.topic;
    }
    return "";
  }

  AlterPartitionResponse::Partition Decide(
      const TopicPartition& id, const AlterPartitionRequest::Partition& asked,
      bool& changed) {
    AlterPartitionResponse::Partition out;
    out.partition_index = id.partition;
    auto found = states.find(id);
    if (found == states.end()) {
      out.error_code = ErrorCode::kUnknownTopicOrPartition;
    } else if (asked.leader_epoch != found->second.leader_epoch) {
      out.error_code = ErrorCode::kFencedLeaderEpoch;
    } else if (asked.partition_epoch != found->second.partition_epoch) {
      out.error_code = ErrorCode::kInvalidUpdateVersion;
    } else {
      PartitionState& state = found->second;
      state.isr = ProposedIsr(asked);
      ++state.partition_epoch;
      changed = true;
      out.leader_id = state.leader;
      out.leader_epoch = state.leader_epoch;
      out.isr = state.isr;
      out.partition_epoch = state.partition_epoch;
    }
    return out;
  }
};

/// Brokers 1 to n as ReplicaHosts, the FakeController, and a client node.
class ReplicaCluster {
 public:
  ReplicaCluster(uint64_t seed, int brokers, ReplicaHostOptions options = {})
      : cluster_(seed, brokers, [options](NodeId id, const HostPort&) {
          return std::make_unique<ReplicaHost>(id, options);
        }) {
    cluster_.sim().AddNode(kController,
                           [] { return std::make_unique<FakeController>(); });
    client_ = cluster_.AddIdleClient();
    controller().on_change = [this] { Push(); };
  }

  SimCluster& cluster() { return cluster_; }
  Simulation& sim() { return cluster_.sim(); }
  NodeId client() const { return client_; }
  ReplicaHost& host(NodeId id) { return sim().node<ReplicaHost>(id); }
  ReplicatedReplicaManager& replicas(NodeId id) { return host(id).replicas(); }
  /// The replica's state (it must exist).
  const ReplicatedPartition& partition(NodeId id, const TopicPartition& tp) {
    return *view(id).GetPartition(tp);
  }
  const ReplicatedReplicaManager& view(NodeId id) { return replicas(id); }
  FakeController& controller() {
    return sim().node<FakeController>(kController);
  }

  /// A new partition on `replicas`, led by the first, every replica in sync,
  /// epochs 0.
  void CreatePartition(const TopicPartition& tp, std::vector<NodeId> replicas) {
    controller().states[tp] = PartitionState{.partition = tp,
                                             .topic_id = Uuid(kTopicId),
                                             .replicas = replicas,
                                             .isr = replicas,
                                             .leader = replicas.front()};
    Push();
  }
  /// Makes `leader` the leader in the next leader epoch, with `isr`.
  void Elect(const TopicPartition& tp, NodeId leader, std::vector<NodeId> isr,
             std::set<NodeId> tell = {}) {
    PartitionState& state = controller().states.at(tp);
    state.leader = leader;
    state.isr = std::move(isr);
    ++state.leader_epoch;
    ++state.partition_epoch;
    Push(tell);
  }
  void Delete(const std::string& topic) {
    std::erase_if(controller().states, [&](const auto& entry) {
      return entry.first.topic == topic;
    });
    Push();
  }
  /// Tells the running hosts (only those in `only`, if any) every state.
  void Push(std::set<NodeId> only = {}) {
    std::vector<PartitionState> states;
    for (const auto& [tp, state] : controller().states) states.push_back(state);
    for (NodeId id : cluster_.brokers()) {
      if (down_.contains(id) || (!only.empty() && !only.contains(id))) continue;
      host(id).Update(Endpoints(), states);
    }
  }

  void Stop(NodeId id) {
    down_.insert(id);
    cluster_.Stop(id);
  }
  void Restart(NodeId id) {
    down_.erase(id);
    cluster_.Restart(id);
  }

  /// Appends `batch` on `broker`, acks=1; the append's result.
  PartitionAppendResult Append(NodeId broker, const TopicPartition& tp,
                               const Bytes& batch) {
    PartitionAppendResult result;
    AppendAsync(broker, tp, batch, 1, 30'000,
                [&](const PartitionAppendResult& answer) { result = answer; });
    return result;
  }
  /// Appends `batch` on `broker` with `acks`; `on_answer` hears the
  /// result whenever the replica manager gives it.
  void AppendAsync(
      NodeId broker, const TopicPartition& tp, const Bytes& batch, int16_t acks,
      int32_t timeout_ms,
      std::function<void(const PartitionAppendResult&)> on_answer) {
    replicas(broker).AppendRecords(
        {.acks = acks,
         .timeout_ms = timeout_ms,
         .entries = {PartitionRecords{tp, batch}}},
        [on_answer =
             std::move(on_answer)](std::vector<PartitionAppendResult> results) {
          on_answer(results.front());
        });
  }

  /// Everything in the partition's log on `broker`, as the log holds it.
  Bytes LogBytes(NodeId broker, const TopicPartition& tp) {
    Bytes out;
    const Log* log = replicas(broker).GetLog(tp);
    if (log != nullptr && log->log_end_offset() > log->log_start_offset()) {
      Status read = log->Read(log->log_start_offset(), 1 << 20, out);
      if (!read.ok()) out.clear();
    }
    return out;
  }

  std::vector<BrokerEndpoint> Endpoints() {
    std::vector<BrokerEndpoint> endpoints;
    for (NodeId id : cluster_.brokers()) {
      if (down_.contains(id)) continue;
      const HostPort& address = sim().address(id);
      endpoints.push_back({id, address.host, address.port, std::nullopt});
    }
    return endpoints;
  }

 private:
  SimCluster cluster_;
  NodeId client_;
  std::set<NodeId> down_;
};

}  // namespace kafka::testing
