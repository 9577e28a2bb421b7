/// \file
/// Produce (api_key 0): a producer hands record batches to partition leaders.
///
/// One request carries batches for many partitions of many topics, and says
/// how durable the write must be before the answer (`acks`: 0 no answer at
/// all, 1 the leader's log, -1 every in-sync replica, Chapter 6). The answer
/// gives, per partition, an error code and the offset the leader assigned to
/// the first record. Versions 3 to 9 are implemented: v3 is the first with
/// record batch v2 and a transactional_id; v5 adds log_start_offset to the
/// answer; v8 the records that made validation refuse a batch
/// (record_errors) and a message; v9 is flexible; v4, v6 and v7 change only
/// what errors a client may expect.
///
/// The structs and their codec are generated from the schemas in
/// `messages/` (Appendix B, "How messages are described").
#pragma once

#include "lib/protocol/messages/produce_request.h"
#include "lib/protocol/messages/produce_response.h"
