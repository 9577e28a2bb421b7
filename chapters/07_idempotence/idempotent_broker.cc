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

}  // namespace kafka
