#include "chapters/02_partitions/broker.h"

namespace kafka {

LocalBrokerComponents::LocalBrokerComponents(Environment& env,
                                             const BrokerConfig& config)
    : env_(env),
      retention_check_interval_ms_(config.log_retention_check_interval_ms),
      self_{config.node_id, config.advertised_host, config.advertised_port,
            std::nullopt},
      logs_(env.storage(), config.data_dir, config.log),
      replicas_(env, logs_),
      metadata_(self_, config.cluster_id, logs_),
      topics_(env, logs_, replicas_,
              {config.node_id, config.num_partitions, config.log}) {
  logs_.LoadLogs(env.NowMs(), env.random());
  replicas_.Startup();
  ScheduleRetentionCheck();
}

void LocalBrokerComponents::ScheduleRetentionCheck() {
  env_.StartTimer(retention_check_interval_ms_, [this] {
    logs_.DeleteRetentionBreachedSegments(env_.NowMs());
    ScheduleRetentionCheck();
  });
}

//! [wiring]
void Broker::Start(Environment& env) {
  components_ = std::make_unique<LocalBrokerComponents>(env, config_);
  apis_ = std::make_unique<PartitionApis>(PartitionApiComponents{
      components_->replicas(), components_->metadata(), components_->topics(),
      config_.auto_create_topics_enable});
  apis_->RegisterWith(handlers());
}
//! [wiring]

void Broker::Stop() { components_->logs().CloseAll(); }

void Broker::AdvertisePort(int32_t port) {
  config_.advertised_port = port;
  if (components_) components_->AdvertisePort(port);
}

}  // namespace kafka
