/// \file
/// Metadata (api_key 3): which brokers exist, which topics and partitions,
/// and which broker leads each partition.
///
/// A client's first real question: it sends produce and fetch requests only
/// to partition leaders, so it must know where they are. Versions 0 to 12
/// are implemented. v0 asks for all topics with an empty list; from v1 an
/// empty list means none and a null list means all, and the answer adds
/// racks, the controller and whether a topic is internal; v2 adds the
/// cluster id; v3 the throttle time; v4 lets the client say whether a
/// request may create the topics it names (auto.create.topics.enable); v5
/// lists offline replicas; v7 each partition's leader epoch; v8 the
/// authorized operations, if asked for; v9 is flexible (KIP-482); v10 gives
/// each topic its id (KIP-516); v11 leaves out the cluster's authorized
/// operations; v12 may ask about topics by id alone.
///
/// The structs and their codec are generated from
/// `messages/MetadataRequest.json` and `messages/MetadataResponse.json`
/// (Appendix B, "How messages are described").
#pragma once

#include <string>
#include <vector>

#include "lib/protocol/messages/metadata_request.h"
#include "lib/protocol/messages/metadata_response.h"

namespace kafka {

/// A request about the topics `names`, by name (as clients ask until they
/// know the topics' ids).
inline MetadataRequest MetadataRequestFor(
    const std::vector<std::string>& names) {
  MetadataRequest request;
  request.topics.emplace();
  for (const std::string& name : names)
    request.topics->push_back({.name = name});
  return request;
}

}  // namespace kafka
