/// \file
/// Chapter 4's broker: partitions with replicas on several brokers.
///
/// Kafka's BrokerServer, at this chapter's stage. Beside Chapter 2's, the
/// components that change are:
///
///   ReplicaManager   ReplicatedReplicaManager: each partition is a leader or
///                    a follower here, with an ISR, a high watermark and
///                    leader epochs; followers fetch from their leaders
///                    (replica fetchers) and leaders send ISR changes to the
///                    controller (AlterPartitionManager)
///   MetadataCache    ControllerMetadataCache: the cluster as the controller
///                    last told it (UpdateMetadata, served by the
///                    ControllerMetadataListener, which also hands the
///                    partition states to the ReplicaManager)
///   topic admin      ForwardingTopicAdmin: creations, growths and deletions
///                    go to the controller, which places the replicas
///
/// and one more API: OffsetsForLeaderEpoch (ReplicationApis), by which a
/// consumer checks its position after a leader change. Chapter 2's request
/// handlers and Chapter 3's group coordinator are added unchanged, over
/// these components.
///
/// The controller here is Chapter 4's stand-in (StaticController): it
/// decides leaders and accepts ISR changes, but keeps its state in memory
/// and elects a new leader only when a test or the launcher says so.
/// Chapter 5 replaces it with KRaft's quorum controller and the metadata log.
#pragma once

#include <memory>

#include "chapters/02_partitions/broker.h"
#include "chapters/03_consumer_groups/group_broker.h"
#include "chapters/04_replication/controller_metadata.h"
#include "chapters/04_replication/controller_node_provider.h"
#include "chapters/04_replication/forwarding_topic_admin.h"
#include "chapters/04_replication/replicated_replica_manager.h"
#include "chapters/04_replication/replication_apis.h"

namespace kafka {

/// Chapter 4's broker's configuration, with Kafka's names.
struct ReplicatedBrokerConfig {
  BrokerConfig broker;
  /// The replica manager's settings; its broker id and data directory are
  /// the broker's (node.id, log.dirs).
  ReplicaManagerConfig replication;
  GroupCoordinatorConfig groups;
  /// The static controller's node id, and where it listens
  /// (controller.quorum.bootstrap.servers).
  NodeId controller_id = 3000;
  HostPort controller_address;
};

/// The replicated components of one broker, over a MetadataCache that
/// whoever follows the controller fills: Chapter 4's ControllerMetadataListener
/// (UpdateMetadata), Chapter 5's BrokerMetadataListener (the metadata log).
/// Each reads the controller's decisions into the cache and then Publishes
/// them here.
class ReplicatedBrokerComponents {
 public:
  /// `controller` names the node the ISR changes and the forwarded admin
  /// requests go to.
  /// `broker_epoch`: this broker's (Chapter 5's registration), for the
  /// replica manager's fetches and ISR proposals; unset, -1.
  /// `seams`: what later chapters change in the replica manager
  /// (replica_manager_seams.h); unset, Chapter 4's.
  ReplicatedBrokerComponents(Environment& env, const BrokerConfig& broker,
                             const ReplicaManagerConfig& replication,
                             MetadataCache& metadata,
                             const ControllerNodeProvider& controller,
                             BrokerEpochSupplier broker_epoch = nullptr,
                             const ReplicaManagerSeams& seams = {});

  LogManager& logs() { return logs_; }
  ReplicatedReplicaManager& replicas() { return replicas_; }
  /// What Chapter 2's request handlers and Chapter 3's coordinator call.
  BrokerApiComponents api_components() {
    return {replicas_, metadata_, topics_, logs_};
  }
  /// The controller's latest metadata, already in the cache, reaches the
  /// components (Kafka's BrokerMetadataPublisher): the replicas become
  /// leaders and followers, the logs take the topic configs, and the
  /// deletion listeners (the group coordinator) hear of deleted partitions.
  void Publish(const MetadataUpdate& update);
  void RegisterWith(RequestHandlers& handlers);
  /// A clean shutdown: the high watermarks are checkpointed, the logs closed.
  void Shutdown();

 private:
  LogManager logs_;
  MetadataCache& metadata_;
  ReplicatedReplicaManager replicas_;
  ForwardingTopicAdmin topics_;
  ReplicationApis replication_apis_;
};

class ReplicatedBroker : public BrokerNode {
 public:
  explicit ReplicatedBroker(ReplicatedBrokerConfig config);

  void Start(Environment& env) override;
  void Stop() override { components_->Shutdown(); }
  void AdvertisePort(int32_t port) override;

  const ReplicatedBrokerConfig& config() const { return config_; }
  /// The broker's replicas, for tests and tools.
  const ReplicatedReplicaManager& replicas() const {
    return components_->replicas();
  }
  const LogManager& logs() const { return components_->logs(); }
  const GroupCoordinator& coordinator() const { return groups_->coordinator(); }

 private:
  ReplicatedBrokerConfig config_;
  std::unique_ptr<ControllerMetadataCache> metadata_;
  std::unique_ptr<ReplicatedBrokerComponents> components_;
  std::unique_ptr<ControllerMetadataListener> metadata_listener_;
  std::unique_ptr<BrokerApis> broker_apis_;
  std::unique_ptr<GroupComponents> groups_;
};

}  // namespace kafka
