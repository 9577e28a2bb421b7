#include "chapters/02_partitions/partition_apis.h"

#include <algorithm>
#include <initializer_list>
#include <memory>

#include "chapters/01_log/record_batch.h"
#include "lib/compression/compression.h"
#include "lib/protocol/acl_operations.h"
#include "lib/protocol/create_topics.h"
#include "lib/protocol/delete_records.h"
#include "lib/protocol/message.h"
#include "lib/protocol/metadata.h"
#include "lib/protocol/produce.h"

namespace kafka {
namespace {

// CreateTopics and CreatePartitions: one topic admin call per topic, whose
// outcome is that topic's result; the answer goes once every call is done.
template <typename Response, typename Request, typename Results, typename Call>
void AnswerPerTopic(const Request& request, Results Response::*results,
                    Responder respond, const RequestHeader& header,
                    const Call& call) {
  auto pending =
      std::make_shared<PendingResponse<Response>>(std::move(respond), header);
  (pending->response().*results).resize(request.topics.size());
  for (size_t i = 0; i < request.topics.size(); ++i) {
    (pending->response().*results)[i].name = request.topics[i].name;
    pending->PartStarted();
    call(request.topics[i], [pending, results, i](Status outcome) {
      auto& result = (pending->response().*results)[i];
      if (!outcome.ok()) {
        result.error_code = outcome.error().code;
        result.error_message = outcome.error().message;
      }
      pending->PartDone();
    });
  }
  pending->PartDone();
}

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

// A topic a Metadata request asks about: by name, or (v12) by id.
struct WantedTopic {
  std::optional<std::string> name;  ///< nullopt: an id this broker lacks
  Uuid id;
};

// Produce v7 is the first that may carry zstd (KIP-110): an older request
// with a zstd batch is UNSUPPORTED_COMPRESSION_TYPE, as in Kafka's
// ProduceRequest.validateRecords. `batch` is one whole, validated batch.
Status CheckCompressionForVersion(ByteView batch, int16_t version) {
  Result<RecordBatchHeader> header = DecodeBatchHeader(batch);
  if (version < 7 && header.ok() &&
      header->compression_codec() == int(CompressionType::kZstd)) {
    return Error{ErrorCode::kUnsupportedCompressionType,
                 "zstd needs Produce v7 or later"};
  }
  return Status();
}

MetadataResponse::Topic DescribeTopic(const MetadataCache& metadata,
                                      const std::string& topic) {
  MetadataResponse::Topic described;
  described.name = topic;
  // Kafka's own topics (Topic.isInternal): group offsets (Chapter 3) and
  // transaction state (Chapter 8). Clients leave them out of "all topics".
  described.is_internal = IsInternalTopic(topic);
  auto partitions = metadata.TopicPartitions(topic);
  if (!partitions) {
    described.error_code = ErrorCode::kUnknownTopicOrPartition;
    return described;
  }
  described.topic_id = metadata.TopicId(topic).value_or(Uuid());
  for (const PartitionMetadata& p : *partitions) {
    MetadataResponse::Partition& out = described.partitions.emplace_back();
    out.error_code =
        p.leader == -1 ? ErrorCode::kLeaderNotAvailable : ErrorCode::kNone;
    out.partition_index = p.partition;
    out.leader_id = p.leader;
    out.leader_epoch = p.leader_epoch;
    out.replica_nodes = p.replicas;
    out.isr_nodes = p.isr;
    // offline_replicas stays empty: a replica this broker knows is one it
    // holds, so it is online (Chapter 4's brokers can be down).
  }
  return described;
}

// The error Metadata gives a topic it asked to create. The creation may have
// happened elsewhere (TOPIC_ALREADY_EXISTS: another client's request won),
// and with a controller (Chapters 4 and 5) this broker's metadata learns of
// the topic a little later: until it describes the topic, the topic is
// LEADER_NOT_AVAILABLE, a retriable error, as Kafka's
// AutoTopicCreationManager answers; clients ask again. A creation that
// failed otherwise (an invalid name, ...) gives its own error.
ErrorCode AutoCreatedTopicError(const Status& created,
                                const MetadataResponse::Topic& described) {
  if (!created.ok() && created.error().code != ErrorCode::kTopicAlreadyExists) {
    return created.error().code;
  }
  return described.error_code == ErrorCode::kUnknownTopicOrPartition
             ? ErrorCode::kLeaderNotAvailable
             : described.error_code;
}

// Kafka reads topic ids only from v12: before, a request with one, or with
// a null name, is invalid, and each topic it names says so.
bool UsesTopicIdsTooEarly(const MetadataRequest& request, int16_t version) {
  if (version >= 12 || !request.topics) return false;
  for (const MetadataRequest::Topic& topic : *request.topics) {
    if (!topic.topic_id.IsZero() || !topic.name) return true;
  }
  return false;
}

MetadataResponse InvalidMetadataRequest(const MetadataRequest& request) {
  MetadataResponse response;
  for (const MetadataRequest::Topic& topic : *request.topics) {
    MetadataResponse::Topic& answer = response.topics.emplace_back();
    answer.error_code = ErrorCode::kInvalidRequest;
    answer.name = topic.name.value_or("");
    answer.topic_id = topic.topic_id;
  }
  return response;
}

// The topics a Metadata request asks about: every topic (a null list), those
// named by id if any is (v12; the names are then ignored, as in Kafka), or
// those named.
std::vector<WantedTopic> WantedTopics(const MetadataRequest& request,
                                      const MetadataCache& metadata) {
  std::vector<WantedTopic> wanted;
  if (!request.topics) {
    for (const std::string& name : metadata.TopicNames()) {
      wanted.push_back({name, Uuid()});
    }
    return wanted;
  }
  const bool by_id = std::any_of(
      request.topics->begin(), request.topics->end(),
      [](const MetadataRequest::Topic& t) { return !t.topic_id.IsZero(); });
  for (const MetadataRequest::Topic& topic : *request.topics) {
    if (!by_id) {
      wanted.push_back({topic.name.value_or(""), Uuid()});
    } else if (!topic.topic_id.IsZero()) {
      wanted.push_back({metadata.TopicName(topic.topic_id), topic.topic_id});
    }
  }
  return wanted;
}

MetadataResponse::Topic UnknownTopicId(const Uuid& id) {
  MetadataResponse::Topic described;
  described.error_code = ErrorCode::kUnknownTopicId;
  described.name = std::nullopt;
  described.topic_id = id;
  return described;
}

// ListOffsets' special (negative) timestamps, each from the version that
// added it: -1 latest and -2 earliest always, -3 the largest timestamp from
// v7 (KIP-734), -4 the earliest kept locally from v8 (KIP-405). Any other
// is UNSUPPORTED_VERSION, as in Kafka's ReplicaManager (-5, v9, asks about
// tiered storage).
bool IsTimestampSupported(int64_t timestamp, int16_t version) {
  if (timestamp >= 0) return true;
  if (timestamp == kLatestTimestamp || timestamp == kEarliestTimestamp) {
    return true;
  }
  if (timestamp == kMaxTimestamp) return version >= 7;
  return timestamp == kEarliestLocalTimestamp && version >= 8;
}

// CreateTopics v5 answers a created topic as it is (KIP-525), v7 with its
// id.
void DescribeCreatedTopic(CreatedTopic created,
                          CreateTopicsResponse::Result& result) {
  result.topic_id = created.topic_id;
  result.num_partitions = created.num_partitions;
  result.replication_factor = created.replication_factor;
  result.configs = std::move(created.configs);
}

// Kafka's FetchMetadata.isFull: session epoch 0 opens a session, -1 asks for
// none; any other continues one.
bool IsFullFetch(const FetchRequest& request) {
  return request.session_epoch == 0 || request.session_epoch == -1;
}

}  // namespace

std::vector<FetchResponse::Topic> ResolveTopicIds(
    FetchRequest& request, int16_t version, const MetadataCache& metadata) {
  if (version < 13) return {};
  std::vector<FetchResponse::Topic> unknown;
  std::vector<FetchRequest::Topic> known;
  for (FetchRequest::Topic& topic : request.topics) {
    if (std::optional<std::string> name = metadata.TopicName(topic.topic_id)) {
      topic.topic = *name;
      known.push_back(std::move(topic));
      continue;
    }
    FetchResponse::Topic& answer = unknown.emplace_back();
    answer.topic_id = topic.topic_id;
    for (const FetchRequest::Partition& wanted : topic.partitions) {
      FetchResponse::Partition& out = answer.partitions.emplace_back();
      out.partition_index = wanted.partition;
      out.error_code = ErrorCode::kUnknownTopicId;
    }
  }
  request.topics = std::move(known);
  return unknown;
}

void PartitionApis::RegisterWith(RequestHandlers& handlers) {
  handlers.Register(ApiKey::kProduce,
                    HandlerOf(this, &PartitionApis::HandleProduce));
  handlers.Register(ApiKey::kFetch,
                    HandlerOf(this, &PartitionApis::HandleFetch));
  handlers.Register(ApiKey::kListOffsets,
                    HandlerOf(this, &PartitionApis::HandleListOffsets));
  handlers.Register(ApiKey::kMetadata,
                    HandlerOf(this, &PartitionApis::HandleMetadata));
  handlers.Register(ApiKey::kCreateTopics,
                    HandlerOf(this, &PartitionApis::HandleCreateTopics));
  handlers.Register(ApiKey::kCreatePartitions,
                    HandlerOf(this, &PartitionApis::HandleCreatePartitions));
  handlers.Register(ApiKey::kDeleteRecords,
                    HandlerOf(this, &PartitionApis::HandleDeleteRecords));
}

//! [metadata]
Status PartitionApis::HandleMetadata(const Request& request,
                                     Responder respond) {
  Result<MetadataRequest> decoded = DecodeRequestBody<MetadataRequest>(request);
  if (!decoded.ok()) return decoded.status();
  if (UsesTopicIdsTooEarly(*decoded, request.header.api_version)) {
    respond(
        EncodeResponseBody(InvalidMetadataRequest(*decoded), request.header));
    return Status();
  }
  const MetadataCache& metadata = components_.metadata;
  auto pending = std::make_shared<PendingResponse<MetadataResponse>>(
      std::move(respond), request.header);
  MetadataResponse& response = pending->response();
  for (const BrokerEndpoint& broker : metadata.AliveBrokers()) {
    response.brokers.push_back(
        {broker.id, broker.host, broker.port, broker.rack});
  }
  response.cluster_id = metadata.cluster_id();
  response.controller_id = metadata.controller_id();
  if (decoded->include_cluster_authorized_operations) {
    response.cluster_authorized_operations = kAllClusterOperations;
  }
  // Naming a topic may create it; asking for all topics creates none.
  const bool may_create = components_.auto_create_topics_enable &&
                          decoded->allow_auto_topic_creation &&
                          decoded->topics.has_value();
  // Left at INT32_MIN ("not computed") unless asked for.
  const int32_t operations =
      decoded->include_topic_authorized_operations
          ? kAllTopicOperations
          : MetadataResponse::Topic().topic_authorized_operations;
  const std::vector<WantedTopic> topics = WantedTopics(*decoded, metadata);
  response.topics.resize(topics.size());
  for (size_t i = 0; i < topics.size(); ++i) {
    MetadataResponse::Topic& described = response.topics[i];
    if (!topics[i].name) {
      described = UnknownTopicId(topics[i].id);
    } else if (!may_create || !topics[i].id.IsZero() ||
               metadata.TopicPartitions(*topics[i].name)) {
      described = DescribeTopic(metadata, *topics[i].name);
    } else {
      pending->PartStarted();
      components_.topics.CreateTopic(
          {.name = *topics[i].name}, /*validate_only=*/false,
          [pending, &metadata, operations, topic = *topics[i].name,
           i](Status created) {
            MetadataResponse::Topic& described = pending->response().topics[i];
            described = DescribeTopic(metadata, topic);
            described.error_code = AutoCreatedTopicError(created, described);
            described.topic_authorized_operations = operations;
            pending->PartDone();
          });
    }
    described.topic_authorized_operations = operations;
  }
  pending->PartDone();
  return Status();
}
//! [metadata]

//! [produce]
Status PartitionApis::HandleProduce(const Request& request, Responder respond) {
  auto decoded = std::make_shared<Result<ProduceRequest>>(
      DecodeRequestBody<ProduceRequest>(request));
  if (!decoded->ok()) return decoded->status();
  const ProduceRequest& produce = decoded->value();
  ProduceResponse response;
  AppendRecordsRequest append{produce.acks, produce.timeout_ms, false, {}};
  // Where each appended entry's answer goes: (topic, partition) indexes.
  std::vector<std::pair<size_t, size_t>> answer_of_entry;
  for (const ProduceRequest::TopicData& topic : produce.topic_data) {
    auto& answers =
        response.responses
            .emplace_back(ProduceResponse::TopicResponse{topic.name, {}})
            .partition_responses;
    for (const ProduceRequest::PartitionData& data : topic.partition_data) {
      ProduceResponse::PartitionResponse& answer = answers.emplace_back();
      answer.index = data.index;
      // Kafka's order: the partition and the request's shape here, then
      // acks, the topic and the records in the ReplicaManager.
      if (!components_.metadata.GetPartition({topic.name, data.index})) {
        answer.error_code = ErrorCode::kUnknownTopicOrPartition;
        continue;
      }
      const ByteView records =
          data.records ? ByteView(*data.records) : ByteView();
      Result<size_t> batch_size = ValidateProduceRecords(records);
      if (!batch_size.ok()) {
        answer.error_code = batch_size.error().code;
        continue;
      }
      Status compression = CheckCompressionForVersion(
          records.first(*batch_size), request.header.api_version);
      if (!compression.ok()) {
        answer.error_code = compression.error().code;
        continue;
      }
      append.entries.push_back(
          {{topic.name, data.index}, records.first(*batch_size)});
      answer_of_entry.emplace_back(response.responses.size() - 1,
                                   answers.size() - 1);
    }
  }
  const int16_t acks = produce.acks;
  components_.replicas.AppendRecords(
      std::move(append),
      [decoded, response = std::move(response), answer_of_entry, acks,
       respond = std::move(respond), header = request.header](
          std::vector<PartitionAppendResult> results) mutable {
        for (size_t i = 0; i < results.size(); ++i) {
          auto [t, p] = answer_of_entry[i];
          auto& answer = response.responses[t].partition_responses[p];
          answer.error_code = results[i].error_code;
          answer.base_offset = results[i].base_offset;
          answer.log_start_offset = results[i].log_start_offset;
          for (const RecordError& error : results[i].record_errors) {
            answer.record_errors.push_back({error.batch_index, error.message});
          }
          answer.error_message = results[i].error_message;
        }
        // acks=0: the producer waits for nothing, and gets nothing.
        respond(acks == 0
                    ? std::nullopt
                    : std::optional(EncodeResponseBody(response, header)));
      });
  return Status();
}
//! [produce]

//! [fetch]
Status PartitionApis::HandleFetch(const Request& request, Responder respond) {
  Result<FetchRequest> decoded = DecodeRequestBody<FetchRequest>(request);
  if (!decoded.ok()) return decoded.status();
  if (!IsFullFetch(*decoded)) {
    // An incremental fetch (KIP-227) continues a session, and this broker
    // keeps none: every session id is unknown. A full fetch (session epoch
    // 0 or -1) closes the session it names, of which there is none, and
    // is answered outside any session (session_id 0), as Kafka answers when
    // its session cache is full.
    FetchResponse refused;
    refused.error_code = ErrorCode::kFetchSessionIdNotFound;
    respond(EncodeResponseBody(refused, request.header));
    return Status();
  }
  std::vector<FetchResponse::Topic> unknown_ids = ResolveTopicIds(
      *decoded, request.header.api_version, components_.metadata);
  components_.replicas.FetchMessages(
      std::move(decoded).value(),
      [respond = std::move(respond), header = request.header,
       unknown_ids = std::move(unknown_ids)](FetchResponse response) {
        // Kafka answers the partitions refused before the read after the
        // others.
        response.responses.insert(response.responses.end(), unknown_ids.begin(),
                                  unknown_ids.end());
        respond(EncodeResponseBody(response, header));
      });
  return Status();
}
//! [fetch]

Status PartitionApis::HandleListOffsets(const Request& request,
                                        Responder respond) {
  Result<ListOffsetsRequest> decoded =
      DecodeRequestBody<ListOffsetsRequest>(request);
  if (!decoded.ok()) return decoded.status();
  ListOffsetsResponse response;
  for (const ListOffsetsRequest::Topic& topic : decoded->topics) {
    ListOffsetsResponse::Topic& answer = response.topics.emplace_back(
        ListOffsetsResponse::Topic{topic.name, {}});
    for (const ListOffsetsRequest::Partition& wanted : topic.partitions) {
      if (!IsTimestampSupported(wanted.timestamp, request.header.api_version)) {
        answer.partitions.push_back(
            {.partition_index = wanted.partition_index,
             .error_code = ErrorCode::kUnsupportedVersion});
        continue;
      }
      answer.partitions.push_back(components_.replicas.FetchOffsetForTimestamp(
          {topic.name, wanted.partition_index}, wanted.timestamp,
          wanted.current_leader_epoch));
    }
  }
  respond(EncodeResponseBody(response, request.header));
  return Status();
}

Status PartitionApis::HandleCreateTopics(const Request& request,
                                         Responder respond) {
  Result<CreateTopicsRequest> decoded =
      DecodeRequestBody<CreateTopicsRequest>(request);
  if (!decoded.ok()) return decoded.status();
  auto pending = std::make_shared<PendingResponse<CreateTopicsResponse>>(
      std::move(respond), request.header);
  pending->response().topics.resize(decoded->topics.size());
  for (size_t i = 0; i < decoded->topics.size(); ++i) {
    const CreateTopicsRequest::Topic& topic = decoded->topics[i];
    pending->response().topics[i].name = topic.name;
    pending->PartStarted();
    components_.topics.CreateTopic(
        topic, decoded->validate_only,
        [this, pending, i, topic](Status outcome) {
          CreateTopicsResponse::Result& result = pending->response().topics[i];
          if (outcome.ok()) {
            DescribeCreatedTopic(components_.topics.DescribeCreatedTopic(topic),
                                 result);
          } else {
            result.error_code = outcome.error().code;
            result.error_message = outcome.error().message;
            result.configs.emplace();  // none, rather than withheld (null)
          }
          pending->PartDone();
        });
  }
  pending->PartDone();
  return Status();
}

Status PartitionApis::HandleCreatePartitions(const Request& request,
                                             Responder respond) {
  Result<CreatePartitionsRequest> decoded =
      DecodeRequestBody<CreatePartitionsRequest>(request);
  if (!decoded.ok()) return decoded.status();
  AnswerPerTopic<CreatePartitionsResponse>(
      *decoded, &CreatePartitionsResponse::results, std::move(respond),
      request.header, [this, &decoded](const auto& topic, auto done) {
        components_.topics.CreatePartitions(topic, decoded->validate_only,
                                            done);
      });
  return Status();
}

//! [delete records]
Status PartitionApis::HandleDeleteRecords(const Request& request,
                                          Responder respond) {
  Result<DeleteRecordsRequest> decoded =
      DecodeRequestBody<DeleteRecordsRequest>(request);
  if (!decoded.ok()) return decoded.status();
  auto pending = std::make_shared<PendingResponse<DeleteRecordsResponse>>(
      std::move(respond), request.header);
  auto& topics = pending->response().topics;
  topics.resize(decoded->topics.size());
  for (size_t t = 0; t < decoded->topics.size(); ++t) {
    const DeleteRecordsRequest::Topic& topic = decoded->topics[t];
    topics[t].name = topic.name;
    topics[t].partitions.resize(topic.partitions.size());
    for (size_t p = 0; p < topic.partitions.size(); ++p) {
      const auto& wanted = topic.partitions[p];
      auto& answer = topics[t].partitions[p];
      answer.partition_index = wanted.partition_index;
      const TopicPartition partition{topic.name, wanted.partition_index};
      if (!components_.metadata.GetPartition(partition)) {
        answer.error_code = ErrorCode::kUnknownTopicOrPartition;
        continue;
      }
      pending->PartStarted();
      components_.replicas.DeleteRecords(
          partition, wanted.offset,
          [pending, t, p](Result<int64_t> low_watermark) {
            auto& answer = pending->response().topics[t].partitions[p];
            if (low_watermark.ok()) {
              answer.low_watermark = *low_watermark;
            } else {
              answer.error_code = low_watermark.error().code;
            }
            pending->PartDone();
          });
    }
  }
  pending->PartDone();
  return Status();
}
//! [delete records]

}  // namespace kafka
