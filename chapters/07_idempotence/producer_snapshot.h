/// \file
/// The producer state snapshot: a partition's producers, written to a file
/// beside its segments, so that a broker that restarts does not replay its
/// whole log to learn them again.
///
/// A snapshot is named after the offset it was taken at, the state's
/// map_end_offset(), in twenty digits like a segment:
/// 00000000000000000420.snapshot. Loading takes the newest readable snapshot at
/// or below the log end, and replays the log's batches from its offset on. The
/// format is Kafka's (ProducerStateManager's PID_SNAPSHOT_ENTRIES_SCHEMA,
/// version 1), big-endian:
///
///     version              int16    1
///     crc                  uint32   CRC-32C of every byte after this field
///     producer count       int32
///     each producer, 46 bytes:
///       producer id        int64
///       producer epoch     int16
///       last sequence      int32    of its newest batch
///       last offset        int64    of its newest batch
///       offset delta       int32    its newest batch's last offset minus
///                                   its first
///       timestamp          int64    its newest batch's max timestamp
///       coordinator epoch  int32    -1 (Chapter 8's transactions)
///       txn first offset   int64    -1 (Chapter 8's transactions)
///
/// Only the newest batch of each producer is kept, as in Kafka: after a
/// restart the leader recognises a retry of that batch (and of the batches
/// the replay adds), not of the four before it.
///
/// Anything else found in a snapshot file is damage, and reading it fails
/// with KAFKA_STORAGE_ERROR, naming the file and what is wrong: a short
/// file, an unknown version, a CRC that does not match, a count that does
/// not match the bytes. Loading then deletes the file and tries the next
/// older one (Kafka's CorruptSnapshotException).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chapters/07_idempotence/producer_state_manager.h"
#include "lib/bytes.h"
#include "lib/error.h"
#include "lib/storage/storage.h"

namespace kafka {

inline constexpr int16_t kProducerSnapshotVersion = 1;

/// "00000000000000000420.snapshot" for offset 420.
std::string ProducerSnapshotFileName(int64_t offset);
/// The offset in a snapshot's file name, or nullopt for another file.
std::optional<int64_t> ProducerSnapshotOffsetOf(std::string_view file_name);

/// The snapshot's bytes for `state`'s producers.
Bytes EncodeProducerSnapshot(const ProducerStateManager& state);
/// The producers in a snapshot's bytes, or KAFKA_STORAGE_ERROR saying what
/// is wrong with them.
Result<std::vector<ProducerStateEntry>> DecodeProducerSnapshot(ByteView bytes);

/// The snapshot files of one partition's directory.
class ProducerSnapshotFiles {
 public:
  ProducerSnapshotFiles(Storage& storage, std::string dir)
      : storage_(storage), dir_(std::move(dir)) {}

  /// Writes `state`'s snapshot at its map_end_offset(), atomically.
  void Write(const ProducerStateManager& state) const;
  /// The offsets of the snapshots in the directory, oldest first.
  std::vector<int64_t> Offsets() const;
  /// The state in the newest readable snapshot at or below `offset`, built
  /// up to that snapshot's offset; snapshots above `offset` or damaged are
  /// deleted on the way, each damaged one reported to `warn`. nullopt if
  /// none is left.
  std::optional<ProducerStateManager> LoadNewestAtOrBelow(
      int64_t offset, const std::function<void(const std::string&)>& warn);
  /// Deletes the snapshots above `offset` (a truncation removed what they
  /// describe).
  void DeleteAfter(int64_t offset);
  /// Deletes the snapshots below `offset` (the log's first segment starts
  /// there).
  void DeleteBefore(int64_t offset);

 private:
  std::string PathOf(int64_t offset) const;

  Storage& storage_;
  std::string dir_;
};

}  // namespace kafka
