#include "chapters/03_consumer_groups/group_broker.h"

namespace kafka {

GroupComponents::GroupComponents(Environment& env, BrokerApiComponents broker,
                                 GroupCoordinatorConfig config)
    : coordinator_(env, broker.replicas, config),
      apis_(coordinator_, broker.metadata, [this, broker] {
        CreateOffsetsTopicIfMissing(broker.metadata, broker.topics);
      }) {
  FollowOffsetsLeadership(broker.replicas);
  broker.topics.AddPartitionsDeletedListener(
      [this](const std::vector<TopicPartition>& partitions) {
        coordinator_.OnPartitionsDeleted(partitions);
      });
  CreateOffsetsTopicIfMissing(broker.metadata, broker.topics);
}

void GroupComponents::FollowOffsetsLeadership(ReplicaManager& replicas) {
  replicas.AddLeadershipListener(
      [this](const TopicPartition& partition, bool is_leader) {
        if (partition.topic != kOffsetsTopic) return;
        if (is_leader) {
          coordinator_.OnElection(partition.partition);
        } else {
          coordinator_.OnResignation(partition.partition);
        }
      });
}

void GroupComponents::CreateOffsetsTopicIfMissing(MetadataCache& metadata,
                                                  TopicAdmin& topics) {
  if (metadata.TopicPartitions(kOffsetsTopic)) return;
  topics.CreateTopic(
      {.name = kOffsetsTopic,
       .num_partitions = coordinator_.config().offsets_topic_num_partitions,
       .replication_factor =
           coordinator_.config().offsets_topic_replication_factor,
       .configs = coordinator_.OffsetsTopicConfigs()},
      /*validate_only=*/false, [](Status) {});
}

//! [wiring]
void GroupBroker::Start(Environment& env) {
  components_ = std::make_unique<LocalBrokerComponents>(env, config_);
  broker_apis_ =
      std::make_unique<BrokerApis>(components_->api_components(), config_);
  broker_apis_->RegisterWith(handlers());
  groups_ = std::make_unique<GroupComponents>(
      env, components_->api_components(), group_config_);
  groups_->RegisterWith(handlers());
}
//! [wiring]

void GroupBroker::AdvertisePort(int32_t port) {
  config_.advertised_port = port;
  if (components_) components_->AdvertisePort(port);
}

}  // namespace kafka
