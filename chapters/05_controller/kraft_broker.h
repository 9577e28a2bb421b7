/// \file
/// Chapter 5's broker: a broker of a KRaft cluster (Kafka's BrokerServer).
///
/// Beside Chapter 4's broker, what changes is where the controller's
/// decisions come from and where the broker's requests to the controller
/// go:
///
///   metadata log      a KafkaRaftClient, as an observer of the quorum: it
///                     fetches the metadata log from the quorum's leader,
///                     never votes, and hands each committed batch to the
///                     BrokerMetadataListener, which replays it into the
///                     MetadataImage and publishes Chapter 4's
///                     MetadataUpdate to the ReplicaManager and the group
///                     coordinator (UpdateMetadata is gone)
///   MetadataCache     KRaftMetadataCache: the image, as Metadata answers it
///   the controller    the quorum's leader, as the observer knows it (the
///                     active controller): the ISR changes, the forwarded
///                     admin requests, ElectLeaders and DescribeQuorum, and
///                     the lifecycle's requests all go to it
///   lifecycle         BrokerLifecycleManager: registration, heartbeats,
///                     fencing, controlled shutdown
///
/// Chapter 4's replicated components (ReplicatedBrokerComponents), Chapter
/// 2's request handlers and Chapter 3's group coordinator are wired as in
/// Chapter 4's broker, unchanged.
///
/// A combined node (process.roles=broker,controller; Kafka's combined
/// mode) is this broker and a controller in one node, with one node id and
/// one listener. Its KafkaRaftClient is then a voter, and both halves
/// listen to it: the QuorumController first, then the broker's
/// BrokerMetadataListener (RaftListeners). Requests are routed by what
/// they are for:
///
///   Fetch of __cluster_metadata        the Raft layer (another voter's or
///                                      an observer's fetch)
///   Vote, BeginQuorumEpoch,            the controller half: the APIs only
///   EndQuorumEpoch, FetchSnapshot,     it serves
///   BrokerRegistration,
///   BrokerHeartbeat, AlterPartition,
///   AllocateProducerIds
///   everything else                    the broker half, as on a broker:
///                                      CreateTopics, ElectLeaders and
///                                      DescribeQuorum are forwarded to the
///                                      active controller
///
/// and what the broker half sends to the active controller when that is
/// this node goes to the controller half in-process (LoopbackEnvironment).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "chapters/02_partitions/broker.h"
#include "chapters/03_consumer_groups/group_broker.h"
#include "chapters/04_replication/replicated_broker.h"
#include "chapters/05_controller/added_broker_component.h"
#include "chapters/05_controller/broker_lifecycle_manager.h"
#include "chapters/05_controller/broker_metadata_listener.h"
#include "chapters/05_controller/controller/controller_server.h"
#include "chapters/05_controller/controller/quorum_controller.h"
#include "chapters/05_controller/controller_api_forwarder.h"
#include "chapters/05_controller/kraft_metadata_cache.h"
#include "chapters/05_controller/loopback_environment.h"
#include "chapters/05_controller/raft/kafka_raft_client.h"
#include "chapters/05_controller/raft/raft_config.h"
#include "chapters/05_controller/raft_listeners.h"
#include "lib/node/request_handlers.h"

namespace kafka {

/// Chapter 5's broker's configuration, with Kafka's names.
struct KRaftBrokerConfig {
  BrokerConfig broker;
  /// The replica manager's settings; its broker id and data directory are
  /// the broker's (node.id, log.dirs).
  ReplicaManagerConfig replication;
  GroupCoordinatorConfig groups;
  /// The quorum: controller.quorum.voters and the Raft timeouts. Its
  /// node_id is the broker's; its data_dir is metadata.log.dir (the
  /// broker's data directory if empty).
  RaftConfig raft;
  BrokerLifecycleConfig lifecycle;
  /// What later chapters change in the replica manager: Chapter 6's
  /// delayed produce (MakeDelayedProduceAcks), Chapter 7's producer state;
  /// unset, Chapter 4's.
  ReplicaManagerSeams seams;
  /// The components later chapters add beside this broker's, each with
  /// APIs of its own (added_broker_component.h): Chapter 7's producer ids.
  std::vector<AddedComponentFactory> added_components;
};

class KRaftBroker : public BrokerNode {
 public:
  explicit KRaftBroker(KRaftBrokerConfig config);
  /// A combined node: this broker and a controller with `controller`'s
  /// settings (its node id is the broker's, and must be a voter).
  KRaftBroker(KRaftBrokerConfig config, ControllerServerConfig controller);

