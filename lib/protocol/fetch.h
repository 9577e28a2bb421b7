/// \file
/// Fetch (api_key 1): consumers (and, from Chapter 4, follower replicas) read
/// record batches from partition leaders.
///
/// A fetch names, per partition, the offset to read from and how many bytes it
/// may take; the whole request has a byte budget and a long-poll rule: answer
/// once min_bytes are available or max_wait_ms have passed. The answer carries,
/// per partition, the batches, the high watermark (the end of what consumers
/// may read) and, for read_committed consumers (Chapter 8), the last stable
/// offset and the aborted transactions. Versions 4 to 14 are implemented:
/// v4 adds isolation_level, the last stable offset and aborted transactions;
/// v5 adds log_start_offset; v7 fetch sessions (KIP-227), which this broker
/// answers without (session_id 0); v9 the leader epoch the client knows
/// (current_leader_epoch, checked); v11 the consumer's rack and the preferred
/// read replica (-1: the leader); v12 is flexible, with tagged fields sent
/// only when set; v13 names topics by id (KIP-516). v6, v8, v10 and v14
/// change only what errors a client may expect. v15 moves the follower's id
/// into a tagged replica_state, with its broker epoch (KIP-903, Chapter 5).
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

/// The fetching replica's id, whichever field the version used (Kafka's
/// FetchRequest.replicaId): kConsumerReplicaId for a consumer. A sender sets
/// both replica_id and replica_state; the codec sends the version's.
inline int32_t ReplicaIdOf(const FetchRequest& request) {
  return request.replica_state.replica_id != kConsumerReplicaId
             ? request.replica_state.replica_id
             : request.replica_id;
}

}  // namespace kafka
