#include "chapters/05_controller/kraft_cluster.h"

#include <algorithm>

namespace kafka {
namespace {

// The versions the fixture's own requests use: a current client's.
constexpr int16_t kCreateTopicsVersion = 7;
constexpr int16_t kElectLeadersVersion = 2;

// Where the brokers' partition logs and every node's metadata log live
// (log.dirs and metadata.log.dir).
constexpr char kDataDir[] = "data";
constexpr char kMetadataDir[] = "metadata";

QuorumVoters VotersOf(int controllers) {
  QuorumVoters voters;
  for (int i = 0; i < controllers; ++i) {
    const NodeId id = KRaftCluster::kFirstControllerId + i;
    voters[id] = Simulation::DefaultAddress(id);
  }
  return voters;
}

RaftConfig RaftConfigFor(const KRaftClusterConfig& config, NodeId id) {
  RaftConfig raft = config.raft;
  raft.node_id = id;
  raft.voters = VotersOf(config.controllers);
  raft.data_dir = kMetadataDir;
  raft.cluster_id = config.broker.broker.cluster_id;
  return raft;
}

SimCluster::BrokerFactory KRaftBrokers(const KRaftClusterConfig& config) {
  return [config](NodeId id, const HostPort& address) {
    KRaftBrokerConfig broker = config.broker;
    broker.broker.node_id = id;
    broker.broker.advertised_host = address.host;
    broker.broker.advertised_port = address.port;
    broker.broker.data_dir = kDataDir;
    broker.raft = RaftConfigFor(config, id);
    return std::make_unique<KRaftBroker>(broker);
  };
}

ControllerServerConfig ControllerConfigFor(const KRaftClusterConfig& config,
                                           NodeId id) {
  ControllerServerConfig controller{.raft = RaftConfigFor(config, id),
                                    .controller = config.controller};
  controller.controller.node_id = id;
  controller.controller.cluster_id = config.broker.broker.cluster_id;
  controller.controller.log = config.broker.broker.log;
  controller.controller.num_partitions = config.broker.broker.num_partitions;
  return controller;
}

}  // namespace

KRaftClusterConfig DefaultKRaftClusterConfig() {
  KRaftClusterConfig config;
  config.broker.groups.offsets_topic_replication_factor = 3;
  config.broker.groups.offsets_topic_num_partitions = 3;
  return config;
}

KRaftCluster::KRaftCluster(uint64_t seed, int brokers,
                           KRaftClusterConfig config)
    : SimCluster(seed, brokers, KRaftBrokers(config)) {
  for (int i = 0; i < config.controllers; ++i) {
    const NodeId id = kFirstControllerId + i;
    controllers_.push_back(id);
    sim().AddNode(id, [controller = ControllerConfigFor(config, id)] {
      return std::make_unique<ControllerServer>(controller);
    });
  }
  client_ = AddIdleClient();
}

std::vector<NodeId> KRaftCluster::nodes() const {
  std::vector<NodeId> all = brokers();
  all.insert(all.end(), controllers_.begin(), controllers_.end());
  return all;
}

std::vector<NodeId> KRaftCluster::AllBut(const std::vector<NodeId>& ids) const {
  std::vector<NodeId> rest;
  for (NodeId id : nodes()) {
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) rest.push_back(id);
  }
  return rest;
}

std::optional<NodeId> KRaftCluster::active_controller() {
  std::optional<NodeId> active;
  int32_t active_epoch = -1;
  for (NodeId id : controllers_) {
    if (!sim().is_up(id)) continue;
    ControllerServer& server = controller(id);
    if (!server.controller().active()) continue;
    if (server.raft().epoch() > active_epoch) {
      active = id;
      active_epoch = server.raft().epoch();
    }
  }
  return active;
}

const MetadataImage* KRaftCluster::image() {
  const std::optional<NodeId> active = active_controller();
  if (!active) return nullptr;
  return &controller(*active).controller().image();
}

std::optional<PartitionState> KRaftCluster::state(
    const TopicPartition& partition) {
  const MetadataImage* committed = image();
  if (committed == nullptr) return std::nullopt;
  const PartitionRegistration* found = committed->partition(partition);
  if (found == nullptr) return std::nullopt;
  return found->state;
}

const ReplicatedPartition* KRaftCluster::replica(
    NodeId id, const TopicPartition& partition) {
  if (!sim().is_up(id)) return nullptr;
  return broker(id).replicas().GetPartition(partition);
}

bool KRaftCluster::RunUntilActiveController(int64_t max_ms) {
  return RunUntil([&] { return active_controller().has_value(); }, max_ms);
}

bool KRaftCluster::RunUntilBrokersUnfenced(int64_t max_ms) {
  return RunUntil(
      [&] {
        for (NodeId id : brokers()) {
          if (sim().is_up(id) && !broker(id).is_unfenced()) return false;
        }
        return true;
      },
      max_ms);
}

