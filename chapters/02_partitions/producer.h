/// \file
/// Our producer: records in, batches out, one Produce request per leader.
///
/// A producer does not send records one by one. It keeps an open batch per
/// partition (the "record accumulator"), adds each record to the batch of the
/// partition its key maps to, and sends a batch when it reaches batch.size
/// bytes or has waited linger.ms. Fewer, larger requests are where Kafka's
/// throughput comes from: the same bytes in 100-byte writes cost far more.
///
/// To send, it must know each partition's leader: it asks a bootstrap server
/// (bootstrap.servers, "host:port" strings) for Metadata, the first time it
/// meets a topic, and learns from the answer where each broker listens. It
/// sends all ready batches for one leader in one Produce request and reports
/// each record's offset (or error) to the callback given with it. With
/// acks=0 it waits for nothing and reports offset -1.
///
/// A batch that fails with NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION
/// or a connection error (NETWORK_EXCEPTION, REQUEST_TIMED_OUT) is retried:
/// such an error says that its leader may have moved, so the producer asks
/// for the topic's Metadata again at once, and after retry.backoff.ms sends
/// the batch to the leader it knows then. So is one that an ISR too small
/// refused (NOT_ENOUGH_REPLICAS, NOT_ENOUGH_REPLICAS_AFTER_APPEND; Chapter
/// 6). It retries up to `retries` times, and for no longer than
/// delivery.timeout.ms after the batch's first record came: then the
/// record's callback gets the last error (Chapter 6).
///
/// This is a library on the node model: it acts only through the Environment
/// of the node that owns it, so it runs in the simulator and over TCP alike.
///
/// Up to max.in.flight.requests.per.connection Produce requests go to one
/// leader at a time, each with at most one batch of a partition. With more
/// than one, a retried batch can land after the partition's next one, and
/// a retry can write a batch twice (its first attempt may have been
/// appended before its answer was lost) — unless the producer is
/// idempotent.
///
/// Idempotence (Chapter 7; enable.idempotence, on by default since Kafka
/// 3.0): before its first batch the producer asks a broker for a producer
/// id (InitProducerId), and stamps each batch with it, its epoch and the
/// sequence number of the batch's first record in its partition
/// (producer_sequences.h). The broker appends each sequence once and in
/// order, so retries neither duplicate nor reorder: a retried batch goes
/// back before the later batches of its partition. It needs acks=all,
/// retries > 0 and at most 5 requests in flight (the broker remembers a
/// producer's last five batches per partition); unset, it is off when one
/// of those says otherwise, as in Kafka; set true with one of them, every
/// record fails with INVALID_CONFIG naming it (Kafka's ConfigException).
///
/// What real Kafka does differently: metadata
/// refreshes on a timer too (metadata.max.age.ms) and sent to the least
/// loaded broker it knows (here always to a bootstrap server), and a
/// buffer.memory limit that blocks send() when full.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "chapters/01_log/record_batch.h"
#include "chapters/02_partitions/log_manager.h"
#include "chapters/02_partitions/partitioner.h"
#include "chapters/02_partitions/producer_sequences.h"
#include "lib/compression/compression.h"
#include "lib/node/node.h"
#include "lib/protocol/metadata.h"

namespace kafka {

struct ProducerConfig {
  /// bootstrap.servers: "host:port" of brokers to ask for Metadata; they
  /// need not be all, as Metadata names the rest. Required, as in Kafka.
  std::vector<std::string> bootstrap_servers;
  int16_t acks = -1;  ///< acks: 0, 1 or -1 (all); Kafka's default is all
  int32_t batch_size = 16384;  ///< batch.size, bytes
  int64_t linger_ms = 5;       ///< linger.ms (librdkafka's default)
  /// compression.type: the codec of every batch; none by default, as in
  /// Kafka. batch.size counts the records before compression.
  CompressionType compression_type = CompressionType::kNone;
  std::string partitioner = "java_default";  ///< see MakePartitioner
  int64_t request_timeout_ms = 30'000;       ///< request.timeout.ms
  int64_t retry_backoff_ms = 100;            ///< retry.backoff.ms
  /// retries, for the errors a retry may cure; Kafka's default is
  /// unbounded (2147483647), so delivery.timeout.ms is what ends them.
  int retries = 2147483647;
  /// delivery.timeout.ms: how long after a batch's first record came it may
  /// still be retried.
  int64_t delivery_timeout_ms = 120'000;
  /// max.in.flight.requests.per.connection: Produce requests to one leader
  /// that may wait for their answers together.
  int max_in_flight_requests_per_connection = 5;
  /// enable.idempotence: unset, on unless acks, retries or max.in.flight
  /// conflict with it (Kafka's default since 3.0).
  std::optional<bool> enable_idempotence;
  std::string client_id = "literate-producer";
};

/// Where a record ended up.
struct RecordMetadata {
  TopicPartition partition;
  int64_t offset = -1;  ///< -1 with acks=0: nobody said
};

class Producer {
 public:
  using Callback = std::function<void(Result<RecordMetadata>)>;

