/// \file
/// Chapter 3's broker: Chapter 2's components, and a group coordinator.
///
/// It starts the same one-replica components as Chapter 2's broker
/// (LocalBrokerComponents) and registers the same partition APIs, then adds
/// the group coordinator and registers the group APIs beside them
/// (GroupComponents). The coordinator writes offsets through the
/// ReplicaManager and learns from it which partitions of __consumer_offsets
/// this broker leads (with one broker: all of them), so Chapter 4's
/// replicated ReplicaManager changes where commits go without this chapter
/// changing: Chapter 4's broker adds the same GroupComponents to its own.
#pragma once

#include <memory>

#include "chapters/02_partitions/broker.h"
#include "chapters/03_consumer_groups/group_apis.h"
#include "chapters/03_consumer_groups/group_coordinator.h"
#include "lib/node/request_handlers.h"

namespace kafka {

/// The group coordinator and the group APIs, wired to a broker's components
/// as Kafka's BrokerServer wires them: the coordinator follows this broker's
/// leadership of __consumer_offsets' partitions, forgets the offsets of
/// deleted partitions, and the offsets topic is created if it is missing.
class GroupComponents {
 public:
  GroupComponents(Environment& env, BrokerApiComponents broker,
                  GroupCoordinatorConfig config);

  void RegisterWith(RequestHandlers& handlers) { apis_.RegisterWith(handlers); }
  const GroupCoordinator& coordinator() const { return coordinator_; }

 private:
  void FollowOffsetsLeadership(ReplicaManager& replicas);
  void CreateOffsetsTopicIfMissing(MetadataCache& metadata, TopicAdmin& topics);

  GroupCoordinator coordinator_;
  GroupApis apis_;
};

class GroupBroker : public BrokerNode {
 public:
  GroupBroker(BrokerConfig broker, GroupCoordinatorConfig groups)
      : config_(std::move(broker)), group_config_(groups) {}

  void Start(Environment& env) override;
  void Stop() override { components_->logs().CloseAll(); }

  const GroupCoordinator& coordinator() const { return groups_->coordinator(); }
  const BrokerConfig& config() const { return config_; }
  void AdvertisePort(int32_t port) override;

 private:
  BrokerConfig config_;
  GroupCoordinatorConfig group_config_;
  std::unique_ptr<LocalBrokerComponents> components_;
  std::unique_ptr<BrokerApis> broker_apis_;
  std::unique_ptr<GroupComponents> groups_;
};

}  // namespace kafka
