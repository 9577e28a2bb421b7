/// \file
/// Kafka's PartitionChangeBuilder: from a partition's state and what should
/// change (a new ISR, brokers gone, an election asked for), the
/// PartitionChangeRecord that makes the change, or none if nothing changes.
///
/// Every change of a partition's leader or ISR that the controller makes
/// goes through here, so the election rules are in one place
/// (ReplicationControlManager asks it when a broker is fenced, unfenced or
/// shuts down, for AlterPartition, ElectLeaders and the leader rebalance):
///
///   - ONLINE keeps the current leader while it is valid (in the ISR and
///     active), else elects the first replica, in assignment order, that is.
///   - PREFERRED elects replicas[0] if it is valid; if not, it falls back as
///     ONLINE does.
///   - UNCLEAN elects as ONLINE does; if no replica of the ISR can lead, the
///     first active replica leads, the ISR becomes that leader alone, and the
///     leader is RECOVERING (KIP-704) until it says it recovered. What the
///     old ISR had beyond its log is lost (unclean.leader.election.enable).
///   - The ISR never becomes empty: with eligible leader replicas off
///     (KIP-966), removing its last member keeps that member, and the
///     partition has no leader (-1) until the member is back.
///
/// The record carries no epochs: applying it raises them
/// (MetadataImage::Apply, Kafka's PartitionRegistration.merge).
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "chapters/05_controller/controller/metadata_image.h"
#include "chapters/05_controller/controller/metadata_records.h"

namespace kafka {

/// Kafka's PartitionChangeBuilder.Election.
enum class Election { kPreferred, kOnline, kUnclean };

/// Whether a broker may lead now: registered, unfenced, not shutting down
/// (MetadataImage::IsActive).
using IsAcceptableLeader = std::function<bool(NodeId)>;

/// The ONLINE rule: the current leader if it is in `isr` and acceptable,
/// else the first replica, in assignment order, that is; -1 if none is.
NodeId ElectOnlineLeader(const PartitionState& partition,
                         const std::vector<NodeId>& isr,
                         const IsAcceptableLeader& is_acceptable);

class PartitionChangeBuilder {
 public:
  PartitionChangeBuilder(const PartitionRegistration& partition,
                         IsAcceptableLeader is_acceptable_leader);

  PartitionChangeBuilder& SetElection(Election election);
  /// The ISR wanted (an AlterPartition's, or the ISR without a broker that
  /// leaves it); the leader is elected from it.
  PartitionChangeBuilder& SetTargetIsr(std::vector<NodeId> isr);
  PartitionChangeBuilder& SetTargetLeaderRecoveryState(
      LeaderRecoveryState state);

  /// The change, or nullopt if the partition would stay as it is.
  std::optional<PartitionChangeRecord> Build() const;

 private:
  struct ElectionResult {
    NodeId leader = -1;
    bool unclean = false;
  };
  ElectionResult Elect(const std::vector<NodeId>& isr) const;
  /// In `isr` and acceptable.
  bool IsValidLeader(NodeId replica, const std::vector<NodeId>& isr) const;
  /// The target ISR, but never empty.
  std::vector<NodeId> TargetIsr() const;

  PartitionRegistration partition_;
  IsAcceptableLeader is_acceptable_leader_;
  Election election_ = Election::kOnline;
  std::optional<std::vector<NodeId>> target_isr_;
  std::optional<LeaderRecoveryState> target_recovery_state_;
};

}  // namespace kafka
