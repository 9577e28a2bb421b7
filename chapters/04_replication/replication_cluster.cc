#include "chapters/04_replication/replication_cluster.h"

#include "chapters/01_log/record_batch.h"

namespace kafka {
namespace {

// The version the fixture's own requests use: a current client's.
constexpr int16_t kProduceVersion = 9;
constexpr int16_t kFetchVersion = 12;
constexpr int16_t kCreateTopicsVersion = 7;

std::vector<BrokerEndpoint> BrokersAtDefaultAddresses(int brokers) {
  std::vector<BrokerEndpoint> endpoints;
  for (NodeId id = 1; id <= brokers; ++id) {
    const HostPort address = Simulation::DefaultAddress(id);
    endpoints.push_back({id, address.host, address.port, std::nullopt});
  }
  return endpoints;
}

SimCluster::BrokerFactory ReplicatedBrokers(ReplicatedBrokerConfig config) {
  config.controller_id = ReplicationCluster::kControllerId;
  config.controller_address =
      Simulation::DefaultAddress(ReplicationCluster::kControllerId);
  return [config](NodeId id, const HostPort& address) {
    ReplicatedBrokerConfig broker = config;
    broker.broker.node_id = id;
    broker.broker.advertised_host = address.host;
    broker.broker.advertised_port = address.port;
    broker.broker.data_dir = "data";
    return std::make_unique<ReplicatedBroker>(broker);
  };
}

Bytes BatchOfValues(const std::vector<std::string>& values) {
  std::vector<SimpleRecord> records;
  for (const std::string& value : values) {
    records.push_back({.timestamp = 1000, .value = ToBytes(value)});
  }
  return EncodeRecordBatch(MakeBatch(records));
}

}  // namespace

Bytes BatchesBelow(const Log& log, int64_t end) {
  Bytes all;
  for (int64_t offset = log.log_start_offset(); offset < end;) {
    Bytes chunk;
    if (!log.Read(offset, 1 << 20, chunk, end).ok() || chunk.empty()) break;
    Result<std::vector<BatchSlice>> batches = SplitAndValidateBatches(chunk);
    if (!batches.ok() || batches->empty()) break;
    all.insert(all.end(), chunk.begin(), chunk.end());
    offset = batches->back().header.NextOffset();
  }
  return all;
}

std::vector<std::string> ValuesOf(const std::optional<Bytes>& records) {
  std::vector<std::string> values;
  if (!records) return values;
  Result<std::vector<BatchSlice>> batches = SplitAndValidateBatches(*records);
  if (!batches.ok()) return values;
  for (const BatchSlice& slice : *batches) {
    ByteView bytes(records->data() + slice.position,
                   slice.header.SizeInBytes());
    Result<RecordBatch> batch = DecodeRecordBatch(bytes);
    if (!batch.ok()) continue;
    for (const Record& record : batch->records) {
      values.push_back(record.value ? AsString(*record.value) : "");
    }
  }
  return values;
}

std::vector<std::string> LogValues(const ReplicatedPartition& replica) {
  return ValuesOf(BatchesBelow(replica.log(), replica.log_end_offset()));
}

ReplicationClusterConfig DefaultReplicationClusterConfig() {
  ReplicationClusterConfig config;
  config.broker.groups.offsets_topic_replication_factor = 3;
  return config;
}

ReplicationCluster::ReplicationCluster(uint64_t seed, int brokers,
                                       ReplicationClusterConfig config)
    : SimCluster(seed, brokers, ReplicatedBrokers(config.broker)) {
  StaticControllerConfig controller = config.controller;
  controller.node_id = kControllerId;
  controller.brokers = BrokersAtDefaultAddresses(brokers);
  controller.log = config.broker.broker.log;
  sim().AddNode(kControllerId, [controller] {
    return std::make_unique<StaticController>(controller);
  });
  client_ = AddIdleClient();
}

const ReplicatedPartition* ReplicationCluster::replica(
    NodeId id, const TopicPartition& partition) {
  if (!sim().is_up(id)) return nullptr;
  return broker(id).replicas().GetPartition(partition);
}

Status ReplicationCluster::CreateTopic(
    const std::string& topic, int32_t partitions, int16_t replication_factor,
    std::vector<CreateTopicsRequest::Config> configs, NodeId via) {
  CreateTopicsRequest request;
  request.topics = {{.name = topic,
                     .num_partitions = partitions,
                     .replication_factor = replication_factor,
                     .configs = std::move(configs)}};
  request.timeout_ms = 10'000;
  Result<CreateTopicsResponse> created =
      Call<CreateTopicsResponse>(client_, via, ApiKey::kCreateTopics,
                                 kCreateTopicsVersion, request, 15'000);
  if (!created.ok()) return created.error();
  const auto& result = created->topics.at(0);
  if (result.error_code != ErrorCode::kNone) {
    return Error{result.error_code, result.error_message.value_or("")};
  }
  if (!RunUntil([&] { return EveryReplicaHas(topic, partitions); }, 10'000)) {
    return Error{ErrorCode::kRequestTimedOut,
                 "the replicas of " + topic + " did not all appear"};
  }
  return Status();
}

bool ReplicationCluster::EveryReplicaHas(const std::string& topic,
                                         int32_t partitions) {
  for (int32_t p = 0; p < partitions; ++p) {
    const auto state = controller().state({topic, p});
    if (!state) return false;
    for (NodeId id : state->replicas) {
      const ReplicatedPartition* found = replica(id, {topic, p});
      if (found == nullptr || found->leader_id() != state->leader ||
          found->leader_epoch() != state->leader_epoch) {
        return false;
      }
    }
  }
  return true;
}

bool ReplicationCluster::RunUntilReplicated(const TopicPartition& partition,
                                            int64_t max_ms) {
  return RunUntil(
      [&] {
        const auto state = controller().state(partition);
        if (!state) return false;
        const ReplicatedPartition* leader = replica(state->leader, partition);
        if (leader == nullptr) return false;
        for (NodeId id : state->isr) {
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

ErrorCode ProduceValues(SimCluster& cluster, NodeId from, NodeId to,
                        const TopicPartition& partition,
                        const std::vector<std::string>& values, int16_t acks,
                        int32_t timeout_ms) {
  ProduceRequest request;
  request.acks = acks;
  request.timeout_ms = timeout_ms;
  request.topic_data = {
      {partition.topic, {{partition.partition, BatchOfValues(values)}}}};
  Result<ProduceResponse> answer = cluster.Call<ProduceResponse>(
      from, to, ApiKey::kProduce, kProduceVersion, request,
      // The transport waits longer than the broker may.
      int64_t(timeout_ms) + 5000);
  if (!answer.ok()) return answer.error().code;
  return answer->responses.at(0).partition_responses.at(0).error_code;
}

FetchResponse::Partition FetchAsConsumer(SimCluster& cluster, NodeId from,
                                         NodeId to,
                                         const TopicPartition& partition,
                                         int64_t offset,
                                         int32_t current_leader_epoch) {
  FetchRequest request;
  request.max_wait_ms = 0;
  request.topics = {
      {.topic = partition.topic,
       .partitions = {{.partition = partition.partition,
                       .current_leader_epoch = current_leader_epoch,
                       .fetch_offset = offset}}}};
  Result<FetchResponse> answer = cluster.Call<FetchResponse>(
      from, to, ApiKey::kFetch, kFetchVersion, request);
  if (!answer.ok()) {
    FetchResponse::Partition failed;
    failed.error_code = answer.error().code;
    return failed;
  }
  return answer->responses.at(0).partitions.at(0);
}

ErrorCode ReplicationCluster::Produce(NodeId to,
                                      const TopicPartition& partition,
                                      const std::vector<std::string>& values,
                                      int16_t acks) {
  return ProduceValues(*this, client_, to, partition, values, acks);
}

FetchResponse::Partition ReplicationCluster::Fetch(
    NodeId to, const TopicPartition& partition, int64_t offset,
    int32_t current_leader_epoch) {
  return FetchAsConsumer(*this, client_, to, partition, offset,
                         current_leader_epoch);
}

}  // namespace kafka
