#include "chapters/05_controller/controller/partition_change_builder.h"

#include <algorithm>

#include "lib/lab.h"

namespace kafka {
namespace {

bool Contains(const std::vector<NodeId>& ids, NodeId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

//! [online election]
NodeId ElectOnlineLeader(const PartitionState& partition,
                         const std::vector<NodeId>& isr,
                         const IsAcceptableLeader& is_acceptable) {
  // BEGIN LAB lab05_controller ElectOnlineLeader
  // HINT: A valid leader is in `isr` and acceptable (is_acceptable: active,
  // HINT: neither fenced nor shutting down). The current leader, if valid,
  // HINT: stays. Otherwise the first valid replica in assignment order
  // HINT: (partition.replicas, not the ISR's order); none: -1.
  const auto valid = [&](NodeId replica) {
    return Contains(isr, replica) && is_acceptable(replica);
  };
  // A leader that may stay, stays: moving leadership costs the clients a
  // round of NOT_LEADER_OR_FOLLOWER and a metadata refresh.
  if (partition.leader != -1 && valid(partition.leader)) {
    return partition.leader;
  }
  for (NodeId replica : partition.replicas) {
    if (valid(replica)) return replica;
  }
  return -1;
  // END LAB
}
//! [online election]

PartitionChangeBuilder::PartitionChangeBuilder(
    const PartitionRegistration& partition,
    IsAcceptableLeader is_acceptable_leader)
    : partition_(partition),
      is_acceptable_leader_(std::move(is_acceptable_leader)) {}

PartitionChangeBuilder& PartitionChangeBuilder::SetElection(Election election) {
  election_ = election;
  return *this;
}

PartitionChangeBuilder& PartitionChangeBuilder::SetTargetIsr(
    std::vector<NodeId> isr) {
  target_isr_ = std::move(isr);
  return *this;
}

PartitionChangeBuilder& PartitionChangeBuilder::SetTargetLeaderRecoveryState(
    LeaderRecoveryState state) {
  target_recovery_state_ = state;
  return *this;
}

bool PartitionChangeBuilder::IsValidLeader(
    NodeId replica, const std::vector<NodeId>& isr) const {
  return Contains(isr, replica) && is_acceptable_leader_(replica);
}

//! [target isr]
std::vector<NodeId> PartitionChangeBuilder::TargetIsr() const {
  if (!target_isr_) return partition_.state.isr;
  // With ELR off the last member stays: it alone is known to hold every
  // committed record, so the partition waits for it rather than forget it.
  if (target_isr_->empty()) return partition_.state.isr;
  return *target_isr_;
}
//! [target isr]

//! [elect]
PartitionChangeBuilder::ElectionResult PartitionChangeBuilder::Elect(
    const std::vector<NodeId>& isr) const {
  const PartitionState& state = partition_.state;
  if (election_ == Election::kPreferred && !state.replicas.empty() &&
      IsValidLeader(state.replicas[0], isr)) {
    return {state.replicas[0], false};
  }
  const NodeId online = ElectOnlineLeader(state, isr, is_acceptable_leader_);
  if (online != -1 || election_ != Election::kUnclean) return {online, false};
  for (NodeId replica : state.replicas) {
    if (is_acceptable_leader_(replica)) return {replica, true};
  }
  return {-1, false};
}
//! [elect]

std::optional<PartitionChangeRecord> PartitionChangeBuilder::Build() const {
  const PartitionState& state = partition_.state;
  PartitionChangeRecord record{.partition_id = state.partition.partition,
                               .topic_id = state.topic_id};
  std::vector<NodeId> isr = TargetIsr();
  LeaderRecoveryState recovery =
      target_recovery_state_.value_or(partition_.leader_recovery_state);
  const ElectionResult elected = Elect(isr);
  if (elected.leader != state.leader) {
    record.leader = elected.leader;
    if (elected.unclean) {
      isr = {elected.leader};
      recovery = LeaderRecoveryState::kRecovering;
    }
  }
  if (isr != state.isr) record.isr = isr;
  if (recovery != partition_.leader_recovery_state) {
    record.leader_recovery_state = int8_t(recovery);
  }
  const bool changed =
      record.leader != kNoLeaderChange || record.isr ||
      record.leader_recovery_state != kNoLeaderRecoveryStateChange;
  if (!changed) return std::nullopt;
  return record;
}

}  // namespace kafka
