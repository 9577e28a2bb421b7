/// \file
/// UpdateMetadata (api_key 6): the controller tells a broker every
/// partition's state and the live brokers.
///
/// In Kafka's ZooKeeper mode the controller sent it to every broker at each
/// change, so that any broker could answer Metadata. Chapter 4's static
/// controller sends it to every broker at each change and periodically, and
/// the brokers also take their own replicas' roles from it (LeaderAndIsr's
/// job in ZooKeeper mode). Chapter 5 replaces it with the metadata log (as
/// KRaft did; Kafka 4.0 dropped this API). Version 7 only: partitions grouped
/// by topic, with topic ids; flexible.
///
/// The structs and their codec are generated from the schemas in
/// `messages/` (Appendix B, "How messages are described").
#pragma once

#include <cstdint>

#include "lib/protocol/messages/update_metadata_request.h"
#include "lib/protocol/messages/update_metadata_response.h"

namespace kafka {

/// UpdateMetadata's Endpoint.security_protocol for plain TCP (Kafka's
/// SecurityProtocol.PLAINTEXT).
inline constexpr int16_t kSecurityProtocolPlaintext = 0;

}  // namespace kafka
