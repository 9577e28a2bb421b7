/// \file
/// Topic admin: creating topics and growing them.
///
/// CreateTopics, CreatePartitions and the auto-creation of a topic that a
/// Metadata request names all end here. A Kafka broker does not decide these
/// alone: it forwards them to the controller (KIP-590), which places the
/// replicas, writes the change to the metadata log, and answers once it is
/// committed; the brokers then create the partitions they were given. So the
/// interface is asynchronous, answered through a callback, and the request
/// handlers do not change when Chapter 5 swaps the local implementation for
/// a forwarding one.
///
/// Chapter 2's LocalTopicAdmin does it on this broker: the LogManager creates
/// the partitions' logs, and the ReplicaManager becomes their leader.
#pragma once

#include <functional>

#include "chapters/02_partitions/local_replica_manager.h"
#include "chapters/02_partitions/log_manager.h"
#include "lib/error.h"
#include "lib/node/node.h"
#include "lib/protocol/create_topics.h"

namespace kafka {

class TopicAdmin {
 public:
  using Done = std::function<void(Status outcome)>;

  virtual ~TopicAdmin() = default;
  /// Creates a topic (or, with `validate_only`, only checks that it could):
  /// INVALID_TOPIC_EXCEPTION, TOPIC_ALREADY_EXISTS, INVALID_PARTITIONS,
  /// INVALID_REPLICATION_FACTOR, INVALID_REPLICA_ASSIGNMENT or INVALID_CONFIG
  /// if not. -1 partitions or replication factor take the broker's defaults.
  virtual void CreateTopic(const CreateTopicsRequest::Topic& topic,
                           bool validate_only, Done done) = 0;
  /// Grows a topic to `topic.count` partitions: UNKNOWN_TOPIC_OR_PARTITION,
  /// INVALID_PARTITIONS or INVALID_REPLICA_ASSIGNMENT if not.
  virtual void CreatePartitions(const CreatePartitionsRequest::Topic& topic,
                                bool validate_only, Done done) = 0;
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
  void CreatePartitions(const CreatePartitionsRequest::Topic& topic,
                        bool validate_only, Done done) override;

 private:
  Status Create(const CreateTopicsRequest::Topic& topic, bool validate_only);
  Status Grow(const CreatePartitionsRequest::Topic& topic, bool validate_only);
  /// The ReplicaManager leads the topic's partitions from `first` on.
  void LeadPartitionsFrom(const std::string& topic, int32_t first);

  Environment& env_;
  LogManager& logs_;
  LocalReplicaManager& replicas_;
  TopicDefaults defaults_;
};

}  // namespace kafka
