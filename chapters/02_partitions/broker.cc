#include "chapters/02_partitions/broker.h"

#include <algorithm>

namespace kafka {

std::vector<BrokerSetting> BrokerSettingsOf(const BrokerConfig& config) {
  const std::string id = std::to_string(config.node_id);
  // Kafka's defaults; a broker id and log.dirs always come from the file.
  std::vector<BrokerSetting> settings = {
      {"auto.create.topics.enable",
       config.auto_create_topics_enable ? "true" : "false", "true", "BOOLEAN"},
      {"broker.id", id, "-1", "INT"},
      {"log.dirs", config.data_dir, "", "STRING"},
      {"log.retention.check.interval.ms",
       std::to_string(config.log_retention_check_interval_ms), "300000",
       "LONG"},
      {"node.id", id, "-1", "INT"},
      {"num.partitions", std::to_string(config.num_partitions), "1", "INT"},
  };
  for (const TopicConfigDefinition& topic : TopicConfigDefinitions()) {
    settings.push_back({std::string(topic.broker_setting),
                        TopicConfigValue(config.log, topic.name),
                        TopicConfigValue(LogConfig{}, topic.name), topic.type});
  }
  std::sort(settings.begin(), settings.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  return settings;
}

void ScheduleRetentionChecks(Environment& env, LogManager& logs,
                             int64_t interval_ms) {
  env.StartTimer(interval_ms, [&env, &logs, interval_ms] {
    logs.DeleteRetentionBreachedSegments(env.NowMs());
    ScheduleRetentionChecks(env, logs, interval_ms);
  });
}

LocalBrokerComponents::LocalBrokerComponents(Environment& env,
                                             const BrokerConfig& config)
    : self_{config.node_id, config.advertised_host, config.advertised_port,
            std::nullopt},
      logs_(env.storage(), config.data_dir, config.log),
      replicas_(env, logs_),
      metadata_(self_, config.cluster_id, logs_),
      topics_(env, logs_, replicas_,
              {config.node_id, config.num_partitions, config.log}) {
  logs_.LoadLogs(env.NowMs(), env.random());
  replicas_.Startup();
  ScheduleRetentionChecks(env, logs_, config.log_retention_check_interval_ms);
}

BrokerApis::BrokerApis(BrokerApiComponents components,
                       const BrokerConfig& config)
    : partition_apis_({components.replicas, components.metadata,
                       components.topics, config.auto_create_topics_enable}),
      admin_apis_({components.metadata, components.topics, components.logs,
                   config.node_id, BrokerSettingsOf(config)}) {}

void BrokerApis::RegisterWith(RequestHandlers& handlers) {
  partition_apis_.RegisterWith(handlers);
  admin_apis_.RegisterWith(handlers);
}

//! [wiring]
void Broker::Start(Environment& env) {
  components_ = std::make_unique<LocalBrokerComponents>(env, config_);
  apis_ = std::make_unique<BrokerApis>(components_->api_components(), config_);
  apis_->RegisterWith(handlers());
}
//! [wiring]

void Broker::Stop() { components_->logs().CloseAll(); }

void Broker::AdvertisePort(int32_t port) {
  config_.advertised_port = port;
  if (components_) components_->AdvertisePort(port);
}

}  // namespace kafka
