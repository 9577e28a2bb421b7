/// \file
/// The log: an append-only, totally ordered sequence of record batches.
///
/// This is the heart of Kafka. Every partition of every topic is one log, kept
/// in one directory of segment files. The log:
///
/// - assigns offsets. Whatever offsets a producer's batch carries, the leader
///   overwrites them with the next ones in sequence. Offsets are dense and
///   never reused, even after old segments are deleted;
/// - serves reads by offset, whole batches at a time, and finds the first
///   offset at or after a timestamp (for ListOffsets);
/// - is durable in Kafka's way: appends go to the page cache, and fsync happens
///   only when flush.messages / flush.ms ask for it, when a segment is rolled,
///   or on a clean shutdown. Kafka's durability comes from replication
///   (Chapter 4), not from fsync;
/// - recovers after a crash: batches written after the last flush are checked
///   one by one, and a torn or corrupt tail is cut off;
/// - deletes old segments under retention.ms and retention.bytes.
///
/// Files in the log's directory:
///
///     00000000000000000000.log, .index, .timeindex   a segment, and more
///     recovery-point-offset-checkpoint   below this offset all is fsynced
///     .kafka_cleanshutdown               present only after Close()
///
/// This is UnifiedLog.java / LocalLog.java in Kafka. What real Kafka does
/// differently: one recovery-point checkpoint file per data directory for all
/// partitions (here one per log), a log start offset that DeleteRecords can
/// move inside a segment (here it is always a segment's base offset), and
/// deletion of segment files after file.delete.delay.ms (here at once).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "chapters/01_log/log_config.h"
#include "chapters/01_log/log_segment.h"
#include "chapters/01_log/record_batch.h"
#include "lib/error.h"
#include "lib/storage/storage.h"

namespace kafka {

inline constexpr char kRecoveryPointCheckpointFile[] =
    "recovery-point-offset-checkpoint";
inline constexpr char kCleanShutdownFile[] = ".kafka_cleanshutdown";
inline constexpr char kLogStartOffsetCheckpointFile[] =
    "log-start-offset-checkpoint";

/// ListOffsets' special timestamps.
inline constexpr int64_t kLatestTimestamp = -1;
inline constexpr int64_t kEarliestTimestamp = -2;

/// What an append did (LogAppendInfo in Kafka).
struct LogAppendInfo {
  int64_t first_offset;
  int64_t last_offset;
  int64_t max_timestamp;
  int32_t record_count;
  bool rolled;  ///< the append started a new segment
};

/// What opening the log found and repaired.
struct RecoveryReport {
  bool clean_shutdown = false;
  int64_t recovery_point = 0;
  int segments_recovered = 0;
  uint64_t bytes_truncated = 0;
  int segments_deleted = 0;
  int indexes_rebuilt = 0;
};

/// One partition's log: a directory of segments (UnifiedLog.java).
class Log {
 public:
  /// Opens (creating if needed) the log in `dir` and recovers it: after an
  /// unclean shutdown, every segment from the recovery point on is validated
  /// and cut at the first invalid batch. `now_ms` is the current time (nodes
  /// never read the clock themselves).
  static std::unique_ptr<Log> Open(Storage& storage, const std::string& dir,
                                   const LogConfig& config, int64_t now_ms);

  /// Appends the batches in `records` (one or more, back to back) as the
  /// leader: validates them, rewrites their base offsets in place to the next
  /// offsets in the log, and writes them to the active segment, rolling it
  /// first if needed. Fails with CORRUPT_MESSAGE, MESSAGE_TOO_LARGE,
  /// RECORD_LIST_TOO_LARGE or UNSUPPORTED_COMPRESSION_TYPE, appending nothing.
  /// A leader of a replicated partition (Chapter 4) passes the epoch it leads
  /// in, which is stamped into each batch's partitionLeaderEpoch; without one
  /// the field stays as the producer sent it (Kafka's appendAsLeader).
  Result<LogAppendInfo> Append(std::span<uint8_t> records, int64_t now_ms,
                               int32_t leader_epoch = kNoPartitionLeaderEpoch);

  /// Appends batches copied from the leader, as a follower (Chapter 4): they
  /// are validated like the leader's, but keep their offsets and leader
  /// epochs. Their offsets must go up from the log end offset on (a gap is
  /// allowed, as after compaction); otherwise nothing is appended and the
  /// error is UNKNOWN_SERVER_ERROR, as Kafka's UnexpectedAppendOffsetException
  /// becomes on the wire (appendAsFollower).
  Result<LogAppendInfo> AppendAsFollower(std::span<const uint8_t> records,
                                         int64_t now_ms);

  /// Reads whole batches starting with the one that holds `offset` into `out`
  /// (replacing its contents): at most max_bytes, but at least one batch. The
  /// first batch may start before `offset`; a consumer skips the records it did
  /// not ask for. `out` is left empty at the log end offset; outside
  /// [log start offset, log end offset] the result is OFFSET_OUT_OF_RANGE.
  ///
  /// The caller passes its buffer in so a reader can reuse one buffer for many
  /// reads. Kafka avoids even this copy: it hands the file region to the socket
  /// with sendfile(2), so the bytes never enter the broker's memory.
  Status Read(int64_t offset, int32_t max_bytes, Bytes& out) const;
  /// Read, but only batches that end below `upper_bound`: the high watermark
  /// for a consumer of a replicated partition (Chapter 4), later the last
  /// stable offset. From `upper_bound` up to the log end offset the result is
  /// empty, not an error.
  Status Read(int64_t offset, int32_t max_bytes, Bytes& out,
              int64_t upper_bound) const;

