/// \file
/// Fetch (api_key 1): consumers (and, from Chapter 4, follower replicas) read
/// record batches from partition leaders.
///
/// A fetch names, per partition, the offset to read from and how many bytes it
/// may take; the whole request has a byte budget and a long-poll rule: answer
/// once min_bytes are available or max_wait_ms have passed. The answer carries,
/// per partition, the batches, the high watermark (the end of what consumers
/// may read) and, for read_committed consumers (Chapter 8), the last stable
/// offset and the aborted transactions. Versions 4 to 6 are implemented: v4
/// adds isolation_level, the last stable offset and aborted transactions; v5
/// adds log_start_offset; v6 changes only the errors a client may expect.
///
/// The structs and their codec are generated from the schemas in
/// `messages/` (Appendix B, "How messages are described").
#pragma once

#include <cstdint>

#include "lib/protocol/messages/fetch_request.h"
#include "lib/protocol/messages/fetch_response.h"

namespace kafka {

/// Fetch.replica_id of an ordinary consumer (brokers put their own id there).
inline constexpr int32_t kConsumerReplicaId = -1;

}  // namespace kafka
