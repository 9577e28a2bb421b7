/// \file
/// A broker with a group coordinator: Chapter 2's broker plus the consumer
/// group APIs.
///
/// FindCoordinator answers with this broker (with one broker, it leads every
/// partition of __consumer_offsets); JoinGroup, SyncGroup, Heartbeat,
/// LeaveGroup, OffsetCommit and OffsetFetch go to the GroupCoordinator; every
/// other API to the Chapter 2 broker, unchanged.
#pragma once

#include <memory>
#include <vector>

#include "chapters/02_partitions/broker.h"
#include "chapters/03_consumer_groups/group_coordinator.h"

namespace kafka {

class GroupBroker : public Node {
 public:
  GroupBroker(BrokerConfig broker, GroupCoordinatorConfig groups);

  void Start(Environment& env) override;
  ApiSet ServedApis() const override;
  Status OnRequest(const Request& request, Responder respond) override;
  void Stop() override { broker_.Stop(); }

  Broker& broker() { return broker_; }
  const GroupCoordinator& coordinator() const { return *coordinator_; }

 private:
  Broker broker_;
  GroupCoordinatorConfig group_config_;
  std::unique_ptr<GroupCoordinator> coordinator_;
  std::vector<ApiKey> served_apis_;  ///< the broker's, and the group APIs
};

}  // namespace kafka
