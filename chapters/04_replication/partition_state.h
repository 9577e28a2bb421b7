/// \file
/// A partition's replication state as the controller decides it: who holds
/// replicas, who is in sync, who leads, and in which epochs.
///
/// Kafka's controller keeps one such record per partition (LeaderAndIsr, and
/// in KRaft PartitionRegistration) and tells every broker of it. Two epochs
/// count its changes: the leader epoch rises with each new leader, and the
/// partition epoch with any change at all (a new leader or a new ISR). A
/// broker that proposes an ISR change (AlterPartition) names the partition
/// epoch it saw, so the controller refuses a proposal made on stale state.
///
/// Chapter 4's static controller stand-in writes these records, and each
/// topic's configs, and pushes them to the brokers; Chapter 5's controller
/// writes them to the metadata log, and the brokers read them from it. The
/// brokers' side is the same.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "chapters/02_partitions/log_manager.h"
#include "lib/node/node.h"
#include "lib/uuid.h"

namespace kafka {

/// One partition's replicas, ISR, leader and epochs (Kafka's
/// PartitionRegistration).
struct PartitionState {
  TopicPartition partition;
  Uuid topic_id;
  /// The assigned replicas, the preferred leader first.
  std::vector<NodeId> replicas;
  /// The in-sync replicas: those the high watermark waits for.
  std::vector<NodeId> isr;
  NodeId leader = -1;  ///< -1: no leader (all replicas offline)
  int32_t leader_epoch = 0;
  /// Kafka's partitionEpoch (zkVersion before KRaft).
  int32_t partition_epoch = 0;

  bool operator==(const PartitionState&) const = default;
};

/// The configs set for each topic (its overrides of the brokers' defaults),
/// by topic name, as the controller keeps them (Kafka's ConfigRecords).
using TopicConfigsByTopic = std::map<std::string, TopicConfigOverrides>;

}  // namespace kafka