  /// The first record at or above the log start offset whose timestamp is
  /// >= `timestamp`, or the log end offset
  /// for kLatestTimestamp and the log start offset for kEarliestTimestamp.
  /// nullopt if every record is older.
  std::optional<TimestampOffset> FetchOffsetByTimestamp(
      int64_t timestamp) const;

  /// Removes every batch whose last offset is >= offset: a follower does this
  /// when its log diverges from the leader's (Chapter 4).
  void TruncateTo(int64_t offset);

  /// Deletes the oldest segments that retention.ms or retention.bytes allow to
  /// go, and advances the log start offset. Returns how many were deleted.
  int DeleteRetentionBreachedSegments(int64_t now_ms);

  /// Moves the log start offset up to `offset` (DeleteRecords; Kafka's
  /// maybeIncrementLogStartOffset): the records below it are gone for
  /// readers, though the batch that holds `offset` may still start below it,
  /// and every segment wholly below it is deleted. The log start offset never
  /// moves back (a lower `offset` changes nothing) and survives a restart in
  /// log-start-offset-checkpoint. Past the log end offset:
  /// OFFSET_OUT_OF_RANGE.
  Status IncrementLogStartOffset(int64_t offset);
  /// Deletes every segment and starts the log empty at `offset`, its new
  /// log start and end: a follower whose log lies wholly below its
  /// leader's log start starts again there (Kafka's truncateFullyAndStartAt).
  void TruncateFullyAndStartAt(int64_t offset);

  /// Takes new topic configs (IncrementalAlterConfigs; Kafka's
  /// UnifiedLog.updateConfig): the next appends, rolls and retention checks
  /// follow them.
  void UpdateConfig(const LogConfig& config) { config_ = config; }

  /// fsyncs everything appended so far and records the recovery point.
  void Flush();
  /// Flushes and marks the shutdown clean, so the next Open skips recovery.
  void Close();

  /// The log's directory and the storage it is on: Chapter 4's leader epoch
  /// cache keeps its file beside the segments.
  const std::string& dir() const { return dir_; }
  Storage& storage() const { return storage_; }
  /// The topic configs the log follows (UpdateConfig changes them).
  const LogConfig& config() const { return config_; }

  int64_t log_start_offset() const { return log_start_offset_; }
  /// The offset the next appended record will get (LEO).
  int64_t log_end_offset() const { return active_segment().next_offset(); }
  int64_t recovery_point() const { return recovery_point_; }
  uint64_t size_in_bytes() const;
  const RecoveryReport& recovery_report() const { return recovery_report_; }
  const std::map<int64_t, std::unique_ptr<LogSegment>>& segments() const {
    return segments_;
  }

 private:
  Log(Storage& storage, std::string dir, LogConfig config);

  void LoadSegments(int64_t now_ms);
  void RecoverSegments();
  /// Deletes the segments whose base offset is > offset.
  int DeleteSegmentsAfter(int64_t offset);
  void WriteRecoveryPointCheckpoint();
  void WriteLogStartOffsetCheckpoint();

  /// What both appends check first: whole valid batches, at least one, of
  /// sizes the log accepts.
  Result<std::vector<BatchSlice>> ValidateForAppend(ByteView records) const;
  /// Followers keep the leader's offsets: they must go up from the log end.
  Status CheckFollowerOffsets(const std::vector<BatchSlice>& batches) const;
  /// Writes batches whose offsets are final: what both appends end with.
  LogAppendInfo WriteBatches(ByteView records,
                             const std::vector<BatchSlice>& batches,
                             int64_t now_ms);
  /// Rewrites the base offset of every batch, from `next_offset` on.
  void AssignOffsets(std::span<uint8_t> records,
                     std::vector<BatchSlice>& batches, int64_t next_offset);
  /// Each batch must fit max.message.bytes, and the append must fit in one
  /// segment (segment.bytes).
  Status CheckSizes(ByteView records,
                    const std::vector<BatchSlice>& batches) const;
  bool MaybeRoll(int64_t incoming_bytes, int64_t incoming_max_timestamp,
                 int64_t incoming_last_offset, int64_t now_ms);
  void Roll();
  void FlushIfDue(int64_t now_ms);
  /// Deletes segments from the oldest on while `deletable` holds; the active
  /// segment only if it is not empty. Returns how many were deleted.
  int DeleteOldestSegmentsWhile(
      const std::function<bool(const LogSegment&)>& deletable);
  LogSegment& active_segment() const { return *segments_.rbegin()->second; }
  /// The segment that holds `offset`: the last one whose base is <= offset.
  LogSegment* SegmentFor(int64_t offset) const;

  Storage& storage_;
  std::string dir_;
  LogConfig config_;
  std::map<int64_t, std::unique_ptr<LogSegment>> segments_;  ///< by base offset
  int64_t log_start_offset_ = 0;
  int64_t recovery_point_ = 0;
  std::optional<int64_t> first_unflushed_append_ms_;
  RecoveryReport recovery_report_;
};

}  // namespace kafka
