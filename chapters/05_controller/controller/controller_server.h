/// \file
/// The controller node: one voter of the metadata quorum with the quorum
/// controller on top (Kafka's ControllerServer, a process with
/// process.roles=controller).
///
/// It is a KafkaRaftClient, which replicates the metadata log with the other
/// voters and serves the brokers' fetches of it, and a QuorumController,
/// which listens to that log and, while its node leads the quorum, takes the
/// brokers' and the admin clients' requests. One registry of handlers serves
/// both, and ApiVersions advertises them all. A combined node
/// (process.roles=broker,controller) is built from the same parts.
#pragma once

#include <memory>

#include "chapters/05_controller/controller/quorum_controller.h"
#include "chapters/05_controller/raft/kafka_raft_client.h"
#include "chapters/05_controller/raft/raft_config.h"
#include "lib/node/request_handlers.h"

namespace kafka {

struct ControllerServerConfig {
  /// The node's id and cluster id are the raft config's; the controller
  /// takes them from it.
  RaftConfig raft;
  QuorumControllerConfig controller;
};

class ControllerServer : public ServingNode {
 public:
  explicit ControllerServer(ControllerServerConfig config);

  void Start(Environment& env) override;

  KafkaRaftClient& raft() { return *raft_; }
  QuorumController& controller() { return *controller_; }

 private:
  ControllerServerConfig config_;
  std::unique_ptr<KafkaRaftClient> raft_;
  std::unique_ptr<QuorumController> controller_;
};

}  // namespace kafka
