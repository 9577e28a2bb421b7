/// \file
/// The configuration of one log, with Kafka's topic-level names and defaults.
///
/// Each field is a Kafka topic config (the broker-wide default has a `log.`
/// prefix, e.g. log.segment.bytes). Defaults are Kafka's (LogConfig.java,
/// TopicConfig.java).
#pragma once

#include <cstdint>
#include <limits>

namespace kafka {

inline constexpr int64_t kMillisPerDay = 24LL * 60 * 60 * 1000;

/// A log's topic-level configuration, with Kafka's names and defaults.
struct LogConfig {
  /// segment.bytes: roll to a new segment before the active one exceeds this.
  int64_t segment_bytes = 1LL << 30;
  /// segment.ms: roll when the records' timestamps span more than this.
  int64_t segment_ms = 7 * kMillisPerDay;
  /// segment.index.bytes: the largest an index file may grow; a full index
  /// rolls.
  int32_t segment_index_bytes = 10 << 20;
  /// index.interval.bytes: bytes of log between two offset index entries.
  int32_t index_interval_bytes = 4096;
  /// retention.ms: delete segments whose newest record is older than this
  /// (-1: keep forever).
  int64_t retention_ms = 7 * kMillisPerDay;
  /// retention.bytes: delete old segments while the log is larger (-1: no
  /// limit).
  int64_t retention_bytes = -1;
  /// flush.messages / flush.ms: force an fsync after this many records or this
  /// long. Kafka's default is never: durability comes from replication.
  int64_t flush_messages = std::numeric_limits<int64_t>::max();
  int64_t flush_ms = std::numeric_limits<int64_t>::max();
  /// max.message.bytes: the largest record batch the log accepts.
  int32_t max_message_bytes = 1048588;
  /// min.insync.replicas: a replicated partition's high watermark advances
  /// only while at least this many replicas are in sync (Chapter 4), and
  /// acks=all produce needs as many (Chapter 6). The log itself ignores it.
  int32_t min_insync_replicas = 1;
};

}  // namespace kafka
