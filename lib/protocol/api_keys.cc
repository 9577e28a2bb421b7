#include "lib/protocol/api_keys.h"

#include <algorithm>
#include <array>

namespace kafka {
namespace {

// kafka-python guesses the broker's version from these ranges: it uses record
// batch v2 only if Metadata reaches 4 and Fetch, Produce and ListOffsets stop
// at or below 6, 7 and 4 (see WIRE_PROTOCOL.md).
constexpr std::array kKnownApis = {
    ApiInfo{ApiKey::kProduce, "Produce", 3, 7, 9},
    ApiInfo{ApiKey::kFetch, "Fetch", 4, 6, 12},
    ApiInfo{ApiKey::kListOffsets, "ListOffsets", 1, 2, 6},
    ApiInfo{ApiKey::kMetadata, "Metadata", 0, 4, 9},
    // The group APIs: librdkafka's balanced consumer needs version 0 of each
    // in range (and OffsetCommit 1 or 2, OffsetFetch 1); kafka-python at
    // 0.11 sends JoinGroup 2, the others 1, and OffsetCommit 2.
    ApiInfo{ApiKey::kOffsetCommit, "OffsetCommit", 2, 2, 8},
    ApiInfo{ApiKey::kOffsetFetch, "OffsetFetch", 1, 1, 6},
    ApiInfo{ApiKey::kFindCoordinator, "FindCoordinator", 0, 1, 3},
    ApiInfo{ApiKey::kJoinGroup, "JoinGroup", 0, 2, 6},
    ApiInfo{ApiKey::kHeartbeat, "Heartbeat", 0, 1, 4},
    ApiInfo{ApiKey::kLeaveGroup, "LeaveGroup", 0, 1, 4},
    ApiInfo{ApiKey::kSyncGroup, "SyncGroup", 0, 1, 4},
    ApiInfo{ApiKey::kDescribeGroups, "DescribeGroups", 0, 1, 5},
    ApiInfo{ApiKey::kListGroups, "ListGroups", 0, 1, 3},
    // librdkafka asks with v3 first; kafka-python asks with v0.
    ApiInfo{ApiKey::kApiVersions, "ApiVersions", 0, 3, 3},
    ApiInfo{ApiKey::kCreateTopics, "CreateTopics", 0, 2, 5},
    ApiInfo{ApiKey::kCreatePartitions, "CreatePartitions", 0, 1, 2},
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