  void Start(Environment& env) override;
  /// A combined node sends a Fetch of __cluster_metadata to its Raft
  /// layer; everything else goes through the registry.
  Status OnRequest(const Request& request, Responder respond) override;
  void Stop() override;
  void AdvertisePort(int32_t port) override;

  /// A controlled shutdown: the controller moves this broker's leaderships
  /// away first; `on_done` is called when it may stop.
  void BeginControlledShutdown(std::function<void()> on_done);

  /// Whether the controller has unfenced this broker (it may lead and be
  /// in ISRs): a program says it listens only then.
  bool is_unfenced() const;

  const KRaftBrokerConfig& config() const { return config_; }
  // The broker's parts, for tests and tools.
  const ReplicatedReplicaManager& replicas() const {
    return components_->replicas();
  }
  const LogManager& logs() const { return components_->logs(); }
  const GroupCoordinator& coordinator() const { return groups_->coordinator(); }
  const KafkaRaftClient& raft() const { return *raft_; }
  const MetadataImage& image() const { return metadata_listener_->image(); }
  const KRaftMetadataCache& metadata() const { return *metadata_; }
  const BrokerMetadataListener& metadata_listener() const {
    return *metadata_listener_;
  }
  const BrokerLifecycleManager& lifecycle() const { return *lifecycle_; }
  /// A combined node's controller half; nullptr on a broker.
  const QuorumController* quorum_controller() const {
    return quorum_controller_.get();
  }

 private:
  /// The raft leader as this node knows it: the active controller.
  ControllerNodeProvider ActiveController() const;
  /// Chapter 4's components, Chapter 2's handlers, Chapter 3's coordinator,
  /// the forwarded controller APIs, the lifecycle manager and the added
  /// components, over the metadata listener's image; `env` is a combined
  /// node's loopback one.
  void StartBrokerHalf(Environment& env);
  /// The components of config_.added_components, with their APIs.
  void StartAddedComponents(Environment& env);
  /// A combined node's controller half, listening to the Raft client with
  /// the broker's listener; its APIs go to controller_handlers_.
  void StartControllerHalf(Environment& env);
  /// The controller half's APIs that the broker half lacks (the Raft ones,
  /// BrokerRegistration, AlterPartition, ...) join the node's registry, so
  /// that ApiVersions advertises them; they are served by the controller
  /// half's.
  void RegisterControllerOnlyApis();

  KRaftBrokerConfig config_;
  std::optional<ControllerServerConfig> controller_config_;
  std::unique_ptr<KafkaRaftClient> raft_;
  std::unique_ptr<BrokerMetadataListener> metadata_listener_;
  std::unique_ptr<KRaftMetadataCache> metadata_;
  std::unique_ptr<ReplicatedBrokerComponents> components_;
  std::unique_ptr<BrokerLifecycleManager> lifecycle_;
  std::unique_ptr<ControllerApiForwarder> controller_apis_;
  std::unique_ptr<BrokerApis> broker_apis_;
  std::unique_ptr<GroupComponents> groups_;
  std::vector<std::unique_ptr<AddedBrokerComponent>> added_components_;
  // A combined node's controller half.
  std::unique_ptr<QuorumController> quorum_controller_;
  std::unique_ptr<RaftListeners> raft_listeners_;
  RequestHandlers controller_handlers_;
  std::unique_ptr<LoopbackEnvironment> loopback_;
};

}  // namespace kafka
