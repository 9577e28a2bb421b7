// A voters-only (and observers) quorum in the simulator, for the Raft
// layer's tests: each node a RaftTestNode hosting one KafkaRaftClient with a
// RecordingListener, and RaftCluster to run them and look inside.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "chapters/05_controller/raft/kafka_raft_client.h"
#include "lib/node/request_handlers.h"
#include "lib/sim/simulation.h"

namespace kafka::raft_test {

inline Bytes Value(const std::string& text) {
  return Bytes(text.begin(), text.end());
}
inline std::string Text(const Bytes& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

/// What every node of a run committed, and who led each epoch: shared by
/// all nodes and incarnations, so a test can check the quorum as a whole.
struct QuorumHistory {
  std::map<int64_t, std::string> committed;     ///< offset -> value
  std::map<int32_t, std::set<NodeId>> leaders;  ///< epoch -> who led it
  std::vector<std::string> violations;
};

/// One incarnation's listener: what it was told, in order.
class RecordingListener : public RaftListener {
 public:
  RecordingListener(NodeId node, QuorumHistory* history,
                    const KafkaRaftClient* raft)
      : node_(node), history_(history), raft_(raft) {}

  void HandleCommit(const CommittedBatch& batch) override {
    commits.push_back(batch);
    high_watermark_at_commit.push_back(raft_->high_watermark().value_or(-1));
    int64_t offset = batch.base_offset;
    for (const Bytes& record : batch.records) {
      values.push_back(Text(record));
      auto [it, fresh] = history_->committed.emplace(offset, Text(record));
      if (!fresh && it->second != Text(record)) {
        history_->violations.push_back(
            "node " + std::to_string(node_) + " committed \"" + Text(record) +
            "\" at offset " + std::to_string(offset) + ", where \"" +
            it->second + "\" was committed");
      }
      ++offset;
    }
  }
  void HandleLoadSnapshot(int64_t end_offset, int32_t epoch,
                          const std::vector<Bytes>& records) override {
    snapshots.push_back({end_offset, epoch});
    values.clear();
    for (const Bytes& record : records) values.push_back(Text(record));
  }
  void HandleLeaderChange(const LeaderAndEpoch& leader) override {
    leader_changes.push_back(leader);
    if (leader.leader) history_->leaders[leader.epoch].insert(*leader.leader);
  }

  std::vector<CommittedBatch> commits;
  std::vector<int64_t> high_watermark_at_commit;
  std::vector<std::string> values;  ///< the state: snapshot, then commits
  std::vector<SnapshotId> snapshots;
  std::vector<LeaderAndEpoch> leader_changes;

 private:
  NodeId node_;
  QuorumHistory* history_;
  const KafkaRaftClient* raft_;
};

class RaftTestNode : public ServingNode {
 public:
  RaftTestNode(RaftConfig config, QuorumHistory* history)
      : config_(std::move(config)), history_(history) {}

  void Start(Environment& env) override {
    raft_ = std::make_unique<KafkaRaftClient>(env, config_);
    listener_ = std::make_unique<RecordingListener>(config_.node_id, history_,
                                                    raft_.get());
    raft_->Register(listener_.get());
    raft_->RegisterWith(handlers());
    raft_->Start();
  }

  KafkaRaftClient& raft() { return *raft_; }
  RecordingListener& listener() { return *listener_; }

 private:
  RaftConfig config_;
  QuorumHistory* history_;
  std::unique_ptr<KafkaRaftClient> raft_;
  std::unique_ptr<RecordingListener> listener_;
};

/// Voters 1..n (and observers after them) on one simulation.
class RaftCluster {
 public:
  RaftCluster(uint64_t seed, int voters, int observers = 0,
              RaftConfig base = {})
      : sim_(seed) {
    for (NodeId id = 1; id <= voters; ++id) {
      base.voters[id] = Simulation::DefaultAddress(id);
    }
    for (NodeId id = 1; id <= voters + observers; ++id) {
      RaftConfig config = base;
      config.node_id = id;
      config.data_dir = "/data";
      config.cluster_id = "raft-test-cluster";
      ids_.push_back(id);
      sim_.AddNode(id, [config, this] {
        return std::make_unique<RaftTestNode>(config, &history_);
      });
    }
  }

  Simulation& sim() { return sim_; }
  QuorumHistory& history() { return history_; }
  const std::vector<NodeId>& ids() const { return ids_; }
  RaftTestNode& node(NodeId id) { return sim_.node<RaftTestNode>(id); }
  KafkaRaftClient& raft(NodeId id) { return node(id).raft(); }

  /// The node that leads the largest epoch any node is Leader in.
  std::optional<NodeId> leader() {
    std::optional<NodeId> found;
    int32_t epoch = -1;
    for (NodeId id : ids_) {
      if (!sim_.is_up(id) || raft(id).state() != RaftState::kLeader) continue;
      if (raft(id).epoch() > epoch) {
        epoch = raft(id).epoch();
        found = id;
      }
    }
    return found;
  }
  /// Runs until a leader is elected whose epoch every node in `among` knows
  /// it in (default: every node up).
  std::optional<NodeId> RunUntilLeader(int64_t max_ms = 30000,
                                       std::vector<NodeId> among = {}) {
    if (among.empty()) {
      for (NodeId id : ids_) {
        if (sim_.is_up(id)) among.push_back(id);
      }
    }
    sim_.RunUntil(
        [&] {
          std::optional<NodeId> found = leader();
          if (!found) return false;
          for (NodeId id : among) {
            if (!sim_.is_up(id) || raft(id).leader_and_epoch() !=
                                       raft(*found).leader_and_epoch()) {
              return false;
            }
          }
          return true;
        },
        max_ms);
    return leader();
  }
  /// Appends one record per value on the leader, a batch each.
  void Append(NodeId leader, const std::vector<std::string>& values) {
    for (const std::string& value : values) {
      Result<int64_t> appended =
          raft(leader).Append(raft(leader).epoch(), {Value(value)});
      (void)appended;
    }
  }
  /// How many `api` requests node `from` sent to node `to` so far.
  int RequestsSent(NodeId from, NodeId to, ApiKey api) const {
    int count = 0;
    for (const TraceEvent& event : sim_.trace()) {
      count += event.kind == TraceEvent::Kind::kSend && event.from == from &&
               event.to == to && !event.message.is_response &&
               event.message.api_key == int16_t(api);
    }
    return count;
  }
  /// Runs until node `id` has committed `count` values (or max_ms pass).
  bool RunUntilCommitted(NodeId id, size_t count, int64_t max_ms = 10000) {
    return sim_.RunUntil(
        [&] {
          return sim_.is_up(id) && node(id).listener().values.size() >= count;
        },
        max_ms);
  }

 private:
  Simulation sim_;
  QuorumHistory history_;
  std::vector<NodeId> ids_;
};

}  // namespace kafka::raft_test
