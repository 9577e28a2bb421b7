/// \file
/// The request handlers of Chapter 2: the APIs of topics and partitions.
///
///   Metadata           brokers, topics, partitions and their leaders, from
///                      the MetadataCache; creates a topic on first mention
///                      when auto.create.topics.enable says so
///   Produce            appends record batches through the ReplicaManager
///   Fetch              reads batches through the ReplicaManager, which may
///                      hold the request until min_bytes are there (long poll)
///   ListOffsets        earliest, latest, or the offset for a timestamp
///   CreateTopics       new topics, through the topic admin
///   CreatePartitions   more partitions for a topic (never fewer)
///   DeleteRecords      moves partitions' log start offsets up
///
/// Each handler does what Kafka's KafkaApis does for its API: decode the
/// request (a body that does not decode closes the connection), check what
/// can be checked without the partition (does it exist, is the request well
/// formed), hand the rest to a component, and encode the component's answer,
/// whenever it comes. The handlers hold no state of their own, so a later
/// chapter changes what Produce or Fetch do by giving them a different
/// ReplicaManager, never by changing them.
#pragma once

#include "chapters/02_partitions/metadata_cache.h"
#include "chapters/02_partitions/replica_manager.h"
#include "chapters/02_partitions/topic_admin.h"
#include "lib/node/request_handlers.h"

namespace kafka {

/// The components the partition APIs call.
struct PartitionApiComponents {
  ReplicaManager& replicas;
  MetadataCache& metadata;
  TopicAdmin& topics;
  bool auto_create_topics_enable = true;  ///< auto.create.topics.enable
};

class PartitionApis {
 public:
  explicit PartitionApis(PartitionApiComponents components)
      : components_(components) {}

  /// Registers a handler for each API above.
  void RegisterWith(RequestHandlers& handlers);

 private:
  Status HandleMetadata(const Request& request, Responder respond);
  Status HandleProduce(const Request& request, Responder respond);
  Status HandleFetch(const Request& request, Responder respond);
  Status HandleListOffsets(const Request& request, Responder respond);
  Status HandleCreateTopics(const Request& request, Responder respond);
  Status HandleCreatePartitions(const Request& request, Responder respond);
  Status HandleDeleteRecords(const Request& request, Responder respond);

  PartitionApiComponents components_;
};

/// Fetch v13 and later name topics by id: each topic of `request` gets its
/// name back from `metadata`, so that the ReplicaManager reads by name as
/// before. A topic whose id is unknown is taken out of the request and
/// returned, answered: UNKNOWN_TOPIC_ID for each of its partitions. Before
/// v13, nothing changes.
std::vector<FetchResponse::Topic> ResolveTopicIds(
    FetchRequest& request, int16_t version, const MetadataCache& metadata);

}  // namespace kafka
