/// \file
/// AlterPartition (api_key 56): a partition's leader asks the controller to
/// change the partition's in-sync replica set (Kafka's AlterPartitionManager
/// sends it; KIP-497).
///
/// The leader decides when a follower has fallen behind or caught up, but
/// only the controller may record the new ISR: it checks that the leader
/// still leads (its leader epoch) and that the proposal was made on the
/// current state (its partition epoch), bumps the partition epoch and tells
/// every broker. Versions 0 to 3 (flexible from 0): v1 adds the leader
/// recovery state of KIP-704; v2 names topics by id; v3 names each proposed
/// member with the broker epoch it fetched with (KIP-903), and the
/// controller refuses a member whose epoch is not its registration's.
///
/// The structs and their codec are generated from the schemas in
/// `messages/` (Appendix B, "How messages are described").
#pragma once

#include <cstdint>
#include <vector>

#include "lib/protocol/messages/alter_partition_request.h"
#include "lib/protocol/messages/alter_partition_response.h"

namespace kafka {

/// The proposed ISR with broker epochs: v3's new_isr_with_epochs, or, before
/// v3, new_isr's brokers with epoch -1 (not checked).
inline std::vector<AlterPartitionRequest::BrokerState> ProposedIsrWithEpochs(
    const AlterPartitionRequest::Partition& proposal) {
  if (!proposal.new_isr_with_epochs.empty()) {
    return proposal.new_isr_with_epochs;
  }
  std::vector<AlterPartitionRequest::BrokerState> members;
  for (int32_t broker : proposal.new_isr) members.push_back({broker, -1});
  return members;
}

/// The proposed ISR's broker ids, whichever field the version used.
inline std::vector<int32_t> ProposedIsr(
    const AlterPartitionRequest::Partition& proposal) {
  std::vector<int32_t> isr;
  for (const auto& member : ProposedIsrWithEpochs(proposal)) {
    isr.push_back(member.broker_id);
  }
  return isr;
}

}  // namespace kafka
