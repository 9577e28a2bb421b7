/// \file
/// Partition assignors: how a group's leader splits partitions among members.
///
/// The coordinator does not assign partitions; the group's leader (a client)
/// does, with an assignor every member supports, and sends the result in its
/// SyncGroup. Members describe what they want in JoinGroup with Kafka's
/// "consumer" protocol: a subscription (the topics) per assignor; the leader
/// answers with an assignment (topics and partitions) per member. Both are
/// encoded as ConsumerProtocolSubscription / ConsumerProtocolAssignment v0.
///
///   range       per topic, partitions split into contiguous ranges, members
///               in member-id order, the first ones getting one more
///   roundrobin  every partition of every topic, dealt out in turn to the
///               members subscribed to its topic
///
/// With more members than partitions, some members get nothing: the seed's
/// "consumer parallelism" gotcha (three consumers, two partitions: one idle).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "chapters/02_partitions/log_manager.h"
#include "lib/bytes.h"
#include "lib/error.h"

namespace kafka {

/// What one member asks for.
struct Subscription {
  std::vector<std::string> topics;
};

/// member id → its partitions.
using Assignment = std::map<std::string, std::vector<TopicPartition>>;

Bytes EncodeSubscription(const Subscription& subscription);
Result<Subscription> DecodeSubscription(ByteView bytes);
Bytes EncodeAssignment(const std::vector<TopicPartition>& partitions);
Result<std::vector<TopicPartition>> DecodeAssignment(ByteView bytes);

/// `members`: member id → subscription; `partition_counts`: topic → count.
Assignment AssignRange(const std::map<std::string, Subscription>& members,
                       const std::map<std::string, int32_t>& partition_counts);
Assignment AssignRoundRobin(
    const std::map<std::string, Subscription>& members,
    const std::map<std::string, int32_t>& partition_counts);

}  // namespace kafka
