/// \file
/// InitProducerId for an idempotent producer: the broker's side of a
/// producer's first request (Kafka's KafkaApis.handleInitProducerIdRequest
/// and, for a producer without a transactional id, its
/// TransactionCoordinator.handleInitProducerId).
///
/// A producer without a transactional.id is idempotent for one session
/// only: whatever it sends, any broker answers with a fresh producer id at
/// epoch 0, from its ProducerIdManager. Nothing about the producer is kept
/// here; each partition leader learns of it from its first batch
/// (Chapter 7's ProducerStateManager). That is also the answer to a
/// producer that asks again with its old id and epoch (version 3 and
/// later, KIP-360) after a sequence error it could not resolve: a new id,
/// whose sequences start at 0 in every partition.
///
/// A transactional id needs the transaction coordinator of Chapter 8;
/// until then the answer is COORDINATOR_NOT_AVAILABLE, as FindCoordinator
/// answers for one (Chapter 3's GroupApis).
#pragma once

#include "chapters/05_controller/added_broker_component.h"
#include "chapters/07_idempotence/producer_id_manager.h"

namespace kafka {

class ProducerIdApis : public AddedBrokerComponent {
 public:
  explicit ProducerIdApis(const BrokerServices& services);

  void RegisterWith(RequestHandlers& handlers) override;
  Status HandleInitProducerId(const Request& request, Responder respond);

  const ProducerIdManager& producer_ids() const { return producer_ids_; }

 private:
  ProducerIdManager producer_ids_;
};

/// The factory KRaftBrokerConfig::added_components takes.
AddedComponentFactory MakeProducerIdApis();

}  // namespace kafka
