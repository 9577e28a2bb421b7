/// \file
/// A partition as the broker holds it: its log, and who leads it.
///
/// Kafka's Partition (kafka.cluster.Partition) sits between the
/// ReplicaManager and a partition's log. It knows the partition's replicas
/// and which of them leads, keeps the high watermark (the offset below which
/// records are committed: a consumer reads no further), and is where an append
/// from a client becomes an append to the log ("appendRecordsToLeader").
///
/// With one replica there is little to know: this broker leads, the only
/// replica is itself, and every record appended is committed at once, so
/// the high watermark is the log end offset. Chapter 4 keeps this shape and
/// fills it in: followers, the in-sync replica set, a high watermark that
/// waits for them, and leader epochs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chapters/01_log/log.h"
#include "chapters/02_partitions/log_manager.h"
#include "lib/bytes.h"
#include "lib/error.h"

namespace kafka {

/// ListOffsets' timestamp for "the record with the largest timestamp"
/// (KIP-734, v7), beside Chapter 1's kLatestTimestamp and kEarliestTimestamp.
inline constexpr int64_t kMaxTimestamp = -3;
/// ...and for "the earliest offset kept locally" (KIP-405, v8): without
/// tiered storage every record is kept locally, so it is the earliest.
inline constexpr int64_t kEarliestLocalTimestamp = -4;

/// A record that made validation refuse its batch (Kafka's RecordError):
/// where it is in the batch, and why.
struct RecordError {
  int32_t batch_index = 0;
  std::string message;

  bool operator==(const RecordError&) const = default;
};

/// How far a fetch may read (Kafka's FetchIsolation): a follower copies up to
/// the log end, a consumer reads committed records (up to the high
/// watermark), a read_committed consumer only those of finished transactions
/// (up to the last stable offset, Chapter 8).
enum class FetchIsolation { kLogEnd, kHighWatermark, kTxnCommitted };

class Partition {
 public:
  Partition(TopicPartition id, Log& log) : id_(std::move(id)), log_(log) {}
  virtual ~Partition() = default;

  /// DeleteRecords' offset for "up to the high watermark".
  static constexpr int64_t kHighWatermarkOffset = -1;
  /// A current_leader_epoch that asks for no check.
  static constexpr int32_t kNoLeaderEpochCheck = -1;

  /// The epoch of a partition's first leader. Chapter 2's broker is the
  /// first and only leader of its partitions, so this is always their epoch
  /// (Chapter 4 elects new leaders, each in the next epoch).
  static constexpr int32_t kFirstLeaderEpoch = 0;

  const TopicPartition& id() const { return id_; }
  /// The epoch this replica leads (or follows) in; the leader stamps it into
  /// every batch it appends (partitionLeaderEpoch). Chapter 4's replicated
  /// partition has its own.
  virtual int32_t leader_epoch() const { return kFirstLeaderEpoch; }
  /// Fetch (v9+) and ListOffsets (v4+) name the leader epoch the client
  /// knows, or -1 to skip the check: an older one is FENCED_LEADER_EPOCH
  /// (the client missed a new leader), a newer one UNKNOWN_LEADER_EPOCH
  /// (this broker has not heard of it yet). Kafka's
  /// Partition.localLogWithEpochOrThrow.
  Status CheckCurrentLeaderEpoch(int32_t current_leader_epoch) const;
  /// The partition's log on this broker (Kafka's Partition.log).
  const Log& log() const { return log_; }

  /// One replica: everything appended is committed (Chapter 4's replicated
  /// partition waits for the in-sync replicas)...
  virtual int64_t high_watermark() const { return log_.log_end_offset(); }
  /// ...and with no transactions yet, everything committed is stable.
  int64_t last_stable_offset() const { return high_watermark(); }
  int64_t log_start_offset() const { return log_.log_start_offset(); }
  int64_t log_end_offset() const { return log_.log_end_offset(); }

  /// Appends one batch from a client: checks what the leader's log checks of
  /// a client's batch (below), then appends it with offsets assigned and
  /// leader_epoch() stamped into it.
  /// INVALID_RECORD, or the log's errors. A refusal because of particular
  /// records (Kafka's RecordValidationException) names them in
  /// `record_errors`, and its message sums them up.
  Result<LogAppendInfo> AppendRecordsToLeader(
      ByteView batch, int64_t now_ms, std::vector<RecordError>& record_errors);
  /// Appends a coordinator's own batch (to an internal topic): the broker
  /// wrote it, so only the log checks it.
  Result<LogAppendInfo> AppendInternalRecords(ByteView batch, int64_t now_ms);

  /// Whole batches from `offset` within `max_bytes` (at least one), but none
  /// that end above what `isolation` lets the reader see.
  Status Read(int64_t offset, int32_t max_bytes, FetchIsolation isolation,
              Bytes& out) const;
  /// DeleteRecords: moves the log start offset up to `offset` (-1: the high
  /// watermark), never past the high watermark (OFFSET_OUT_OF_RANGE), and
  /// returns the log start offset after it.
  Result<int64_t> DeleteRecordsOnLeader(int64_t offset);

  /// ListOffsets: the first offset at or after `timestamp`, or the latest
  /// (-1) or earliest (-2) offset, or (-3, kMaxTimestamp) the first record
  /// with the largest timestamp; latest is the high watermark, the end of
  /// what consumers may read.
  std::optional<TimestampOffset> FetchOffsetForTimestamp(
      int64_t timestamp) const;

 protected:
  /// The log to change, for Chapter 4's follower (its appends and
  /// truncations).
  Log& mutable_log() { return log_; }

 private:
  /// ListOffsets' -3: the record with the largest timestamp below the high
  /// watermark (the first of them on a tie); nullopt for an empty log.
  std::optional<TimestampOffset> FindMaxTimestamp() const;

  int64_t UpperBound(FetchIsolation isolation) const;

  TopicPartition id_;
  Log& log_;
};

}  // namespace kafka
