/// \file
/// The replica manager's and the fetchers' settings, by Kafka's names
/// (ReplicationConfigs), for the programs of a broker with replicas:
/// Chapter 4's broker_main and Chapter 5's KRaft nodes.
///
///   replica.lag.time.max.ms                        a follower this far
///                                                  behind leaves the ISR
///   replica.high.watermark.checkpoint.interval.ms  how often the HWs are
///                                                  written
///   replica.fetch.wait.max.ms, replica.fetch.min.bytes,
///   replica.fetch.max.bytes, replica.fetch.response.max.bytes,
///   replica.fetch.backoff.ms                       the followers' Fetch
///   replica.socket.timeout.ms                      a follower's request
///                                                  timeout
///
/// Values are read with Kafka's types and bounds; where Kafka checks no
/// bound, a negative time or size is refused here.
#pragma once

#include <vector>

#include "chapters/02_partitions/server_properties.h"
#include "chapters/04_replication/replicated_replica_manager.h"

namespace kafka {

/// The settings above, stored in `replicas` (which outlives them).
std::vector<ServerSetting> ReplicationSettings(ReplicaManagerConfig& replicas);

}  // namespace kafka
