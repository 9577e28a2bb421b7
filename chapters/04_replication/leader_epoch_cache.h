/// \file
/// The leader epoch cache: at which offset each leader epoch began.
///
/// Every batch a leader appends carries the epoch it leads in
/// (partitionLeaderEpoch). The cache remembers only where each epoch starts,
/// one entry per epoch, for example
///
///     epoch 0 starts at offset 0, epoch 2 at 120, epoch 5 at 300
///
/// which is enough to answer the question replication keeps asking: "where
/// did epoch e end in your log?" (EndOffsetFor; the OffsetsForLeaderEpoch API
/// and the DivergingEpoch of a follower's Fetch). The end of epoch 2 is where
/// the next known epoch, 5, begins: 300. A follower whose log has epoch 2
/// batches past 300 wrote them under a leader that lost its place, and
/// truncates them (KIP-101, KIP-279).
///
/// The entries always go up in both epoch and start offset. They live in the
/// file leader-epoch-checkpoint in the partition's directory, rewritten
/// atomically after each change:
///
///     0          the format version
///     3          how many entries follow
///     0 0        epoch start-offset
///     2 120
///     5 300
///
/// This is Kafka's LeaderEpochFileCache (storage/.../epoch) with its
/// LeaderEpochCheckpointFile. What Kafka does differently: it writes the file
/// in the background after a truncation (and fixes stale entries when it
/// loads the log); here every change writes the file at once.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "chapters/01_log/log.h"
#include "lib/error.h"
#include "lib/storage/storage.h"

namespace kafka {

inline constexpr char kLeaderEpochCheckpointFile[] = "leader-epoch-checkpoint";
/// The leader-epoch-checkpoint format version Kafka writes.
inline constexpr int32_t kLeaderEpochCheckpointVersion = 0;
/// "No epoch" and "no offset" in OffsetsForLeaderEpoch answers
/// (UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET).
inline constexpr int32_t kUndefinedEpoch = -1;
inline constexpr int64_t kUndefinedEpochOffset = -1;

/// One epoch and the offset of its first batch (Kafka's EpochEntry).
struct EpochEntry {
  int32_t epoch;
  int64_t start_offset;

  bool operator==(const EpochEntry&) const = default;
};
/// Prints "(epoch 2, start 120)", for test failures and warnings.
std::ostream& operator<<(std::ostream& out, const EpochEntry& entry);

/// OffsetsForLeaderEpoch's and DivergingEpoch's answer: the largest epoch at
/// or below the one asked for, and the offset where it ended. {-1, -1} is
/// UNDEFINED: the cache knows nothing to answer with.
struct EpochEndOffset {
  int32_t epoch = kUndefinedEpoch;
  int64_t end_offset = kUndefinedEpochOffset;

  bool operator==(const EpochEndOffset&) const = default;
};
/// Prints "(epoch 2, end 300)".
std::ostream& operator<<(std::ostream& out, const EpochEndOffset& answer);

/// One partition replica's epochs and where they start, kept in its
/// leader-epoch-checkpoint file (Kafka's LeaderEpochFileCache).
class LeaderEpochCache {
 public:
  /// Receives the cache's warnings (Kafka logs them at WARN).
  using WarningSink = std::function<void(const std::string& warning)>;

  /// Loads leader-epoch-checkpoint in `partition_dir`; a missing file is an
  /// empty cache. A corrupt file is load_error() and an empty cache: the
  /// owner rebuilds it from the log (RebuildLeaderEpochCache). The file's
  /// entries are assigned in order, as Kafka loads them, so entries that do
  /// not go up are dropped.
  LeaderEpochCache(Storage& storage, std::string partition_dir);

  /// What was wrong with the file when it was loaded (ok if nothing).
  const Status& load_error() const { return load_error_; }
  const std::string& path() const { return path_; }

  /// Where warnings go; by default they are dropped.
  void set_warning_sink(WarningSink sink) { warning_sink_ = std::move(sink); }

