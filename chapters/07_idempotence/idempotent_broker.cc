#include "chapters/07_idempotence/idempotent_broker.h"

#include "chapters/06_acks/delayed_produce.h"
#include "chapters/07_idempotence/idempotent_producer_state.h"
#include "chapters/07_idempotence/producer_id_apis.h"

namespace kafka {

//! [wiring]
void AddIdempotence(KRaftBrokerConfig& config,
                    ProducerStateConfig producer_state) {
  config.seams.produce_acks = MakeDelayedProduceAcks();
  config.seams.producer_state = MakeIdempotentProducerState(producer_state);
  config.added_components.push_back(MakeProducerIdApis());
}
//! [wiring]

std::vector<ServerSetting> ProducerStateSettings(
    ProducerStateConfig& producer_state) {
  return {
      IntSetting("producer.id.expiration.ms",
                 producer_state.producer_id_expiration_ms, 1),
      IntSetting("producer.id.expiration.check.interval.ms",
                 producer_state.producer_id_expiration_check_interval_ms, 1),
  };
}

}  // namespace kafka
