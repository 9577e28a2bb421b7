/// \file
/// What Chapter 7's programs add to Chapter 5's KRaft node: its broker
/// keeps each partition's producer state and hands out producer ids
/// (AddIdempotence), and the programs read producer.id.expiration.ms and
/// its check interval with Chapter 5's settings.
#pragma once

#include "chapters/05_controller/server/kraft_server.h"
#include "chapters/07_idempotence/idempotent_broker.h"

namespace kafka {

/// The broker additions, with the settings stored in `producer_state`
/// (which outlives the program's run).
inline BrokerAdditions IdempotenceAdditions(
    ProducerStateConfig& producer_state) {
  return {.settings = ProducerStateSettings(producer_state),
          .configure = [&producer_state](KRaftBrokerConfig& broker) {
            AddIdempotence(broker, producer_state);
          }};
}

}  // namespace kafka