  Producer(Environment& env, ProducerConfig config);

  /// Queues a record; `on_delivery` learns its offset or error.
  void Send(const std::string& topic, std::optional<Bytes> key,
            std::optional<Bytes> value, Callback on_delivery);
  /// Sends every open batch now, without waiting for linger.ms.
  void Flush();
  /// Records sent and not yet reported to their callback.
  int64_t in_flight_records() const { return unreported_; }
  /// Whether batches carry a producer id and sequences (enable.idempotence).
  bool is_idempotent() const { return idempotent_; }

 private:
  struct Pending {
    SimpleRecord record;
    Callback on_delivery;
  };
  struct Batch {
    TopicPartition partition;
    std::vector<Pending> records;
    size_t bytes = 0;
    int attempts = 0;
    int64_t created_ms = 0;  ///< when its first record came
    /// Counts the batches in the order they were closed: a retry goes back
    /// ahead of its partition's later batches.
    uint64_t number = 0;
    /// An idempotent producer's producer id, epoch and sequence, from the
    /// first time the batch is sent.
    std::optional<BatchStamp> stamp;
  };
  struct TopicMetadata {
    std::vector<NodeId> leaders;  ///< by partition
  };

  void Accumulate(const std::string& topic, Pending pending);
  /// Asks a bootstrap server for the topic's Metadata, unless a request for
  /// it is in flight; the next server after a failure.
  void FetchMetadata(const std::string& topic);
  void OnMetadata(const std::string& topic, Result<Bytes> body);
  /// Learns where the brokers listen, and the partitions' leaders.
  void LearnLeaders(const MetadataResponse::Topic& topic);
  /// Moves the topic's ready batches to the queues of their new leaders.
  void MoveBatchesToNewLeaders(const std::string& topic);
  /// Closes the open batch of `partition` and queues it to send.
  void CloseBatch(const TopicPartition& partition);
  void SendReadyBatches();
  /// Asks a bootstrap server for a producer id, unless it is asked already;
  /// asks again (the next server) after retry.backoff.ms until it has one.
  void InitProducerId();
  void OnInitProducerId(Result<Bytes> body);
  /// Bumps the epoch if every batch sent is back in the queues; false if
  /// one is in flight or waiting to be retried.
  bool BumpEpochWhenAllBatchesAreBack();
  /// Fails the ready batches older than delivery.timeout.ms.
  void ExpireBatchesWaitingForProducerId();
  /// False if no batch may go out now.
  bool SendOneRequest(NodeId leader, std::vector<Batch>& batches);
  /// Whether `batch` may be sent now (see producer.cc).
  bool MayGoOut(const Batch& batch) const;
  Bytes EncodeBatch(const Batch& batch) const;
  /// Gives an idempotent producer's batch its stamp if it has none or one
  /// of an older epoch.
  void StampIfNeeded(Batch& batch);
  void SendToLeader(NodeId leader, std::vector<Batch> batches);
  void OnProduceResponse(NodeId leader, std::vector<Batch> batches,
                         Result<Bytes> body);
  void Complete(Batch& batch, const Result<int64_t>& base_offset);
  void RetryOrFail(Batch batch, const Error& error);
  /// Whether `error` is worth a retry of `batch`: IsRetriable's, and an
  /// idempotent producer's sequence and epoch errors that a retry cures.
  bool MayRetry(const Batch& batch, const Error& error);
  /// Puts a retried batch back in its leader's queue: an idempotent
  /// producer's before the later batches of its partition.
  void Requeue(Batch batch);

  Environment& env_;
  ProducerConfig config_;
  /// -1, -2, ...: see LearnBootstrapServers.
  std::vector<NodeId> bootstrap_ids_;
  size_t next_bootstrap_ = 0;  ///< which one to ask next
  std::unique_ptr<Partitioner> partitioner_;
  std::map<std::string, TopicMetadata> metadata_;
  std::set<std::string> metadata_in_flight_;
  std::map<std::string, std::vector<Pending>> waiting_for_metadata_;
  std::map<TopicPartition, Batch> open_batches_;
  std::map<NodeId, std::vector<Batch>> ready_;  ///< by leader
  uint64_t batches_closed_ = 0;
  std::map<NodeId, int> in_flight_;  ///< requests waiting, by leader
  std::optional<TimerId> linger_timer_;
  int64_t unreported_ = 0;
  /// enable.idempotence as resolved; a conflict it was set true against.
  bool idempotent_ = false;
  std::optional<Error> config_error_;
  ProducerSequences sequences_;
  /// A batch failed for good: the epoch is bumped once nothing is in
  /// flight, and nothing new is sent before.
  bool epoch_bump_pending_ = false;
  int retries_backing_off_ = 0;  ///< batches waiting out retry.backoff.ms
  bool producer_id_in_flight_ = false;
};

}  // namespace kafka
