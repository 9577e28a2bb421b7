/// \file
/// OffsetForLeaderEpoch (api_key 23): a replica or a consumer asks a leader
/// where a leader epoch ends in the leader's log.
///
/// A follower that restarts, or a consumer whose partition changed leader,
/// knows the last epoch it saw. The leader answers with the largest epoch it
/// has at or below that one and the offset where it ends; everything from
/// there on in the asker's log is not in the leader's, and is truncated
/// (KIP-101 for followers, KIP-320 for consumers, which instead report the
/// divergence). Since Fetch 12 followers learn the same from Fetch's
/// DivergingEpoch; consumers (librdkafka) still ask with this API. Versions 0
/// to 4: v2 adds current_leader_epoch (fenced as Fetch's is), v3 replica_id,
/// v4 is flexible.
///
/// The structs and their codec are generated from the schemas in
/// `messages/` (Appendix B, "How messages are described").
#pragma once

#include "lib/protocol/messages/offset_for_leader_epoch_request.h"
#include "lib/protocol/messages/offset_for_leader_epoch_response.h"
