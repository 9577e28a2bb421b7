/// \file
/// A log segment: one .log file of batches plus its two indexes.
///
/// A partition's log is too big to keep in one file: old data must be deleted
/// (retention), and a file that only grows cannot shed its beginning. So Kafka
/// splits the log into segments, each named after the first offset it holds:
///
///     00000000000000000000.log        batches with offsets 0 .. 41
///     00000000000000000000.index
///     00000000000000000000.timeindex
///     00000000000000000042.log        from offset 42 on: the active segment
///     ...
///
/// Only the last segment, the active one, is appended to. It is rolled (closed,
/// and a new one started) when it would grow past segment.bytes, when its
/// records' timestamps span more than segment.ms, or when an index is full.
/// Retention then deletes whole segments, oldest first.
///
/// A batch may carry no timestamp (NO_TIMESTAMP, -1, from an old or careless
/// producer); Kafka accepts it. A segment whose batches carry none has no
/// record time to go by, so, as in Kafka, segment.ms then counts wall time
/// since the segment began, and retention.ms counts from the .log file's
/// modification time.
///
/// This is LogSegment.java in Kafka.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chapters/01_log/index.h"
#include "chapters/01_log/log_config.h"
#include "chapters/01_log/record_batch.h"
#include "lib/storage/storage.h"

namespace kafka {

inline constexpr char kLogFileSuffix[] = ".log";
inline constexpr char kIndexFileSuffix[] = ".index";
inline constexpr char kTimeIndexFileSuffix[] = ".timeindex";

/// "00000000000000000042.log": the base offset in 20 digits, so that file names
/// sort in offset order.
std::string SegmentFileName(int64_t base_offset, const std::string& suffix);
/// The base offset in a file name such as "00000000000000000042.log", if the
/// name is a segment file name with that suffix.
std::optional<int64_t> BaseOffsetFromFileName(const std::string& name,
                                              const std::string& suffix);

/// A batch found in a segment file: its header and where it starts.
struct BatchLocation {
  RecordBatchHeader header;
  uint64_t position;
};

/// One segment: a .log file and its .index and .timeindex (LogSegment.java).
class LogSegment {
 public:
  /// Creates a new, empty segment in `dir`.
  static std::unique_ptr<LogSegment> Create(Storage& storage,
                                            const std::string& dir,
                                            int64_t base_offset,
                                            const LogConfig& config);
  /// Opens an existing segment, trusting its batches. If an index is missing or
  /// fails its sanity check, or the last batch is unreadable, the segment
  /// reports needs_recovery(): the caller must Recover() it before use.
  /// `now_ms` starts the segment's wall clock for segment.ms (see
  /// TimeWaitedForRoll).
  static std::unique_ptr<LogSegment> Open(Storage& storage,
                                          const std::string& dir,
                                          int64_t base_offset,
                                          const LogConfig& config,
                                          int64_t now_ms);

  int64_t base_offset() const { return base_offset_; }
  /// The offset after the last batch in this segment.
  int64_t next_offset() const { return next_offset_; }
  uint64_t size() const { return log_file_->Size(); }
  bool empty() const { return size() == 0; }
  /// The largest record timestamp in the segment, -1 (NO_TIMESTAMP) if none.
  int64_t max_timestamp() const { return max_timestamp_so_far_; }
  /// What retention.ms measures the segment's age by: its largest record
  /// timestamp or, if its batches carry none, the .log file's modification
  /// time (LogSegment.largestTimestamp).
  int64_t LargestTimestamp() const;
  bool needs_recovery() const { return needs_recovery_; }
  const OffsetIndex& offset_index() const { return offset_index_; }
  const TimeIndex& time_index() const { return time_index_; }

  /// Whether an append of `incoming` (bytes, max timestamp, last offset) at
  /// `now_ms` must go to a new segment instead of this one
  /// (LogSegment.shouldRoll).
  bool ShouldRoll(int64_t incoming_bytes, int64_t incoming_max_timestamp,
                  int64_t incoming_last_offset, int64_t now_ms) const;
  /// How long the segment has waited for a roll, for segment.ms: by record
  /// time, from its first batch's max timestamp to the incoming one; if the
  /// first batch has no timestamp, by wall time since the segment began.
  int64_t TimeWaitedForRoll(int64_t now_ms,
                            int64_t incoming_max_timestamp) const;

  /// Appends validated batches, whose offsets are already assigned, and adds
  /// index entries as index.interval.bytes requires.
  void Append(ByteView records, const std::vector<BatchSlice>& batches,
              int64_t now_ms);

  /// Reads whole batches into `out`, starting with the first one whose last
  /// offset is >= offset, up to max_bytes in all but always at least one batch.
  /// Leaves `out` empty if the segment ends before `offset`; CORRUPT_MESSAGE if
  /// the batches on the way to `offset` cannot be read.
  Status Read(int64_t offset, int32_t max_bytes, Bytes& out) const;

  /// The first record with timestamp >= `timestamp` and offset >=
  /// `starting_offset` (the log start offset), if this segment has one.
  std::optional<TimestampOffset> FindOffsetByTimestamp(
      int64_t timestamp, int64_t starting_offset = 0) const;

  /// Recovery after a crash: validates every batch from the start, rebuilds
  /// both indexes, and cuts the file at the first invalid byte (a torn or
  /// corrupt tail). Returns how many bytes were cut.
  uint64_t Recover();

  /// Removes every batch whose last offset is >= offset. A batch that straddles
  /// `offset` is removed whole.
  void TruncateTo(int64_t offset);

  /// Writes the last time index entry: the segment will take no more appends.
  void OnBecomeInactive();
  /// fsyncs the log and index files.
  void Flush();
  void DeleteFiles();

 private:
  LogSegment(Storage& storage, const std::string& dir, int64_t base_offset,
             const LogConfig& config);

  std::optional<BatchLocation> ReadBatchHeaderAt(uint64_t position) const;
  /// The first batch whose last offset is >= offset.
  std::optional<BatchLocation> FindBatch(int64_t offset) const;
  /// Index bookkeeping for a batch appended (or recovered) at `position`.
  void IndexBatch(const RecordBatchHeader& header, uint64_t position);
  /// Recomputes next offset and largest timestamp by scanning the batches after
  /// the last index entry. Returns false if it meets an unreadable batch.
  bool LoadTailState();
  void ResetState();

  Storage& storage_;
  std::string dir_;
  int64_t base_offset_;
  const LogConfig& config_;
  std::unique_ptr<File> log_file_;
  OffsetIndex offset_index_;
  TimeIndex time_index_;

  int64_t next_offset_;
  int64_t max_timestamp_so_far_ = -1;
  int64_t offset_of_max_timestamp_so_far_;
  /// The max timestamp of the first batch: segment.ms counts from it.
  std::optional<int64_t> rolling_based_timestamp_;
  /// When the segment got its first batch, or was opened: segment.ms counts
  /// from here if the first batch has no timestamp (Kafka's `created`).
  int64_t created_ms_ = 0;
  int64_t bytes_since_last_index_entry_ = 0;
  bool needs_recovery_ = false;
};

}  // namespace kafka
