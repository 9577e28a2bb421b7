/// \file
/// Topic admin: creating topics, growing them, changing their configs and
/// deleting them.
///
/// CreateTopics, CreatePartitions, IncrementalAlterConfigs of a topic,
/// DeleteTopics and the auto-creation of a topic that a Metadata request
/// names all end here. A Kafka broker does not decide these
/// alone: it forwards them to the controller (KIP-590), which places the
/// replicas, writes the change to the metadata log, and answers once it is
/// committed; the brokers then create the partitions they were given. So the
/// interface is asynchronous, answered through a callback, and the request
/// handlers do not change when Chapter 5 swaps the local implementation for
/// a forwarding one.
///
/// Chapter 2's LocalTopicAdmin does it on this broker: the LogManager creates
/// the partitions' logs, and the ReplicaManager becomes their leader; for a
/// deletion, the ReplicaManager stops the replicas and the LogManager deletes
/// the logs (Kafka's broker does the same when the deletion reaches it in the
/// metadata).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "chapters/02_partitions/local_replica_manager.h"
#include "chapters/02_partitions/log_manager.h"
#include "lib/error.h"
#include "lib/node/node.h"
#include "lib/protocol/create_topics.h"

namespace kafka {

/// One change of one config (IncrementalAlterConfigs' AlterableConfig), with
/// Kafka's operations (AlterConfigOp.OpType).
struct ConfigChange {
  enum class Operation : int8_t {
    kSet = 0,
    kDelete = 1,
    kAppend = 2,
    kSubtract = 3
  };
  std::string name;
  Operation operation = Operation::kSet;
  std::string value;  ///< unused by kDelete
};

/// `configs` with `changes` applied in order, as Kafka's controller applies
/// them (ConfigurationControlManager): SET and DELETE any topic config;
/// APPEND and SUBTRACT only lists, and no topic config here is one.
/// INVALID_CONFIG for an unknown name or a list operation. The values are
/// not checked: ParseTopicConfigs does that.
Result<TopicConfigOverrides> ApplyConfigChanges(
    TopicConfigOverrides configs, const std::vector<ConfigChange>& changes);

/// A topic as CreateTopics answers it from v5 (KIP-525; v7 adds the id):
/// what creating it made, as Kafka's controller reports it.
struct CreatedTopic {
  Uuid topic_id;  ///< zero if nothing was created (validate_only)
  int32_t num_partitions = -1;
  int16_t replication_factor = -1;
  /// Every topic config, by name, with its value and where that comes from.
  std::vector<CreateTopicsResponse::Config> configs;
};

class TopicAdmin {
 public:
  using Done = std::function<void(Status outcome)>;
  /// Told of a deleted topic's partitions (Kafka's onPartitionsDeleted, which
  /// from Chapter 5 comes from the metadata log): the group coordinator
  /// drops their committed offsets.
  using PartitionsDeletedListener =
      std::function<void(const std::vector<TopicPartition>& partitions)>;

  virtual ~TopicAdmin() = default;
  /// Creates a topic (or, with `validate_only`, only checks that it could):
  /// INVALID_TOPIC_EXCEPTION, TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS,
  /// INVALID_REPLICATION_FACTOR, INVALID_REPLICA_ASSIGNMENT or INVALID_CONFIG
  /// if not. -1 partitions or replication factor take the broker's defaults.
  virtual void CreateTopic(const CreateTopicsRequest::Topic& topic,
                           bool validate_only, Done done) = 0;
  /// What CreateTopic made of `topic` once it succeeded (or, with
  /// validate_only, would make).
  virtual CreatedTopic DescribeCreatedTopic(
      const CreateTopicsRequest::Topic& topic) const = 0;
  /// Grows a topic to `topic.count` partitions: UNKNOWN_TOPIC_OR_PARTITION,
  /// INVALID_PARTITIONS or INVALID_REPLICA_ASSIGNMENT if not.
  virtual void CreatePartitions(const CreatePartitionsRequest::Topic& topic,
                                bool validate_only, Done done) = 0;
  /// Changes a topic's configs, all or none (with `validate_only`, only
  /// checks): UNKNOWN_TOPIC_OR_PARTITION, or INVALID_CONFIG for an unknown
  /// name, an illegal value, or APPEND or SUBTRACT of a config that is not a
  /// list.
  virtual void AlterTopicConfigs(const std::string& topic,
                                 const std::vector<ConfigChange>& changes,
                                 bool validate_only, Done done) = 0;
  /// Deletes a topic, its partitions and their records:
  /// UNKNOWN_TOPIC_OR_PARTITION, or INVALID_REQUEST for an internal topic.
  virtual void DeleteTopic(const std::string& topic, Done done) = 0;
  virtual void AddPartitionsDeletedListener(
      PartitionsDeletedListener listener) = 0;
};

/// What the local topic admin needs of the broker's configuration.
struct TopicDefaults {
  NodeId broker_id = 1;
  int32_t num_partitions = 1;  ///< num.partitions
  LogConfig log;               ///< the log.* defaults
};

class LocalTopicAdmin : public TopicAdmin {
 public:
  LocalTopicAdmin(Environment& env, LogManager& logs,
                  LocalReplicaManager& replicas, TopicDefaults defaults)
      : env_(env), logs_(logs), replicas_(replicas), defaults_(defaults) {}

  void CreateTopic(const CreateTopicsRequest::Topic& topic, bool validate_only,
                   Done done) override;
  CreatedTopic DescribeCreatedTopic(
      const CreateTopicsRequest::Topic& topic) const override;
  void CreatePartitions(const CreatePartitionsRequest::Topic& topic,
                        bool validate_only, Done done) override;
  void AlterTopicConfigs(const std::string& topic,
                         const std::vector<ConfigChange>& changes,
                         bool validate_only, Done done) override;
  void DeleteTopic(const std::string& topic, Done done) override;
  void AddPartitionsDeletedListener(
      PartitionsDeletedListener listener) override;

 private:
  Status Create(const CreateTopicsRequest::Topic& topic, bool validate_only);
  /// The partitions `topic` asks for: one per assignment, or
  /// num_partitions, -1 meaning num.partitions.
  int32_t PartitionCountOf(const CreateTopicsRequest::Topic& topic) const;
  Status Grow(const CreatePartitionsRequest::Topic& topic, bool validate_only);
  Status AlterConfigs(const std::string& topic,
                      const std::vector<ConfigChange>& changes,
                      bool validate_only);
  Status Delete(const std::string& topic);
  /// The ReplicaManager leads the topic's partitions from `first` on.
  void LeadPartitionsFrom(const std::string& topic, int32_t first);

  Environment& env_;
  LogManager& logs_;
  LocalReplicaManager& replicas_;
  TopicDefaults defaults_;
  std::vector<PartitionsDeletedListener> deletion_listeners_;
};

}  // namespace kafka
