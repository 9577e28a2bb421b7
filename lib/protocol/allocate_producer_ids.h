/// \file
/// AllocateProducerIds (api_key 67): a broker asks the controller for a block
/// of producer ids (KIP-730; Kafka's RPCProducerIdManager sends it, the
/// controller's ProducerIdControlManager answers, writing a
/// ProducerIdsRecord). Version 0, flexible. Chapter 7's idempotent producers
/// draw from the block.
///
/// The structs and their codec are generated from the schemas in
/// `messages/` (Appendix B, "How messages are described").
#pragma once

#include "lib/protocol/messages/allocate_producer_ids_request.h"
#include "lib/protocol/messages/allocate_producer_ids_response.h"
