#include "chapters/04_replication/static_controller.h"

#include <algorithm>

#include "chapters/02_partitions/partition.h"
#include "chapters/04_replication/controller_metadata.h"
#include "lib/protocol/admin.h"

namespace kafka {
namespace {

bool Contains(const std::vector<NodeId>& ids, NodeId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

bool SameMembers(std::vector<NodeId> a, std::vector<NodeId> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

template <typename Result>
void SetError(Result& result, const Error& error) {
  result.error_code = error.code;
  result.error_message = error.message;
}

}  // namespace

void StaticController::Start(Environment& env) {
  env_ = &env;
  for (const BrokerEndpoint& broker : config_.brokers) {
    env.LearnAddress(broker.id, broker.host, broker.port);
  }
  handlers().Register(ApiKey::kCreateTopics,
                      HandlerOf(this, &StaticController::HandleCreateTopics));
  handlers().Register(
      ApiKey::kCreatePartitions,
      HandlerOf(this, &StaticController::HandleCreatePartitions));
  handlers().Register(ApiKey::kDeleteTopics,
                      HandlerOf(this, &StaticController::HandleDeleteTopics));
  handlers().Register(
      ApiKey::kIncrementalAlterConfigs,
      HandlerOf(this, &StaticController::HandleIncrementalAlterConfigs));
  handlers().Register(ApiKey::kAlterPartition,
                      HandlerOf(this, &StaticController::HandleAlterPartition));
  PushMetadata();
  SchedulePush();
}

std::vector<PartitionState> StaticController::states() const {
  std::vector<PartitionState> all;
  for (const auto& [name, topic] : topics_) {
    all.insert(all.end(), topic.partitions.begin(), topic.partitions.end());
  }
  return all;
}

TopicConfigsByTopic StaticController::topic_configs() const {
  TopicConfigsByTopic all;
  for (const auto& [name, topic] : topics_) all[name] = topic.configs;
  return all;
}

std::optional<PartitionState> StaticController::state(
    const TopicPartition& partition) const {
  auto topic = topics_.find(partition.topic);
  if (topic == topics_.end() || partition.partition < 0 ||
      partition.partition >= int32_t(topic->second.partitions.size())) {
    return std::nullopt;
  }
  return topic->second.partitions[size_t(partition.partition)];
}

PartitionState* StaticController::Find(const TopicPartition& partition) {
  auto topic = topics_.find(partition.topic);
  if (topic == topics_.end() || partition.partition < 0 ||
      partition.partition >= int32_t(topic->second.partitions.size())) {
    return nullptr;
  }
  return &topic->second.partitions[size_t(partition.partition)];
}

//! [elect leader]
Status StaticController::ElectLeader(const TopicPartition& partition,
                                     NodeId leader, bool unclean) {
  PartitionState* state = Find(partition);
  if (!state) return UnknownTopic(partition.topic);
  if (!Contains(state->replicas, leader)) {
    return Error{ErrorCode::kInvalidRequest,
                 "broker " + std::to_string(leader) + " has no replica of " +
                     partition.topic + "-" +
                     std::to_string(partition.partition)};
  }
  const bool in_sync = Contains(state->isr, leader);
  if (fenced_.count(leader) || (!in_sync && !unclean)) {
    return Error{
        ErrorCode::kEligibleLeadersNotAvailable,
        "broker " + std::to_string(leader) + " is fenced or not in the ISR"};
  }
  // An unclean leader's log is the truth from now on: only it is in sync.
  if (!in_sync) state->isr = {leader};
  ChangeLeader(*state, leader);
  PushMetadata();
  return Status();
}
//! [elect leader]

void StaticController::FenceBroker(NodeId broker) {
  fenced_.insert(broker);
  for (auto& [name, topic] : topics_) {
    for (PartitionState& state : topic.partitions) {
      const bool leaves_isr =
          Contains(state.isr, broker) && state.isr.size() > 1;
      if (leaves_isr) std::erase(state.isr, broker);
      if (state.leader == broker) {
        ChangeLeader(state, FirstEligibleLeader(state));
      } else if (leaves_isr) {
        ++state.partition_epoch;
      }
    }
  }
  PushMetadata();
}

void StaticController::UnfenceBroker(NodeId broker) {
  fenced_.erase(broker);
  for (auto& [name, topic] : topics_) {
    for (PartitionState& state : topic.partitions) {
      if (state.leader == -1 && Contains(state.isr, broker)) {
        ChangeLeader(state, broker);
      }
    }
  }
  PushMetadata();
}

void StaticController::ChangeLeader(PartitionState& state, NodeId leader) {
  state.leader = leader;
  ++state.leader_epoch;
  ++state.partition_epoch;
}

NodeId StaticController::FirstEligibleLeader(
    const PartitionState& state) const {
  for (NodeId replica : state.replicas) {
    if (Contains(state.isr, replica) && !fenced_.count(replica)) return replica;
  }
  return -1;
}

ClusterBrokers StaticController::Brokers() const {
  ClusterBrokers brokers;
  for (const BrokerEndpoint& broker : config_.brokers) {
    brokers.registered.push_back(broker.id);
    if (!fenced_.count(broker.id)) brokers.active.push_back(broker.id);
  }
  std::sort(brokers.registered.begin(), brokers.registered.end());
  std::sort(brokers.active.begin(), brokers.active.end());
  return brokers;
}

NewTopicDefaults StaticController::Defaults() const {
  return {.num_partitions = config_.num_partitions,
          .default_replication_factor = config_.default_replication_factor,
          .log = config_.log};
}

std::vector<BrokerEndpoint> StaticController::LiveBrokers() const {
  std::vector<BrokerEndpoint> live;
  for (const BrokerEndpoint& broker : config_.brokers) {
    if (!fenced_.count(broker.id)) live.push_back(broker);
  }
  return live;
}

// ---- CreateTopics --------------------------------------------------------

Status StaticController::HandleCreateTopics(const Request& request,
                                            Responder respond) {
  Result<CreateTopicsRequest> decoded =
      DecodeRequestBody<CreateTopicsRequest>(request);
  if (!decoded.ok()) return decoded.status();
  CreateTopicsResponse response;
  bool created = false;
  for (const CreateTopicsRequest::Topic& topic : decoded->topics) {
    response.topics.push_back(CreateTopic(*decoded, topic));
    created |= response.topics.back().error_code == ErrorCode::kNone &&
               !decoded->validate_only;
  }
  if (created) PushMetadata();
  respond(EncodeResponseBody(response, request.header));
  return Status();
}

CreateTopicsResponse::Result StaticController::CreateTopic(
    const CreateTopicsRequest& request,
    const CreateTopicsRequest::Topic& topic) {
  Result<ReplicaAssignment> placed =
      CheckNewTopic(request, topic, topics_.count(topic.name) > 0, Brokers(),
                    Defaults(), env_->random());
  CreateTopicsResponse::Result result =
      NewTopicResult(topic, placed, config_.log);
  if (!placed.ok() || request.validate_only) return result;
  Topic& created = topics_[topic.name];
  created.id = Uuid::Random(env_->random());
  created.configs = ConfigsOf(topic);
  for (const std::vector<NodeId>& replicas : *placed) {
    created.partitions.push_back(
        NewPartition({topic.name, int32_t(created.partitions.size())},
                     created.id, replicas));
  }
  result.topic_id = created.id;
  return result;
}

PartitionState StaticController::NewPartition(
    const TopicPartition& partition, const Uuid& topic_id,
    const std::vector<NodeId>& replicas) const {
  PartitionState state{.partition = partition,
                       .topic_id = topic_id,
                       .replicas = replicas,
                       .leader_epoch = Partition::kFirstLeaderEpoch};
  state.isr = InitialIsr(replicas, Brokers());
  state.leader = state.isr[0];
  return state;
}

// ---- CreatePartitions ----------------------------------------------------

Status StaticController::HandleCreatePartitions(const Request& request,
                                                Responder respond) {
  Result<CreatePartitionsRequest> decoded =
      DecodeRequestBody<CreatePartitionsRequest>(request);
  if (!decoded.ok()) return decoded.status();
  CreatePartitionsResponse response;
  bool grown = false;
  for (const CreatePartitionsRequest::Topic& topic : decoded->topics) {
    CreatePartitionsResponse::Result& result = response.results.emplace_back(
        CreatePartitionsResponse::Result{.name = topic.name});
    Status outcome = CreatePartitions(topic, decoded->validate_only);
    if (!outcome.ok()) SetError(result, outcome.error());
    grown |= outcome.ok() && !decoded->validate_only;
  }
  if (grown) PushMetadata();
  respond(EncodeResponseBody(response, request.header));
  return Status();
}

Status StaticController::CreatePartitions(
    const CreatePartitionsRequest::Topic& topic, bool validate_only) {
  auto existing = topics_.find(topic.name);
  if (existing == topics_.end()) return UnknownTopic(topic.name);
  std::vector<PartitionState>& partitions = existing->second.partitions;
  Result<ReplicaAssignment> placed = PlacePartitions(
      topic, int32_t(partitions.size()), partitions[0].replicas, Brokers());
  if (!placed.ok()) return placed.error();
  if (validate_only) return Status();
  for (const std::vector<NodeId>& replicas : *placed) {
    partitions.push_back(NewPartition({topic.name, int32_t(partitions.size())},
                                      existing->second.id, replicas));
  }
  return Status();
}

// ---- DeleteTopics --------------------------------------------------------

Status StaticController::HandleDeleteTopics(const Request& request,
                                            Responder respond) {
  Result<DeleteTopicsRequest> decoded =
      DecodeRequestBody<DeleteTopicsRequest>(request);
  if (!decoded.ok()) return decoded.status();
  DeleteTopicsResponse response;
  for (const std::string& name : decoded->topic_names) {  // v0-5
    response.responses.push_back(DeleteTopic(name, Uuid()));
  }
  for (const DeleteTopicsRequest::Topic& topic : decoded->topics) {  // v6
    response.responses.push_back(DeleteTopic(topic.name, topic.topic_id));
  }
  PushMetadata();
  respond(EncodeResponseBody(response, request.header));
  return Status();
}

DeleteTopicsResponse::Result StaticController::DeleteTopic(
    const std::optional<std::string>& name, const Uuid& id) {
  DeleteTopicsResponse::Result result{.name = name, .topic_id = id};
  auto topic =
      name ? topics_.find(*name)
           : std::find_if(topics_.begin(), topics_.end(),
                          [&](const auto& t) { return t.second.id == id; });
  if (topic == topics_.end()) {
    SetError(result, name ? UnknownTopic(*name)
                          : Error{ErrorCode::kUnknownTopicId,
                                  "no topic has id " + id.ToString()});
    return result;
  }
  if (Status deletable = CheckDeletable(topic->first); !deletable.ok()) {
    SetError(result, deletable.error());
    return result;
  }
  result.name = topic->first;
  result.topic_id = topic->second.id;
  topics_.erase(topic);
  return result;
}

// ---- IncrementalAlterConfigs ---------------------------------------------

// A broker forwards only what its ConfigAdminManager accepted (known
// operations, values where needed, no names twice), and keeps broker
// configs to itself: topics are what arrive here.
Status StaticController::HandleIncrementalAlterConfigs(const Request& request,
                                                       Responder respond) {
  Result<IncrementalAlterConfigsRequest> decoded =
      DecodeRequestBody<IncrementalAlterConfigsRequest>(request);
  if (!decoded.ok()) return decoded.status();
  IncrementalAlterConfigsResponse response;
  for (const auto& resource : decoded->resources) {
    IncrementalAlterConfigsResponse::Response& answer =
        response.responses.emplace_back(
            IncrementalAlterConfigsResponse::Response{
                .resource_type = resource.resource_type,
                .resource_name = resource.resource_name});
    if (Status altered = AlterTopicConfigs(resource, decoded->validate_only);
        !altered.ok()) {
      SetError(answer, altered.error());
    }
  }
  if (!decoded->validate_only) PushMetadata();
  respond(EncodeResponseBody(response, request.header));
  return Status();
}

Status StaticController::AlterTopicConfigs(
    const IncrementalAlterConfigsRequest::Resource& resource,
    bool validate_only) {
  auto topic = topics_.find(resource.resource_name);
  Result<TopicConfigOverrides> configs = kafka::AlterTopicConfigs(
      resource, topic == topics_.end() ? nullptr : &topic->second.configs,
      config_.log);
  if (!configs.ok()) return configs.status();
  if (!validate_only) topic->second.configs = *configs;
  return Status();
}

// ---- AlterPartition ------------------------------------------------------

//! [alter partition]
Status StaticController::HandleAlterPartition(const Request& request,
                                              Responder respond) {
  Result<AlterPartitionRequest> decoded =
      DecodeRequestBody<AlterPartitionRequest>(request);
  if (!decoded.ok()) return decoded.status();
  AlterPartitionResponse response;
  bool accepted = false;
  for (const AlterPartitionRequest::Topic& topic : decoded->topics) {
    const std::optional<std::string> name = TopicNameOf(topic);
    AlterPartitionResponse::Topic& answer =
        response.topics.emplace_back(AlterPartitionResponse::Topic{
            .topic_name = name.value_or(""), .topic_id = topic.topic_id});
    for (const AlterPartitionRequest::Partition& proposal : topic.partitions) {
      answer.partitions.push_back(
          name ? AlterPartition(*name, decoded->broker_id, proposal,
                                request.header.api_version)
               : AlterPartitionResponse::Partition{
                     .partition_index = proposal.partition_index,
                     .error_code = ErrorCode::kUnknownTopicId});
      accepted |= answer.partitions.back().error_code == ErrorCode::kNone;
    }
  }
  if (accepted) PushMetadata();
  respond(EncodeResponseBody(response, request.header));
  return Status();
}

std::optional<std::string> StaticController::TopicNameOf(
    const AlterPartitionRequest::Topic& topic) const {
  if (topic.topic_id.IsZero()) return topic.topic_name;  // v0-1
  for (const auto& [name, known] : topics_) {
    if (known.id == topic.topic_id) return name;
  }
  return std::nullopt;
}

AlterPartitionResponse::Partition StaticController::AlterPartition(
    const std::string& topic, NodeId broker,
    const AlterPartitionRequest::Partition& proposal, int16_t version) {
  AlterPartitionResponse::Partition answer{.partition_index =
                                               proposal.partition_index};
  PartitionState* state = Find({topic, proposal.partition_index});
  if (!state) {
    answer.error_code = ErrorCode::kUnknownTopicOrPartition;
    return answer;
  }
  // This controller never elects uncleanly into RECOVERING: every
  // partition it keeps is RECOVERED.
  answer.error_code = CheckAlterPartition(*state, kLeaderRecovered, broker,
                                          proposal, Brokers(), version);
  if (answer.error_code != ErrorCode::kNone) return answer;
  if (std::vector<NodeId> isr = ProposedIsr(proposal);
      !SameMembers(state->isr, isr)) {
    state->isr = std::move(isr);
    ++state->partition_epoch;
  }
  answer.leader_id = state->leader;
  answer.leader_epoch = state->leader_epoch;
  answer.isr = state->isr;
  answer.partition_epoch = state->partition_epoch;
  return answer;
}
//! [alter partition]

// ---- UpdateMetadata ------------------------------------------------------

void StaticController::PushMetadata() {
  const Bytes body =
      EncodeMessage(UpdateMetadataOf(config_.node_id, kControllerEpoch,
                                     LiveBrokers(), states(), topic_configs()),
                    ApiKey::kUpdateMetadata, kUpdateMetadataVersion);
  for (const BrokerEndpoint& broker : config_.brokers) {
    // A broker that is down misses this push; the next one reaches it.
    env_->Send(broker.id,
               {int16_t(ApiKey::kUpdateMetadata), kUpdateMetadataVersion, 0,
                "static-controller"},
               body, config_.request_timeout_ms, [](Result<Bytes>) {});
  }
}

void StaticController::SchedulePush() {
  env_->StartTimer(config_.push_interval_ms, [this] {
    PushMetadata();
    SchedulePush();
  });
}

}  // namespace kafka
