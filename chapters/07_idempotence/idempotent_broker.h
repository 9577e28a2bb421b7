/// \file
/// Chapter 7's broker: Chapter 5's KRaft broker with Chapter 6's acks and
/// the two things idempotence adds to it (the place a reader compares
/// from one chapter to the next):
///
///   producer state   each partition's ProducerStateManager, kept with its
///                    log (ReplicaManagerSeams::producer_state): the
///                    duplicate and sequence checks before a client's
///                    batch is appended
///   producer ids     InitProducerId, answered from blocks of ids the
///                    controller hands out (an added component)
#pragma once

#include <vector>

#include "chapters/02_partitions/server_properties.h"
#include "chapters/05_controller/kraft_broker.h"
#include "chapters/07_idempotence/producer_state_manager.h"

namespace kafka {

/// Fills `config`'s seams and added components with Chapter 6's and
/// Chapter 7's, with producer.id.expiration.ms and its check interval from
/// `producer_state`.
void AddIdempotence(KRaftBrokerConfig& config,
                    ProducerStateConfig producer_state = {});

/// The programs' settings for it, by Kafka's names and types (Kafka's
/// TransactionLogConfigs), stored in `producer_state` (which outlives them):
///
///   producer.id.expiration.ms                 how long a producer may be
///                                             idle before a partition
///                                             forgets it (1 day)
///   producer.id.expiration.check.interval.ms  how often partitions look
///                                             (10 minutes)
std::vector<ServerSetting> ProducerStateSettings(
    ProducerStateConfig& producer_state);

}  // namespace kafka
