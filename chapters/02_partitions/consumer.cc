#include "chapters/02_partitions/consumer.h"

#include <algorithm>
#include <cassert>

#include "lib/protocol/api_keys.h"
#include "lib/protocol/fetch.h"
#include "lib/protocol/list_offsets.h"
#include "lib/protocol/message.h"
#include "lib/protocol/metadata.h"

namespace kafka {
namespace {

constexpr int16_t kFetchVersion = 6;
constexpr int16_t kListOffsetsVersion = 1;
constexpr int16_t kMetadataVersion = 4;
constexpr int64_t kEarliest = -2;
constexpr int64_t kLatest = -1;

}  // namespace

Consumer::Consumer(Environment& env, ConsumerConfig config,
                   RecordsHandler on_records, ErrorHandler on_error)
    : env_(env),
      config_(std::move(config)),
      on_records_(std::move(on_records)),
      on_error_(std::move(on_error)),
      bootstrap_ids_(LearnBootstrapServers(env, config_.bootstrap_servers)) {
  assert(!bootstrap_ids_.empty() && "bootstrap.servers is required");
}

void Consumer::Assign(std::vector<TopicPartition> partitions) {
  assignment_ = std::move(partitions);
  ++generation_;
  auto unassigned = [&](const TopicPartition& partition) {
    return std::find(assignment_.begin(), assignment_.end(), partition) ==
           assignment_.end();
  };
  std::erase_if(positions_,
                [&](const auto& entry) { return unassigned(entry.first); });
  std::erase_if(stopped_, unassigned);
  FetchMetadata();
}

void Consumer::Seek(const TopicPartition& partition, int64_t offset) {
  positions_[partition] = offset;
  // A partition stopped at a corrupt batch starts fetching again.
  if (stopped_.erase(partition) > 0) FetchFromLeaders();
}

std::optional<int64_t> Consumer::Position(
    const TopicPartition& partition) const {
  auto it = positions_.find(partition);
  if (it == positions_.end()) return std::nullopt;
  return it->second;
}

void Consumer::RetryLater(std::function<void()> action) {
  env_.StartTimer(config_.retry_backoff_ms, std::move(action));
}

void Consumer::FetchMetadata() {
  MetadataRequest request;
  request.topics.emplace();
  for (const TopicPartition& p : assignment_) {
    const MetadataRequest::Topic topic{.name = p.topic};
    if (std::find(request.topics->begin(), request.topics->end(), topic) ==
        request.topics->end()) {
      request.topics->push_back(topic);
    }
  }
  request.allow_auto_topic_creation = false;
  env_.Send(
      bootstrap_ids_[next_bootstrap_ % bootstrap_ids_.size()],
      {int16_t(ApiKey::kMetadata), kMetadataVersion, 0, config_.client_id},
      EncodeMessage(request, ApiKey::kMetadata, kMetadataVersion),
      config_.request_timeout_ms,
      [this, generation = generation_](Result<Bytes> body) {
        if (generation != generation_) return;  // a newer Assign
        if (!body.ok()) {  // the next server, after a pause
          ++next_bootstrap_;
          return RetryLater([this] { FetchMetadata(); });
        }
        OnMetadata(std::move(body));
      });
}

void Consumer::OnMetadata(Result<Bytes> body) {
  Result<MetadataResponse> response = DecodeMessage<MetadataResponse>(
      *body, ApiKey::kMetadata, kMetadataVersion, 0, "MetadataResponse");
  if (!response.ok()) return RetryLater([this] { FetchMetadata(); });
  for (const MetadataResponse::Broker& broker : response->brokers) {
    env_.LearnAddress(broker.node_id, broker.host, broker.port);
  }
  leaders_.clear();
  for (const auto& topic : response->topics) {
    for (const auto& p : topic.partitions) {
      leaders_[{*topic.name, p.partition_index}] = p.leader_id;
    }
  }
  ResetPositions();
  FetchFromLeaders();
}

//! [reset positions]
void Consumer::ResetPositions() {
  std::map<NodeId, ListOffsetsRequest> requests;
  for (const TopicPartition& p : assignment_) {
    auto leader = leaders_.find(p);
    if (positions_.contains(p) || leader == leaders_.end()) continue;
    if (resetting_.contains(leader->second)) continue;
    if (config_.auto_offset_reset == "none") {
      if (on_error_) {
        on_error_(p, {ErrorCode::kOffsetOutOfRange,
                      "no position and auto.offset.reset=none"});
      }
      continue;
    }
    int64_t timestamp =
        config_.auto_offset_reset == "earliest" ? kEarliest : kLatest;
    ListOffsetsRequest& request = requests[leader->second];
    if (request.topics.empty() || request.topics.back().name != p.topic) {
      request.topics.push_back({p.topic, {}});
    }
    request.topics.back().partitions.push_back(
        {.partition_index = p.partition, .timestamp = timestamp});
  }
  for (const auto& [leader, request] : requests) {
    resetting_.insert(leader);
    env_.Send(leader,
              {int16_t(ApiKey::kListOffsets), kListOffsetsVersion, 0,
               config_.client_id},
              EncodeMessage(request, ApiKey::kListOffsets, kListOffsetsVersion),
              config_.request_timeout_ms, [this, leader](Result<Bytes> body) {
                resetting_.erase(leader);
                if (!body.ok()) return RetryLater([this] { ResetPositions(); });
                OnListOffsets(std::move(body));
              });
  }
}
//! [reset positions]

void Consumer::OnListOffsets(Result<Bytes> body) {
  Result<ListOffsetsResponse> response = DecodeMessage<ListOffsetsResponse>(
      *body, ApiKey::kListOffsets, kListOffsetsVersion, 0,
      "ListOffsetsResponse");
  bool all_found = response.ok();
  if (response.ok()) {
    for (const auto& topic : response->topics) {
      for (const auto& p : topic.partitions) {
        if (p.error_code == ErrorCode::kNone) {
          positions_.try_emplace({topic.name, p.partition_index}, p.offset);
        } else {
          all_found = false;
        }
      }
    }
  }
  if (all_found) {
    // Partitions assigned while this answer was on its way were skipped
    // (one ListOffsets per leader at a time): ask for them now.
    ResetPositions();
  } else {
    RetryLater([this] { ResetPositions(); });
  }
  FetchFromLeaders();
}

//! [fetch from leaders]
void Consumer::FetchFromLeaders() {
  std::map<NodeId, FetchRequest> requests;
  for (const TopicPartition& p : assignment_) {
    auto position = positions_.find(p);
    auto leader = leaders_.find(p);
    if (position == positions_.end() || leader == leaders_.end()) continue;
    if (stopped_.contains(p)) continue;
    if (fetching_[leader->second]) continue;
    FetchRequest& request = requests[leader->second];
    request.max_wait_ms = config_.fetch_max_wait_ms;
    request.min_bytes = config_.fetch_min_bytes;
    request.max_bytes = config_.fetch_max_bytes;
    if (request.topics.empty() || request.topics.back().topic != p.topic) {
      request.topics.push_back({.topic = p.topic});
    }
    request.topics.back().partitions.push_back(
        {.partition = p.partition,
         .fetch_offset = position->second,
         .partition_max_bytes = config_.max_partition_fetch_bytes});
  }
  for (auto& [leader, request] : requests) {
    fetching_[leader] = true;
    // The broker may hold the fetch for fetch.max.wait.ms: wait longer.
    env_.Send(leader,
              {int16_t(ApiKey::kFetch), kFetchVersion, 0, config_.client_id},
              EncodeMessage(request, ApiKey::kFetch, kFetchVersion),
              config_.request_timeout_ms + config_.fetch_max_wait_ms,
              [this, leader, generation = generation_](Result<Bytes> body) {
                fetching_[leader] = false;
                if (generation != generation_) return FetchFromLeaders();
                OnFetch(leader, std::move(body));
              });
  }
}
//! [fetch from leaders]

void Consumer::OnFetch(NodeId, Result<Bytes> body) {
  Result<FetchResponse> response =
      body.ok() ? DecodeMessage<FetchResponse>(
                      *body, ApiKey::kFetch, kFetchVersion, 0, "FetchResponse")
                : Result<FetchResponse>(body.error());
  if (!response.ok()) return RetryLater([this] { FetchFromLeaders(); });
  std::vector<ConsumerRecord> records;
  std::vector<std::pair<TopicPartition, Error>> corrupt;
  bool reset_needed = false;
  bool other_error = false;
  for (const auto& topic : response->responses) {
    for (const auto& p : topic.partitions) {
      TopicPartition partition{topic.topic, p.partition_index};
      if (p.error_code == ErrorCode::kOffsetOutOfRange) {
        // The position fell out of the log: auto.offset.reset decides.
        positions_.erase(partition);
        reset_needed = true;
      } else if (p.error_code != ErrorCode::kNone) {
        other_error = true;  // e.g. the topic is gone: ask again later
      } else if (p.records) {
        Status taken = TakeRecords(partition, *p.records, records);
        if (!taken.ok()) corrupt.emplace_back(partition, taken.error());
      }
    }
  }
  if (!records.empty()) on_records_(std::move(records));
  // After the records that came before the corrupt batch, as Java's poll()
  // returns those first and raises at the next.
  for (const auto& [partition, error] : corrupt) {
    stopped_.insert(partition);
    if (on_error_) on_error_(partition, error);
  }
  if (reset_needed) ResetPositions();
  // An error comes back at once: back off rather than spin.
  if (other_error) return RetryLater([this] { FetchFromLeaders(); });
  FetchFromLeaders();
}

//! [take records]
Status Consumer::TakeRecords(const TopicPartition& partition, ByteView batches,
                             std::vector<ConsumerRecord>& out) {
  auto position = positions_.find(partition);
  if (position == positions_.end()) return Status();  // unassigned meanwhile
  for (size_t start = 0; start < batches.size();) {
    ByteView rest = batches.subspan(start);
    // A batch cut short at the fetch's byte limit: the next fetch starts at
    // it and gets it whole.
    if (rest.size() < size_t(kBatchHeaderSize)) break;
    Result<RecordBatchHeader> header = DecodeBatchHeader(rest, start);
    if (header.ok() && rest.size() < size_t(header->SizeInBytes())) break;
    Result<RecordBatch> batch =
        header.ok()
            ? DecodeRecordBatch(rest.first(header->SizeInBytes()), start)
            : Result<RecordBatch>(header.error());
    if (!batch.ok()) {
      return Error{ErrorCode::kCorruptMessage,
                   "corrupt batch in " + partition.DirectoryName() +
                       " at position " + std::to_string(position->second) +
                       " (" + batch.error().message +
                       "): seek past it to go on"};
    }
    for (Record& record : batch->records) {
      int64_t offset = batch->header.base_offset + record.offset_delta;
      // A batch may start before the position: skip what was asked not.
      if (offset < position->second) continue;
      out.push_back({partition, offset,
                     batch->header.base_timestamp + record.timestamp_delta,
                     std::move(record.key), std::move(record.value),
                     std::move(record.headers)});
    }
    position->second = std::max(position->second, batch->header.NextOffset());
    start += size_t(header->SizeInBytes());
  }
  return Status();
}
//! [take records]

}  // namespace kafka
