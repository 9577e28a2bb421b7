/// \file
/// The ReplicaManager: the broker's partitions, as the request handlers see
/// them.
///
/// In Kafka, the request handlers (KafkaApis) never touch a log. They hand
/// Produce to ReplicaManager.appendRecords and Fetch to
/// ReplicaManager.fetchMessages, and the ReplicaManager finds each
/// partition, checks that this broker may serve it, appends or reads, and
/// answers through a callback, now or later. That "or later" is the point of
/// the interface: an acks=all produce waits for the followers (Chapter 6), a
/// long-polling fetch waits for records, and the handler does not care.
///
/// This file is the interface. Chapter 2 implements it for partitions with
/// one replica (LocalReplicaManager); Chapter 4's replicated ReplicaManager
/// implements the same calls with followers, an in-sync replica set and a
/// high watermark, and Chapter 2's handlers keep working unchanged on top.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "chapters/01_log/log.h"
#include "chapters/02_partitions/log_manager.h"
#include "chapters/02_partitions/partition.h"
#include "lib/bytes.h"
#include "lib/error.h"
#include "lib/protocol/fetch.h"
#include "lib/protocol/list_offsets.h"

namespace kafka {

/// One partition's records in an append: a Produce's batch, or a
/// coordinator's.
struct PartitionRecords {
  TopicPartition partition;
  ByteView records;  ///< valid until AppendRecords returns
};

/// What appending one partition's records did.
struct PartitionAppendResult {
  ErrorCode error_code = ErrorCode::kNone;
  int64_t base_offset = -1;
  int64_t log_start_offset = -1;
  /// The records that made validation refuse the batch, if it names any
  /// (Produce v8's record_errors), and then what sums them up.
  std::vector<RecordError> record_errors;
  std::optional<std::string> error_message;
};

/// An append of several partitions' records (one Produce request, or one
/// coordinator write).
struct AppendRecordsRequest {
  int16_t acks = -1;  ///< 0, 1 or -1 (all)
  int32_t timeout_ms = 30'000;
  /// Clients may not write to internal topics; the coordinators may.
  bool internal_topics_allowed = false;
  std::vector<PartitionRecords> entries;
};

/// How far the asker of a fetch may read: a follower (replica_id >= 0) to
/// the log end, a read_committed consumer to the last stable offset, any
/// other consumer to the high watermark (Kafka's FetchParams.isolation).
FetchIsolation FetchIsolationOf(const FetchRequest& request);

class ReplicaManager {
 public:
  /// The results, one per entry, in the request's order.
  using AppendCallback =
      std::function<void(std::vector<PartitionAppendResult> results)>;
  using FetchCallback = std::function<void(FetchResponse response)>;
  /// Told when this broker starts or stops leading a partition (Kafka's
  /// onLeadershipChange): the group coordinator loads and unloads groups.
  using LeadershipListener =
      std::function<void(const TopicPartition& partition, bool is_leader)>;

  virtual ~ReplicaManager() = default;

  /// Appends each entry to its partition's leader and calls `on_done` with
  /// the results once `acks` allows (Kafka's appendRecords):
  /// INVALID_REQUIRED_ACKS for acks other than 0, 1, -1;
  /// UNKNOWN_TOPIC_OR_PARTITION or NOT_LEADER_OR_FOLLOWER for a partition this
  /// broker does not lead; INVALID_TOPIC_EXCEPTION for a client's write to an
  /// internal topic; otherwise the log's answer.
  virtual void AppendRecords(AppendRecordsRequest request,
                             AppendCallback on_done) = 0;

  /// Reads what `request` asks for (Kafka's fetchMessages): per partition
  /// within its partition_max_bytes and, over all, max_bytes (only the first
  /// partition with data may exceed them, KIP-74), up to what the asker may
  /// see: a consumer the high watermark (the last stable offset for
  /// read_committed), a follower (replica_id >= 0) the log end. Answers once
  /// min_bytes are there, an error occurred, or max_wait_ms passed.
  virtual void FetchMessages(FetchRequest request, FetchCallback on_done) = 0;

  /// ListOffsets for one partition: the offset for `timestamp` (-1 latest,
  /// -2 earliest, -3 the largest timestamp), as a consumer may see it, and
  /// the epoch of the leader that wrote it. A `current_leader_epoch` the
  /// partition refuses is its error (Partition::CheckCurrentLeaderEpoch).
  virtual ListOffsetsResponse::Partition FetchOffsetForTimestamp(
      const TopicPartition& partition, int64_t timestamp,
      int32_t current_leader_epoch) const = 0;

  /// DeleteRecords for one partition (Kafka's deleteRecords): moves the log
  /// start offset up to `offset`, -1 meaning the high watermark, and answers
  /// with the new log start offset (the "low watermark") once the replicas
  /// have it (at once with one replica). OFFSET_OUT_OF_RANGE below -1 or
  /// above the high watermark; INVALID_TOPIC_EXCEPTION for an internal
  /// topic; UNKNOWN_TOPIC_OR_PARTITION or NOT_LEADER_OR_FOLLOWER for a
  /// partition this broker does not lead.
  using DeleteRecordsCallback = std::function<void(Result<int64_t>)>;
  virtual void DeleteRecords(const TopicPartition& partition, int64_t offset,
                             DeleteRecordsCallback on_done) = 0;

  /// The partition's log on this broker, or nullptr (Kafka's getLog): the
  /// group coordinator reads its offsets back from it.
  virtual const Log* GetLog(const TopicPartition& partition) const = 0;

  /// Registers a listener and tells it, at once, of every partition this
  /// broker leads now.
  virtual void AddLeadershipListener(LeadershipListener listener) = 0;
};

}  // namespace kafka
