#include "chapters/04_replication/replicated_broker.h"

namespace kafka {
namespace {

// The replica manager's settings with the broker's id and data directory.
ReplicaManagerConfig ReplicaManagerConfigOf(
    const ReplicatedBrokerConfig& config) {
  ReplicaManagerConfig replicas = config.replication;
  replicas.broker_id = config.broker.node_id;
  replicas.data_dir = config.broker.data_dir;
  return replicas;
}

}  // namespace

ReplicatedBrokerComponents::ReplicatedBrokerComponents(
    Environment& env, const ReplicatedBrokerConfig& config)
    : logs_(env.storage(), config.broker.data_dir, config.broker.log),
      metadata_(config.broker.cluster_id),
      replicas_(env, logs_, metadata_, ReplicaManagerConfigOf(config)),
      topics_(env, config.replication.controller_id),
      metadata_listener_(env, metadata_,
                         [this](const MetadataUpdate& update) {
                           replicas_.ApplyPartitionStates(update.states,
                                                          update.topic_configs);
                           topics_.PartitionsDeleted(update.deleted_partitions);
                         }),
      replication_apis_(replicas_) {
  logs_.LoadLogs(env.NowMs(), env.random());
  replicas_.Startup();
  ScheduleRetentionChecks(env, logs_,
                          config.broker.log_retention_check_interval_ms);
}

void ReplicatedBrokerComponents::RegisterWith(RequestHandlers& handlers) {
  metadata_listener_.RegisterWith(handlers);
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
  env.LearnAddress(config_.replication.controller_id,
                   config_.controller_address.host,
                   config_.controller_address.port);
  components_ = std::make_unique<ReplicatedBrokerComponents>(env, config_);
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
