#include "chapters/05_controller/controller/controller_server.h"

namespace kafka {

ControllerServer::ControllerServer(ControllerServerConfig config)
    : config_(std::move(config)) {
  config_.controller.node_id = config_.raft.node_id;
  config_.controller.cluster_id = config_.raft.cluster_id;
}

//! [controller server]
void ControllerServer::Start(Environment& env) {
  raft_ = std::make_unique<KafkaRaftClient>(env, config_.raft);
  controller_ =
      std::make_unique<QuorumController>(env, config_.controller, *raft_);
  // The controller listens before the log is opened: the snapshot and the
  // committed records reach it from the start.
  raft_->Register(controller_.get());
  raft_->RegisterWith(handlers());
  controller_->RegisterWith(handlers());
  raft_->Start();
}
//! [controller server]

}  // namespace kafka
