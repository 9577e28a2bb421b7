/// \file
/// Chapter 2's broker: a node that serves topics and partitions to clients.
///
/// A Kafka broker is a few components with narrow interfaces (Kafka's
/// BrokerServer builds them at start-up and wires them together):
///
///   request handlers   decode, check, call a component, encode; the
///                      registry of APIs also answers ApiVersions
///                      (RequestHandlers, PartitionApis, AdminApis)
///   ReplicaManager     appends to and reads from the partitions this broker
///                      leads, each a Partition over a Chapter 1 log
///                      (LocalReplicaManager: one replica each)
///   purgatory          fetches waiting for min_bytes (long polls)
///   MetadataCache      brokers, topics, partitions and their leaders
///                      (LocalMetadataCache: a cluster of one)
///   topic admin        creates, alters and deletes topics (LocalTopicAdmin)
///   LogManager         the logs under log.dirs
///
/// Start is the wiring, and the place to compare one chapter's broker with
/// the next: Chapter 3's adds a group coordinator beside these, Chapter 4's
/// replaces the ReplicaManager with a replicated one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "chapters/02_partitions/admin_apis.h"
#include "chapters/02_partitions/local_replica_manager.h"
#include "chapters/02_partitions/log_manager.h"
#include "chapters/02_partitions/metadata_cache.h"
#include "chapters/02_partitions/partition_apis.h"
#include "chapters/02_partitions/topic_admin.h"
#include "lib/node/request_handlers.h"
// The messages of the APIs this broker serves, for its clients and tests.
#include "lib/protocol/admin.h"
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

/// The broker's settings as DescribeConfigs shows them, by Kafka's
/// server.properties names.
std::vector<BrokerSetting> BrokerSettingsOf(const BrokerConfig& config);

/// Deletes the segments retention lets go every `interval_ms`
/// (log.retention.check.interval.ms), from now on (Kafka's LogManager
/// schedules this "kafka-log-retention" task at start-up).
void ScheduleRetentionChecks(Environment& env, LogManager& logs,
                             int64_t interval_ms);

/// The components Chapter 2's request handlers call, whichever chapter's
/// implementations they are: Chapter 2's one-replica ones, or Chapter 4's
/// replicated ReplicaManager and the controller's metadata.
struct BrokerApiComponents {
  ReplicaManager& replicas;
  MetadataCache& metadata;
  TopicAdmin& topics;
  const LogManager& logs;
};

/// Chapter 2's components, built and wired for one broker. Later chapters'
/// brokers that keep them (Chapter 3's) start them the same way.
class LocalBrokerComponents {
 public:
  /// Opens the logs under the data directory and leads every partition.
  LocalBrokerComponents(Environment& env, const BrokerConfig& config);

  LogManager& logs() { return logs_; }
  LocalReplicaManager& replicas() { return replicas_; }
  MetadataCache& metadata() { return metadata_; }
  TopicAdmin& topics() { return topics_; }
  /// What Chapter 2's request handlers call.
  BrokerApiComponents api_components() {
    return {replicas_, metadata_, topics_, logs_};
  }
  /// The port Metadata advertises, once the listener knows it.
  void AdvertisePort(int32_t port) { self_.port = port; }

 private:
  BrokerEndpoint self_;
  LogManager logs_;
  LocalReplicaManager replicas_;
  LocalMetadataCache metadata_;
  LocalTopicAdmin topics_;
};

/// Chapter 2's request handlers: the partition APIs and the admin APIs. Every
/// later chapter's broker registers them the same way over its own
/// components, and adds its own handlers beside them.
class BrokerApis {
 public:
  BrokerApis(BrokerApiComponents components, const BrokerConfig& config);

  void RegisterWith(RequestHandlers& handlers);

 private:
  PartitionApis partition_apis_;
  AdminApis admin_apis_;
};

/// What a broker program needs of any chapter's broker: a node that serves
/// requests and can be told the port its listener got.
class BrokerNode : public ServingNode {
 public:
  /// The port Metadata advertises, once the listener knows it (port 0 asks
  /// the system for a free one).
  virtual void AdvertisePort(int32_t port) = 0;
};

class Broker : public BrokerNode {
 public:
  explicit Broker(BrokerConfig config) : config_(std::move(config)) {}

  void Start(Environment& env) override;
  void Stop() override;

  /// The broker's partitions, for tests and tools.
  const LogManager& logs() const { return components_->logs(); }
  const BrokerConfig& config() const { return config_; }
  void AdvertisePort(int32_t port) override;

 private:
  BrokerConfig config_;
  std::unique_ptr<LocalBrokerComponents> components_;
  std::unique_ptr<BrokerApis> apis_;
};

}  // namespace kafka
