#include "chapters/02_partitions/broker.h"

#include <algorithm>

#include "lib/lab.h"
#include "lib/protocol/api_keys.h"
#include "lib/protocol/api_versions.h"
#include "lib/protocol/message.h"

namespace kafka {
namespace {

constexpr ApiKey kServedApis[] = {
    ApiKey::kProduce,          ApiKey::kFetch,       ApiKey::kListOffsets,
    ApiKey::kMetadata,         ApiKey::kApiVersions, ApiKey::kCreateTopics,
    ApiKey::kCreatePartitions,
};

constexpr int8_t kReadCommitted = 1;

template <typename Message>
Result<Message> DecodeBody(const Request& request, ApiKey api,
                           const std::string& name) {
  return DecodeMessage<Message>(request.body, api, request.header.api_version,
                                request.body_position, name);
}

template <typename Message>
Bytes EncodeBody(const Message& message, ApiKey api, const Request& request) {
  return EncodeMessage(message, api, request.header.api_version);
}

// With one broker, a replica set is this broker alone.
bool IsOnlyThisBroker(const std::vector<int32_t>& replicas, NodeId self) {
  return replicas.size() == 1 && replicas[0] == self;
}

}  // namespace

void Broker::Start(Environment& env) {
  env_ = &env;
  logs_ = std::make_unique<LogManager>(env.storage(), config_.data_dir,
                                       config_.log);
  logs_->LoadLogs(env.NowMs());
  ScheduleRetentionCheck();
}

ApiSet Broker::ServedApis() const { return kServedApis; }

void Broker::Stop() { logs_->CloseAll(); }

void Broker::ScheduleRetentionCheck() {
  env_->StartTimer(config_.log_retention_check_interval_ms, [this] {
    logs_->DeleteRetentionBreachedSegments(env_->NowMs());
    ScheduleRetentionCheck();
  });
}

Status Broker::OnRequest(const Request& request, Responder respond) {
  switch (static_cast<ApiKey>(request.header.api_key)) {
    case ApiKey::kApiVersions: {
      Result<Bytes> answer = AnswerApiVersionsRequest(request, ServedApis());
      if (!answer.ok()) return answer.status();
      respond(std::move(answer).value());
      return Status();
    }
    case ApiKey::kMetadata:
      return HandleMetadata(request, std::move(respond));
    case ApiKey::kProduce:
      return HandleProduce(request, std::move(respond));
    case ApiKey::kFetch:
      return HandleFetch(request, std::move(respond));
    case ApiKey::kListOffsets:
      return HandleListOffsets(request, std::move(respond));
    case ApiKey::kCreateTopics:
      return HandleCreateTopics(request, std::move(respond));
    case ApiKey::kCreatePartitions:
      return HandleCreatePartitions(request, std::move(respond));
    default:  // the runtime passes only what ServedApis lists
      return Error{ErrorCode::kInvalidRequest, "not an API this broker serves"};
  }
}

//! [metadata]
Status Broker::HandleMetadata(const Request& request, Responder respond) {
  Result<MetadataRequest> decoded = DecodeBody<MetadataRequest>(
      request, ApiKey::kMetadata, "MetadataRequest");
  if (!decoded.ok()) return decoded.status();
  MetadataResponse response;
  response.brokers = {{config_.node_id, config_.advertised_host,
                       config_.advertised_port, std::nullopt}};
  response.cluster_id = config_.cluster_id;
  response.controller_id = config_.node_id;
  // Naming a topic may create it; asking for all topics creates none.
  const bool may_create = config_.auto_create_topics_enable &&
                          decoded->allow_auto_topic_creation &&
                          decoded->topics.has_value();
  for (const std::string& topic : decoded->topics.value_or(logs_->Topics())) {
    response.topics.push_back(DescribeTopic(topic, may_create));
  }
  respond(EncodeBody(response, ApiKey::kMetadata, request));
  return Status();
}
//! [metadata]

MetadataResponse::Topic Broker::DescribeTopic(const std::string& topic,
                                              bool may_create) {
  MetadataResponse::Topic described;
  described.name = topic;
  // Kafka's own topics (Topic.isInternal): group offsets (Chapter 3) and
  // transaction state (Chapter 8). Clients leave them out of "all topics".
  described.is_internal =
      topic == "__consumer_offsets" || topic == "__transaction_state";
  if (logs_->PartitionCount(topic) == 0) {
    Status created =
        may_create ? logs_->CreateTopic(topic, config_.num_partitions,
                                        config_.log, env_->NowMs())
                   : Status(Error{ErrorCode::kUnknownTopicOrPartition, topic});
    if (!created.ok()) {
      described.error_code = created.error().code;
      return described;
    }
  }
  const int32_t self = config_.node_id;
  for (int32_t p = 0; p < logs_->PartitionCount(topic); ++p) {
    described.partitions.push_back({ErrorCode::kNone, p, self, {self}, {self}});
  }
  return described;
}

//! [produce]
Status Broker::HandleProduce(const Request& request, Responder respond) {
  Result<ProduceRequest> decoded =
      DecodeBody<ProduceRequest>(request, ApiKey::kProduce, "ProduceRequest");
  if (!decoded.ok()) return decoded.status();
  const int16_t acks = decoded->acks;
  ProduceResponse response;
  for (const ProduceRequest::TopicData& topic : decoded->topic_data) {
    ProduceResponse::TopicResponse& answer = response.responses.emplace_back(
        ProduceResponse::TopicResponse{topic.name, {}});
    for (const ProduceRequest::PartitionData& data : topic.partition_data) {
      if (acks != 0 && acks != 1 && acks != -1) {
        answer.partition_responses.push_back(
            {data.index, ErrorCode::kInvalidRequiredAcks});
        continue;
      }
      answer.partition_responses.push_back(AppendToPartition(topic.name, data));
    }
  }
  CompleteDelayedFetches();
  // acks=0: the producer waits for nothing, and gets nothing.
  if (acks == 0) {
    respond(std::nullopt);
  } else {
    respond(EncodeBody(response, ApiKey::kProduce, request));
  }
  return Status();
}
//! [produce]

ProduceResponse::PartitionResponse Broker::AppendToPartition(
    const std::string& topic, const ProduceRequest::PartitionData& data) {
  ProduceResponse::PartitionResponse answer;
  answer.index = data.index;
  Log* log = logs_->GetLog({topic, data.index});
  if (log == nullptr) {
    answer.error_code = ErrorCode::kUnknownTopicOrPartition;
    return answer;
  }
  if (!data.records || data.records->empty()) {
    answer.error_code = ErrorCode::kCorruptMessage;
    return answer;
  }
  // Since Produce v3 a request holds exactly one batch per partition.
  Result<RecordBatchHeader> first = DecodeBatchHeader(*data.records);
  if (first.ok() && size_t(first->SizeInBytes()) < data.records->size()) {
    answer.error_code = ErrorCode::kInvalidRecord;
    return answer;
  }
  Bytes records = *data.records;  // the log rewrites offsets in place
  Result<LogAppendInfo> appended = log->Append(records, env_->NowMs());
  if (!appended.ok()) {
    answer.error_code = appended.error().code;
    return answer;
  }
  answer.base_offset = appended->first_offset;
  answer.log_start_offset = log->log_start_offset();
  return answer;
}

//! [fetch]
Status Broker::HandleFetch(const Request& request, Responder respond) {
  Result<FetchRequest> decoded =
      DecodeBody<FetchRequest>(request, ApiKey::kFetch, "FetchRequest");
  if (!decoded.ok()) return decoded.status();
  int64_t bytes = 0;
  FetchResponse response = ReadForFetch(*decoded, bytes);
  bool failed = false;
  for (const auto& topic : response.responses) {
    for (const auto& partition : topic.partitions) {
      failed |= partition.error_code != ErrorCode::kNone;
    }
  }
  if (bytes >= decoded->min_bytes || decoded->max_wait_ms <= 0 || failed) {
    respond(EncodeBody(response, ApiKey::kFetch, request));
    return Status();
  }
  // A long poll: wait for min_bytes, or answer with what there is after
  // max_wait_ms. A consumer at the end of the log then waits here instead of
  // asking again and again.
  auto waiting = delayed_fetches_.insert(
      delayed_fetches_.end(),
      {std::move(decoded).value(), request.header.api_version,
       std::move(respond), 0});
  waiting->timer =
      env_->StartTimer(waiting->request.max_wait_ms, [this, waiting] {
        DelayedFetch expired = std::move(*waiting);
        delayed_fetches_.erase(waiting);
        AnswerFetch(expired.request, expired.version, expired.respond);
      });
  return Status();
}
//! [fetch]

void Broker::AnswerFetch(const FetchRequest& request, int16_t version,
                         const Responder& respond) {
  int64_t bytes = 0;
  respond(EncodeMessage(ReadForFetch(request, bytes), ApiKey::kFetch, version));
}

void Broker::CompleteDelayedFetches() {
  for (auto it = delayed_fetches_.begin(); it != delayed_fetches_.end();) {
    int64_t bytes = 0;
    FetchResponse response = ReadForFetch(it->request, bytes);
    if (bytes < it->request.min_bytes) {
      ++it;
      continue;
    }
    env_->CancelTimer(it->timer);
    it->respond(EncodeMessage(response, ApiKey::kFetch, it->version));
    it = delayed_fetches_.erase(it);
  }
}

//! [read for fetch]
FetchResponse Broker::ReadForFetch(const FetchRequest& request,
                                   int64_t& bytes_read) {
  // BEGIN LAB lab02_partitions Broker::ReadForFetch
  // HINT: Answer every topic and partition asked for, in order.
  // HINT: No log (logs_->GetLog): UNKNOWN_TOPIC_OR_PARTITION.
  // HINT: Else report high_watermark and last_stable_offset (both the
  // HINT: log end offset: one replica, no transactions yet) and
  // HINT: log_start_offset; read_committed gets an empty, not null,
  // HINT: aborted_transactions list.
  // HINT: Then Log::Read from fetch_offset, within a budget: the
  // HINT: partition's partition_max_bytes or what is left of max_bytes,
  // HINT: the smaller. Log::Read returns at least one batch, so only the
  // HINT: first partition with data may go over it (KIP-74); a later
  // HINT: one that would, or has no budget left, answers no records.
  // HINT: An existing partition's records are never null (maybe empty).
  // HINT: A failed read's error is the partition's error_code.
  // HINT: bytes_read: the total size of the records in the answer.
  FetchResponse response;
  bytes_read = 0;
  for (const FetchRequest::Topic& topic : request.topics) {
    FetchResponse::Topic& answer =
        response.responses.emplace_back(FetchResponse::Topic{topic.topic, {}});
    for (const FetchRequest::Partition& wanted : topic.partitions) {
      FetchResponse::Partition& out = answer.partitions.emplace_back();
      out.partition_index = wanted.partition;
      const Log* log = logs_->GetLog({topic.topic, wanted.partition});
      if (log == nullptr) {
        out.error_code = ErrorCode::kUnknownTopicOrPartition;
        continue;
      }
      // One replica: everything appended is committed, and with no
      // transactions yet, everything is stable too.
      out.high_watermark = log->log_end_offset();
      out.last_stable_offset = log->log_end_offset();
      out.log_start_offset = log->log_start_offset();
      if (request.isolation_level == kReadCommitted)
        out.aborted_transactions.emplace();
      const int64_t budget = std::min<int64_t>(wanted.partition_max_bytes,
                                               request.max_bytes - bytes_read);
      Bytes records;
      if (budget > 0 || bytes_read == 0) {
        Status read = log->Read(wanted.fetch_offset,
                                int32_t(std::max<int64_t>(budget, 0)), records);
        if (!read.ok()) out.error_code = read.error().code;
        // Only the first partition with data may go over the budget (KIP-74).
        if (bytes_read > 0 && int64_t(records.size()) > budget) records.clear();
      }
      bytes_read += int64_t(records.size());
      out.records = std::move(records);
    }
  }
  return response;
  // END LAB
}
//! [read for fetch]

Status Broker::HandleListOffsets(const Request& request, Responder respond) {
  Result<ListOffsetsRequest> decoded = DecodeBody<ListOffsetsRequest>(
      request, ApiKey::kListOffsets, "ListOffsetsRequest");
  if (!decoded.ok()) return decoded.status();
  ListOffsetsResponse response;
  for (const ListOffsetsRequest::Topic& topic : decoded->topics) {
    ListOffsetsResponse::Topic& answer = response.topics.emplace_back(
        ListOffsetsResponse::Topic{topic.name, {}});
    for (const ListOffsetsRequest::Partition& wanted : topic.partitions) {
      ListOffsetsResponse::Partition& out = answer.partitions.emplace_back();
      out.partition_index = wanted.partition_index;
      const Log* log = logs_->GetLog({topic.name, wanted.partition_index});
      if (log == nullptr) {
        out.error_code = ErrorCode::kUnknownTopicOrPartition;
        continue;
      }
      // -1 latest, -2 earliest, else the first record at or after the time;
      // none: timestamp and offset -1.
      if (auto found = log->FetchOffsetByTimestamp(wanted.timestamp)) {
        out.timestamp = found->timestamp;
        out.offset = found->offset;
      }
    }
  }
  respond(EncodeBody(response, ApiKey::kListOffsets, request));
  return Status();
}

Status Broker::HandleCreateTopics(const Request& request, Responder respond) {
  Result<CreateTopicsRequest> decoded = DecodeBody<CreateTopicsRequest>(
      request, ApiKey::kCreateTopics, "CreateTopicsRequest");
  if (!decoded.ok()) return decoded.status();
  CreateTopicsResponse response;
  for (const CreateTopicsRequest::Topic& topic : decoded->topics) {
    Status outcome = CreateTopic(topic, decoded->validate_only);
    CreateTopicsResponse::Result& result =
        response.topics.emplace_back(CreateTopicsResponse::Result{topic.name});
    if (!outcome.ok()) {
      result.error_code = outcome.error().code;
      result.error_message = outcome.error().message;
    }
  }
  respond(EncodeBody(response, ApiKey::kCreateTopics, request));
  return Status();
}

Status Broker::CreateTopic(const CreateTopicsRequest::Topic& topic,
                           bool validate_only) {
  const NodeId self = config_.node_id;
  int32_t partitions = topic.num_partitions == -1 ? config_.num_partitions
                                                  : topic.num_partitions;
  if (!topic.assignments.empty()) {
    partitions = int32_t(topic.assignments.size());
    for (const auto& assignment : topic.assignments) {
      if (!IsOnlyThisBroker(assignment.broker_ids, self)) {
        return Error{ErrorCode::kInvalidReplicaAssignment,
                     "this cluster has one broker, " + std::to_string(self)};
      }
    }
  } else if (topic.replication_factor != -1 && topic.replication_factor != 1) {
    return Error{ErrorCode::kInvalidReplicationFactor,
                 "replication factor " +
                     std::to_string(topic.replication_factor) +
                     " larger than available brokers: 1"};
  }
  std::vector<std::pair<std::string, std::string>> configs;
  for (const auto& config : topic.configs) {
    if (config.value) configs.emplace_back(config.name, *config.value);
  }
  Result<LogConfig> log_config = ParseTopicConfigs(configs, config_.log);
  if (!log_config.ok()) return log_config.status();
  if (validate_only) return logs_->CanCreateTopic(topic.name, partitions);
  return logs_->CreateTopic(topic.name, partitions, *log_config, env_->NowMs());
}

Status Broker::HandleCreatePartitions(const Request& request,
                                      Responder respond) {
  Result<CreatePartitionsRequest> decoded = DecodeBody<CreatePartitionsRequest>(
      request, ApiKey::kCreatePartitions, "CreatePartitionsRequest");
  if (!decoded.ok()) return decoded.status();
  CreatePartitionsResponse response;
  for (const CreatePartitionsRequest::Topic& topic : decoded->topics) {
    Status outcome = AddPartitions(topic, decoded->validate_only);
    CreatePartitionsResponse::Result& result = response.results.emplace_back(
        CreatePartitionsResponse::Result{topic.name});
    if (!outcome.ok()) {
      result.error_code = outcome.error().code;
      result.error_message = outcome.error().message;
    }
  }
  respond(EncodeBody(response, ApiKey::kCreatePartitions, request));
  return Status();
}

Status Broker::AddPartitions(const CreatePartitionsRequest::Topic& topic,
                             bool validate_only) {
  for (const auto& replicas :
       topic.assignments.value_or(std::vector<std::vector<int32_t>>{})) {
    if (!IsOnlyThisBroker(replicas, config_.node_id)) {
      return Error{
          ErrorCode::kInvalidReplicaAssignment,
          "this cluster has one broker, " + std::to_string(config_.node_id)};
    }
  }
  if (validate_only) return logs_->CanAddPartitions(topic.name, topic.count);
  return logs_->AddPartitions(topic.name, topic.count, env_->NowMs());
}

}  // namespace kafka
