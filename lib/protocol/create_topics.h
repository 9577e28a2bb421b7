/// \file
/// CreateTopics (api_key 19) and CreatePartitions (api_key 37): an admin
/// creates topics, and grows their partition counts.
///
/// A topic is created with a number of partitions and a replication factor
/// (or explicit replica assignments) and optional topic configs. Partitions
/// can later be added, never removed: a record's partition is chosen by a hash
/// of its key modulo the count, and removing a partition would both lose its
/// data and move keys elsewhere (INVALID_PARTITIONS). Versions: CreateTopics 0
/// to 2 (v1 adds validate_only and error messages, v2 the throttle time),
/// CreatePartitions 0 and 1 (v1 changes only the errors to expect).
///
/// The structs and their codec are generated from the schemas in
/// `messages/` (Appendix B, "How messages are described").
#pragma once

#include "lib/protocol/messages/create_partitions_request.h"
#include "lib/protocol/messages/create_partitions_response.h"
#include "lib/protocol/messages/create_topics_request.h"
#include "lib/protocol/messages/create_topics_response.h"
