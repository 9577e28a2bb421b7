/// \file
/// The metadata log as Raft uses it (Kafka's ReplicatedLog and its
/// implementation KafkaMetadataLog): Chapter 1's Log in the directory
/// `__cluster_metadata-0`, Chapter 4's LeaderEpochCache beside it, and the
/// snapshots (KIP-630).
///
/// The epoch cache answers the question both Vote and Fetch ask: "where did
/// epoch e end in your log?". A candidate's log is as good as a voter's if
/// its (last epoch, end offset) is at least as large; a follower whose last
/// fetched epoch ended earlier on the leader diverged there and truncates
/// (DivergingEpoch).
///
/// A snapshot is the listener's state as of an offset, so that the log
/// below it can go. Its file, in the log directory, is named for its id,
/// end offset (exclusive) and epoch, `%020d-%010d.checkpoint`:
///
///     00000000000000000120-0000000003.checkpoint
///
/// and holds record batches, back to back, as a log segment does: a control
/// batch with a SnapshotHeaderRecord, the batches of the state's records
/// (offsets from 0, at most kSnapshotBatchRecords a batch), and a control
/// batch with a SnapshotFooterRecord. It is written whole and atomically
/// (Kafka writes `.checkpoint.part` and renames it). A follower whose fetch
/// is below the leader's log start copies the leader's newest snapshot with
/// FetchSnapshot, byte for byte, and starts its log at its end.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chapters/01_log/log.h"
#include "chapters/04_replication/leader_epoch_cache.h"
#include "lib/bytes.h"
#include "lib/error.h"
#include "lib/storage/storage.h"

namespace kafka {

/// Records per data batch in a snapshot file.
inline constexpr size_t kSnapshotBatchRecords = 1024;

/// A snapshot's id: it holds the state below end_offset, which the log had
/// in `epoch` (Kafka's OffsetAndEpoch).
struct SnapshotId {
  int64_t end_offset = 0;
  int32_t epoch = 0;
  bool operator==(const SnapshotId&) const = default;
  auto operator<=>(const SnapshotId&) const = default;
};

/// "00000000000000000120-0000000003.checkpoint".
std::string SnapshotFileName(const SnapshotId& id);
/// The id a file name stands for, if it names a snapshot.
std::optional<SnapshotId> SnapshotIdFromFileName(const std::string& name);

/// A snapshot file's bytes for `records`.
Bytes EncodeSnapshot(const std::vector<Bytes>& records,
                     int64_t last_contained_log_timestamp);
/// The records of a snapshot file; CORRUPT_MESSAGE if it is not one (no
/// header first, no footer last, a batch that does not validate).
Result<std::vector<Bytes>> DecodeSnapshot(ByteView file);

/// The directory of the metadata log under a data directory.
std::string MetadataLogDir(const std::string& data_dir);

class RaftLog {
 public:
  /// Opens (creating) the log under `data_dir` and its epoch cache,
  /// reconciled with what recovery left of the log.
  RaftLog(Storage& storage, const std::string& data_dir,
          const LogConfig& config, int64_t now_ms);

  int64_t start_offset() const { return log_->log_start_offset(); }
  int64_t end_offset() const { return log_->log_end_offset(); }
  /// The epoch of the last entry: of the last batch, or of the snapshot the
  /// log starts at, or 0 for an empty log (Kafka's lastFetchedEpoch).
  int32_t last_fetched_epoch() const;

  /// Appends one encoded batch in `epoch` and flushes it (a leader's entry
  /// counts for the majority only once it is durable).
  Result<LogAppendInfo> AppendAsLeader(Bytes batch, int32_t epoch,
                                       int64_t now_ms);
  /// Appends batches copied from the leader and flushes them.
  Result<LogAppendInfo> AppendAsFollower(ByteView records, int64_t now_ms);
  /// Where `epoch` ended here (LeaderEpochCache::EndOffsetFor), with the
  /// snapshot's epoch ending at the log start when the cache has no entry.
  EpochEndOffset EndOffsetForEpoch(int32_t epoch) const;
  /// Whether a fetcher whose log ends at `offset` in `epoch` agrees with this
  /// log; if not, where it diverged (Kafka's validateOffsetAndEpoch).
  std::optional<EpochEndOffset> Diverging(int64_t offset, int32_t epoch) const;
  /// Where a follower truncates to on the leader's DivergingEpoch.
  int64_t TruncationOffsetFor(const EpochEndOffset& diverging) const;
  void TruncateTo(int64_t offset);
  Status Read(int64_t offset, int32_t max_bytes, Bytes& out) const {
    return log_->Read(offset, max_bytes, out);
  }

  /// The newest snapshot here.
  std::optional<SnapshotId> latest_snapshot() const;
  /// Writes snapshot `id` of `records` and moves the log start up to its end
  /// (at most the log end); older snapshots are deleted.
  void CreateSnapshot(const SnapshotId& id, const std::vector<Bytes>& records,
                      int64_t now_ms);
  /// A snapshot file's bytes from `position`, at most `max_bytes`; and its
  /// whole size. SNAPSHOT_NOT_FOUND / POSITION_OUT_OF_RANGE otherwise.
  Result<Bytes> ReadSnapshotChunk(const SnapshotId& id, int64_t position,
                                  int32_t max_bytes, int64_t& size) const;
  /// A follower installs a snapshot fetched from the leader: the file as
  /// received, then the log starts over, empty, at its end. Returns the
  /// records; CORRUPT_MESSAGE (nothing changed) if the bytes are no
  /// snapshot.
  Result<std::vector<Bytes>> InstallSnapshot(const SnapshotId& id,
                                             ByteView file);
  /// The records of snapshot `id` here.
  Result<std::vector<Bytes>> ReadSnapshot(const SnapshotId& id) const;

  const Log& log() const { return *log_; }
  const LeaderEpochCache& epoch_cache() const { return epochs_; }
  void Close() { log_->Close(); }

 private:
  std::string SnapshotPath(const SnapshotId& id) const;
  void DeleteSnapshotsBefore(const SnapshotId& id);

  Storage& storage_;
  std::unique_ptr<Log> log_;
  LeaderEpochCache epochs_;
};

}  // namespace kafka
