/// \file
/// The request handler Chapter 4 adds beside Chapter 2's:
/// OffsetsForLeaderEpoch.
///
///   OffsetForLeaderEpoch   where did leader epoch e end in the leader's log?
///                          (api 23)
///
/// A consumer asks it after a leader change (KIP-320): it names the epoch of
/// the last record it consumed, and the new leader answers where that epoch
/// ended in its log. A position past that end was truncated away with the
/// old leader's unreplicated writes, and the consumer resets it (or raises
/// LogTruncationException) instead of reading on from a gap. Followers asked
/// it too, before KAFKA-10554 moved the question into their fetches
/// (last_fetched_epoch and DivergingEpoch).
///
/// Per partition, the answer is the ReplicaManager's (Kafka's
/// lastOffsetForLeaderEpoch): UNKNOWN_TOPIC_OR_PARTITION, or
/// NOT_LEADER_OR_FOLLOWER on a broker that does not lead it;
/// FENCED_LEADER_EPOCH or UNKNOWN_LEADER_EPOCH for a current_leader_epoch
/// older or newer than the leader's (v2+); else the largest epoch at or
/// below the one asked for and its end offset, -1 and -1 if the log has no
/// such epoch. This is the handler of Kafka's KafkaApis
/// (handleOffsetForLeaderEpochRequest).
#pragma once

#include "chapters/04_replication/replicated_replica_manager.h"
#include "lib/node/request_handlers.h"
#include "lib/protocol/offset_for_leader_epoch.h"

namespace kafka {

class ReplicationApis {
 public:
  explicit ReplicationApis(const ReplicatedReplicaManager& replicas)
      : replicas_(replicas) {}

  /// Registers the handler above.
  void RegisterWith(RequestHandlers& handlers);

 private:
  Status HandleOffsetForLeaderEpoch(const Request& request, Responder respond);

  const ReplicatedReplicaManager& replicas_;
};

}  // namespace kafka