bool KRaftCluster::RunUntilState(
    const TopicPartition& partition,
    const std::function<bool(const PartitionState&)>& holds, int64_t max_ms) {
  return RunUntil(
      [&] {
        const std::optional<PartitionState> now = state(partition);
        return now && holds(*now);
      },
      max_ms);
}

bool KRaftCluster::RunUntilLeaderElected(const TopicPartition& partition,
                                         int64_t max_ms) {
  return RunUntil(
      [&] {
        const std::optional<PartitionState> now = state(partition);
        if (!now || now->leader < 0) return false;
        const ReplicatedPartition* leader = replica(now->leader, partition);
        return leader != nullptr && leader->is_leader() &&
               leader->leader_epoch() == now->leader_epoch;
      },
      max_ms);
}

bool KRaftCluster::RunUntilReplicated(const TopicPartition& partition,
                                      int64_t max_ms) {
  return RunUntil(
      [&] {
        const std::optional<PartitionState> now = state(partition);
        if (!now || now->leader < 0) return false;
        const ReplicatedPartition* leader = replica(now->leader, partition);
        if (leader == nullptr) return false;
        for (NodeId id : now->isr) {
          const ReplicatedPartition* follower = replica(id, partition);
          if (follower == nullptr ||
              follower->log_end_offset() != leader->log_end_offset() ||
              follower->high_watermark() != leader->high_watermark() ||
              leader->high_watermark() != leader->log_end_offset()) {
            return false;
          }
        }
        return true;
      },
      max_ms);
}

Status KRaftCluster::CreateTopic(
    const std::string& topic, int32_t partitions, int16_t replication_factor,
    std::vector<CreateTopicsRequest::Config> configs,
    std::vector<std::vector<NodeId>> assignments, NodeId via) {
  CreateTopicsRequest request;
  CreateTopicsRequest::Topic& wanted = request.topics.emplace_back();
  wanted.name = topic;
  wanted.num_partitions = assignments.empty() ? partitions : -1;
  wanted.replication_factor = assignments.empty() ? replication_factor : -1;
  wanted.configs = std::move(configs);
  for (size_t i = 0; i < assignments.size(); ++i) {
    wanted.assignments.push_back(
        {.partition_index = int32_t(i), .broker_ids = assignments[i]});
  }
  request.timeout_ms = 10'000;
  Result<CreateTopicsResponse> created =
      Call<CreateTopicsResponse>(client_, via, ApiKey::kCreateTopics,
                                 kCreateTopicsVersion, request, 40'000);
  if (!created.ok()) return created.error();
  const auto& result = created->topics.at(0);
  if (result.error_code != ErrorCode::kNone) {
    return Error{result.error_code, result.error_message.value_or("")};
  }
  if (!RunUntil([&] { return EveryReplicaHas(topic, partitions); }, 30'000)) {
    return Error{ErrorCode::kRequestTimedOut,
                 "the replicas of " + topic + " did not all appear"};
  }
  return Status();
}

bool KRaftCluster::EveryReplicaHas(const std::string& topic,
                                   int32_t partitions) {
  for (int32_t p = 0; p < partitions; ++p) {
    const std::optional<PartitionState> now = state({topic, p});
    if (!now) return false;
    for (NodeId id : now->replicas) {
      if (!sim().is_up(id)) continue;
      const ReplicatedPartition* found = replica(id, {topic, p});
      if (found == nullptr || found->leader_id() != now->leader ||
          found->leader_epoch() != now->leader_epoch) {
        return false;
      }
    }
  }
  return true;
}

Result<ElectLeadersResponse> KRaftCluster::ElectLeaders(
    int8_t election_type, const std::vector<TopicPartition>& partitions,
    NodeId via) {
  ElectLeadersRequest request{
      .election_type = election_type,
      .topic_partitions = std::vector<ElectLeadersRequest::TopicPartitions>()};
  for (const TopicPartition& partition : partitions) {
    auto& topics = *request.topic_partitions;
    if (topics.empty() || topics.back().topic != partition.topic) {
      topics.push_back({.topic = partition.topic});
    }
    topics.back().partitions.push_back(partition.partition);
  }
  return Call<ElectLeadersResponse>(client_, via, ApiKey::kElectLeaders,
                                    kElectLeadersVersion, request, 40'000);
}

ErrorCode KRaftCluster::Produce(NodeId to, const TopicPartition& partition,
                                const std::vector<std::string>& values,
                                int16_t acks, int32_t timeout_ms) {
  return ProduceValues(*this, client_, to, partition, values, acks, timeout_ms);
}

FetchResponse::Partition KRaftCluster::Fetch(NodeId to,
                                             const TopicPartition& partition,
                                             int64_t offset,
                                             int32_t current_leader_epoch) {
  return FetchAsConsumer(*this, client_, to, partition, offset,
                         current_leader_epoch);
}

}  // namespace kafka
