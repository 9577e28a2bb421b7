#include "chapters/02_partitions/producer.h"

#include <algorithm>
#include <cassert>
#include <set>

#include "lib/protocol/api_keys.h"
#include "lib/protocol/init_producer_id.h"
#include "lib/protocol/message.h"
#include "lib/protocol/metadata.h"
#include "lib/protocol/produce.h"

namespace kafka {
namespace {

constexpr int16_t kProduceVersion = 7;
constexpr int16_t kMetadataVersion = 4;
constexpr int16_t kInitProducerIdVersion = 4;

// A record's share of a batch: its key and value, and about 20 bytes of
// varints around them.
size_t EstimatedSize(const SimpleRecord& record) {
  return 20 + (record.key ? record.key->size() : 0) +
         (record.value ? record.value->size() : 0);
}

// The errors a retry may cure: the leader may have moved (or not be known
// yet), and a retry after fresh Metadata may reach the right broker; or
// the ISR was too small, and may have grown back by then.
bool IsRetriable(const Error& error) {
  return error.code == ErrorCode::kNetworkException ||
         error.code == ErrorCode::kRequestTimedOut ||
         error.code == ErrorCode::kNotLeaderOrFollower ||
         error.code == ErrorCode::kUnknownTopicOrPartition ||
         error.code == ErrorCode::kNotEnoughReplicas ||
         error.code == ErrorCode::kNotEnoughReplicasAfterAppend;
}

// The setting that idempotence cannot work with, if one does not: the
// broker must have the batch in its ISR before it answers (acks=all), the
// producer must retry, and the broker remembers only the last five
// batches of a producer per partition.
std::optional<std::string> IdempotenceConflict(const ProducerConfig& config) {
  if (config.acks != -1) return "acks must be all (-1)";
  if (config.retries <= 0) return "retries must be greater than 0";
  if (config.max_in_flight_requests_per_connection > 5) {
    return "max.in.flight.requests.per.connection must be at most 5";
  }
  return std::nullopt;
}

// The errors after which an idempotent producer's batch is stamped again
// under a newer epoch, if it carries an older one.
bool IsEpochOrSequenceError(const Error& error) {
  return error.code == ErrorCode::kOutOfOrderSequenceNumber ||
         error.code == ErrorCode::kInvalidProducerEpoch ||
         error.code == ErrorCode::kUnknownProducerId;
}

}  // namespace

Producer::Producer(Environment& env, ProducerConfig config)
    : env_(env),
      config_(std::move(config)),
      bootstrap_ids_(LearnBootstrapServers(env, config_.bootstrap_servers)),
      partitioner_(MakePartitioner(config_.partitioner, env.random())) {
  assert(!bootstrap_ids_.empty() && "bootstrap.servers is required");
  const std::optional<std::string> conflict = IdempotenceConflict(config_);
  idempotent_ = !conflict && config_.enable_idempotence.value_or(true);
  if (config_.enable_idempotence.value_or(false) && conflict) {
    config_error_ = Error{ErrorCode::kInvalidConfig,
                          "enable.idempotence=true: " + *conflict};
  }
}

void Producer::Send(const std::string& topic, std::optional<Bytes> key,
                    std::optional<Bytes> value, Callback on_delivery) {
  if (config_error_) return on_delivery(*config_error_);
  ++unreported_;
  Pending pending{{.timestamp = env_.NowMs(),
                   .key = std::move(key),
                   .value = std::move(value)},
                  std::move(on_delivery)};
  if (!metadata_.contains(topic)) {
    std::vector<Pending>& waiting = waiting_for_metadata_[topic];
    waiting.push_back(std::move(pending));
    if (waiting.size() == 1) FetchMetadata(topic);
    return;
  }
  Accumulate(topic, std::move(pending));
  SendReadyBatches();
}

//! [accumulate]
void Producer::Accumulate(const std::string& topic, Pending pending) {
  const int32_t partitions = int32_t(metadata_.at(topic).leaders.size());
  TopicPartition partition{
      topic, partitioner_->Partition(pending.record.key, partitions)};
  Batch& batch = open_batches_[partition];
  batch.partition = partition;
  if (batch.records.empty()) batch.created_ms = pending.record.timestamp;
  const size_t size = EstimatedSize(pending.record);
  if (!batch.records.empty() &&
      batch.bytes + size > size_t(config_.batch_size)) {
    // Full: send it. If it was the sticky partition of keyless records,
    // the partitioner moves on (Java switches after batch.size bytes).
    CloseBatch(partition);
    if (!pending.record.key) partitioner_->OnBatchFull();
    return Accumulate(topic, std::move(pending));
  }
  batch.records.push_back(std::move(pending));
  batch.bytes += size;
  if (!linger_timer_) {
    linger_timer_ = env_.StartTimer(config_.linger_ms, [this] {
      linger_timer_.reset();
      Flush();
    });
  }
}
//! [accumulate]

void Producer::Flush() {
  while (!open_batches_.empty()) CloseBatch(open_batches_.begin()->first);
  SendReadyBatches();
}

void Producer::CloseBatch(const TopicPartition& partition) {
  auto open = open_batches_.find(partition);
  open->second.number = batches_closed_++;
  NodeId leader = metadata_.at(partition.topic).leaders.at(partition.partition);
  ready_[leader].push_back(std::move(open->second));
  open_batches_.erase(open);
}

void Producer::FetchMetadata(const std::string& topic) {
  if (!metadata_in_flight_.insert(topic).second) return;
  MetadataRequest request = MetadataRequestFor({topic});
  env_.Send(
      bootstrap_ids_[next_bootstrap_ % bootstrap_ids_.size()],
      {int16_t(ApiKey::kMetadata), kMetadataVersion, 0, config_.client_id},
      EncodeMessage(request, ApiKey::kMetadata, kMetadataVersion),
      config_.request_timeout_ms, [this, topic](Result<Bytes> body) {
        metadata_in_flight_.erase(topic);
        OnMetadata(topic, std::move(body));
      });
}

void Producer::OnMetadata(const std::string& topic, Result<Bytes> body) {
  Result<MetadataResponse> response =
      body.ok() ? DecodeMessage<MetadataResponse>(*body, ApiKey::kMetadata,
                                                  kMetadataVersion, 0,
                                                  "MetadataResponse")
                : Result<MetadataResponse>(body.error());
  if (!response.ok()) {  // ask the next server after a pause
    ++next_bootstrap_;
    env_.StartTimer(config_.retry_backoff_ms,
                    [this, topic] { FetchMetadata(topic); });
    return;
  }
  for (const MetadataResponse::Broker& broker : response->brokers) {
    env_.LearnAddress(broker.node_id, broker.host, broker.port);
  }
  for (const MetadataResponse::Topic& answered : response->topics) {
    // Only v12's answer to an unknown topic id has no name.
    const std::string& name = *answered.name;
    std::vector<Pending> waiting = std::move(waiting_for_metadata_[name]);
    waiting_for_metadata_.erase(name);
    if (answered.error_code != ErrorCode::kNone ||
        answered.partitions.empty()) {
      for (Pending& pending : waiting) {
        --unreported_;
        pending.on_delivery(Error{answered.error_code, "topic " + name});
      }
      continue;
    }
    LearnLeaders(answered);
    for (Pending& pending : waiting) {
      Accumulate(name, std::move(pending));
    }
  }
  SendReadyBatches();
}

void Producer::LearnLeaders(const MetadataResponse::Topic& topic) {
  TopicMetadata& metadata = metadata_[*topic.name];
  metadata.leaders.resize(
      std::max(metadata.leaders.size(), topic.partitions.size()));
  for (const MetadataResponse::Partition& p : topic.partitions) {
    metadata.leaders.at(p.partition_index) = p.leader_id;
  }
  MoveBatchesToNewLeaders(*topic.name);
}

// A partition's ready batches all wait for its leader of now, in the order
// they were made: left with an old leader, newer batches could go out
// first from there.
void Producer::MoveBatchesToNewLeaders(const std::string& topic) {
  const std::vector<NodeId>& leaders = metadata_.at(topic).leaders;
  std::vector<Batch> moved;
  for (auto& [leader, batches] : ready_) {
    auto stays = std::stable_partition(
        batches.begin(), batches.end(), [&](const Batch& batch) {
          return batch.partition.topic != topic ||
                 leaders.at(batch.partition.partition) == leader;
        });
    moved.insert(moved.end(), std::make_move_iterator(stays),
                 std::make_move_iterator(batches.end()));
    batches.erase(stays, batches.end());
  }
  std::sort(moved.begin(), moved.end(),
            [](const Batch& a, const Batch& b) { return a.number < b.number; });
  for (Batch& batch : moved) Requeue(std::move(batch));
}

// Up to max.in.flight.requests.per.connection requests per leader, each
// with at most one batch per partition: without retries, a partition's
// batches reach the log in the order they were made (a retried batch can
// fall behind the next one).
void Producer::SendReadyBatches() {
  if (epoch_bump_pending_ && !BumpEpochWhenAllBatchesAreBack()) return;
  if (idempotent_ && !sequences_.has_producer_id()) {
    if (!ready_.empty()) InitProducerId();
    return;
  }
  for (auto& [leader, batches] : ready_) {
    while (!batches.empty() &&
           in_flight_[leader] < config_.max_in_flight_requests_per_connection &&
           SendOneRequest(leader, batches)) {
    }
  }
}

// The bump waits until every batch sent is back in the queues (none in
// flight, none waiting out its retry backoff), as the Java producer waits
// for its in-flight batches: the queues hold them in the order they were
// made, and they are stamped anew in that order. A batch stamped again
// after newer ones would land behind them, out of order.
bool Producer::BumpEpochWhenAllBatchesAreBack() {
  if (retries_backing_off_ > 0) return false;
  for (const auto& [leader, requests] : in_flight_) {
    if (requests > 0) return false;
  }
  sequences_.BumpEpoch();
  epoch_bump_pending_ = false;
  return true;
}

// Takes the first ready batch of each partition off `batches` and sends
// them in one request.
bool Producer::SendOneRequest(NodeId leader, std::vector<Batch>& batches) {
  std::vector<Batch> now, later;
  std::set<TopicPartition> taken;
  for (Batch& batch : batches) {
    const bool first_of_its_partition = taken.insert(batch.partition).second;
    (first_of_its_partition && MayGoOut(batch) ? now : later)
        .push_back(std::move(batch));
  }
  batches = std::move(later);
  if (now.empty()) return false;
  std::sort(now.begin(), now.end(), [](const Batch& a, const Batch& b) {
    return a.partition < b.partition;
  });
  SendToLeader(leader, std::move(now));
  return true;
}

// A new batch of an idempotent producer waits while its partition has
// max.in.flight.requests.per.connection batches unresolved (some may be
// waiting for their retry): a sixth could push the first out of the five
// batches the broker remembers, and its retry would be refused as out of
// order although it was written.
bool Producer::MayGoOut(const Batch& batch) const {
  if (!idempotent_ || (batch.stamp && sequences_.IsCurrent(*batch.stamp))) {
    return true;
  }
  return sequences_.Unresolved(batch.partition) <
         config_.max_in_flight_requests_per_connection;
}

void Producer::InitProducerId() {
  if (producer_id_in_flight_) return;
  producer_id_in_flight_ = true;
  const InitProducerIdRequest request;  // no transactional.id: idempotent
  env_.Send(
      bootstrap_ids_[next_bootstrap_ % bootstrap_ids_.size()],
      {int16_t(ApiKey::kInitProducerId), kInitProducerIdVersion, 0,
       config_.client_id},
      EncodeMessage(request, ApiKey::kInitProducerId, kInitProducerIdVersion),
      config_.request_timeout_ms, [this](Result<Bytes> body) {
        producer_id_in_flight_ = false;
        OnInitProducerId(std::move(body));
      });
}

// Any error is worth asking again for (librdkafka does so too): the
// controller may not have handed out a block yet, or the broker is gone.
void Producer::OnInitProducerId(Result<Bytes> body) {
  Result<InitProducerIdResponse> response =
      body.ok() ? DecodeMessage<InitProducerIdResponse>(
                      *body, ApiKey::kInitProducerId, kInitProducerIdVersion, 0,
                      "InitProducerIdResponse")
                : Result<InitProducerIdResponse>(body.error());
  if (!response.ok() || response->error_code != ErrorCode::kNone) {
    if (!response.ok()) ++next_bootstrap_;
    ExpireBatchesWaitingForProducerId();
    env_.StartTimer(config_.retry_backoff_ms, [this] { InitProducerId(); });
    return;
  }
  sequences_.SetProducerId(response->producer_id, response->producer_epoch);
  SendReadyBatches();
}

// A batch that waited delivery.timeout.ms for a producer id fails, as a
// Java producer's batch expires in its accumulator: a broker that never
// answers InitProducerId (one of the chapters before 7) must not keep the
// records waiting for ever.
void Producer::ExpireBatchesWaitingForProducerId() {
  const int64_t now = env_.NowMs();
  for (auto& [leader, batches] : ready_) {
    auto expired = std::stable_partition(
        batches.begin(), batches.end(), [&](const Batch& batch) {
          return now < batch.created_ms + config_.delivery_timeout_ms;
        });
    std::vector<Batch> failed(std::make_move_iterator(expired),
                              std::make_move_iterator(batches.end()));
    batches.erase(expired, batches.end());
    for (Batch& batch : failed) {
      Complete(batch, Error{ErrorCode::kRequestTimedOut,
                            "delivery.timeout.ms passed while waiting for a "
                            "producer id (InitProducerId)"});
    }
  }
}

//! [send to leader]
// The batch as it goes on the wire: its records compressed as one block
// with compression.type's codec, which the batch's attributes name, and
// an idempotent producer's stamp.
Bytes Producer::EncodeBatch(const Batch& batch) const {
  std::vector<SimpleRecord> records;
  for (const Pending& pending : batch.records)
    records.push_back(pending.record);
  RecordBatch encoded = MakeBatch(records);
  encoded.header.attributes = static_cast<int16_t>(config_.compression_type);
  if (batch.stamp) {
    encoded.header.producer_id = batch.stamp->producer_id;
    encoded.header.producer_epoch = batch.stamp->producer_epoch;
    encoded.header.base_sequence = batch.stamp->base_sequence;
  }
  return EncodeRecordBatch(encoded);
}

// Stamped the first time it is sent, so that a retry carries the same
// sequence; stamped again only under a newer epoch (KIP-360).
void Producer::StampIfNeeded(Batch& batch) {
  if (!idempotent_ || (batch.stamp && sequences_.IsCurrent(*batch.stamp))) {
    return;
  }
  batch.stamp =
      sequences_.Stamp(batch.partition, int32_t(batch.records.size()));
}

void Producer::SendToLeader(NodeId leader, std::vector<Batch> batches) {
  ProduceRequest request;
  request.acks = config_.acks;
  request.timeout_ms = int32_t(config_.request_timeout_ms);
  for (Batch& batch : batches) {
    StampIfNeeded(batch);
    if (request.topic_data.empty() ||
        request.topic_data.back().name != batch.partition.topic) {
      request.topic_data.push_back({batch.partition.topic, {}});
    }
    request.topic_data.back().partition_data.push_back(
        {batch.partition.partition, EncodeBatch(batch)});
  }
  RequestHeader header{int16_t(ApiKey::kProduce), kProduceVersion, 0,
                       config_.client_id};
  Bytes body = EncodeMessage(request, ApiKey::kProduce, kProduceVersion);
  if (config_.acks == 0) {
    // Nobody will answer: the records count as sent once they leave.
    env_.Send(leader, header, std::move(body), config_.request_timeout_ms, {});
    for (Batch& batch : batches) Complete(batch, int64_t{-1});
    return;
  }
  ++in_flight_[leader];
  env_.Send(leader, header, std::move(body), config_.request_timeout_ms,
            [this, leader,
             batches = std::move(batches)](Result<Bytes> answer) mutable {
              OnProduceResponse(leader, std::move(batches), std::move(answer));
            });
}
//! [send to leader]

void Producer::OnProduceResponse(NodeId leader, std::vector<Batch> batches,
                                 Result<Bytes> body) {
  --in_flight_[leader];
  Result<ProduceResponse> response =
      body.ok()
          ? DecodeMessage<ProduceResponse>(
                *body, ApiKey::kProduce, kProduceVersion, 0, "ProduceResponse")
          : Result<ProduceResponse>(body.error());
  for (Batch& batch : batches) {
    if (!response.ok()) {
      RetryOrFail(std::move(batch), response.error());
      continue;
    }
    Result<int64_t> outcome = Error{ErrorCode::kUnknownServerError,
                                    "the response left this partition out"};
    for (const auto& topic : response->responses) {
      for (const auto& p : topic.partition_responses) {
        if (topic.name != batch.partition.topic ||
            p.index != batch.partition.partition) {
          continue;
        }
        // A duplicate is a success: the batch is in the log already.
        const bool written =
            p.error_code == ErrorCode::kNone ||
            p.error_code == ErrorCode::kDuplicateSequenceNumber;
        outcome = written ? Result<int64_t>(p.base_offset)
                          : Result<int64_t>(Error{p.error_code, topic.name});
      }
    }
    if (outcome.ok()) {
      Complete(batch, outcome);
    } else {
      RetryOrFail(std::move(batch), outcome.error());
    }
  }
  SendReadyBatches();
}

//! [may retry]
bool Producer::MayRetry(const Batch& batch, const Error& error) {
  if (IsRetriable(error)) return true;
  if (!batch.stamp || !IsEpochOrSequenceError(error)) return false;
  // Stamped under an epoch bumped since: it gets a new stamp.
  if (!sequences_.IsCurrent(*batch.stamp)) return true;
  // Out of order behind an earlier batch that is not acknowledged yet:
  // that one failed first, and this one follows it once it is retried.
  if (error.code == ErrorCode::kOutOfOrderSequenceNumber &&
      !sequences_.IsNextToAcknowledge(batch.partition, *batch.stamp)) {
    return true;
  }
  return false;  // nothing can cure it: it fails (see Complete)
}
//! [may retry]

void Producer::RetryOrFail(Batch batch, const Error& error) {
  const bool out_of_time = env_.NowMs() + config_.retry_backoff_ms >
                           batch.created_ms + config_.delivery_timeout_ms;
  if (!MayRetry(batch, error) || ++batch.attempts > config_.retries ||
      out_of_time) {
    return Complete(batch, error);
  }
  // The leader may have moved: ask where it is now, and go there after the
  // backoff (a retry that meets the old leader again fails again, and is
  // retried while retries last).
  FetchMetadata(batch.partition.topic);
  // Without idempotence a retry can write a batch twice: the first
  // attempt may have been appended before its answer was lost.
  ++retries_backing_off_;
  env_.StartTimer(config_.retry_backoff_ms, [this, batch = std::move(batch)] {
    --retries_backing_off_;
    Requeue(batch);
    SendReadyBatches();
  });
}

void Producer::Requeue(Batch batch) {
  const NodeId leader =
      metadata_.at(batch.partition.topic).leaders.at(batch.partition.partition);
  std::vector<Batch>& queue = ready_[leader];
  // Closed order, not sequence order: sequences wrap, and start again
  // from 0 under a bumped epoch.
  auto later = std::find_if(queue.begin(), queue.end(), [&](const Batch& b) {
    return b.partition == batch.partition && b.number > batch.number;
  });
  queue.insert(later, std::move(batch));
}

void Producer::Complete(Batch& batch, const Result<int64_t>& base_offset) {
  if (batch.stamp) sequences_.Resolved(batch.partition, *batch.stamp);
  if (batch.stamp && base_offset.ok()) {
    sequences_.Acknowledged(batch.partition, *batch.stamp,
                            int32_t(batch.records.size()));
  } else if (batch.stamp && sequences_.IsCurrent(*batch.stamp)) {
    // A failed batch leaves a gap no later batch can close: the producer
    // goes on under a new epoch, its sequences from 0 (KIP-360), once the
    // requests in flight have come back (see SendReadyBatches).
    epoch_bump_pending_ = true;
  }
  for (size_t i = 0; i < batch.records.size(); ++i) {
    --unreported_;
    if (!base_offset.ok()) {
      batch.records[i].on_delivery(base_offset.error());
    } else {
      int64_t offset = *base_offset < 0 ? -1 : *base_offset + int64_t(i);
      batch.records[i].on_delivery(RecordMetadata{batch.partition, offset});
    }
  }
}

}  // namespace kafka
