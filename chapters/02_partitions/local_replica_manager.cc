#include "chapters/02_partitions/local_replica_manager.h"

#include <algorithm>

#include "lib/lab.h"

namespace kafka {
namespace {

constexpr int8_t kReadCommitted = 1;

bool IsValidAcks(int16_t acks) { return acks == 0 || acks == 1 || acks == -1; }

}  // namespace

FetchIsolation FetchIsolationOf(const FetchRequest& request) {
  if (ReplicaIdOf(request) >= 0) return FetchIsolation::kLogEnd;
  if (request.isolation_level == kReadCommitted) {
    return FetchIsolation::kTxnCommitted;
  }
  return FetchIsolation::kHighWatermark;
}

LocalReplicaManager::LocalReplicaManager(Environment& env, LogManager& logs)
    : env_(env), logs_(logs), fetch_purgatory_(env) {}

void LocalReplicaManager::Startup() {
  std::vector<TopicPartition> found;
  for (const std::string& topic : logs_.Topics()) {
    for (int32_t p = 0; p < logs_.PartitionCount(topic); ++p) {
      found.push_back({topic, p});
    }
  }
  BecomeLeader(found);
}

void LocalReplicaManager::BecomeLeader(
    const std::vector<TopicPartition>& partitions) {
  for (const TopicPartition& id : partitions) {
    Log* log = logs_.GetLog(id);
    if (log == nullptr || partitions_.contains(id)) continue;
    partitions_.emplace(id, Partition(id, *log));
    for (const LeadershipListener& listener : leadership_listeners_) {
      listener(id, /*is_leader=*/true);
    }
  }
}

void LocalReplicaManager::StopReplicas(
    const std::vector<TopicPartition>& partitions) {
  for (const TopicPartition& id : partitions) {
    if (partitions_.erase(id) == 0) continue;
    for (const LeadershipListener& listener : leadership_listeners_) {
      listener(id, /*is_leader=*/false);
    }
    fetch_purgatory_.CheckAndComplete(id);
  }
}

void LocalReplicaManager::AddLeadershipListener(LeadershipListener listener) {
  for (const auto& [id, partition] : partitions_) listener(id, true);
  leadership_listeners_.push_back(std::move(listener));
}

const Partition* LocalReplicaManager::GetPartition(
    const TopicPartition& partition) const {
  auto found = partitions_.find(partition);
  return found == partitions_.end() ? nullptr : &found->second;
}

Partition* LocalReplicaManager::GetPartition(const TopicPartition& partition) {
  auto found = partitions_.find(partition);
  return found == partitions_.end() ? nullptr : &found->second;
}

const Log* LocalReplicaManager::GetLog(const TopicPartition& partition) const {
  const Partition* found = GetPartition(partition);
  return found == nullptr ? nullptr : &found->log();
}

//! [append records]
void LocalReplicaManager::AppendRecords(AppendRecordsRequest request,
                                        AppendCallback on_done) {
  std::vector<PartitionAppendResult> results;
  for (const PartitionRecords& entry : request.entries) {
    results.push_back(
        IsValidAcks(request.acks)
            ? AppendToLocalLog(entry, request.internal_topics_allowed)
            : PartitionAppendResult{ErrorCode::kInvalidRequiredAcks});
  }
  // New records may be what a waiting fetch waits for.
  for (const PartitionRecords& entry : request.entries) {
    fetch_purgatory_.CheckAndComplete(entry.partition);
  }
  // One replica: the leader's append is every in-sync replica's, so acks=1
  // and acks=all are both satisfied now.
  on_done(std::move(results));
}

PartitionAppendResult LocalReplicaManager::AppendToLocalLog(
    const PartitionRecords& entry, bool internal_topics_allowed) {
  Partition* partition = GetPartition(entry.partition);
  if (partition == nullptr) return {ErrorCode::kUnknownTopicOrPartition};
  if (IsInternalTopic(entry.partition.topic) && !internal_topics_allowed) {
    return {ErrorCode::kInvalidTopicException};
  }
  std::vector<RecordError> record_errors;
  Result<LogAppendInfo> appended =
      internal_topics_allowed
          ? partition->AppendInternalRecords(entry.records, env_.NowMs())
          : partition->AppendRecordsToLeader(entry.records, env_.NowMs(),
                                             record_errors);
  if (!appended.ok()) {
    PartitionAppendResult refused{appended.error().code};
    // Kafka gives a message only with the records it names.
    if (!record_errors.empty()) {
      refused.record_errors = std::move(record_errors);
      refused.error_message = appended.error().message;
    }
    return refused;
  }
  return {ErrorCode::kNone, appended->first_offset,
          partition->log_start_offset()};
}
//! [append records]

//! [fetch messages]
void LocalReplicaManager::FetchMessages(FetchRequest request,
                                        FetchCallback on_done) {
  int64_t bytes = 0;
  FetchResponse response = ReadFromLocalLog(request, bytes);
  if (bytes >= request.min_bytes || request.max_wait_ms <= 0 ||
      AnyPartitionFailed(response)) {
    on_done(std::move(response));
    return;
  }
  // A long poll: wait for min_bytes, or answer with what there is after
  // max_wait_ms. A consumer at the end of the log then waits here instead of
  // asking again and again.
  const std::vector<TopicPartition> keys = PartitionsOf(request);
  const int64_t timeout_ms = request.max_wait_ms;
  fetch_purgatory_.TryCompleteElseWatch(
      std::make_unique<DelayedFetch>(*this, std::move(request),
                                     std::move(on_done)),
      keys, timeout_ms);
}
//! [fetch messages]

//! [read from local log]
FetchResponse LocalReplicaManager::ReadFromLocalLog(const FetchRequest& request,
                                                    int64_t& bytes_read) const {
  // BEGIN LAB lab02_partitions LocalReplicaManager::ReadFromLocalLog
  // HINT: Answer every topic and partition asked for, in order.
  // HINT: Answer each topic with the name and id it was asked with.
  // HINT: No partition here (GetPartition): UNKNOWN_TOPIC_OR_PARTITION.
  // HINT: A current_leader_epoch the partition refuses
  // HINT: (CheckCurrentLeaderEpoch) is the partition's error.
  // HINT: Else report the partition's high_watermark, last_stable_offset
  // HINT: and log_start_offset; read_committed gets an empty, not null,
  // HINT: aborted_transactions list.
  // HINT: Then Partition::Read from fetch_offset, within a budget: the
  // HINT: partition's partition_max_bytes or what is left of max_bytes,
  // HINT: the smaller, as far as the asker may see (FetchIsolationOf).
  // HINT: A read returns at least one batch, so only the first partition
  // HINT: with data may go over its budget (KIP-74); a later one that
  // HINT: would, or has no budget left, answers no records.
  // HINT: An existing partition's records are never null (maybe empty).
  // HINT: A failed read's error is the partition's error_code.
  // HINT: bytes_read: the total size of the records in the answer.
  const FetchIsolation isolation = FetchIsolationOf(request);
  FetchResponse response;
  bytes_read = 0;
  for (const FetchRequest::Topic& topic : request.topics) {
    FetchResponse::Topic& answer = response.responses.emplace_back(
        FetchResponse::Topic{topic.topic, topic.topic_id, {}});
    for (const FetchRequest::Partition& wanted : topic.partitions) {
      FetchResponse::Partition& out = answer.partitions.emplace_back();
      out.partition_index = wanted.partition;
      const Partition* partition =
          GetPartition({topic.topic, wanted.partition});
      if (partition == nullptr) {
        out.error_code = ErrorCode::kUnknownTopicOrPartition;
        continue;
      }
      Status epoch =
          partition->CheckCurrentLeaderEpoch(wanted.current_leader_epoch);
      if (!epoch.ok()) {
        out.error_code = epoch.error().code;
        continue;
      }
      out.high_watermark = partition->high_watermark();
      out.last_stable_offset = partition->last_stable_offset();
      out.log_start_offset = partition->log_start_offset();
      if (request.isolation_level == kReadCommitted)
        out.aborted_transactions.emplace();
      const int64_t budget = std::min<int64_t>(wanted.partition_max_bytes,
                                               request.max_bytes - bytes_read);
      Bytes records;
      if (budget > 0 || bytes_read == 0) {
        Status read = partition->Read(wanted.fetch_offset,
                                      int32_t(std::max<int64_t>(budget, 0)),
                                      isolation, records);
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
//! [read from local log]

void LocalReplicaManager::DeleteRecords(const TopicPartition& partition,
                                        int64_t offset,
                                        DeleteRecordsCallback on_done) {
  // One replica: nobody else's log start offset to wait for.
  on_done(DeleteRecordsOnLocalLog(partition, offset));
}

Result<int64_t> LocalReplicaManager::DeleteRecordsOnLocalLog(
    const TopicPartition& partition, int64_t offset) {
  Partition* found = GetPartition(partition);
  if (found == nullptr) {
    return Error{ErrorCode::kUnknownTopicOrPartition,
                 partition.DirectoryName()};
  }
  if (IsInternalTopic(partition.topic)) {
    return Error{ErrorCode::kInvalidTopicException,
                 "records of internal topics are the coordinators'"};
  }
  return found->DeleteRecordsOnLeader(offset);
}

ListOffsetsResponse::Partition LocalReplicaManager::FetchOffsetForTimestamp(
    const TopicPartition& partition, int64_t timestamp,
    int32_t current_leader_epoch) const {
  ListOffsetsResponse::Partition out;
  out.partition_index = partition.partition;
  const Partition* found = GetPartition(partition);
  if (found == nullptr) {
    out.error_code = ErrorCode::kUnknownTopicOrPartition;
    return out;
  }
  if (Status epoch = found->CheckCurrentLeaderEpoch(current_leader_epoch);
      !epoch.ok()) {
    out.error_code = epoch.error().code;
    return out;
  }
  // None at or after the time: timestamp, offset and epoch -1.
  if (auto offset = found->FetchOffsetForTimestamp(timestamp)) {
    out.timestamp = offset->timestamp;
    out.offset = offset->offset;
    // Every record here was written by the partition's first and only
    // leader (Chapter 4 keeps each epoch's start, Kafka's leader epoch
    // cache).
    out.leader_epoch = found->leader_epoch();
  }
  return out;
}

}  // namespace kafka
