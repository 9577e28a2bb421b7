/// \file
/// A RaftClient for the controller's tests: it takes what it is given to
/// append, and commits it when the test says, so that a test can look at a
/// controller between its decision and the quorum's commit.
///
/// It numbers offsets as KafkaRaftClient does: a new leader's epoch begins
/// with a LeaderChange control record, which takes an offset and is not
/// passed to the listener; a lost leadership drops what was not committed.
#pragma once

#include <deque>
#include <vector>

#include "chapters/05_controller/raft/raft_client.h"

namespace kafka {

class FakeRaftClient : public RaftClient {
 public:
  explicit FakeRaftClient(NodeId self) : self_(self) {}

  struct Snapshot {
    int64_t end_offset;
    int32_t epoch;
    std::vector<Bytes> records;
  };

  void Register(RaftListener* listener) override { listener_ = listener; }
  LeaderAndEpoch leader_and_epoch() const override { return leader_; }

  Result<int64_t> Append(int32_t epoch, std::vector<Bytes> records) override {
    if (leader_.leader != self_ || epoch != leader_.epoch) {
      return Error{ErrorCode::kNotLeaderOrFollower, "not the leader"};
    }
    return AppendBatch(std::move(records));
  }
  std::optional<int64_t> high_watermark() const override {
    return committed_end_;
  }
  void CreateSnapshot(int64_t end_offset, int32_t epoch,
                      std::vector<Bytes> records) override {
    snapshots_.push_back({end_offset, epoch, std::move(records)});
  }
  void Resign(int32_t epoch) override { resigned_epochs_.push_back(epoch); }

  // ---- What the test does

  /// A new epoch led by `leader` (nullopt: unknown): the uncommitted tail is
  /// lost unless this node keeps leading, and the listener hears of it.
  void ChangeLeader(std::optional<NodeId> leader, int32_t epoch) {
    if (leader != self_) {
      pending_.clear();
      end_offset_ = committed_end_;
    }
    leader_ = {leader, epoch};
    if (leader) ++end_offset_;  // the LeaderChange control record
    listener_->HandleLeaderChange(leader_);
  }
  /// Another leader's batch, committed at once (a standby replays it).
  void CommitFromElsewhere(std::vector<Bytes> records) {
    AppendBatch(std::move(records));
    CommitAll();
  }
  /// Commits the oldest batch not yet committed; false if there is none.
  bool CommitNext() {
    if (pending_.empty()) return false;
    CommittedBatch batch = std::move(pending_.front());
    pending_.pop_front();
    committed_end_ = batch.last_offset + 1;
    committed_.push_back(batch);
    listener_->HandleCommit(batch);
    return true;
  }
  /// Commits everything, including what the listener appends meanwhile.
  void CommitAll() {
    while (CommitNext()) {
    }
  }

  size_t pending_batches() const { return pending_.size(); }
  const std::vector<CommittedBatch>& committed() const { return committed_; }
  const std::vector<Snapshot>& snapshots() const { return snapshots_; }
  const std::vector<int32_t>& resigned_epochs() const {
    return resigned_epochs_;
  }

 private:
  int64_t AppendBatch(std::vector<Bytes> records) {
    const int64_t base = end_offset_;
    end_offset_ += int64_t(records.size());
    pending_.push_back(
        {base, end_offset_ - 1, leader_.epoch, 0, std::move(records)});
    return end_offset_ - 1;
  }

  NodeId self_;
  RaftListener* listener_ = nullptr;
  LeaderAndEpoch leader_;
  int64_t end_offset_ = 0;
  int64_t committed_end_ = 0;
  std::deque<CommittedBatch> pending_;
  std::vector<CommittedBatch> committed_;
  std::vector<Snapshot> snapshots_;
  std::vector<int32_t> resigned_epochs_;
};

}  // namespace kafka
