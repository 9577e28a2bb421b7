/// \file
/// ElectLeaders (api_key 43): an admin asks the controller to elect
/// partitions' leaders (kafka-leader-election.sh, AdminClient.electLeaders;
/// KIP-183, KIP-460). Versions 0 to 2; v1 adds the election type, v2 is
/// flexible (what confluent-kafka's elect_leaders sends).
///
/// The structs and their codec are generated from the schemas in
/// `messages/` (Appendix B, "How messages are described").
#pragma once

#include <cstdint>

#include "lib/protocol/messages/elect_leaders_request.h"
#include "lib/protocol/messages/elect_leaders_response.h"

namespace kafka {

/// Kafka's ElectionType: ElectLeadersRequest.election_type.
inline constexpr int8_t kPreferredElection = 0;
inline constexpr int8_t kUncleanElection = 1;

}  // namespace kafka
