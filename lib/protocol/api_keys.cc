#include "lib/protocol/api_keys.h"

#include <algorithm>
#include <array>

#include "lib/protocol/admin.h"
#include "lib/protocol/allocate_producer_ids.h"
#include "lib/protocol/alter_partition.h"
#include "lib/protocol/broker_lifecycle.h"
#include "lib/protocol/create_topics.h"
#include "lib/protocol/delete_records.h"
#include "lib/protocol/elect_leaders.h"
#include "lib/protocol/fetch.h"
#include "lib/protocol/groups.h"
#include "lib/protocol/init_producer_id.h"
#include "lib/protocol/list_offsets.h"
#include "lib/protocol/metadata.h"
#include "lib/protocol/offset_for_leader_epoch.h"
#include "lib/protocol/produce.h"
#include "lib/protocol/quorum.h"
#include "lib/protocol/update_metadata.h"

namespace kafka {
namespace {

// An API's versions as its request's schema (messages/*.json) gives them.
template <typename Request>
constexpr ApiInfo FromSchema(ApiKey key, std::string_view name) {
  return {key, name, Request::kMinVersion, Request::kMaxVersion,
          Request::kFirstFlexibleVersion};
}

// kafka-python guesses the broker's version from the ranges: it uses record
// batch v2 only if Metadata reaches 4 and Fetch, Produce and ListOffsets stop
// at or below 6, 7 and 4 (see WIRE_PROTOCOL.md).
constexpr std::array kKnownApis = {
    FromSchema<ProduceRequest>(ApiKey::kProduce, "Produce"),
    FromSchema<FetchRequest>(ApiKey::kFetch, "Fetch"),
    FromSchema<ListOffsetsRequest>(ApiKey::kListOffsets, "ListOffsets"),
    FromSchema<MetadataRequest>(ApiKey::kMetadata, "Metadata"),
    // Chapter 4's static controller to the brokers.
    FromSchema<UpdateMetadataRequest>(ApiKey::kUpdateMetadata,
                                      "UpdateMetadata"),
    // The group APIs: librdkafka's balanced consumer needs version 0 of each
    // in range (and OffsetCommit 1 or 2, OffsetFetch 1); kafka-python at
    // 0.11 sends JoinGroup 2, the others 1, and OffsetCommit 2.
    FromSchema<OffsetCommitRequest>(ApiKey::kOffsetCommit, "OffsetCommit"),
    FromSchema<OffsetFetchRequest>(ApiKey::kOffsetFetch, "OffsetFetch"),
    FromSchema<FindCoordinatorRequest>(ApiKey::kFindCoordinator,
                                       "FindCoordinator"),
    FromSchema<JoinGroupRequest>(ApiKey::kJoinGroup, "JoinGroup"),
    FromSchema<HeartbeatRequest>(ApiKey::kHeartbeat, "Heartbeat"),
    FromSchema<LeaveGroupRequest>(ApiKey::kLeaveGroup, "LeaveGroup"),
    FromSchema<SyncGroupRequest>(ApiKey::kSyncGroup, "SyncGroup"),
    FromSchema<DescribeGroupsRequest>(ApiKey::kDescribeGroups,
                                      "DescribeGroups"),
    FromSchema<ListGroupsRequest>(ApiKey::kListGroups, "ListGroups"),
    // librdkafka asks with v3 first; kafka-python asks with v0.
    ApiInfo{ApiKey::kApiVersions, "ApiVersions", 0, 3, 3},
    FromSchema<CreateTopicsRequest>(ApiKey::kCreateTopics, "CreateTopics"),
    FromSchema<DeleteTopicsRequest>(ApiKey::kDeleteTopics, "DeleteTopics"),
    FromSchema<DeleteRecordsRequest>(ApiKey::kDeleteRecords, "DeleteRecords"),
    // An idempotent producer's first request (Chapter 7); librdkafka asks
    // with version 3 or 4 again to recover from a sequence error (KIP-360).
    FromSchema<InitProducerIdRequest>(ApiKey::kInitProducerId,
                                      "InitProducerId"),
    FromSchema<OffsetForLeaderEpochRequest>(ApiKey::kOffsetForLeaderEpoch,
                                            "OffsetForLeaderEpoch"),
    FromSchema<DescribeConfigsRequest>(ApiKey::kDescribeConfigs,
                                       "DescribeConfigs"),
    FromSchema<AlterConfigsRequest>(ApiKey::kAlterConfigs, "AlterConfigs"),
    FromSchema<CreatePartitionsRequest>(ApiKey::kCreatePartitions,
                                        "CreatePartitions"),
    FromSchema<DeleteGroupsRequest>(ApiKey::kDeleteGroups, "DeleteGroups"),
    // An admin to the controller (Chapter 5).
    FromSchema<ElectLeadersRequest>(ApiKey::kElectLeaders, "ElectLeaders"),
    FromSchema<IncrementalAlterConfigsRequest>(ApiKey::kIncrementalAlterConfigs,
                                               "IncrementalAlterConfigs"),
    FromSchema<OffsetDeleteRequest>(ApiKey::kOffsetDelete, "OffsetDelete"),
    // KRaft, among the controllers (Chapter 5); DescribeQuorum also from an
    // admin, through a broker.
    FromSchema<VoteRequest>(ApiKey::kVote, "Vote"),
    FromSchema<BeginQuorumEpochRequest>(ApiKey::kBeginQuorumEpoch,
                                        "BeginQuorumEpoch"),
    FromSchema<EndQuorumEpochRequest>(ApiKey::kEndQuorumEpoch,
                                      "EndQuorumEpoch"),
    FromSchema<DescribeQuorumRequest>(ApiKey::kDescribeQuorum,
                                      "DescribeQuorum"),
    // A partition leader to the controller (Chapter 4's static one, then
    // Chapter 5's quorum controller).
    FromSchema<AlterPartitionRequest>(ApiKey::kAlterPartition,
                                      "AlterPartition"),
    // A KRaft follower or observer to the quorum's leader (Chapter 5).
    FromSchema<FetchSnapshotRequest>(ApiKey::kFetchSnapshot, "FetchSnapshot"),
    FromSchema<DescribeClusterRequest>(ApiKey::kDescribeCluster,
                                       "DescribeCluster"),
    // A KRaft broker to the active controller (Chapter 5).
    FromSchema<BrokerRegistrationRequest>(ApiKey::kBrokerRegistration,
                                          "BrokerRegistration"),
    FromSchema<BrokerHeartbeatRequest>(ApiKey::kBrokerHeartbeat,
                                       "BrokerHeartbeat"),
    FromSchema<AllocateProducerIdsRequest>(ApiKey::kAllocateProducerIds,
                                           "AllocateProducerIds"),
};

}  // namespace

std::span<const ApiInfo> KnownApis() { return kKnownApis; }

std::optional<ApiInfo> FindApi(int16_t api_key) {
  for (const ApiInfo& api : kKnownApis) {
    if (static_cast<int16_t>(api.key) == api_key) return api;
  }
  return std::nullopt;
}

bool CanServe(ApiSet served, int16_t api_key, int16_t api_version) {
  std::optional<ApiInfo> api = FindApi(api_key);
  if (!api ||
      std::find(served.begin(), served.end(), api->key) == served.end()) {
    return false;
  }
  return api->Supports(api_version) || api->key == ApiKey::kApiVersions;
}

}  // namespace kafka
