/// \file
/// The KRaft quorum's APIs (KIP-595, KIP-630): how the controllers elect a
/// leader for the metadata log, `__cluster_metadata`, and how replicas that
/// fell behind its log start catch up from a snapshot. Kafka's raft module
/// (KafkaRaftClient) sends and answers them:
///
///   Vote (52)              version 0 (flexible): a candidate asks for votes
///   BeginQuorumEpoch (53)  version 0 (not flexible): the new leader says so
///   EndQuorumEpoch (54)    version 0 (not flexible): the leader resigns
///   DescribeQuorum (55)    versions 0 to 1 (flexible): the quorum's state,
///                          for kafka-metadata-quorum
///   FetchSnapshot (59)     version 0 (flexible): a snapshot, chunk by chunk
///
/// The log itself is replicated with Fetch (v13+, the metadata topic named by
/// its id, MetadataTopicId()), whose response's tagged diverging_epoch,
/// current_leader and snapshot_id are KRaft's. These are the versions before
/// KIP-853 (dynamic voter sets, directory ids): the voters are the static
/// controller.quorum.voters.
///
/// The structs and their codec are generated from the schemas in
/// `messages/` (Appendix B, "How messages are described").
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "lib/protocol/messages/begin_quorum_epoch_request.h"
#include "lib/protocol/messages/begin_quorum_epoch_response.h"
#include "lib/protocol/messages/describe_quorum_request.h"
#include "lib/protocol/messages/describe_quorum_response.h"
#include "lib/protocol/messages/end_quorum_epoch_request.h"
#include "lib/protocol/messages/end_quorum_epoch_response.h"
#include "lib/protocol/messages/fetch_snapshot_request.h"
#include "lib/protocol/messages/fetch_snapshot_response.h"
#include "lib/protocol/messages/vote_request.h"
#include "lib/protocol/messages/vote_response.h"
#include "lib/uuid.h"

namespace kafka {

/// The metadata log's topic and its one partition (Kafka's
/// Topic.CLUSTER_METADATA_TOPIC_NAME and ..._PARTITION).
inline constexpr char kMetadataTopicName[] = "__cluster_metadata";
inline constexpr int32_t kMetadataPartition = 0;

/// The metadata topic's id, fixed in every cluster (Kafka's
/// Uuid.METADATA_TOPIC_ID, 0..01, "AAAAAAAAAAAAAAAAAAAAAQ" in base64).
inline Uuid MetadataTopicId() {
  return Uuid(std::array<uint8_t, 16>{0, 0, 0, 0, 0, 0, 0, 0,  //
                                      0, 0, 0, 0, 0, 0, 0, 1});
}

}  // namespace kafka
