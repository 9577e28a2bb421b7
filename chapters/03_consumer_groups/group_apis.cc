#include "chapters/03_consumer_groups/group_apis.h"

#include "lib/protocol/message.h"

namespace kafka {
namespace {

// Every partition of a commit gets `error`.
template <typename Response, typename Request>
Response EveryPartitionFails(const Request& request, ErrorCode error) {
  Response response;
  for (const auto& topic : request.topics) {
    auto& answer = response.topics.emplace_back();
    answer.name = topic.name;
    for (const auto& p : topic.partitions) {
      answer.partitions.push_back({p.partition_index, error});
    }
  }
  return response;
}

// FindCoordinator's key_type (Kafka's CoordinatorType).
constexpr int8_t kGroupKeyType = 0;
constexpr int8_t kTransactionKeyType = 1;

// OffsetFetch versions 0-7 ask for one group in fields of their own;
// version 8 asks for a list of groups. The coordinator answers one group
// at a time, in version 8's form.
OffsetFetchRequest::Group OnlyGroupOf(const OffsetFetchRequest& request) {
  OffsetFetchRequest::Group group{.group_id = request.group_id};
  if (!request.topics) return group;  // null: every committed partition
  group.topics.emplace();
  for (const auto& topic : *request.topics) {
    group.topics->push_back({topic.name, topic.partition_indexes});
  }
  return group;
}

// One group's answer in the form of versions 0-7.
std::vector<OffsetFetchResponse::Topic> TopicsOf(
    const OffsetFetchResponse::Group& group) {
  std::vector<OffsetFetchResponse::Topic> topics;
  for (const auto& topic : group.topics) {
    auto& out = topics.emplace_back(OffsetFetchResponse::Topic{topic.name, {}});
    for (const auto& p : topic.partitions) {
      out.partitions.push_back({p.partition_index, p.committed_offset,
                                p.committed_leader_epoch, p.metadata,
                                p.error_code});
    }
  }
  return topics;
}

// Versions 0 and 1 have no group-level error: each partition asked for
// carries it, as Kafka's OffsetFetchRequest.getErrorResponse does.
std::vector<OffsetFetchResponse::Topic> ErrorOnEveryPartition(
    const OffsetFetchRequest& request, ErrorCode error) {
  std::vector<OffsetFetchResponse::Topic> topics;
  for (const auto& topic : *request.topics) {  // never null before v2
    auto& out = topics.emplace_back(OffsetFetchResponse::Topic{topic.name, {}});
    for (int32_t p : topic.partition_indexes) {
      out.partitions.push_back({.partition_index = p, .error_code = error});
    }
  }
  return topics;
}

}  // namespace

void GroupApis::RegisterWith(RequestHandlers& handlers) {
  handlers.Register(ApiKey::kOffsetCommit,
                    HandlerOf(this, &GroupApis::HandleOffsetCommit));
  handlers.Register(ApiKey::kOffsetFetch,
                    HandlerOf(this, &GroupApis::HandleOffsetFetch));
  handlers.Register(ApiKey::kFindCoordinator,
                    HandlerOf(this, &GroupApis::HandleFindCoordinator));
  handlers.Register(ApiKey::kJoinGroup,
                    HandlerOf(this, &GroupApis::HandleJoinGroup));
  handlers.Register(ApiKey::kHeartbeat,
                    HandlerOf(this, &GroupApis::HandleHeartbeat));
  handlers.Register(ApiKey::kLeaveGroup,
                    HandlerOf(this, &GroupApis::HandleLeaveGroup));
  handlers.Register(ApiKey::kSyncGroup,
                    HandlerOf(this, &GroupApis::HandleSyncGroup));
  handlers.Register(ApiKey::kDescribeGroups,
                    HandlerOf(this, &GroupApis::HandleDescribeGroups));
  handlers.Register(ApiKey::kListGroups,
                    HandlerOf(this, &GroupApis::HandleListGroups));
  handlers.Register(ApiKey::kDeleteGroups,
                    HandlerOf(this, &GroupApis::HandleDeleteGroups));
  handlers.Register(ApiKey::kOffsetDelete,
                    HandlerOf(this, &GroupApis::HandleOffsetDelete));
}

//! [find coordinator]
Status GroupApis::HandleFindCoordinator(const Request& request,
                                        Responder respond) {
  auto decoded = DecodeRequestBody<FindCoordinatorRequest>(request);
  if (!decoded.ok()) return decoded.status();
  FindCoordinatorResponse response;
  if (request.header.api_version >= 4) {
    // Several keys at once (KIP-699), each answered on its own.
    for (const std::string& key : decoded->coordinator_keys) {
      response.coordinators.push_back(CoordinatorFor(decoded->key_type, key));
    }
  } else {
    const auto found = CoordinatorFor(decoded->key_type, decoded->key);
    response.error_code = found.error_code;
    response.node_id = found.node_id;
    response.host = found.host;
    response.port = found.port;
  }
  respond(EncodeResponseBody(response, request.header));
  return Status();
}

FindCoordinatorResponse::Coordinator GroupApis::CoordinatorFor(
    int8_t key_type, const std::string& key) const {
  // On error the node is "no node": id -1, host "", port -1.
  FindCoordinatorResponse::Coordinator found{.key = key};
  if (key_type == kTransactionKeyType) {
    // No transaction coordinator until Chapter 8: Kafka's answer while
    // __transaction_state has no leader, and the producer retries.
    found.error_code = ErrorCode::kCoordinatorNotAvailable;
    return found;
  }
  if (key_type != kGroupKeyType) {
    found.error_code = ErrorCode::kInvalidRequest;
    return found;
  }
  // The coordinator is the leader of the group's offsets partition; until
  // the offsets topic exists there is none, and the client asks again.
  if (!metadata_.TopicPartitions(kOffsetsTopic) && create_offsets_topic_) {
    create_offsets_topic_();
  }
  const auto partition = metadata_.GetPartition(
      {kOffsetsTopic, coordinator_.OffsetsPartitionFor(key)});
  const auto broker =
      partition ? metadata_.GetBroker(partition->leader) : std::nullopt;
  if (!broker) {
    found.error_code = ErrorCode::kCoordinatorNotAvailable;
    return found;
  }
  found.node_id = broker->id;
  found.host = broker->host;
  found.port = broker->port;
  return found;
}
//! [find coordinator]

Status GroupApis::HandleJoinGroup(const Request& request, Responder respond) {
  auto decoded = DecodeRequestBody<JoinGroupRequest>(request);
  if (!decoded.ok()) return decoded.status();
  auto answer = [respond, header = request.header](JoinGroupResponse r) {
    respond(EncodeResponseBody(r, header));
  };
  if (!coordinator_.IsCoordinatorFor(decoded->group_id)) {
    answer({.error_code = ErrorCode::kNotCoordinator,
            .member_id = decoded->member_id});
    return Status();
  }
  const int16_t version = request.header.api_version;
  // Kafka's GroupCoordinatorAdapter: what this version of the API asks for.
  // (A static member's first join needs no second round: its instance id
  // already names it.)
  const JoinRules rules{
      .require_known_member_id = version >= 4 && !decoded->group_instance_id,
      .supports_skip_assignment = version >= 9};
  // The answer may come much later, when the generation completes.
  coordinator_.Join(*decoded, request.header.client_id.value_or("client"),
                    answer, rules);
  return Status();
}

Status GroupApis::HandleSyncGroup(const Request& request, Responder respond) {
  auto decoded = DecodeRequestBody<SyncGroupRequest>(request);
  if (!decoded.ok()) return decoded.status();
  auto answer = [respond, header = request.header](SyncGroupResponse r) {
    respond(EncodeResponseBody(r, header));
  };
  if (!coordinator_.IsCoordinatorFor(decoded->group_id)) {
    answer({.error_code = ErrorCode::kNotCoordinator});
    return Status();
  }
  // From version 5 the member must say which protocol it synced for
  // (Kafka's areMandatoryProtocolTypeAndNamePresent).
  if (request.header.api_version >= 5 &&
      (!decoded->protocol_type || !decoded->protocol_name)) {
    answer({.error_code = ErrorCode::kInconsistentGroupProtocol});
    return Status();
  }
  coordinator_.Sync(*decoded, answer);
  return Status();
}

Status GroupApis::HandleHeartbeat(const Request& request, Responder respond) {
  auto decoded = DecodeRequestBody<HeartbeatRequest>(request);
  if (!decoded.ok()) return decoded.status();
  GroupErrorResponse response;
  response.error_code = coordinator_.IsCoordinatorFor(decoded->group_id)
                            ? coordinator_.Heartbeat(*decoded)
                            : ErrorCode::kNotCoordinator;
  respond(EncodeResponseBody(response, request.header));
  return Status();
}

Status GroupApis::HandleLeaveGroup(const Request& request, Responder respond) {
  auto decoded = DecodeRequestBody<LeaveGroupRequest>(request);
  if (!decoded.ok()) return decoded.status();
  const bool batched = request.header.api_version >= 3;
  // Up to version 2 one member leaves, by member id: a batch of one, as in
  // Kafka's LeaveGroupRequest.normalizedData.
  if (!batched) decoded->members = {{.member_id = decoded->member_id}};
  LeaveGroupResponse response;
  if (!coordinator_.IsCoordinatorFor(decoded->group_id)) {
    response.error_code = ErrorCode::kNotCoordinator;
  } else {
    response.members = coordinator_.Leave(decoded->group_id, decoded->members);
  }
  // Up to version 2 the member's error is the answer's.
  if (!batched && response.error_code == ErrorCode::kNone) {
    response.error_code = response.members[0].error_code;
  }
  respond(EncodeResponseBody(response, request.header));
  return Status();
}

Status GroupApis::HandleOffsetCommit(const Request& request,
                                     Responder respond) {
  auto decoded = DecodeRequestBody<OffsetCommitRequest>(request);
  if (!decoded.ok()) return decoded.status();
  if (!coordinator_.IsCoordinatorFor(decoded->group_id)) {
    respond(EncodeResponseBody(EveryPartitionFails<OffsetCommitResponse>(
                                   *decoded, ErrorCode::kNotCoordinator),
                               request.header));
    return Status();
  }
  // Answered once the offsets are written.
  coordinator_.Commit(*decoded, [respond, header = request.header](
                                    OffsetCommitResponse response) {
    respond(EncodeResponseBody(response, header));
  });
  return Status();
}

//! [offset fetch]
Status GroupApis::HandleOffsetFetch(const Request& request, Responder respond) {
  auto decoded = DecodeRequestBody<OffsetFetchRequest>(request);
  if (!decoded.ok()) return decoded.status();
  // require_stable (version 7) asks to wait out offsets a transaction has
  // committed but not yet ended (UNSTABLE_OFFSET_COMMIT); without
  // transactions (Chapter 8) there are none, and every offset is stable.
  const int16_t version = request.header.api_version;
  OffsetFetchResponse response;
  if (version >= 8) {
    for (const auto& group : decoded->groups) {
      response.groups.push_back(FetchGroupOffsets(group));
    }
  } else {
    OffsetFetchResponse::Group group = FetchGroupOffsets(OnlyGroupOf(*decoded));
    response.error_code = group.error_code;
    response.topics = version < 2 && group.error_code != ErrorCode::kNone
                          ? ErrorOnEveryPartition(*decoded, group.error_code)
                          : TopicsOf(group);
  }
  respond(EncodeResponseBody(response, request.header));
  return Status();
}

OffsetFetchResponse::Group GroupApis::FetchGroupOffsets(
    const OffsetFetchRequest::Group& group) const {
  if (!coordinator_.IsCoordinatorFor(group.group_id)) {
    return {.group_id = group.group_id,
            .error_code = ErrorCode::kNotCoordinator};
  }
  return coordinator_.FetchOffsets(group);
}
//! [offset fetch]

Status GroupApis::HandleListGroups(const Request& request, Responder respond) {
  auto decoded = DecodeRequestBody<ListGroupsRequest>(request);
  if (!decoded.ok()) return decoded.status();
  respond(
      EncodeResponseBody(coordinator_.ListGroups(*decoded), request.header));
  return Status();
}

Status GroupApis::HandleDescribeGroups(const Request& request,
                                       Responder respond) {
  auto decoded = DecodeRequestBody<DescribeGroupsRequest>(request);
  if (!decoded.ok()) return decoded.status();
  DescribeGroupsResponse response = coordinator_.Describe(*decoded);
  for (DescribeGroupsResponse::Group& group : response.groups) {
    if (!coordinator_.IsCoordinatorFor(group.group_id)) {
      group = {.error_code = ErrorCode::kNotCoordinator,
               .group_id = group.group_id};
    }
  }
  respond(EncodeResponseBody(response, request.header));
  return Status();
}

Status GroupApis::HandleDeleteGroups(const Request& request,
                                     Responder respond) {
  auto decoded = DecodeRequestBody<DeleteGroupsRequest>(request);
  if (!decoded.ok()) return decoded.status();
  auto pending = std::make_shared<PendingResponse<DeleteGroupsResponse>>(
      std::move(respond), request.header);
  auto& results = pending->response().results;
  results.resize(decoded->groups_names.size());
  for (size_t i = 0; i < results.size(); ++i) {
    const std::string& group_id = decoded->groups_names[i];
    results[i].group_id = group_id;
    if (!coordinator_.IsCoordinatorFor(group_id)) {
      results[i].error_code = ErrorCode::kNotCoordinator;
      continue;
    }
    pending->PartStarted();
    coordinator_.DeleteGroup(group_id, [pending, i](ErrorCode error) {
      pending->response().results[i].error_code = error;
      pending->PartDone();
    });
  }
  pending->PartDone();
  return Status();
}

Status GroupApis::HandleOffsetDelete(const Request& request,
                                     Responder respond) {
  auto decoded = DecodeRequestBody<OffsetDeleteRequest>(request);
  if (!decoded.ok()) return decoded.status();
  OffsetDeleteResponse response;
  if (!coordinator_.IsCoordinatorFor(decoded->group_id)) {
    response.error_code = ErrorCode::kNotCoordinator;
    respond(EncodeResponseBody(response, request.header));
    return Status();
  }
  // Partitions the cluster does not have are answered here; the others go
  // to the coordinator, whose answers land where `asked` says.
  std::vector<TopicPartition> known;
  std::vector<std::pair<size_t, size_t>> asked;
  for (const auto& topic : decoded->topics) {
    auto& answer = response.topics.emplace_back();
    answer.name = topic.name;
    for (const auto& p : topic.partitions) {
      answer.partitions.push_back({p.partition_index, ErrorCode::kNone});
      if (!metadata_.GetPartition({topic.name, p.partition_index})) {
        answer.partitions.back().error_code =
            ErrorCode::kUnknownTopicOrPartition;
        continue;
      }
      known.push_back({topic.name, p.partition_index});
      asked.emplace_back(response.topics.size() - 1,
                         answer.partitions.size() - 1);
    }
  }
  coordinator_.DeleteOffsets(
      decoded->group_id, known,
      [response = std::move(response), asked, respond, header = request.header](
          ErrorCode group_error, std::vector<ErrorCode> errors) mutable {
        response.error_code = group_error;
        if (group_error != ErrorCode::kNone) {
          // Only the partitions answered here stay, as in Kafka.
          for (auto& topic : response.topics) {
            std::erase_if(topic.partitions, [](const auto& p) {
              return p.error_code == ErrorCode::kNone;
            });
          }
          std::erase_if(response.topics,
                        [](const auto& t) { return t.partitions.empty(); });
        }
        for (size_t i = 0; i < errors.size(); ++i) {
          auto [t, p] = asked[i];
          response.topics[t].partitions[p].error_code = errors[i];
        }
        respond(EncodeResponseBody(response, header));
      });
  return Status();
}

}  // namespace kafka
