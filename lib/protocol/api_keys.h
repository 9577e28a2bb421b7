/// \file
/// The table of Kafka APIs this project's codec speaks, and the versions of
/// each.
///
/// Every request starts with an api_key (which API: Produce is 0, Fetch 1,
/// ApiVersions 18, ...) and an api_version. A client first asks a broker which
/// APIs and versions it serves, with ApiVersions, then uses, for each API, the
/// highest version both sides support. The table grows chapter by chapter;
/// each API's versions come from its request's schema (messages/*.json),
/// except ApiVersions', whose codec is written by hand.
/// Each node serves only some of these APIs (Node::ServedApis) and advertises
/// only those: a broker must never advertise what it does not implement, or a
/// client will use it.
///
/// Each API also has a first "flexible" version (KIP-482), from which its
/// messages use compact strings and arrays and carry tagged fields, and its
/// headers gain a tagged-field section too.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace kafka {

/// Kafka's numbers for its APIs (ApiKeys.java).
enum class ApiKey : int16_t {
  kProduce = 0,
  kFetch = 1,
  kListOffsets = 2,
  kMetadata = 3,
  kUpdateMetadata = 6,
  kOffsetCommit = 8,
  kOffsetFetch = 9,
  kFindCoordinator = 10,
  kJoinGroup = 11,
  kHeartbeat = 12,
  kLeaveGroup = 13,
  kSyncGroup = 14,
  kDescribeGroups = 15,
  kListGroups = 16,
  kApiVersions = 18,
  kCreateTopics = 19,
  kDeleteTopics = 20,
  kDeleteRecords = 21,
  kInitProducerId = 22,
  kOffsetForLeaderEpoch = 23,
  kDescribeConfigs = 32,
  kAlterConfigs = 33,
  kCreatePartitions = 37,
  kDeleteGroups = 42,
  kElectLeaders = 43,
  kIncrementalAlterConfigs = 44,
  kOffsetDelete = 47,
  kVote = 52,
  kBeginQuorumEpoch = 53,
  kEndQuorumEpoch = 54,
  kDescribeQuorum = 55,
  kAlterPartition = 56,
  kFetchSnapshot = 59,
  kDescribeCluster = 60,
  kBrokerRegistration = 62,
  kBrokerHeartbeat = 63,
  kAllocateProducerIds = 67,
};

/// One API: its name, the versions this project implements, and the first
/// version that is flexible in Kafka's schema.
struct ApiInfo {
  ApiKey key;
  std::string_view name;
  int16_t min_version;
  int16_t max_version;
  int16_t first_flexible_version;

  bool Supports(int16_t version) const {
    return version >= min_version && version <= max_version;
  }
  bool IsFlexible(int16_t version) const {
    return version >= first_flexible_version;
  }
};

/// Every API the codec implements, in api_key order.
std::span<const ApiInfo> KnownApis();

/// The APIs one node serves.
using ApiSet = std::span<const ApiKey>;

/// The entry for a raw api_key from the wire, if this project knows it.
std::optional<ApiInfo> FindApi(int16_t api_key);

/// Whether a node serving `served` can answer a request of this API and
/// version: one it serves at a version the codec implements, or an ApiVersions
/// request of any version (answered with UNSUPPORTED_VERSION if need be).
/// Kafka closes the connection on anything else: it cannot parse the body.
bool CanServe(ApiSet served, int16_t api_key, int16_t api_version);

}  // namespace kafka
