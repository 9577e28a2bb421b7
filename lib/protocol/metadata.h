/// \file
/// Metadata (api_key 3): which brokers exist, which topics and partitions,
/// and which broker leads each partition.
///
/// A client's first real question: it sends produce and fetch requests only
/// to partition leaders, so it must know where they are. Versions 0 to 4 are
/// implemented. v0 asks for all topics with an empty list; from v1 an empty
/// list means none and a null list means all, and the answer adds racks, the
/// controller and whether a topic is internal; v2 adds the cluster id; v3 the
/// throttle time; v4 lets the client say whether a request may create the
/// topics it names (auto.create.topics.enable).
///
/// The structs and their codec are generated from
/// `messages/MetadataRequest.json` and `messages/MetadataResponse.json`
/// (Appendix B, "How messages are described").
#pragma once

#include "lib/protocol/messages/metadata_request.h"
#include "lib/protocol/messages/metadata_response.h"
