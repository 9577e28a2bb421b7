/// \file
/// AlterPartition (api_key 56): a partition's leader asks the controller to
/// change the partition's in-sync replica set (Kafka's AlterPartitionManager
/// sends it; KIP-497).
///
/// The leader decides when a follower has fallen behind or caught up, but
/// only the controller may record the new ISR: it checks that the leader
/// still leads (its leader epoch) and that the proposal was made on the
/// current state (its partition epoch), bumps the partition epoch and tells
/// every broker. Versions 0 and 1 (flexible from 0; v1 adds the leader
/// recovery state of KIP-704), which name topics; v2 names them by id.
///
/// The structs and their codec are generated from the schemas in
/// `messages/` (Appendix B, "How messages are described").
#pragma once

#include "lib/protocol/messages/alter_partition_request.h"
#include "lib/protocol/messages/alter_partition_response.h"
