/// \file
/// Our consumer in a group: Chapter 2's consumer, with its partitions chosen
/// by the group instead of by the application.
///
/// The member asks a bootstrap server (bootstrap.servers, in the consumer's
/// config) to find the group's coordinator (FindCoordinator), which answers
/// with the coordinator's node id, host and port; it joins
/// (JoinGroup), and, if it is the leader, computes the assignment with the
/// assignor the group chose (range or roundrobin) from everyone's
/// subscriptions and the topics' partition counts (Metadata). Every member
/// then asks for its part (SyncGroup), starts each assigned partition at the
/// group's committed offset (OffsetFetch) or by auto.offset.reset, and hands
/// the partitions to the Chapter 2 consumer.
///
/// While it runs it heartbeats every heartbeat.interval.ms; an answer of
/// REBALANCE_IN_PROGRESS (or a stale generation) makes it commit and rejoin.
/// With enable.auto.commit it commits its positions every
/// auto.commit.interval.ms: a member that processed records but died before
/// the next commit leaves them to be read again by the next owner, which is
/// at-least-once delivery.
///
/// Every metadata.max.age.ms it also refreshes the metadata of the group's
/// topics. When the leader sees that one of them has more partitions than
/// when it last assigned, it rejoins: in a Stable group the leader's rejoin
/// starts a rebalance, and the new assignment covers the new partitions.
///
/// What real Kafka does differently: the Java consumer heartbeats from a
/// background thread and checks max.poll.interval.ms against poll() calls,
/// supports static membership (group.instance.id, KIP-345) and cooperative
/// rebalancing (KIP-429), and since KIP-848 a new protocol moves the
/// assignment to the broker.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chapters/02_partitions/consumer.h"
#include "chapters/03_consumer_groups/assignor.h"
#include "lib/node/node.h"
#include "lib/protocol/api_keys.h"
#include "lib/protocol/groups.h"
#include "lib/protocol/metadata.h"

namespace kafka {

struct GroupConsumerConfig {
  ConsumerConfig consumer;
  std::string group_id;
  int32_t session_timeout_ms = 45'000;     ///< session.timeout.ms
  int32_t max_poll_interval_ms = 300'000;  ///< the rebalance timeout
  int64_t heartbeat_interval_ms = 3'000;   ///< heartbeat.interval.ms
  /// partition.assignment.strategy, in order of preference.
  std::vector<std::string> assignors = {"range", "roundrobin"};
  bool enable_auto_commit = true;
  int64_t auto_commit_interval_ms = 5'000;
  int64_t metadata_max_age_ms = 300'000;  ///< metadata.max.age.ms
};

class GroupConsumer {
 public:
  GroupConsumer(Environment& env, GroupConsumerConfig config,
                Consumer::RecordsHandler on_records);

  /// Joins the group for these topics.
  void Subscribe(std::vector<std::string> topics);
  /// Commits the current positions (the next offsets to read).
  void Commit();
  /// Leaves the group at once (LeaveGroup), after a last commit.
  void Close();

  const std::vector<TopicPartition>& assignment() const { return assignment_; }
  int32_t generation() const { return generation_; }
  bool is_leader() const {
    return !member_id_.empty() && leader_ == member_id_;
  }

 private:
  void FindCoordinator();
  void JoinGroup();
  void OnJoined(const JoinGroupResponse& joined);
  void SyncGroup(std::vector<SyncGroupRequest::Assignment> assignments);
  void OnSynced(const SyncGroupResponse& synced);
  void StartFromCommittedOffsets(std::vector<TopicPartition> partitions);
  void Heartbeat();
  /// The leader's check that the topics it assigned have not grown.
  void RefreshMetadata();
  /// Partition counts by topic, from a Metadata answer.
  static std::map<std::string, int32_t> PartitionCounts(
      const MetadataResponse& response);
  void AutoCommit();
  void Rejoin();
  template <typename Message, typename Response>
  void Call(ApiKey api, int16_t version, const Message& message,
            std::function<void(Response)> on_answer);

  Environment& env_;
  GroupConsumerConfig config_;
  Consumer consumer_;
  /// -1, -2, ...: see LearnBootstrapServers.
  std::vector<NodeId> bootstrap_ids_;
  size_t next_bootstrap_ = 0;  ///< which one to ask next
  std::vector<std::string> topics_;
  std::optional<NodeId> coordinator_;
  std::string member_id_;
  std::string leader_;
  int32_t generation_ = -1;
  std::vector<TopicPartition> assignment_;
  /// The leader's: the group's topics and their partition counts, as it
  /// last assigned them.
  std::vector<std::string> group_topics_;
  std::map<std::string, int32_t> assigned_counts_;
  bool joining_ = false;
  bool closed_ = false;
};

}  // namespace kafka
