/// \file
/// InitProducerId (api_key 22): a producer's first request to a broker
/// before it writes idempotently (Chapter 7) or in transactions (Chapter
/// 8): the answer is the producer id and epoch that its batches carry.
/// Versions 0 to 4; version 2 and later are flexible.
///
/// The structs and their codec are generated from the schemas in
/// `messages/` (Appendix B, "How messages are described").
#pragma once

#include "lib/protocol/messages/init_producer_id_request.h"
#include "lib/protocol/messages/init_producer_id_response.h"
