/// \file
/// The admin APIs of topics, configs and the cluster (kafka-configs.sh,
/// kafka-topics.sh --delete, the AdminClient):
///
///   DescribeConfigs (32)          versions 0 to 4 (v4 is flexible)
///   IncrementalAlterConfigs (44)  versions 0 to 1 (v1 is flexible)
///   AlterConfigs (33)             versions 0 to 2 (v2 is flexible)
///   DeleteTopics (20)             versions 0 to 6 (v4+ flexible; v6 by id)
///   DescribeCluster (60)          versions 0 to 1 (all flexible)
///
/// The structs and their codec are generated from the schemas in
/// `messages/` (Appendix B, "How messages are described").
#pragma once

#include <cstdint>

#include "lib/protocol/messages/alter_configs_request.h"
#include "lib/protocol/messages/alter_configs_response.h"
#include "lib/protocol/messages/delete_topics_request.h"
#include "lib/protocol/messages/delete_topics_response.h"
#include "lib/protocol/messages/describe_cluster_request.h"
#include "lib/protocol/messages/describe_cluster_response.h"
#include "lib/protocol/messages/describe_configs_request.h"
#include "lib/protocol/messages/describe_configs_response.h"
#include "lib/protocol/messages/incremental_alter_configs_request.h"
#include "lib/protocol/messages/incremental_alter_configs_response.h"

namespace kafka {

// Kafka's ConfigResource.Type: what a DescribeConfigs or AlterConfigs
// resource names.
inline constexpr int8_t kTopicResource = 2;
inline constexpr int8_t kBrokerResource = 4;

// Kafka's ConfigSource: where DescribeConfigs (v1+) says a value comes from.
inline constexpr int8_t kDynamicTopicConfig = 1;
inline constexpr int8_t kStaticBrokerConfig = 4;
inline constexpr int8_t kDefaultConfig = 5;

// Kafka's EndpointType: which endpoints DescribeCluster v1 asks for.
inline constexpr int8_t kBrokerEndpoints = 1;
inline constexpr int8_t kControllerEndpoints = 2;

}  // namespace kafka
