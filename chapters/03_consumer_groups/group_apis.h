/// \file
/// The request handlers of Chapter 3: the consumer group APIs.
///
///   FindCoordinator    which broker coordinates a group: the leader of the
///                      group's partition of __consumer_offsets, from the
///                      MetadataCache (transactional ids: Chapter 8)
///   JoinGroup, SyncGroup, Heartbeat, LeaveGroup
///                      membership and rebalances, in the GroupCoordinator
///   OffsetCommit, OffsetFetch
///                      committed offsets, in the GroupCoordinator
///   ListGroups, DescribeGroups, DeleteGroups, OffsetDelete
///                      for tools (kafka-consumer-groups)
///
/// They are registered beside Chapter 2's partition APIs, in the same
/// registry, so ApiVersions advertises both and neither wraps the other.
/// A request for a group whose offsets partition this broker does not lead
/// gets NOT_COORDINATOR, and the client asks FindCoordinator again.
#pragma once

#include <functional>

#include "chapters/02_partitions/metadata_cache.h"
#include "chapters/03_consumer_groups/group_coordinator.h"
#include "lib/node/request_handlers.h"

namespace kafka {

class GroupApis {
 public:
  /// Asked to create __consumer_offsets when FindCoordinator finds it
  /// missing (Kafka's KafkaApis creates internal topics on first use).
  using OffsetsTopicCreator = std::function<void()>;

  GroupApis(GroupCoordinator& coordinator, const MetadataCache& metadata,
            OffsetsTopicCreator create_offsets_topic = {})
      : coordinator_(coordinator),
        metadata_(metadata),
        create_offsets_topic_(std::move(create_offsets_topic)) {}

  /// Registers a handler for each API above.
  void RegisterWith(RequestHandlers& handlers);

 private:
  Status HandleFindCoordinator(const Request& request, Responder respond);
  Status HandleJoinGroup(const Request& request, Responder respond);
  Status HandleSyncGroup(const Request& request, Responder respond);
  Status HandleHeartbeat(const Request& request, Responder respond);
  Status HandleLeaveGroup(const Request& request, Responder respond);
  Status HandleOffsetCommit(const Request& request, Responder respond);
  Status HandleOffsetFetch(const Request& request, Responder respond);
  Status HandleListGroups(const Request& request, Responder respond);
  Status HandleDescribeGroups(const Request& request, Responder respond);
  Status HandleDeleteGroups(const Request& request, Responder respond);
  Status HandleOffsetDelete(const Request& request, Responder respond);

  /// FindCoordinator's answer for one key of `key_type`.
  FindCoordinatorResponse::Coordinator CoordinatorFor(
      int8_t key_type, const std::string& key) const;
  /// OffsetFetch's answer for one group; NOT_COORDINATOR for a group led
  /// elsewhere.
  OffsetFetchResponse::Group FetchGroupOffsets(
      const OffsetFetchRequest::Group& group) const;

  GroupCoordinator& coordinator_;
  const MetadataCache& metadata_;
  OffsetsTopicCreator create_offsets_topic_;
};

}  // namespace kafka
