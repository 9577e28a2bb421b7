/// \file
/// CreateTopics (api_key 19) and CreatePartitions (api_key 37): an admin
/// creates topics, and grows their partition counts.
///
/// A topic is created with a number of partitions and a replication factor
/// (or explicit replica assignments) and optional topic configs. Partitions
/// can later be added, never removed: a record's partition is chosen by a hash
/// of its key modulo the count, and removing a partition would both lose its
/// data and move keys elsewhere (INVALID_PARTITIONS). Versions: CreateTopics 0
/// to 7 (v1 adds validate_only and error messages, v2 the throttle time, v4
/// lets -1 ask for the broker's defaults, v5 is flexible and answers the
/// topic as created, with its partitions, replication factor and configs,
/// v7 its topic id), CreatePartitions 0 to 3 (v2 is flexible; v1 and v3
/// change only the errors to expect).
///
/// The structs and their codec are generated from the schemas in
/// `messages/` (Appendix B, "How messages are described").
#pragma once

#include "lib/protocol/messages/create_partitions_request.h"
#include "lib/protocol/messages/create_partitions_response.h"
#include "lib/protocol/messages/create_topics_request.h"
#include "lib/protocol/messages/create_topics_response.h"
