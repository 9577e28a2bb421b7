/// \file
/// Chapter 3's broker: Chapter 2's components, and a group coordinator.
///
/// It starts the same one-replica components as Chapter 2's broker
/// (LocalBrokerComponents) and registers the same partition APIs, then adds
/// the GroupCoordinator and registers the group APIs beside them (GroupApis).
/// The coordinator writes offsets through the ReplicaManager and learns from
/// it which partitions of __consumer_offsets this broker leads (with one
/// broker: all of them), so Chapter 4's replicated ReplicaManager changes
/// where commits go without this chapter changing.
#pragma once

#include <memory>

#include "chapters/02_partitions/broker.h"
#include "chapters/03_consumer_groups/group_apis.h"
#include "chapters/03_consumer_groups/group_coordinator.h"
#include "lib/node/request_handlers.h"

namespace kafka {

class GroupBroker : public BrokerNode {
 public:
  GroupBroker(BrokerConfig broker, GroupCoordinatorConfig groups)
      : config_(std::move(broker)), group_config_(groups) {}

  void Start(Environment& env) override;
  void Stop() override { components_->logs().CloseAll(); }

  const GroupCoordinator& coordinator() const { return *coordinator_; }
  const BrokerConfig& config() const { return config_; }
  void AdvertisePort(int32_t port) override;

 private:
  /// The coordinator follows this broker's leadership of __consumer_offsets.
  void FollowOffsetsLeadership();
  void CreateOffsetsTopicIfMissing();

  BrokerConfig config_;
  GroupCoordinatorConfig group_config_;
  std::unique_ptr<LocalBrokerComponents> components_;
  std::unique_ptr<LocalBrokerApis> broker_apis_;
  std::unique_ptr<GroupCoordinator> coordinator_;
  std::unique_ptr<GroupApis> group_apis_;
};

}  // namespace kafka
