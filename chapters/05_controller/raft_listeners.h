/// \file
/// Several listeners of one Raft client: a combined node's controller and
/// broker both follow the same metadata log.
///
/// KafkaRaftClient tells one RaftListener; Kafka's tells every listener
/// registered (the controller's and the broker's MetadataLoader in a
/// combined node). RaftListeners is that list: each event goes to every
/// listener, in the order given (the controller first, so that the broker
/// half, which may send it requests, sees a controller that has already
/// taken in the same batch).
#pragma once

#include <vector>

#include "chapters/05_controller/raft/raft_client.h"

namespace kafka {

class RaftListeners : public RaftListener {
 public:
  explicit RaftListeners(std::vector<RaftListener*> listeners)
      : listeners_(std::move(listeners)) {}

  void HandleCommit(const CommittedBatch& batch) override {
    for (RaftListener* listener : listeners_) listener->HandleCommit(batch);
  }
  void HandleLoadSnapshot(int64_t end_offset, int32_t epoch,
                          const std::vector<Bytes>& records) override {
    for (RaftListener* listener : listeners_) {
      listener->HandleLoadSnapshot(end_offset, epoch, records);
    }
  }
  void HandleLeaderChange(const LeaderAndEpoch& leader) override {
    for (RaftListener* listener : listeners_) {
      listener->HandleLeaderChange(leader);
    }
  }

 private:
  std::vector<RaftListener*> listeners_;
};

}  // namespace kafka
