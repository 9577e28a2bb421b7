#include "chapters/04_replication/static_controller.h"

#include <algorithm>
#include <random>

#include "chapters/02_partitions/partition.h"
#include "chapters/02_partitions/topic_admin.h"
#include "chapters/04_replication/controller_metadata.h"
#include "lib/protocol/admin.h"

namespace kafka {
namespace {

bool Contains(const std::vector<NodeId>& ids, NodeId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

bool HasRepeats(std::vector<NodeId> ids) {
  std::sort(ids.begin(), ids.end());
  return std::adjacent_find(ids.begin(), ids.end()) != ids.end();
}

// Kafka's Replicas.validateIsr: every member a replica, none twice.
bool IsSetOfReplicas(const std::vector<NodeId>& isr,
                     const std::vector<NodeId>& replicas) {
  return !HasRepeats(isr) &&
         std::all_of(isr.begin(), isr.end(),
                     [&](NodeId id) { return Contains(replicas, id); });
}

bool SameMembers(std::vector<NodeId> a, std::vector<NodeId> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  return a == b;
}

Error UnknownTopic(const std::string& topic) {
  return Error{ErrorCode::kUnknownTopicOrPartition,
               "topic '" + topic + "' does not exist"};
}

Error TooFewBrokers(int32_t replication_factor, size_t brokers) {
  const std::string factor = std::to_string(replication_factor);
  return Error{ErrorCode::kInvalidReplicationFactor,
               "Unable to replicate the partition " + factor +
                   " time(s): The target replication factor of " + factor +
                   " cannot be reached because only " +
                   std::to_string(brokers) + " broker(s) are registered."};
}

// A new topic's configs as CreateTopics (v5+) reports them: set for the
// topic, else the default the controller was given, with its source.
std::vector<CreateTopicsResponse::Config> DescribeConfigs(
    const TopicConfigOverrides& set, const LogConfig& defaults) {
  std::vector<CreateTopicsResponse::Config> configs;
  for (const TopicConfigDefinition& definition : TopicConfigDefinitions()) {
    CreateTopicsResponse::Config& config = configs.emplace_back(
        CreateTopicsResponse::Config{.name = std::string(definition.name)});
    const std::string value = TopicConfigValue(defaults, definition.name);
    if (auto found = set.find(config.name); found != set.end()) {
      config.value = found->second;
      config.config_source = kDynamicTopicConfig;
    } else {
      config.value = value;
      config.config_source =
          value == TopicConfigValue(LogConfig{}, definition.name)
              ? kDefaultConfig
              : kStaticBrokerConfig;
    }
  }
  return configs;
}

TopicConfigOverrides ConfigsOf(const CreateTopicsRequest::Topic& topic) {
  TopicConfigOverrides configs;
  for (const auto& config : topic.configs) {
    if (config.value) configs[config.name] = *config.value;
  }
  return configs;
}

template <typename Result>
void SetError(Result& result, const Error& error) {
  result.error_code = error.code;
  result.error_message = error.message;
}

}  // namespace

//! [assign replicas]
std::vector<std::vector<NodeId>> AssignReplicasToBrokers(
    const std::vector<NodeId>& brokers, int32_t first_partition,
    int32_t partitions, int16_t replication_factor, int32_t start_index,
    int32_t shift) {
  const int32_t n = int32_t(brokers.size());
  std::vector<std::vector<NodeId>> assignment;
  for (int32_t p = first_partition; p < first_partition + partitions; ++p) {
    // Every n partitions the followers move one further away, so that two
    // rounds of leaders do not have the same followers.
    if (p > 0 && p % n == 0) ++shift;
    const int32_t first = (p + start_index) % n;
    std::vector<NodeId>& replicas = assignment.emplace_back();
    replicas.push_back(brokers[size_t(first)]);
    for (int32_t j = 0; j < replication_factor - 1; ++j) {
      // 1 to n-1 brokers on: never the first replica's own broker again.
      const int32_t distance = 1 + (shift + j) % (n - 1);
      replicas.push_back(brokers[size_t((first + distance) % n)]);
    }
  }
  return assignment;
}
//! [assign replicas]

//! [check alter partition]
ErrorCode CheckAlterPartition(const PartitionState& current, NodeId broker,
                              const AlterPartitionRequest::Partition& proposal,
                              const std::set<NodeId>& fenced) {
  if (proposal.leader_epoch > current.leader_epoch ||
      proposal.partition_epoch > current.partition_epoch) {
    return ErrorCode::kNotController;
  }
  if (proposal.leader_epoch < current.leader_epoch) {
    return ErrorCode::kFencedLeaderEpoch;
  }
  if (broker != current.leader) return ErrorCode::kInvalidRequest;
  if (proposal.partition_epoch < current.partition_epoch) {
    return ErrorCode::kInvalidUpdateVersion;
  }
  if (!IsSetOfReplicas(proposal.new_isr, current.replicas) ||
      !Contains(proposal.new_isr, current.leader)) {
    return ErrorCode::kInvalidRequest;
  }
  // This controller never elects uncleanly into RECOVERING (KIP-704), and a
  // recovered partition cannot go back to recovering.
  if (proposal.leader_recovery_state != 0) return ErrorCode::kInvalidRequest;
  for (NodeId member : proposal.new_isr) {
    if (fenced.count(member)) return ErrorCode::kOperationNotAttempted;
  }
  return ErrorCode::kNone;
}
//! [check alter partition]

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

std::vector<NodeId> StaticController::UnfencedBrokers() const {
  std::vector<NodeId> ids;
  for (const BrokerEndpoint& broker : config_.brokers) {
    if (!fenced_.count(broker.id)) ids.push_back(broker.id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<BrokerEndpoint> StaticController::LiveBrokers() const {
  std::vector<BrokerEndpoint> live;
  for (const BrokerEndpoint& broker : config_.brokers) {
    if (!fenced_.count(broker.id)) live.push_back(broker);
  }
  return live;
}

Status StaticController::CheckAssignment(
    const std::vector<std::vector<NodeId>>& replicas) const {
  for (const std::vector<NodeId>& partition : replicas) {
    if (partition.empty() || partition.size() != replicas[0].size()) {
      return Error{ErrorCode::kInvalidReplicaAssignment,
                   "every partition needs the same number of replicas, "
                   "at least one"};
    }
    if (HasRepeats(partition)) {
      return Error{ErrorCode::kInvalidReplicaAssignment,
                   "a partition names a broker more than once"};
    }
    if (std::all_of(partition.begin(), partition.end(),
                    [this](NodeId id) { return fenced_.count(id) > 0; })) {
      return Error{ErrorCode::kInvalidReplicaAssignment,
                   "every broker assigned a partition is fenced"};
    }
    for (NodeId id : partition) {
      if (std::none_of(config_.brokers.begin(), config_.brokers.end(),
                       [id](const BrokerEndpoint& b) { return b.id == id; })) {
        return Error{ErrorCode::kInvalidReplicaAssignment,
                     "no broker " + std::to_string(id) + " is registered"};
      }
    }
  }
  return Status();
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
    const auto same_name = [&](const auto& t) { return t.name == topic.name; };
    if (std::count_if(decoded->topics.begin(), decoded->topics.end(),
                      same_name) > 1) {
      CreateTopicsResponse::Result& result = response.topics.emplace_back(
          CreateTopicsResponse::Result{.name = topic.name});
      result.configs.emplace();
      SetError(result, {ErrorCode::kInvalidRequest, "Duplicate topic name."});
      continue;
    }
    response.topics.push_back(CreateTopic(topic, decoded->validate_only));
    created |= response.topics.back().error_code == ErrorCode::kNone &&
               !decoded->validate_only;
  }
  if (created) PushMetadata();
  respond(EncodeResponseBody(response, request.header));
  return Status();
}

CreateTopicsResponse::Result StaticController::CreateTopic(
    const CreateTopicsRequest::Topic& topic, bool validate_only) {
  CreateTopicsResponse::Result result{.name = topic.name};
  result.configs.emplace();  // none, rather than withheld (null)
  Result<std::vector<std::vector<NodeId>>> placed = CheckNewTopic(topic);
  if (!placed.ok()) {
    SetError(result, placed.error());
    return result;
  }
  const TopicConfigOverrides configs = ConfigsOf(topic);
  result.num_partitions = int32_t(placed->size());
  result.replication_factor = int16_t((*placed)[0].size());
  result.configs = DescribeConfigs(configs, config_.log);
  if (validate_only) return result;
  Topic& created = topics_[topic.name];
  created.id = Uuid::Random(env_->random());
  created.configs = configs;
  for (const std::vector<NodeId>& replicas : *placed) {
    created.partitions.push_back(
        NewPartition({topic.name, int32_t(created.partitions.size())},
                     created.id, replicas));
  }
  result.topic_id = created.id;
  return result;
}

Result<std::vector<std::vector<NodeId>>> StaticController::CheckNewTopic(
    const CreateTopicsRequest::Topic& topic) const {
  if (Status valid = ValidateTopicName(topic.name); !valid.ok()) {
    return valid.error();
  }
  if (topics_.count(topic.name)) {
    return Error{ErrorCode::kTopicAlreadyExists,
                 "Topic '" + topic.name + "' already exists."};
  }
  Result<std::vector<std::vector<NodeId>>> placed = PlaceTopic(topic);
  if (!placed.ok()) return placed;
  const TopicConfigOverrides configs = ConfigsOf(topic);
  Status parsed =
      ParseTopicConfigs({configs.begin(), configs.end()}, config_.log).status();
  if (!parsed.ok()) return parsed.error();
  return placed;
}

PartitionState StaticController::NewPartition(
    const TopicPartition& partition, const Uuid& topic_id,
    const std::vector<NodeId>& replicas) const {
  PartitionState state{.partition = partition,
                       .topic_id = topic_id,
                       .replicas = replicas,
                       .leader_epoch = Partition::kFirstLeaderEpoch};
  for (NodeId replica : replicas) {
    if (!fenced_.count(replica)) state.isr.push_back(replica);
  }
  state.leader = state.isr[0];  // CheckAssignment: one is unfenced
  return state;
}

Result<std::vector<std::vector<NodeId>>> StaticController::PlaceTopic(
    const CreateTopicsRequest::Topic& topic) const {
  if (!topic.assignments.empty()) {
    if (topic.num_partitions != -1 || topic.replication_factor != -1) {
      return Error{ErrorCode::kInvalidRequest,
                   "A manual partition assignment was specified, but the "
                   "partitions or replication factor was not -1."};
    }
    std::vector<std::vector<NodeId>> replicas;
    for (const auto& assignment : topic.assignments) {
      if (assignment.partition_index != int32_t(replicas.size())) {
        return Error{ErrorCode::kInvalidReplicaAssignment,
                     "partitions must be assigned in order from 0"};
      }
      replicas.push_back(assignment.broker_ids);
    }
    if (Status checked = CheckAssignment(replicas); !checked.ok()) {
      return checked.error();
    }
    return replicas;
  }
  const int32_t partitions = topic.num_partitions == -1 ? config_.num_partitions
                                                        : topic.num_partitions;
  const int16_t factor = topic.replication_factor == -1
                             ? config_.default_replication_factor
                             : topic.replication_factor;
  if (partitions <= 0) {
    return Error{ErrorCode::kInvalidPartitions,
                 "Number of partitions was set to an invalid non-positive "
                 "value."};
  }
  if (factor <= 0) {
    return Error{ErrorCode::kInvalidReplicationFactor,
                 "Replication factor must be larger than 0, or -1 to use "
                 "the default value."};
  }
  const std::vector<NodeId> brokers = UnfencedBrokers();
  if (size_t(factor) > brokers.size()) {
    return TooFewBrokers(factor, brokers.size());
  }
  std::uniform_int_distribution<int32_t> any(0, int32_t(brokers.size()) - 1);
  const int32_t start = any(env_->random());
  const int32_t shift = any(env_->random());
  return AssignReplicasToBrokers(brokers, 0, partitions, factor, start, shift);
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
  Result<std::vector<std::vector<NodeId>>> placed =
      PlacePartitions(topic, existing->second);
  if (!placed.ok()) return placed.error();
  if (validate_only) return Status();
  std::vector<PartitionState>& partitions = existing->second.partitions;
  for (const std::vector<NodeId>& replicas : *placed) {
    partitions.push_back(NewPartition({topic.name, int32_t(partitions.size())},
                                      existing->second.id, replicas));
  }
  return Status();
}

Result<std::vector<std::vector<NodeId>>> StaticController::PlacePartitions(
    const CreatePartitionsRequest::Topic& topic, const Topic& existing) const {
  const int32_t current = int32_t(existing.partitions.size());
  if (topic.count < current) {
    return Error{ErrorCode::kInvalidPartitions,
                 "Topic currently has " + std::to_string(current) +
                     " partitions, which is higher than the requested " +
                     std::to_string(topic.count) + "."};
  }
  if (topic.count == current) {
    return Error{
        ErrorCode::kInvalidPartitions,
        "Topic already has " + std::to_string(current) + " partition(s)."};
  }
  const std::vector<NodeId>& first = existing.partitions[0].replicas;
  if (topic.assignments) {
    std::vector<std::vector<NodeId>> replicas = {first};
    for (const auto& assignment : *topic.assignments) {
      replicas.push_back(assignment.broker_ids);
    }
    if (int32_t(topic.assignments->size()) != topic.count - current) {
      return Error{ErrorCode::kInvalidReplicaAssignment,
                   "Attempted to add " + std::to_string(topic.count - current) +
                       " additional partition(s), but only " +
                       std::to_string(topic.assignments->size()) +
                       " assignment(s) were specified."};
    }
    if (Status checked = CheckAssignment(replicas); !checked.ok()) {
      return checked.error();
    }
    replicas.erase(replicas.begin());
    return replicas;
  }
  const std::vector<NodeId> brokers = UnfencedBrokers();
  if (first.size() > brokers.size()) {
    return TooFewBrokers(int32_t(first.size()), brokers.size());
  }
  // As Kafka grows a topic: start where partition 0's leader stands.
  const auto at = std::lower_bound(brokers.begin(), brokers.end(), first[0]);
  const int32_t start =
      at == brokers.end() ? 0 : int32_t(std::distance(brokers.begin(), at));
  return AssignReplicasToBrokers(brokers, current, topic.count - current,
                                 int16_t(first.size()), start, start);
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
  // As Chapter 2's broker: the group coordinator's topic stays.
  if (IsInternalTopic(topic->first)) {
    SetError(result, Error{ErrorCode::kInvalidRequest,
                           "topic '" + topic->first +
                               "' is an internal topic and cannot be deleted"});
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
  if (resource.resource_type != kTopicResource) {
    return Error{ErrorCode::kInvalidRequest,
                 "the controller changes topic configs only"};
  }
  auto topic = topics_.find(resource.resource_name);
  if (topic == topics_.end()) return UnknownTopic(resource.resource_name);
  std::vector<ConfigChange> changes;
  for (const auto& config : resource.configs) {
    changes.push_back({config.name,
                       ConfigChange::Operation(config.config_operation),
                       config.value.value_or("")});
  }
  Result<TopicConfigOverrides> configs =
      ApplyConfigChanges(topic->second.configs, changes);
  if (!configs.ok()) return configs.status();
  Status legal =
      ParseTopicConfigs({configs->begin(), configs->end()}, config_.log)
          .status();
  if (legal.ok() && !validate_only) topic->second.configs = *configs;
  return legal;
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
    AlterPartitionResponse::Topic& answer = response.topics.emplace_back(
        AlterPartitionResponse::Topic{.topic_name = topic.topic_name});
    for (const AlterPartitionRequest::Partition& proposal : topic.partitions) {
      answer.partitions.push_back(
          AlterPartition(topic.topic_name, decoded->broker_id, proposal));
      accepted |= answer.partitions.back().error_code == ErrorCode::kNone;
    }
  }
  if (accepted) PushMetadata();
  respond(EncodeResponseBody(response, request.header));
  return Status();
}

AlterPartitionResponse::Partition StaticController::AlterPartition(
    const std::string& topic, NodeId broker,
    const AlterPartitionRequest::Partition& proposal) {
  AlterPartitionResponse::Partition answer{.partition_index =
                                               proposal.partition_index};
  PartitionState* state = Find({topic, proposal.partition_index});
  if (!state) {
    answer.error_code = ErrorCode::kUnknownTopicOrPartition;
    return answer;
  }
  answer.error_code = CheckAlterPartition(*state, broker, proposal, fenced_);
  if (answer.error_code != ErrorCode::kNone) return answer;
  if (!SameMembers(state->isr, proposal.new_isr)) {
    state->isr = proposal.new_isr;
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
