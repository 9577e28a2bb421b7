/// \file
/// replication-offset-checkpoint: the high watermark of every partition in a
/// data directory.
///
/// A broker writes it periodically
/// (replica.high.watermark.checkpoint.interval.ms, 5 s) and reads it at
/// start-up, so a restarted replica does not expose less than it had committed,
/// nor wait for the ISR to tell it again. The file is a checkpoint file
/// (checkpoint_file.h) whose entries are "topic partition offset":
///
///     0
///     2
///     orders 0 17
///     orders 1 4
///
/// This is Kafka's OffsetCheckpointFile. Kafka writes the entries in a hash
/// map's order; here they are sorted by topic and partition.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "chapters/02_partitions/log_manager.h"
#include "lib/error.h"
#include "lib/storage/storage.h"

namespace kafka {

inline constexpr char kReplicationOffsetCheckpointFile[] =
    "replication-offset-checkpoint";
/// The format version Kafka writes (OffsetCheckpointFile.CURRENT_VERSION).
inline constexpr int32_t kOffsetCheckpointVersion = 0;

/// The offsets in the checkpoint file at `path`; an empty map if it is
/// missing. KAFKA_STORAGE_ERROR naming the file for any damage (see
/// CheckpointFile), and for an entry that is not a topic, a partition number
/// and an offset, or whose partition or offset is negative. A partition named
/// twice keeps its last offset, as Kafka reads it.
Result<std::map<TopicPartition, int64_t>> ReadOffsetCheckpoint(
    Storage& storage, const std::string& path);

/// Replaces the file at `path`, atomically, with `offsets`.
void WriteOffsetCheckpoint(Storage& storage, const std::string& path,
                           const std::map<TopicPartition, int64_t>& offsets);

}  // namespace kafka
