/// \file
/// A single broker: the node that serves topics and partitions to clients.
///
/// It answers the requests a producer, a consumer and an admin need:
///
///   ApiVersions        which APIs and versions it speaks
///   Metadata           brokers, topics, partitions and their leaders (all
///                      itself, until replication arrives in Chapter 4);
///                      creates a topic on first mention when
///                      auto.create.topics.enable says so
///   Produce            appends record batches; acks 0, 1 and all (with one
///                      replica, all is the same as 1)
///   Fetch              reads batches from an offset, holding the request for
///                      up to max_wait_ms until min_bytes are there (long poll)
///   ListOffsets        earliest, latest, or the offset for a timestamp
///   CreateTopics       new topics with a partition count and configs
///   CreatePartitions   more partitions for a topic (never fewer)
///
/// Everything it stores is a Chapter 1 log per partition, kept by a
/// LogManager under its data directory (log.dirs).
#pragma once

#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>

#include "chapters/02_partitions/log_manager.h"
#include "lib/node/node.h"
#include "lib/protocol/create_topics.h"
#include "lib/protocol/fetch.h"
#include "lib/protocol/list_offsets.h"
#include "lib/protocol/metadata.h"
#include "lib/protocol/produce.h"

namespace kafka {

/// The broker's configuration, with Kafka's names.
struct BrokerConfig {
  NodeId node_id = 1;                         ///< node.id (broker.id)
  std::string advertised_host = "127.0.0.1";  ///< advertised.listeners
  int32_t advertised_port = 9092;
  std::string data_dir = "kafka-logs";  ///< log.dirs
  int32_t num_partitions = 1;           ///< num.partitions
  bool auto_create_topics_enable = true;
  LogConfig log;  ///< the log.* defaults for every topic
  int64_t log_retention_check_interval_ms = 300'000;
  std::string cluster_id = "literate-kafka";
};

class Broker : public Node {
 public:
  explicit Broker(BrokerConfig config) : config_(std::move(config)) {}

  void Start(Environment& env) override;
  ApiSet ServedApis() const override;
  Status OnRequest(const Request& request, Responder respond) override;
  void Stop() override;

  /// The broker's partitions (the group coordinator of Chapter 3 keeps its
  /// offsets in them too).
  const LogManager& logs() const { return *logs_; }
  LogManager& logs() { return *logs_; }
  const BrokerConfig& config() const { return config_; }
  /// The port Metadata advertises, once the listener knows it (port 0 asks
  /// the system for a free one).
  void AdvertisePort(int32_t port) { config_.advertised_port = port; }

 private:
  // One handler per API: each decodes its request (an error closes the
  // connection) and answers through `respond`.
  Status HandleMetadata(const Request& request, Responder respond);
  Status HandleProduce(const Request& request, Responder respond);
  Status HandleFetch(const Request& request, Responder respond);
  Status HandleListOffsets(const Request& request, Responder respond);
  Status HandleCreateTopics(const Request& request, Responder respond);
  Status HandleCreatePartitions(const Request& request, Responder respond);

  Status CreateTopic(const CreateTopicsRequest::Topic& topic,
                     bool validate_only);
  Status AddPartitions(const CreatePartitionsRequest::Topic& topic,
                       bool validate_only);
  /// Validates a client's records for one partition and appends them.
  /// Clients may not write to internal topics; the group coordinator
  /// (Chapter 3) appends to __consumer_offsets through logs(), the path
  /// Kafka's coordinators take with internal appends allowed.
  ProduceResponse::PartitionResponse AppendToPartition(
      const std::string& topic, const ProduceRequest::PartitionData& data,
      int16_t acks);
  /// Reads what a fetch asks for, within its byte budgets.
  FetchResponse ReadForFetch(const FetchRequest& request, int64_t& bytes_read);
  MetadataResponse::Topic DescribeTopic(const std::string& topic,
                                        bool may_create);

  /// A fetch waiting for data (a long poll).
  struct DelayedFetch {
    FetchRequest request;
    int16_t version;
    Responder respond;
    TimerId timer;
  };
  void AnswerFetch(const FetchRequest& request, int16_t version,
                   const Responder& respond);
  /// After an append: answers the waiting fetches that now have min_bytes.
  void CompleteDelayedFetches();
  void ScheduleRetentionCheck();

  BrokerConfig config_;
  Environment* env_ = nullptr;
  std::unique_ptr<LogManager> logs_;
  std::list<DelayedFetch> delayed_fetches_;
};

}  // namespace kafka
