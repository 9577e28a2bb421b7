#include "chapters/03_consumer_groups/group_broker.h"

namespace kafka {

//! [wiring]
void GroupBroker::Start(Environment& env) {
  components_ = std::make_unique<LocalBrokerComponents>(env, config_);
  broker_apis_ = std::make_unique<LocalBrokerApis>(*components_, config_);
  broker_apis_->RegisterWith(handlers());

  coordinator_ = std::make_unique<GroupCoordinator>(
      env, components_->replicas(), group_config_);
  FollowOffsetsLeadership();
  components_->topics().AddPartitionsDeletedListener(
      [this](const std::vector<TopicPartition>& partitions) {
        coordinator_->OnPartitionsDeleted(partitions);
      });
  CreateOffsetsTopicIfMissing();
  group_apis_ =
      std::make_unique<GroupApis>(*coordinator_, components_->metadata());
  group_apis_->RegisterWith(handlers());
}
//! [wiring]

void GroupBroker::FollowOffsetsLeadership() {
  components_->replicas().AddLeadershipListener(
      [this](const TopicPartition& partition, bool is_leader) {
        if (partition.topic != kOffsetsTopic) return;
        if (is_leader) {
          coordinator_->OnElection(partition.partition);
        } else {
          coordinator_->OnResignation(partition.partition);
        }
      });
}

void GroupBroker::CreateOffsetsTopicIfMissing() {
  if (components_->metadata().TopicPartitions(kOffsetsTopic)) return;
  components_->topics().CreateTopic(
      {.name = kOffsetsTopic,
       .num_partitions = group_config_.offsets_topic_num_partitions,
       .configs = coordinator_->OffsetsTopicConfigs()},
      /*validate_only=*/false, [](Status) {});
}

void GroupBroker::AdvertisePort(int32_t port) {
  config_.advertised_port = port;
  if (components_) components_->AdvertisePort(port);
}

}  // namespace kafka
