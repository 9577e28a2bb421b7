#include "chapters/02_partitions/broker.h"

#include <algorithm>

#include "chapters/01_log/record_batch.h"
#include "lib/bytes.h"
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

bool IsValidAcks(int16_t acks) { return acks == 0 || acks == 1 || acks == -1; }

Error InvalidRecord(const std::string& why) {
  return Error{ErrorCode::kInvalidRecord, why};
}

// The smallest record Kafka ever had (v0, LegacyRecord.RECORD_OVERHEAD_V0):
// no batch length can be shorter.
constexpr int32_t kSmallestRecordOverhead = 14;

// The size of the batch that `bytes` starts with, as far as its length and
// magic tell (Kafka's ByteBufferLogInputStream): 0 if `bytes` is too short to
// hold all of it, CORRUPT_MESSAGE if the length or the magic cannot be a
// batch's.
Result<size_t> WholeBatchSize(ByteView bytes) {
  ByteReader reader(bytes);
  reader.ReadInt64("baseOffset");
  const int32_t length = reader.ReadInt32("batchLength");
  if (!reader.ok()) return size_t(0);
  if (length < kSmallestRecordOverhead) {
    return Error{ErrorCode::kCorruptMessage, "batchLength " +
                                                 std::to_string(length) +
                                                 " is smaller than any record"};
  }
  if (bytes.size() <= kMagicPosition) return size_t(0);
  const int8_t magic = int8_t(bytes[kMagicPosition]);
  if (magic < 0 || magic > kMagicV2) {
    return Error{ErrorCode::kCorruptMessage,
                 "unknown magic " + std::to_string(magic)};
  }
  const size_t size = kLogOverhead + size_t(length);
  return bytes.size() < size ? 0 : size;
}

// Kafka's ProduceRequest.validateRecords: since Produce v3 a partition's
// records are exactly one batch, of magic 2. Returns the batch's size. Bytes
// after it that are not a whole batch are cut off, as Kafka's log does
// (UnifiedLog.trimInvalidBytes).
Result<size_t> ValidateProduceRecords(ByteView records) {
  Result<size_t> first = WholeBatchSize(records);
  if (!first.ok()) return first;
  if (*first == 0) {
    return InvalidRecord("a partition's records must hold a record batch");
  }
  if (records[kMagicPosition] != kMagicV2) {
    return InvalidRecord("Produce v3 and later carry only magic 2 batches");
  }
  Result<size_t> second = WholeBatchSize(records.subspan(*first));
  if (!second.ok()) return second;
  if (*second != 0) {
    return InvalidRecord("a partition's records must be exactly one batch");
  }
  return first;
}

// Whether the records' offsetDeltas are 0, 1, ..., count - 1, reading only
// the front of each record. A record too damaged to read is left to the
// log's validation, which answers CORRUPT_MESSAGE.
Status CheckRecordOffsetDeltas(ByteView batch, int32_t count) {
  ByteReader reader(batch.subspan(kBatchHeaderSize));
  for (int32_t expected = 0; expected < count; ++expected) {
    const int32_t length = reader.ReadVarint("record length");
    const size_t start = reader.position();
    reader.ReadInt8("attributes");
    reader.ReadVarlong("timestampDelta");
    const int32_t offset_delta = reader.ReadVarint("offsetDelta");
    if (!reader.ok() || length < int32_t(reader.position() - start)) {
      return Status();
    }
    if (offset_delta != expected) {
      return InvalidRecord("record " + std::to_string(expected) +
                           " has offsetDelta " + std::to_string(offset_delta));
    }
    reader.ReadRaw(size_t(length) - (reader.position() - start), "record");
  }
  return Status();
}

//! [validate batch]
// What Kafka's log checks of a batch from a client, beyond Chapter 1's
// checks of its bytes (UnifiedLog.analyzeAndValidateRecords and
// LogValidator.validateBatch): the leader assigns offsets, so the producer
// sends base offset 0 and offsets without gaps; and only the broker writes
// control batches (transaction markers, Chapter 8).
Status ValidateClientBatch(ByteView batch) {
  Result<RecordBatchHeader> header = DecodeBatchHeader(batch);
  if (!header.ok()) return header.status();
  if (header->base_offset != 0) {
    return InvalidRecord("a client's batch has base offset 0, not " +
                         std::to_string(header->base_offset));
  }
  if (header->records_count <= 0 ||
      header->last_offset_delta + 1 != header->records_count) {
    return InvalidRecord(
        "lastOffsetDelta " + std::to_string(header->last_offset_delta) +
        " does not fit recordsCount " + std::to_string(header->records_count));
  }
  if (header->attributes & kControlFlag) {
    return InvalidRecord("clients may not write control batches");
  }
  return CheckRecordOffsetDeltas(batch, header->records_count);
}
//! [validate batch]

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
  described.is_internal = IsInternalTopic(topic);
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
      answer.partition_responses.push_back(
          AppendToPartition(topic.name, data, acks));
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

//! [append to partition]
ProduceResponse::PartitionResponse Broker::AppendToPartition(
    const std::string& topic, const ProduceRequest::PartitionData& data,
    int16_t acks) {
  ProduceResponse::PartitionResponse answer;
  answer.index = data.index;
  auto fail = [&answer](ErrorCode code) {
    answer.error_code = code;
    return answer;
  };
  // Kafka's order: the partition and the request's shape (KafkaApis), acks
  // and the topic (ReplicaManager), then what the log checks.
  Log* log = logs_->GetLog({topic, data.index});
  if (log == nullptr) return fail(ErrorCode::kUnknownTopicOrPartition);
  const ByteView records = data.records ? ByteView(*data.records) : ByteView();
  Result<size_t> batch_size = ValidateProduceRecords(records);
  if (!batch_size.ok()) return fail(batch_size.error().code);
  if (!IsValidAcks(acks)) return fail(ErrorCode::kInvalidRequiredAcks);
  // Internal topics belong to the coordinators, which append through the
  // log manager, never through Produce.
  if (IsInternalTopic(topic)) return fail(ErrorCode::kInvalidTopicException);
  const ByteView batch = records.first(*batch_size);
  if (Status valid = ValidateClientBatch(batch); !valid.ok()) {
    return fail(valid.error().code);
  }
  Bytes appended_bytes(batch.begin(), batch.end());  // offsets set in place
  Result<LogAppendInfo> appended = log->Append(appended_bytes, env_->NowMs());
  if (!appended.ok()) return fail(appended.error().code);
  answer.base_offset = appended->first_offset;
  answer.log_start_offset = log->log_start_offset();
  return answer;
}
//! [append to partition]

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
