/// \file
/// Our consumer: assigned partitions, a position in each, and a fetch loop.
///
/// A consumer reads partitions it is assigned (here by the application, with
/// Assign, as Kafka's assign(); groups that share partitions out come in
/// Chapter 3). It asks a bootstrap server (bootstrap.servers) for Metadata,
/// and sends everything else to the brokers the answer names, where the
/// answer says they listen. For each partition it keeps a *position*: the
/// offset of the next record to hand to the application. Where there is no
/// position yet, it asks the partition's leader with ListOffsets for the
/// earliest or the latest offset, as auto.offset.reset says (Kafka's default is
/// latest: a new consumer sees only new records). A position outside the log
/// (OFFSET_OUT_OF_RANGE, after retention deleted old segments) is reset the
/// same way.
///
/// Then it fetches: one Fetch in flight per leader, for all the partitions it
/// leads, each from its position. The broker holds the request until data
/// arrives or fetch.max.wait.ms passes (a long poll), so an idle consumer
/// costs little. A fetch returns batches, which may begin before the
/// position: the consumer skips those records. The last batch may be cut
/// short, as a Kafka broker cuts it at the byte limit: the consumer takes the
/// whole batches before it and reads that one whole with the next fetch. A
/// corrupt batch (a CRC mismatch, a length that cannot be) is an error the
/// application sees, as the Java consumer raises a KafkaException for it: the
/// records before it are delivered, and the partition stops at the batch
/// until the application seeks past it.
///
/// What real Kafka does differently: poll() hands records to the application
/// when it asks, buffering fetched data; here records go to a callback as each
/// fetch arrives. The Java consumer also checks positions against leader
/// epochs after a leader change (KIP-320, Chapter 4).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "chapters/01_log/record_batch.h"
#include "chapters/02_partitions/log_manager.h"
#include "lib/node/node.h"

namespace kafka {

struct ConsumerConfig {
  /// bootstrap.servers: "host:port" of brokers to ask for Metadata.
  /// Required, as in Kafka.
  std::vector<std::string> bootstrap_servers;
  std::string auto_offset_reset = "latest";  ///< earliest, latest or none
  int32_t fetch_max_wait_ms = 500;           ///< fetch.max.wait.ms
  int32_t fetch_min_bytes = 1;               ///< fetch.min.bytes
  int32_t max_partition_fetch_bytes = 1 << 20;
  int32_t fetch_max_bytes = 50 << 20;
  int64_t request_timeout_ms = 30'000;
  int64_t retry_backoff_ms = 100;
  std::string client_id = "literate-consumer";
};

struct ConsumerRecord {
  TopicPartition partition;
  int64_t offset = 0;
  int64_t timestamp = 0;
  std::optional<Bytes> key;
  std::optional<Bytes> value;
  std::vector<RecordHeader> headers;
};

class Consumer {
 public:
  using RecordsHandler = std::function<void(std::vector<ConsumerRecord>)>;
  /// Errors the application must see: a reset with auto.offset.reset=none,
  /// and a corrupt batch (CORRUPT_MESSAGE) that stopped the partition.
  using ErrorHandler = std::function<void(const TopicPartition&, const Error&)>;

  Consumer(Environment& env, ConsumerConfig config, RecordsHandler on_records,
           ErrorHandler on_error = {});

  /// Replaces the assignment and starts fetching.
  void Assign(std::vector<TopicPartition> partitions);
  /// Sets the position of an assigned partition: the next fetch starts there
  /// (this also restarts a partition stopped at a corrupt batch).
  void Seek(const TopicPartition& partition, int64_t offset);
  /// The next offset to read, if known yet.
  std::optional<int64_t> Position(const TopicPartition& partition) const;

 private:
  void FetchMetadata();
  void OnMetadata(Result<Bytes> body);
  /// Asks each leader, with one ListOffsets, where its partitions that have
  /// no position start.
  void ResetPositions();
  void OnListOffsets(Result<Bytes> body);
  void FetchFromLeaders();
  void OnFetch(NodeId leader, Result<Bytes> body);
  /// Appends to `out` the records of the whole batches in `batches` at or
  /// after the position, and moves it on; stops at a batch cut short, and
  /// fails with CORRUPT_MESSAGE at a corrupt one.
  Status TakeRecords(const TopicPartition& partition, ByteView batches,
                     std::vector<ConsumerRecord>& out);
  void RetryLater(std::function<void()> action);

  Environment& env_;
  ConsumerConfig config_;
  RecordsHandler on_records_;
  ErrorHandler on_error_;
  /// -1, -2, ...: see LearnBootstrapServers.
  std::vector<NodeId> bootstrap_ids_;
  size_t next_bootstrap_ = 0;  ///< which one to ask next
  std::vector<TopicPartition> assignment_;
  std::map<TopicPartition, NodeId> leaders_;
  std::map<TopicPartition, int64_t> positions_;
  std::set<TopicPartition> stopped_;  ///< at a corrupt batch, until a Seek
  std::map<NodeId, bool> fetching_;   ///< a Fetch in flight to this leader
  std::set<NodeId> resetting_;        ///< a ListOffsets in flight to these
  uint64_t generation_ = 0;           ///< bumped by Assign: old answers ignored
};

}  // namespace kafka
