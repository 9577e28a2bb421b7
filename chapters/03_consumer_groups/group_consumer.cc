#include "chapters/03_consumer_groups/group_consumer.h"

#include <set>

#include "lib/protocol/api_keys.h"
#include "lib/protocol/groups.h"
#include "lib/protocol/message.h"
#include "lib/protocol/metadata.h"

namespace kafka {
namespace {

constexpr int16_t kFindCoordinatorVersion = 1;
constexpr int16_t kJoinGroupVersion = 2;
constexpr int16_t kSyncGroupVersion = 1;
constexpr int16_t kHeartbeatVersion = 1;
constexpr int16_t kLeaveGroupVersion = 1;
constexpr int16_t kOffsetCommitVersion = 2;
constexpr int16_t kOffsetFetchVersion = 1;
constexpr int16_t kMetadataVersion = 4;

}  // namespace

GroupConsumer::GroupConsumer(Environment& env, GroupConsumerConfig config,
                             Consumer::RecordsHandler on_records)
    : env_(env),
      config_(std::move(config)),
      consumer_(env, config_.consumer, std::move(on_records)),
      bootstrap_ids_(
          LearnBootstrapServers(env, config_.consumer.bootstrap_servers)) {}

template <typename Message, typename Response>
void GroupConsumer::Call(ApiKey api, int16_t version, const Message& message,
                         std::function<void(Response)> on_answer) {
  // FindCoordinator and Metadata go to a bootstrap server, the rest to the
  // coordinator, on a connection of their own: a Heartbeat must not wait
  // behind a Fetch the same broker holds (a long poll).
  const bool to_bootstrap =
      api == ApiKey::kFindCoordinator || api == ApiKey::kMetadata;
  const bool to_coordinator = !to_bootstrap && coordinator_;
  const NodeId to =
      to_coordinator ? *coordinator_
                     : bootstrap_ids_[next_bootstrap_ % bootstrap_ids_.size()];
  env_.Send(
      to, {int16_t(api), version, 0, config_.consumer.client_id},
      EncodeMessage(message, api, version), config_.consumer.request_timeout_ms,
      [this, api, version, to_bootstrap, on_answer](Result<Bytes> body) {
        if (closed_) return;
        Result<Response> decoded =
            body.ok() ? DecodeMessage<Response>(*body, api, version, 0,
                                                "group response")
                      : Result<Response>(body.error());
        if (!decoded.ok()) {
          // The coordinator (or the bootstrap server) is gone or garbled:
          // find it again (asking the next server), rejoin.
          if (to_bootstrap) ++next_bootstrap_;
          coordinator_.reset();
          joining_ = false;
          env_.StartTimer(config_.consumer.retry_backoff_ms,
                          [this] { Rejoin(); });
          return;
        }
        on_answer(std::move(decoded).value());
      },
      to_coordinator ? Connection::kCoordinator : Connection::kDefault);
}

void GroupConsumer::Subscribe(std::vector<std::string> topics) {
  topics_ = std::move(topics);
  Rejoin();
  // Two loops for the life of the member: heartbeats and auto-commits.
  env_.StartTimer(config_.heartbeat_interval_ms, [this] { Heartbeat(); });
  env_.StartTimer(config_.metadata_max_age_ms, [this] { RefreshMetadata(); });
  if (config_.enable_auto_commit) AutoCommit();
}

void GroupConsumer::AutoCommit() {
  if (closed_) return;
  Commit();
  env_.StartTimer(config_.auto_commit_interval_ms, [this] { AutoCommit(); });
}

void GroupConsumer::Rejoin() {
  if (joining_ || closed_) return;
  joining_ = true;
  // The old assignment ends here: stop fetching it, and commit nothing for
  // it under the coming generation.
  assignment_.clear();
  consumer_.Assign({});
  if (coordinator_) return JoinGroup();
  FindCoordinator();
}

void GroupConsumer::FindCoordinator() {
  Call<FindCoordinatorRequest, FindCoordinatorResponse>(
      ApiKey::kFindCoordinator, kFindCoordinatorVersion,
      FindCoordinatorRequest{config_.group_id, 0},
      [this](FindCoordinatorResponse found) {
        if (found.error_code != ErrorCode::kNone) {
          joining_ = false;
          env_.StartTimer(config_.consumer.retry_backoff_ms,
                          [this] { Rejoin(); });
          return;
        }
        env_.LearnAddress(found.node_id, found.host, found.port);
        coordinator_ = found.node_id;
        JoinGroup();
      });
}

//! [join group]
void GroupConsumer::JoinGroup() {
  JoinGroupRequest request;
  request.group_id = config_.group_id;
  request.session_timeout_ms = config_.session_timeout_ms;
  request.rebalance_timeout_ms = config_.max_poll_interval_ms;
  request.member_id = member_id_;
  for (const std::string& assignor : config_.assignors) {
    request.protocols.push_back({assignor, EncodeSubscription({topics_})});
  }
  Call<JoinGroupRequest, JoinGroupResponse>(
      ApiKey::kJoinGroup, kJoinGroupVersion, request,
      [this](JoinGroupResponse joined) { OnJoined(joined); });
}
//! [join group]

void GroupConsumer::OnJoined(const JoinGroupResponse& joined) {
  if (joined.error_code == ErrorCode::kUnknownMemberId) member_id_.clear();
  if (joined.error_code != ErrorCode::kNone) {
    joining_ = false;
    env_.StartTimer(config_.consumer.retry_backoff_ms, [this] { Rejoin(); });
    return;
  }
  generation_ = joined.generation_id;
  member_id_ = joined.member_id;
  leader_ = joined.leader;
  if (!is_leader()) return SyncGroup({});
  // The leader assigns: it needs every member's subscription (in the answer)
  // and the partition count of every subscribed topic (from Metadata).
  std::map<std::string, Subscription> members;
  std::set<std::string> topics;
  for (const auto& member : joined.members) {
    Result<Subscription> subscription = DecodeSubscription(member.metadata);
    if (!subscription.ok()) continue;
    members[member.member_id] = *subscription;
    topics.insert(subscription->topics.begin(), subscription->topics.end());
  }
  group_topics_.assign(topics.begin(), topics.end());
  MetadataRequest metadata = MetadataRequestFor(group_topics_);
  Call<MetadataRequest, MetadataResponse>(
      ApiKey::kMetadata, kMetadataVersion, metadata,
      [this, members,
       protocol = joined.protocol_name](MetadataResponse response) {
        assigned_counts_ = PartitionCounts(response);
        Assignment assignment =
            protocol == "roundrobin"
                ? AssignRoundRobin(members, assigned_counts_)
                : AssignRange(members, assigned_counts_);
        std::vector<SyncGroupRequest::Assignment> encoded;
        for (const auto& [id, partitions] : assignment) {
          encoded.push_back({id, EncodeAssignment(partitions)});
        }
        SyncGroup(std::move(encoded));
      });
}

void GroupConsumer::SyncGroup(
    std::vector<SyncGroupRequest::Assignment> assignments) {
  Call<SyncGroupRequest, SyncGroupResponse>(
      ApiKey::kSyncGroup, kSyncGroupVersion,
      SyncGroupRequest{.group_id = config_.group_id,
                       .generation_id = generation_,
                       .member_id = member_id_,
                       .assignments = std::move(assignments)},
      [this](SyncGroupResponse synced) { OnSynced(synced); });
}

void GroupConsumer::OnSynced(const SyncGroupResponse& synced) {
  joining_ = false;
  if (synced.error_code == ErrorCode::kUnknownMemberId) member_id_.clear();
  Result<std::vector<TopicPartition>> partitions =
      DecodeAssignment(synced.assignment);
  if (synced.error_code != ErrorCode::kNone || !partitions.ok()) {
    return Rejoin();
  }
  StartFromCommittedOffsets(*partitions);
}

//! [start from committed]
void GroupConsumer::StartFromCommittedOffsets(
    std::vector<TopicPartition> partitions) {
  assignment_ = partitions;
  OffsetFetchRequest request{config_.group_id, {}};
  auto& topics = request.topics.emplace();
  for (const TopicPartition& p : partitions) {
    if (topics.empty() || topics.back().name != p.topic) {
      topics.push_back({p.topic, {}});
    }
    topics.back().partition_indexes.push_back(p.partition);
  }
  Call<OffsetFetchRequest, OffsetFetchResponse>(
      ApiKey::kOffsetFetch, kOffsetFetchVersion, request,
      [this, partitions](OffsetFetchResponse committed) {
        for (const auto& topic : committed.topics) {
          for (const auto& p : topic.partitions) {
            // -1: nothing committed; auto.offset.reset decides.
            if (p.committed_offset >= 0) {
              consumer_.Seek({topic.name, p.partition_index},
                             p.committed_offset);
            }
          }
        }
        consumer_.Assign(partitions);
      });
}
//! [start from committed]

void GroupConsumer::Heartbeat() {
  if (closed_) return;
  env_.StartTimer(config_.heartbeat_interval_ms, [this] { Heartbeat(); });
  if (joining_ || generation_ < 0) return;
  Call<HeartbeatRequest, GroupErrorResponse>(
      ApiKey::kHeartbeat, kHeartbeatVersion,
      HeartbeatRequest{config_.group_id, generation_, member_id_},
      [this](GroupErrorResponse answer) {
        if (answer.error_code == ErrorCode::kNone) return;
        if (answer.error_code == ErrorCode::kUnknownMemberId)
          member_id_.clear();
        // The group is rebalancing: commit what was read, then rejoin.
        if (config_.enable_auto_commit) Commit();
        Rejoin();
      });
}

std::map<std::string, int32_t> GroupConsumer::PartitionCounts(
    const MetadataResponse& response) {
  std::map<std::string, int32_t> counts;
  for (const auto& topic : response.topics) {
    if (topic.error_code == ErrorCode::kNone) {
      counts[*topic.name] = int32_t(topic.partitions.size());
    }
  }
  return counts;
}

//! [refresh metadata]
void GroupConsumer::RefreshMetadata() {
  if (closed_) return;
  env_.StartTimer(config_.metadata_max_age_ms, [this] { RefreshMetadata(); });
  // Only the leader assigns, so only its view of the topics matters.
  if (joining_ || !is_leader()) return;
  MetadataRequest metadata = MetadataRequestFor(group_topics_);
  Call<MetadataRequest, MetadataResponse>(
      ApiKey::kMetadata, kMetadataVersion, metadata,
      [this](MetadataResponse response) {
        if (joining_ || PartitionCounts(response) == assigned_counts_) return;
        // A topic grew (or appeared): its new partitions belong to nobody
        // until the leader's rejoin makes the group assign again.
        if (config_.enable_auto_commit) Commit();
        Rejoin();
      });
}
//! [refresh metadata]

void GroupConsumer::Commit() {
  if (generation_ < 0 || assignment_.empty()) return;
  OffsetCommitRequest request;
  request.group_id = config_.group_id;
  request.generation_id = generation_;
  request.member_id = member_id_;
  for (const TopicPartition& p : assignment_) {
    std::optional<int64_t> position = consumer_.Position(p);
    if (!position) continue;
    if (request.topics.empty() || request.topics.back().name != p.topic) {
      request.topics.push_back({p.topic, {}});
    }
    request.topics.back().partitions.push_back(
        {.partition_index = p.partition, .committed_offset = *position});
  }
  if (request.topics.empty()) return;
  Call<OffsetCommitRequest, OffsetCommitResponse>(ApiKey::kOffsetCommit,
                                                  kOffsetCommitVersion, request,
                                                  [](OffsetCommitResponse) {});
}

void GroupConsumer::Close() {
  Commit();
  if (!member_id_.empty()) {
    Call<LeaveGroupRequest, LeaveGroupResponse>(
        ApiKey::kLeaveGroup, kLeaveGroupVersion,
        LeaveGroupRequest{config_.group_id, member_id_},
        [](LeaveGroupResponse) {});
  }
  closed_ = true;
}

}  // namespace kafka
