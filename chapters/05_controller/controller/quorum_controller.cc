#include "chapters/05_controller/controller/quorum_controller.h"

#include <algorithm>
#include <cassert>
#include <set>

#include "chapters/02_partitions/partition.h"
#include "chapters/02_partitions/topic_admin.h"
#include "chapters/04_replication/replication_control.h"
#include "lib/lab.h"

namespace kafka {
namespace {

bool Contains(const std::vector<NodeId>& ids, NodeId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::vector<NodeId> Without(std::vector<NodeId> ids, NodeId id) {
  std::erase(ids, id);
  return ids;
}

template <typename Result>
void SetError(Result& result, const Error& error) {
  result.error_code = error.code;
  result.error_message = error.message;
}

// Encodes `message` as the answer to `header`'s request, through `respond`.
template <typename Response>
std::function<void(const Response&)> AnswerWith(Responder respond,
                                                RequestHeader header) {
  return [respond = std::move(respond),
          header = std::move(header)](const Response& response) {
    respond(EncodeResponseBody(response, header));
  };
}

}  // namespace

QuorumController::QuorumController(Environment& env,
                                   QuorumControllerConfig config,
                                   RaftClient& raft)
    : env_(env), config_(std::move(config)), raft_(raft) {
  ScheduleEvery(config_.metadata_max_idle_interval_ms,
                &QuorumController::MaybeWriteNoOp);
  ScheduleEvery(config_.fence_check_interval_ms,
                &QuorumController::CheckSessions);
  if (config_.auto_leader_rebalance_enable) {
    ScheduleEvery(config_.leader_imbalance_check_interval_ms,
                  &QuorumController::MaybeRebalance);
  }
}

void QuorumController::RegisterWith(RequestHandlers& handlers) {
  handlers.Register(
      ApiKey::kBrokerRegistration,
      HandlerOf(this, &QuorumController::HandleBrokerRegistration));
  handlers.Register(ApiKey::kBrokerHeartbeat,
                    HandlerOf(this, &QuorumController::HandleBrokerHeartbeat));
  handlers.Register(ApiKey::kCreateTopics,
                    HandlerOf(this, &QuorumController::HandleCreateTopics));
  handlers.Register(ApiKey::kCreatePartitions,
                    HandlerOf(this, &QuorumController::HandleCreatePartitions));
  handlers.Register(ApiKey::kDeleteTopics,
                    HandlerOf(this, &QuorumController::HandleDeleteTopics));
  handlers.Register(ApiKey::kAlterPartition,
                    HandlerOf(this, &QuorumController::HandleAlterPartition));
  handlers.Register(
      ApiKey::kIncrementalAlterConfigs,
      HandlerOf(this, &QuorumController::HandleIncrementalAlterConfigs));
  handlers.Register(ApiKey::kElectLeaders,
                    HandlerOf(this, &QuorumController::HandleElectLeaders));
  handlers.Register(
      ApiKey::kAllocateProducerIds,
      HandlerOf(this, &QuorumController::HandleAllocateProducerIds));
}

// ---- The Raft listener ------------------------------------------------------

void QuorumController::HandleCommit(const CommittedBatch& batch) {
  for (size_t i = 0; i < batch.records.size(); ++i) {
    Result<MetadataRecord> record = DecodeMetadataRecord(batch.records[i]);
    // A record this controller cannot read was written by a newer one; it
    // is skipped rather than taken down the node (Kafka stops instead).
    if (record.ok()) image_.Apply(*record, batch.base_offset + int64_t(i));
    bytes_since_snapshot_ += int64_t(batch.records[i].size());
  }
  image_.set_last_applied_offset(batch.last_offset);
  MaybeSnapshot(batch);
  if (in_flight_ && batch.last_offset >= in_flight_->last_offset) {
    CompleteInFlight();
    RunNextOperation();
  }
}

void QuorumController::CompleteInFlight() {
  std::function<void()> on_commit = std::move(in_flight_->on_commit);
  in_flight_.reset();
  on_commit();
}

void QuorumController::HandleLoadSnapshot(int64_t end_offset, int32_t,
                                          const std::vector<Bytes>& records) {
  image_ = MetadataImage();
  for (const Bytes& bytes : records) {
    Result<MetadataRecord> record = DecodeMetadataRecord(bytes);
    if (record.ok()) image_.Apply(*record, end_offset - 1);
  }
  image_.set_last_applied_offset(end_offset - 1);
  bytes_since_snapshot_ = 0;
}

void QuorumController::HandleLeaderChange(const LeaderAndEpoch& leader) {
  const bool leads = leader.leader == config_.node_id;
  if (active_epoch_ && (!leads || *active_epoch_ != leader.epoch)) Renounce();
  if (leads && !active_epoch_) Activate(leader.epoch);
}

//! [snapshot]
void QuorumController::MaybeSnapshot(const CommittedBatch& batch) {
  if (bytes_since_snapshot_ <
      config_.metadata_log_max_record_bytes_between_snapshots) {
    return;
  }
  std::vector<Bytes> records;
  for (const MetadataRecord& record : image_.ToRecords()) {
    records.push_back(EncodeMetadataRecord(record));
  }
  raft_.CreateSnapshot(batch.last_offset + 1, batch.epoch, std::move(records));
  bytes_since_snapshot_ = 0;
}
//! [snapshot]

// ---- The write path ---------------------------------------------------------

void QuorumController::Activate(int32_t epoch) {
  active_epoch_ = epoch;
  // The activation record goes first; everything queued behind it decides
  // on an image that holds every earlier record.
  queue_.push_front({[this] { return ActivationRecords(); }, [](ErrorCode) {}});
  RunNextOperation();
}

QuorumController::ControllerResult QuorumController::ActivationRecords() {
  std::vector<MetadataRecord> records;
  if (image_.features().count(std::string(kMetadataVersionFeature))) {
    records.push_back(NoOpRecord{});
  } else {  // a new cluster: the log starts with its metadata.version
    records.push_back(
        FeatureLevelRecord{.name = std::string(kMetadataVersionFeature),
                           .feature_level = kMetadataVersionLevel});
  }
  // The session clock starts now for every broker (the previous active
  // controller's clock is not this one's); no broker has a session yet.
  return {records, [this] { activated_ms_ = env_.NowMs(); }};
}

void QuorumController::Renounce() {
  active_epoch_.reset();
  next_write_offset_.reset();
  if (in_flight_) in_flight_->fail(ErrorCode::kNotController);
  in_flight_.reset();
  std::deque<Operation> waiting = std::move(queue_);
  queue_.clear();
  for (Operation& operation : waiting) {
    operation.fail(ErrorCode::kNotController);
  }
  last_contact_ms_.clear();
  metadata_offset_.clear();
  controlled_shutdown_offset_.clear();
}

void QuorumController::Submit(Operation operation) {
  if (!active()) {
    operation.fail(ErrorCode::kNotController);
    return;
  }
  queue_.push_back(std::move(operation));
  RunNextOperation();
}

//! [write path]
void QuorumController::RunNextOperation() {
  while (active() && !in_flight_ && !queue_.empty()) {
    Operation operation = std::move(queue_.front());
    queue_.pop_front();
    ControllerResult result = operation.decide();
    if (result.records.empty()) {  // a read, or a refusal: answer now
      result.on_commit();
      continue;
    }
    std::vector<Bytes> batch;
    for (const MetadataRecord& record : result.records) {
      batch.push_back(EncodeMetadataRecord(record));
    }
    [[maybe_unused]] const int64_t count = int64_t(batch.size());
    Result<int64_t> last_offset =
        raft_.Append(*active_epoch_, std::move(batch));
    if (!last_offset.ok()) {  // no longer the leader
      operation.fail(ErrorCode::kNotController);
      Renounce();
      return;
    }
    // Within a term only this controller appends, so the offsets it
    // predicted (a broker's epoch is one) are the ones the log gave.
    assert(!next_write_offset_ ||
           *last_offset == *next_write_offset_ + count - 1);
    next_write_offset_ = *last_offset + 1;
    in_flight_ = InFlight{*last_offset, std::move(result.on_commit),
                          std::move(operation.fail)};
    // A quorum of one commits during Append.
    if (image_.last_applied_offset() >= *last_offset) CompleteInFlight();
  }
}
//! [write path]

// ---- Timers -----------------------------------------------------------------

void QuorumController::ScheduleEvery(int64_t interval_ms,
                                     void (QuorumController::*tick)()) {
  std::weak_ptr<int> alive = lifetime_;
  env_.StartTimer(interval_ms, [this, alive, interval_ms, tick] {
    if (alive.expired()) return;
    (this->*tick)();
    ScheduleEvery(interval_ms, tick);
  });
}

// An idle log still moves, so the brokers and standbys see the active
// controller live and can tell how far behind they are.
void QuorumController::MaybeWriteNoOp() {
  if (!active() || in_flight_ || !queue_.empty()) return;
  Submit({[] {
            return ControllerResult{{NoOpRecord{}}, [] {}};
          },
          [](ErrorCode) {}});
}

void QuorumController::CheckSessions() {
  if (!active()) return;
  Submit({[this] { return FenceStaleBroker(); }, [](ErrorCode) {}});
}

void QuorumController::MaybeRebalance() {
  if (!active()) return;
  Submit({[this] { return RebalanceLeaders(); }, [](ErrorCode) {}});
}

// ---- Cluster control --------------------------------------------------------

Status QuorumController::HandleBrokerRegistration(const Request& request,
                                                  Responder respond) {
  Result<BrokerRegistrationRequest> decoded =
      DecodeRequestBody<BrokerRegistrationRequest>(request);
  if (!decoded.ok()) return decoded.status();
  auto answer = [send = AnswerWith<BrokerRegistrationResponse>(
                     std::move(respond), request.header)](ErrorCode error,
                                                          int64_t epoch) {
    send({.error_code = error, .broker_epoch = epoch});
  };
  Submit({[this, registration = *decoded, answer] {
            return RegisterBroker(registration, answer);
          },
          [answer](ErrorCode error) { answer(error, -1); }});
  return Status();
}

//! [register broker]
QuorumController::ControllerResult QuorumController::RegisterBroker(
    const BrokerRegistrationRequest& request,
    std::function<void(ErrorCode, int64_t)> answer) {
  auto refuse = [answer](ErrorCode error) {
    return ControllerResult{{}, [answer, error] { answer(error, -1); }};
  };
  if (!config_.cluster_id.empty() && request.cluster_id != config_.cluster_id) {
    return refuse(ErrorCode::kInconsistentClusterId);
  }
  const BrokerRegistration* existing = image_.broker(request.broker_id);
  // Kafka's hasValidSession: a fenced broker has none, nor one this
  // controller has not heard from in its term.
  auto contact = last_contact_ms_.find(request.broker_id);
  const bool live_session =
      existing && !existing->fenced && contact != last_contact_ms_.end() &&
      env_.NowMs() - contact->second < config_.broker_session_timeout_ms;
  // Another process with this id while the first one's session lives.
  if (existing && existing->incarnation_id != request.incarnation_id &&
      live_session) {
    return refuse(ErrorCode::kDuplicateBrokerRegistration);
  }
  // The broker's epoch is the offset its RegisterBrokerRecord will have.
  const int64_t epoch = *next_write_offset_;
  RegisterBrokerRecord record{.broker_id = request.broker_id,
                              .incarnation_id = request.incarnation_id,
                              .broker_epoch = epoch,
                              .rack = request.rack,
                              .fenced = true};
  for (const auto& listener : request.listeners) {
    record.end_points.push_back({listener.name, listener.host, listener.port,
                                 listener.security_protocol});
  }
  for (const auto& feature : request.features) {
    record.features.push_back({feature.name, feature.min_supported_version,
                               feature.max_supported_version});
  }
  std::vector<MetadataRecord> records = {record};
  // A new process of a broker that did not shut down cleanly: its old life
  // leaves the ISRs now (Kafka's handleBrokerUncleanShutdown).
  if (existing && existing->incarnation_id != request.incarnation_id) {
    for (MetadataRecord& change : LeaveIsrs(request.broker_id)) {
      records.push_back(std::move(change));
    }
  }
  const NodeId id = request.broker_id;
  return {records, [this, id, epoch, answer] {
            last_contact_ms_[id] = env_.NowMs();
            answer(ErrorCode::kNone, epoch);
          }};
}
//! [register broker]

Status QuorumController::HandleBrokerHeartbeat(const Request& request,
                                               Responder respond) {
  Result<BrokerHeartbeatRequest> decoded =
      DecodeRequestBody<BrokerHeartbeatRequest>(request);
  if (!decoded.ok()) return decoded.status();
  auto answer =
      AnswerWith<BrokerHeartbeatResponse>(std::move(respond), request.header);
  Submit({[this, heartbeat = *decoded, answer] {
            return Heartbeat(heartbeat, answer);
          },
          [answer](ErrorCode error) {
            answer({.error_code = error, .is_fenced = true});
          }});
  return Status();
}

//! [heartbeat]
QuorumController::ControllerResult QuorumController::Heartbeat(
    const BrokerHeartbeatRequest& request,
    Answer<BrokerHeartbeatResponse> answer) {
  // BEGIN LAB lab05_controller QuorumController::Heartbeat
  // HINT: A wrong broker epoch: answer its error (CheckBrokerEpoch), fenced.
  // HINT: Note the contact time and current_metadata_offset. Caught up: that
  // HINT: offset has reached the broker's epoch (its registration's offset).
  // HINT: Fenced: unfence (UnfenceRecords) once caught up, unless it wants to
  // HINT: be fenced or to shut down, or is in controlled shutdown; it may
  // HINT: shut down at once. In controlled shutdown: done, and fenced, once
  // HINT: it leads nothing and LowestActiveOffset() has reached the offset
  // HINT: of the records that began it. Active: want_fence fences it;
  // HINT: want_shut_down fences it at once if it leads nothing (or wants to
  // HINT: be fenced), else begins controlled shutdown
  // HINT: (ControlledShutdownRecords; note the offset of its last record).
  // HINT: Answer once the records commit, with the image's fenced state.
  const NodeId id = request.broker_id;
  if (Status current = CheckBrokerEpoch(id, request.broker_epoch);
      !current.ok()) {
    return {{}, [answer, error = current.error().code] {
              answer({.error_code = error, .is_fenced = true});
            }};
  }
  last_contact_ms_[id] = env_.NowMs();
  metadata_offset_[id] = request.current_metadata_offset;
  const BrokerRegistration& broker = *image_.broker(id);
  const bool caught_up = request.current_metadata_offset >= broker.epoch;
  std::vector<MetadataRecord> records;
  bool shut_down = false;
  if (broker.fenced) {
    // A fenced broker may go at once: it leads nothing.
    shut_down = request.want_shut_down;
    if (!request.want_fence && !request.want_shut_down && caught_up &&
        !broker.in_controlled_shutdown) {
      records = UnfenceRecords(id);
    }
  } else if (broker.in_controlled_shutdown) {
    // Done once it leads nothing and every active broker has replayed the
    // records that moved its leadership away.
    auto began = controlled_shutdown_offset_.find(id);
    shut_down =
        !LeadsAnyPartition(id) && (began == controlled_shutdown_offset_.end() ||
                                   began->second <= LowestActiveOffset());
    if (shut_down) records = FenceRecords(id);
  } else if (request.want_shut_down &&
             (request.want_fence || !LeadsAnyPartition(id))) {
    shut_down = true;  // nothing to move: it may go now
    records = FenceRecords(id);
  } else if (request.want_fence) {
    records = FenceRecords(id);
  } else if (request.want_shut_down) {
    records = ControlledShutdownRecords(id);
    controlled_shutdown_offset_[id] =
        *next_write_offset_ + int64_t(records.size()) - 1;
  }
  return {records, [this, id, caught_up, shut_down, answer] {
            const BrokerRegistration* now = image_.broker(id);
            answer({.is_caught_up = caught_up,
                    .is_fenced = !now || now->fenced,
                    .should_shut_down = shut_down});
          }};
  // END LAB
}
//! [heartbeat]

Status QuorumController::CheckBrokerEpoch(NodeId broker, int64_t epoch) const {
  const BrokerRegistration* registration = image_.broker(broker);
  if (!registration) {
    return Error{ErrorCode::kStaleBrokerEpoch,
                 "no registration of broker " + std::to_string(broker)};
  }
  if (registration->epoch != epoch) {
    return Error{ErrorCode::kStaleBrokerEpoch,
                 "broker " + std::to_string(broker) + " has epoch " +
                     std::to_string(registration->epoch) + ", not " +
                     std::to_string(epoch)};
  }
  return Status();
}

std::vector<MetadataRecord> QuorumController::FenceRecords(
    NodeId broker) const {
  std::vector<MetadataRecord> records = {
      FenceBrokerRecord{.id = broker, .epoch = image_.broker(broker)->epoch}};
  for (MetadataRecord& change : LeaveIsrs(broker)) {
    records.push_back(std::move(change));
  }
  return records;
}

std::vector<MetadataRecord> QuorumController::ControlledShutdownRecords(
    NodeId broker) const {
  std::vector<MetadataRecord> records = {BrokerRegistrationChangeRecord{
      .broker_id = broker,
      .broker_epoch = image_.broker(broker)->epoch,
      .in_controlled_shutdown = 1}};
  for (MetadataRecord& change : LeaveIsrs(broker)) {
    records.push_back(std::move(change));
  }
  return records;
}

//! [leave isrs]
std::vector<MetadataRecord> QuorumController::LeaveIsrs(NodeId broker) const {
  const IsAcceptableLeader others = [this, broker](NodeId id) {
    return id != broker && image_.IsActive(id);
  };
  std::vector<MetadataRecord> records;
  for (const auto& [name, topic] : image_.topics()) {
    for (const PartitionRegistration& partition : topic.partitions) {
      if (!Contains(partition.state.isr, broker)) continue;
      std::optional<PartitionChangeRecord> change =
          PartitionChangeBuilder(partition, others)
              .SetElection(LeaderLossElection(name))
              .SetTargetIsr(Without(partition.state.isr, broker))
              .Build();
      if (change) records.push_back(*change);
    }
  }
  return records;
}
//! [leave isrs]

std::vector<MetadataRecord> QuorumController::UnfenceRecords(
    NodeId broker) const {
  std::vector<MetadataRecord> records = {
      UnfenceBrokerRecord{.id = broker, .epoch = image_.broker(broker)->epoch}};
  const IsAcceptableLeader with_it = [this, broker](NodeId id) {
    return id == broker || image_.IsActive(id);
  };
  for (const auto& [name, topic] : image_.topics()) {
    for (const PartitionRegistration& partition : topic.partitions) {
      if (partition.state.leader != -1) continue;
      std::optional<PartitionChangeRecord> change =
          PartitionChangeBuilder(partition, with_it)
              .SetElection(LeaderLossElection(name))
              .Build();
      if (change) records.push_back(*change);
    }
  }
  return records;
}

// Kafka's lowestActiveOffset: how far the slowest unfenced broker has
// replayed the log, as its last heartbeat said.
int64_t QuorumController::LowestActiveOffset() const {
  int64_t lowest = INT64_MAX;
  for (const auto& [id, broker] : image_.brokers()) {
    if (broker.fenced) continue;
    auto offset = metadata_offset_.find(id);
    lowest = std::min(lowest,
                      offset == metadata_offset_.end() ? -1 : offset->second);
  }
  return lowest;
}

bool QuorumController::LeadsAnyPartition(NodeId broker) const {
  for (const auto& [name, topic] : image_.topics()) {
    for (const PartitionRegistration& partition : topic.partitions) {
      if (partition.state.leader == broker) return true;
    }
  }
  return false;
}

//! [session timeout]
QuorumController::ControllerResult QuorumController::FenceStaleBroker() {
  for (const auto& [id, broker] : image_.brokers()) {
    auto contact = last_contact_ms_.find(id);
    const int64_t since_ms =
        contact == last_contact_ms_.end() ? activated_ms_ : contact->second;
    const bool stale =
        env_.NowMs() - since_ms >= config_.broker_session_timeout_ms;
    // One broker per operation, as Kafka's maybeFenceOneStaleBroker: the
    // next check takes the next.
    if (!broker.fenced && stale) return {FenceRecords(id), [] {}};
  }
  return {{}, [] {}};
}
//! [session timeout]

Election QuorumController::LeaderLossElection(const std::string& topic) const {
  auto set = image_.topic_configs().find(topic);
  const bool unclean = UncleanLeaderElectionEnabled(
      set == image_.topic_configs().end() ? TopicConfigOverrides{}
                                          : set->second,
      config_.unclean_leader_election_enable);
  return unclean ? Election::kUnclean : Election::kOnline;
}

ClusterBrokers QuorumController::Brokers() const {
  ClusterBrokers brokers{.active = image_.ActiveBrokers()};
  for (const auto& [id, registration] : image_.brokers()) {
    brokers.registered.push_back(id);
    brokers.epochs[id] = registration.epoch;
  }
  return brokers;
}

IsAcceptableLeader QuorumController::ActiveBrokers() const {
  return [this](NodeId id) { return image_.IsActive(id); };
}

// ---- CreateTopics -----------------------------------------------------------

Status QuorumController::HandleCreateTopics(const Request& request,
                                            Responder respond) {
  Result<CreateTopicsRequest> decoded =
      DecodeRequestBody<CreateTopicsRequest>(request);
  if (!decoded.ok()) return decoded.status();
  auto answer =
      AnswerWith<CreateTopicsResponse>(std::move(respond), request.header);
  Submit({[this, create = *decoded, answer] {
            return CreateTopics(create, answer);
          },
          [create = *decoded, answer](ErrorCode error) {
            CreateTopicsResponse response;
            for (const auto& topic : create.topics) {
              response.topics.push_back(
                  {.name = topic.name, .error_code = error});
            }
            answer(response);
          }});
  return Status();
}

QuorumController::ControllerResult QuorumController::CreateTopics(
    const CreateTopicsRequest& request, Answer<CreateTopicsResponse> answer) {
  auto response = std::make_shared<CreateTopicsResponse>();
  std::vector<MetadataRecord> records;
  for (const CreateTopicsRequest::Topic& topic : request.topics) {
    response->topics.push_back(CreateTopic(request, topic, records));
  }
  return {records, [response, answer] { answer(*response); }};
}

CreateTopicsResponse::Result QuorumController::CreateTopic(
    const CreateTopicsRequest& request, const CreateTopicsRequest::Topic& topic,
    std::vector<MetadataRecord>& records) {
  const NewTopicDefaults defaults{
      .num_partitions = config_.num_partitions,
      .default_replication_factor = config_.default_replication_factor,
      .log = config_.log};
  Result<ReplicaAssignment> placed =
      CheckNewTopic(request, topic, image_.topic(topic.name) != nullptr,
                    Brokers(), defaults, env_.random());
  CreateTopicsResponse::Result result =
      NewTopicResult(topic, placed, config_.log);
  if (!placed.ok() || request.validate_only) return result;
  result.topic_id = Uuid::Random(env_.random());
  records.push_back(
      TopicRecord{.name = topic.name, .topic_id = result.topic_id});
  AddPartitionRecords(result.topic_id, 0, *placed, records);
  for (const auto& [name, value] : ConfigsOf(topic)) {
    records.push_back(ConfigRecord{.resource_type = kTopicConfigResource,
                                   .resource_name = topic.name,
                                   .name = name,
                                   .value = value});
  }
  return result;
}

void QuorumController::AddPartitionRecords(
    const Uuid& topic_id, int32_t first,
    const std::vector<std::vector<NodeId>>& replicas,
    std::vector<MetadataRecord>& records) const {
  const ClusterBrokers brokers = Brokers();
  for (size_t i = 0; i < replicas.size(); ++i) {
    PartitionRecord record{.partition_id = first + int32_t(i),
                           .topic_id = topic_id,
                           .replicas = replicas[i],
                           .leader_epoch = Partition::kFirstLeaderEpoch,
                           .partition_epoch = 0};
    record.isr = InitialIsr(replicas[i], brokers);
    record.leader = record.isr[0];
    records.push_back(record);
  }
}

// ---- CreatePartitions -------------------------------------------------------

Status QuorumController::HandleCreatePartitions(const Request& request,
                                                Responder respond) {
  Result<CreatePartitionsRequest> decoded =
      DecodeRequestBody<CreatePartitionsRequest>(request);
  if (!decoded.ok()) return decoded.status();
  auto answer =
      AnswerWith<CreatePartitionsResponse>(std::move(respond), request.header);
  Submit({[this, grow = *decoded, answer] {
            auto response = std::make_shared<CreatePartitionsResponse>();
            std::vector<MetadataRecord> records;
            for (const auto& topic : grow.topics) {
              CreatePartitionsResponse::Result& result =
                  response->results.emplace_back(
                      CreatePartitionsResponse::Result{.name = topic.name});
              Status grown =
                  CreatePartitions(topic, grow.validate_only, records);
              if (!grown.ok()) SetError(result, grown.error());
            }
            return ControllerResult{records,
                                    [response, answer] { answer(*response); }};
          },
          [grow = *decoded, answer](ErrorCode error) {
            CreatePartitionsResponse response;
            for (const auto& topic : grow.topics) {
              response.results.push_back(
                  {.name = topic.name, .error_code = error});
            }
            answer(response);
          }});
  return Status();
}

Status QuorumController::CreatePartitions(
    const CreatePartitionsRequest::Topic& topic, bool validate_only,
    std::vector<MetadataRecord>& records) const {
  const TopicImage* existing = image_.topic(topic.name);
  if (!existing) return UnknownTopic(topic.name);
  Result<ReplicaAssignment> placed =
      PlacePartitions(topic, int32_t(existing->partitions.size()),
                      existing->partitions[0].state.replicas, Brokers());
  if (!placed.ok()) return placed.error();
  if (!validate_only) {
    AddPartitionRecords(existing->id, int32_t(existing->partitions.size()),
                        *placed, records);
  }
  return Status();
}

// ---- DeleteTopics -----------------------------------------------------------

Status QuorumController::HandleDeleteTopics(const Request& request,
                                            Responder respond) {
  Result<DeleteTopicsRequest> decoded =
      DecodeRequestBody<DeleteTopicsRequest>(request);
  if (!decoded.ok()) return decoded.status();
  auto answer =
      AnswerWith<DeleteTopicsResponse>(std::move(respond), request.header);
  Submit({[this, deletion = *decoded, answer] {
            auto response = std::make_shared<DeleteTopicsResponse>();
            std::vector<MetadataRecord> records;
            for (const std::string& name : deletion.topic_names) {  // v0-5
              response->responses.push_back(DeleteTopic(name, Uuid(), records));
            }
            for (const auto& topic : deletion.topics) {  // v6
              response->responses.push_back(
                  DeleteTopic(topic.name, topic.topic_id, records));
            }
            return ControllerResult{records,
                                    [response, answer] { answer(*response); }};
          },
          [deletion = *decoded, answer](ErrorCode error) {
            DeleteTopicsResponse response;
            for (const std::string& name : deletion.topic_names) {
              response.responses.push_back({.name = name, .error_code = error});
            }
            for (const auto& topic : deletion.topics) {
              response.responses.push_back({.name = topic.name,
                                            .topic_id = topic.topic_id,
                                            .error_code = error});
            }
            answer(response);
          }});
  return Status();
}

DeleteTopicsResponse::Result QuorumController::DeleteTopic(
    const std::optional<std::string>& name, const Uuid& id,
    std::vector<MetadataRecord>& records) const {
  DeleteTopicsResponse::Result result{.name = name, .topic_id = id};
  const TopicImage* topic = name ? image_.topic(*name) : image_.topic(id);
  if (!topic) {
    SetError(result, name ? UnknownTopic(*name)
                          : Error{ErrorCode::kUnknownTopicId,
                                  "no topic has id " + id.ToString()});
    return result;
  }
  if (Status deletable = CheckDeletable(topic->name); !deletable.ok()) {
    SetError(result, deletable.error());
    return result;
  }
  result.name = topic->name;
  result.topic_id = topic->id;
  records.push_back(RemoveTopicRecord{.topic_id = topic->id});
  return result;
}

// ---- AlterPartition ---------------------------------------------------------

Status QuorumController::HandleAlterPartition(const Request& request,
                                              Responder respond) {
  Result<AlterPartitionRequest> decoded =
      DecodeRequestBody<AlterPartitionRequest>(request);
  if (!decoded.ok()) return decoded.status();
  auto answer =
      AnswerWith<AlterPartitionResponse>(std::move(respond), request.header);
  Submit({[this, alter = *decoded, version = request.header.api_version,
           answer] { return AlterPartitions(alter, version, answer); },
          [answer](ErrorCode error) { answer({.error_code = error}); }});
  return Status();
}

QuorumController::ControllerResult QuorumController::AlterPartitions(
    const AlterPartitionRequest& request, int16_t version,
    Answer<AlterPartitionResponse> answer) {
  auto response = std::make_shared<AlterPartitionResponse>();
  if (request.broker_epoch != -1) {  // -1: not checked (v0-1 senders)
    if (Status current =
            CheckBrokerEpoch(request.broker_id, request.broker_epoch);
        !current.ok()) {
      response->error_code = current.error().code;
      return {{}, [response, answer] { answer(*response); }};
    }
  }
  std::vector<MetadataRecord> records;
  for (const auto& topic : request.topics) {
    // v0-1 name the topic, v2+ give its id.
    const TopicImage* known = topic.topic_id.IsZero()
                                  ? image_.topic(topic.topic_name)
                                  : image_.topic(topic.topic_id);
    AlterPartitionResponse::Topic& answered =
        response->topics.emplace_back(AlterPartitionResponse::Topic{
            .topic_name = known ? known->name : topic.topic_name,
            .topic_id = topic.topic_id});
    for (const auto& proposal : topic.partitions) {
      answered.partitions.push_back(
          known ? AlterPartition(known->name, request.broker_id, proposal,
                                 version, records)
                : AlterPartitionResponse::Partition{
                      .partition_index = proposal.partition_index,
                      .error_code = topic.topic_id.IsZero()
                                        ? ErrorCode::kUnknownTopicOrPartition
                                        : ErrorCode::kUnknownTopicId});
    }
  }
  // The accepted partitions are answered as they are once committed.
  return {records, [this, response, answer] {
            for (auto& topic : response->topics) {
              for (auto& partition : topic.partitions) {
                if (partition.error_code != ErrorCode::kNone) continue;
                partition = PartitionAnswer(topic.topic_name,
                                            partition.partition_index);
              }
            }
            answer(*response);
          }};
}

//! [alter partition]
AlterPartitionResponse::Partition QuorumController::AlterPartition(
    const std::string& topic, NodeId broker,
    const AlterPartitionRequest::Partition& proposal, int16_t version,
    std::vector<MetadataRecord>& records) const {
  AlterPartitionResponse::Partition answer{.partition_index =
                                               proposal.partition_index};
  const PartitionRegistration* partition =
      image_.partition({topic, proposal.partition_index});
  if (!partition) {
    answer.error_code = ErrorCode::kUnknownTopicOrPartition;
    return answer;
  }
  // Fenced and shutting-down brokers may not join an ISR (KIP-841), nor a
  // broker whose fetch came from an earlier incarnation (KIP-903).
  answer.error_code = CheckAlterPartition(
      partition->state, int8_t(partition->leader_recovery_state), broker,
      proposal, Brokers(), version);
  if (answer.error_code != ErrorCode::kNone) return answer;
  std::optional<PartitionChangeRecord> change =
      PartitionChangeBuilder(*partition, ActiveBrokers())
          .SetTargetIsr(ProposedIsr(proposal))
          .SetTargetLeaderRecoveryState(
              LeaderRecoveryState(proposal.leader_recovery_state))
          .Build();
  if (change) records.push_back(*change);
  return answer;
}
//! [alter partition]

AlterPartitionResponse::Partition QuorumController::PartitionAnswer(
    const std::string& topic, int32_t index) const {
  AlterPartitionResponse::Partition answer{.partition_index = index};
  const PartitionRegistration* partition = image_.partition({topic, index});
  if (!partition) {  // deleted meanwhile
    answer.error_code = ErrorCode::kUnknownTopicOrPartition;
    return answer;
  }
  answer.leader_id = partition->state.leader;
  answer.leader_epoch = partition->state.leader_epoch;
  answer.isr = partition->state.isr;
  answer.leader_recovery_state = int8_t(partition->leader_recovery_state);
  answer.partition_epoch = partition->state.partition_epoch;
  return answer;
}

// ---- IncrementalAlterConfigs ------------------------------------------------

// A broker forwards only what its ConfigAdminManager accepted and keeps
// broker configs to itself: topics are what arrive here.
Status QuorumController::HandleIncrementalAlterConfigs(const Request& request,
                                                       Responder respond) {
  Result<IncrementalAlterConfigsRequest> decoded =
      DecodeRequestBody<IncrementalAlterConfigsRequest>(request);
  if (!decoded.ok()) return decoded.status();
  auto answer = AnswerWith<IncrementalAlterConfigsResponse>(std::move(respond),
                                                            request.header);
  Submit({[this, alter = *decoded, answer] {
            auto response = std::make_shared<IncrementalAlterConfigsResponse>();
            std::vector<MetadataRecord> records;
            for (const auto& resource : alter.resources) {
              auto& answered = response->responses.emplace_back(
                  IncrementalAlterConfigsResponse::Response{
                      .resource_type = resource.resource_type,
                      .resource_name = resource.resource_name});
              Status altered =
                  AlterTopicConfigs(resource, alter.validate_only, records);
              if (!altered.ok()) SetError(answered, altered.error());
            }
            return ControllerResult{records,
                                    [response, answer] { answer(*response); }};
          },
          [alter = *decoded, answer](ErrorCode error) {
            IncrementalAlterConfigsResponse response;
            for (const auto& resource : alter.resources) {
              response.responses.push_back(
                  {.error_code = error,
                   .resource_type = resource.resource_type,
                   .resource_name = resource.resource_name});
            }
            answer(response);
          }});
  return Status();
}

Status QuorumController::AlterTopicConfigs(
    const IncrementalAlterConfigsRequest::Resource& resource,
    bool validate_only, std::vector<MetadataRecord>& records) const {
  const std::string& topic = resource.resource_name;
  auto set = image_.topic_configs().find(topic);
  const TopicConfigOverrides none;
  const TopicConfigOverrides& before =
      set == image_.topic_configs().end() ? none : set->second;
  Result<TopicConfigOverrides> after = kafka::AlterTopicConfigs(
      resource, image_.topic(topic) ? &before : nullptr, config_.log);
  if (!after.ok() || validate_only) return after.status();
  // One ConfigRecord per config that changed: a value, or null if deleted.
  for (const auto& [name, value] : *after) {
    auto old = before.find(name);
    if (old != before.end() && old->second == value) continue;
    records.push_back(ConfigRecord{.resource_type = kTopicConfigResource,
                                   .resource_name = topic,
                                   .name = name,
                                   .value = value});
  }
  for (const auto& [name, value] : before) {
    if (after->count(name)) continue;
    records.push_back(ConfigRecord{.resource_type = kTopicConfigResource,
                                   .resource_name = topic,
                                   .name = name,
                                   .value = std::nullopt});
  }
  return Status();
}

// ---- ElectLeaders -----------------------------------------------------------

Status QuorumController::HandleElectLeaders(const Request& request,
                                            Responder respond) {
  Result<ElectLeadersRequest> decoded =
      DecodeRequestBody<ElectLeadersRequest>(request);
  if (!decoded.ok()) return decoded.status();
  auto answer =
      AnswerWith<ElectLeadersResponse>(std::move(respond), request.header);
  Submit(
      {[this, elect = *decoded, answer] { return ElectLeaders(elect, answer); },
       [answer](ErrorCode error) { answer({.error_code = error}); }});
  return Status();
}

QuorumController::ControllerResult QuorumController::ElectLeaders(
    const ElectLeadersRequest& request, Answer<ElectLeadersResponse> answer) {
  const Election election = request.election_type == kUncleanElection
                                ? Election::kUnclean
                                : Election::kPreferred;
  // Null asks for every partition, and hears only of those that needed an
  // election. A partition named twice is elected once.
  const bool all = !request.topic_partitions.has_value();
  std::map<std::string, std::set<int32_t>> asked;
  if (all) {
    for (const auto& [name, topic] : image_.topics()) {
      for (size_t p = 0; p < topic.partitions.size(); ++p) {
        asked[name].insert(int32_t(p));
      }
    }
  } else {
    for (const auto& topic : *request.topic_partitions) {
      asked[topic.topic].insert(topic.partitions.begin(),
                                topic.partitions.end());
    }
  }
  auto response = std::make_shared<ElectLeadersResponse>();
  std::vector<MetadataRecord> records;
  for (const auto& [topic, partitions] : asked) {
    ElectLeadersResponse::ReplicaElectionResult result{.topic = topic};
    for (int32_t partition : partitions) {
      const ErrorCode error =
          ElectLeader({topic, partition}, election, records);
      if (all && error == ErrorCode::kElectionNotNeeded) continue;
      result.partition_result.push_back(
          {.partition_id = partition, .error_code = error});
    }
    if (!result.partition_result.empty()) {
      response->replica_election_results.push_back(result);
    }
  }
  return {records, [response, answer] { answer(*response); }};
}

//! [elect leaders]
ErrorCode QuorumController::ElectLeader(
    const TopicPartition& tp, Election election,
    std::vector<MetadataRecord>& records) const {
  const PartitionRegistration* partition = image_.partition(tp);
  if (!partition) return ErrorCode::kUnknownTopicOrPartition;
  const PartitionState& state = partition->state;
  if (state.replicas.empty()) return ErrorCode::kUnknownTopicOrPartition;
  if (election == Election::kPreferred && state.leader == state.replicas[0]) {
    return ErrorCode::kElectionNotNeeded;
  }
  if (election == Election::kUnclean && state.leader != -1) {
    return ErrorCode::kElectionNotNeeded;
  }
  std::optional<PartitionChangeRecord> change =
      PartitionChangeBuilder(*partition, ActiveBrokers())
          .SetElection(election)
          .Build();
  if (!change || change->leader == kNoLeaderChange) {
    return election == Election::kPreferred
               ? ErrorCode::kPreferredLeaderNotAvailable
               : ErrorCode::kEligibleLeadersNotAvailable;
  }
  records.push_back(*change);
  return ErrorCode::kNone;
}
//! [elect leaders]

QuorumController::ControllerResult QuorumController::RebalanceLeaders() {
  std::vector<MetadataRecord> records;
  for (const auto& [name, topic] : image_.topics()) {
    for (const PartitionRegistration& partition : topic.partitions) {
      const PartitionState& state = partition.state;
      if (state.replicas.empty() || state.leader == state.replicas[0]) {
        continue;
      }
      std::optional<PartitionChangeRecord> change =
          PartitionChangeBuilder(partition, ActiveBrokers())
              .SetElection(Election::kPreferred)
              .Build();
      if (change && change->leader == state.replicas[0]) {
        records.push_back(*change);
      }
    }
  }
  return {records, [] {}};
}

// ---- AllocateProducerIds ----------------------------------------------------

Status QuorumController::HandleAllocateProducerIds(const Request& request,
                                                   Responder respond) {
  Result<AllocateProducerIdsRequest> decoded =
      DecodeRequestBody<AllocateProducerIdsRequest>(request);
  if (!decoded.ok()) return decoded.status();
  auto answer = AnswerWith<AllocateProducerIdsResponse>(std::move(respond),
                                                        request.header);
  Submit({[this, allocate = *decoded, answer] {
            return AllocateProducerIds(allocate, answer);
          },
          [answer](ErrorCode error) { answer({.error_code = error}); }});
  return Status();
}

QuorumController::ControllerResult QuorumController::AllocateProducerIds(
    const AllocateProducerIdsRequest& request,
    Answer<AllocateProducerIdsResponse> answer) {
  if (Status current =
          CheckBrokerEpoch(request.broker_id, request.broker_epoch);
      !current.ok()) {
    return {{}, [answer, error = current.error().code] {
              answer({.error_code = error});
            }};
  }
  const int64_t start = image_.next_producer_id();
  ProducerIdsRecord record{.broker_id = request.broker_id,
                           .broker_epoch = request.broker_epoch,
                           .next_producer_id = start + kProducerIdBlockSize};
  return {{record}, [answer, start] {
            answer({.producer_id_start = start,
                    .producer_id_len = kProducerIdBlockSize});
          }};
}

}  // namespace kafka
