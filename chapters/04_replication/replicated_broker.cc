#include "chapters/04_replication/replicated_broker.h"

namespace kafka {
namespace {

// The replica manager's settings with the broker's id and data directory.
ReplicaManagerConfig ReplicaManagerConfigOf(
    const BrokerConfig& broker, const ReplicaManagerConfig& replication) {
  ReplicaManagerConfig replicas = replication;
  replicas.broker_id = broker.node_id;
  replicas.data_dir = broker.data_dir;
  return replicas;
}

}  // namespace

ReplicatedBrokerComponents::ReplicatedBrokerComponents(
    Environment& env, const BrokerConfig& broker,
    const ReplicaManagerConfig& replication, MetadataCache& metadata,
    const ControllerNodeProvider& controller, BrokerEpochSupplier broker_epoch,
    const ReplicaManagerSeams& seams)
    : logs_(env.storage(), broker.data_dir, broker.log),
      metadata_(metadata),
      replicas_(env, logs_, metadata_,
                ReplicaManagerConfigOf(broker, replication), controller,
                std::move(broker_epoch), seams),
      topics_(env, controller),
      replication_apis_(replicas_) {
  logs_.LoadLogs(env.NowMs(), env.random());
  replicas_.Startup();
  ScheduleRetentionChecks(env, logs_, broker.log_retention_check_interval_ms);
}

void ReplicatedBrokerComponents::Publish(const MetadataUpdate& update) {
  replicas_.ApplyPartitionStates(update.states, update.topic_configs);
  topics_.PartitionsDeleted(update.deleted_partitions);
}

void ReplicatedBrokerComponents::RegisterWith(RequestHandlers& handlers) {
  replication_apis_.RegisterWith(handlers);
}

void ReplicatedBrokerComponents::Shutdown() {
  replicas_.Shutdown();
  logs_.CloseAll();
}

ReplicatedBroker::ReplicatedBroker(ReplicatedBrokerConfig config)
    : config_(std::move(config)) {}

//! [wiring]
void ReplicatedBroker::Start(Environment& env) {
  env.LearnAddress(config_.controller_id, config_.controller_address.host,
                   config_.controller_address.port);
  metadata_ =
      std::make_unique<ControllerMetadataCache>(config_.broker.cluster_id);
  components_ = std::make_unique<ReplicatedBrokerComponents>(
      env, config_.broker, config_.replication, *metadata_,
      FixedControllerNode(config_.controller_id));
  metadata_listener_ = std::make_unique<ControllerMetadataListener>(
      env, *metadata_,
      [this](const MetadataUpdate& update) { components_->Publish(update); });
  metadata_listener_->RegisterWith(handlers());
  components_->RegisterWith(handlers());
  broker_apis_ = std::make_unique<BrokerApis>(components_->api_components(),
                                              config_.broker);
  broker_apis_->RegisterWith(handlers());
  groups_ = std::make_unique<GroupComponents>(
      env, components_->api_components(), config_.groups);
  groups_->RegisterWith(handlers());
}
//! [wiring]

void ReplicatedBroker::AdvertisePort(int32_t port) {
  // Metadata names the brokers as the controller knows them; this is only
  // what the broker was configured with.
  config_.broker.advertised_port = port;
}

}  // namespace kafka