  /// Records that `epoch` begins at `start_offset` (Kafka's assign), and
  /// writes the file if that changed anything. Nothing changes when the
  /// latest entry already has this epoch at this or a smaller start offset.
  /// Otherwise every entry that conflicts with the new one (an epoch >= it,
  /// or a start offset >= it) is removed, from the latest back, and the new
  /// entry becomes the latest: a warning names the removed ones, unless all
  /// that went was one entry at the same start offset (an epoch that began
  /// and wrote nothing). A negative epoch or offset is not an entry (Kafka
  /// throws): it is ignored with a warning. Batches without an epoch carry
  /// kNoPartitionLeaderEpoch; callers skip them.
  void Assign(int32_t epoch, int64_t start_offset);
  /// Assigns the entries in order and writes the file once (Kafka's
  /// assign(List)).
  void Assign(const std::vector<EpochEntry>& entries);

  /// The latest epoch, the one being written to by a leader.
  std::optional<int32_t> LatestEpoch() const;
  /// The largest epoch below `epoch`.
  std::optional<int32_t> PreviousEpoch(int32_t epoch) const;
  /// Where `epoch` begins, if it has an entry.
  std::optional<int64_t> StartOffsetOf(int32_t epoch) const;

  /// Where `epoch` ended (Kafka's endOffsetFor):
  ///   - the latest epoch: {epoch, log_end_offset}, it has not ended;
  ///   - an earlier one: the largest epoch <= `epoch`, ending where the next
  ///     larger epoch starts;
  ///   - below every epoch here (its batches were deleted): {epoch, the first
  ///     entry's start offset}, so that a follower truncates to where this
  ///     log's epochs begin;
  ///   - kUndefinedEpoch, above the latest epoch, or an empty cache:
  ///     UNDEFINED.
  EpochEndOffset EndOffsetFor(int32_t epoch, int64_t log_end_offset) const;

  /// After the log was truncated to `end_offset` (its batches from there on
  /// removed): removes the entries that start at or after it, and writes the
  /// file if any went.
  void TruncateFromEnd(int64_t end_offset);
  /// After the log start offset moved up to `start_offset` (retention,
  /// DeleteRecords): removes the entries that start at or before it except
  /// the last of them, the epoch the new start offset belongs to, which moves
  /// to start there. Writes the file if anything changed.
  void TruncateFromStart(int64_t start_offset);
  /// Removes every entry and writes the (empty) file (Kafka's
  /// clearAndFlush), as when the log is truncated fully.
  void Clear();
  /// Replaces every entry with `entries`, assigned in order, in one write of
  /// the file: what a rebuild from the log does, so that a crash leaves the
  /// old file or the new one.
  void ResetTo(const std::vector<EpochEntry>& entries);

  /// The entries, epochs and start offsets both going up.
  const std::vector<EpochEntry>& entries() const { return entries_; }

 private:
  /// Kafka's assign(EpochEntry): true if the entries changed.
  bool AssignEntry(const EpochEntry& entry);
  /// Kafka's isUpdateNeeded.
  bool IsUpdateNeeded(const EpochEntry& entry) const;
  /// Removes the entries that conflict with `entry`, warning if they held
  /// data.
  void RemoveConflictingEntries(const EpochEntry& entry);
  void WriteFile();
  void Warn(const std::string& warning) const;

  Storage& storage_;
  std::string path_;
  std::vector<EpochEntry> entries_;
  Status load_error_;
  WarningSink warning_sink_;
};

/// Rebuilds a cache from the log (a lost or corrupt file): the epoch of
/// every batch from the log start offset to the log end, assigned at the
/// batch's base offset (at the log start offset for a batch that begins below
/// it). Batches without an epoch (kNoPartitionLeaderEpoch, or any negative
/// value: the field is outside the batch's CRC) are skipped. The file is
/// written once.
void RebuildLeaderEpochCache(const Log& log, LeaderEpochCache& cache);

}  // namespace kafka
