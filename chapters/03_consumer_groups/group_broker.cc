#include "chapters/03_consumer_groups/group_broker.h"

#include <vector>

#include "lib/protocol/api_keys.h"
#include "lib/protocol/api_versions.h"
#include "lib/protocol/message.h"

namespace kafka {
namespace {

constexpr ApiKey kGroupApis[] = {
    ApiKey::kOffsetCommit, ApiKey::kOffsetFetch,    ApiKey::kFindCoordinator,
    ApiKey::kJoinGroup,    ApiKey::kHeartbeat,      ApiKey::kLeaveGroup,
    ApiKey::kSyncGroup,    ApiKey::kDescribeGroups, ApiKey::kListGroups,
};

template <typename Message>
Result<Message> DecodeBody(const Request& request, ApiKey api) {
  return DecodeMessage<Message>(request.body, api, request.header.api_version,
                                request.body_position,
                                std::string(FindApi(int16_t(api))->name));
}

template <typename Message>
Bytes EncodeBody(const Message& message, const Request& request) {
  return EncodeMessage(message, static_cast<ApiKey>(request.header.api_key),
                       request.header.api_version);
}

}  // namespace

void GroupBroker::Start(Environment& env) {
  broker_.Start(env);
  coordinator_ =
      std::make_unique<GroupCoordinator>(env, broker_.logs(), group_config_);
  coordinator_->Load();
}

GroupBroker::GroupBroker(BrokerConfig broker, GroupCoordinatorConfig groups)
    : broker_(std::move(broker)), group_config_(groups) {
  ApiSet broker_apis = broker_.ServedApis();
  served_apis_.assign(broker_apis.begin(), broker_apis.end());
  served_apis_.insert(served_apis_.end(), std::begin(kGroupApis),
                      std::end(kGroupApis));
}

ApiSet GroupBroker::ServedApis() const { return served_apis_; }

//! [dispatch]
Status GroupBroker::OnRequest(const Request& request, Responder respond) {
  switch (static_cast<ApiKey>(request.header.api_key)) {
    case ApiKey::kApiVersions: {  // advertise the group APIs too
      Result<Bytes> answer = AnswerApiVersionsRequest(request, ServedApis());
      if (!answer.ok()) return answer.status();
      respond(std::move(answer).value());
      return Status();
    }
    case ApiKey::kFindCoordinator: {
      auto decoded =
          DecodeBody<FindCoordinatorRequest>(request, ApiKey::kFindCoordinator);
      if (!decoded.ok()) return decoded.status();
      // One broker leads every partition of __consumer_offsets.
      FindCoordinatorResponse response;
      response.node_id = broker_.config().node_id;
      response.host = broker_.config().advertised_host;
      response.port = broker_.config().advertised_port;
      respond(EncodeBody(response, request));
      return Status();
    }
    case ApiKey::kJoinGroup: {
      auto decoded = DecodeBody<JoinGroupRequest>(request, ApiKey::kJoinGroup);
      if (!decoded.ok()) return decoded.status();
      // The answer may come much later, when the generation completes.
      coordinator_->Join(
          *decoded, request.header.client_id.value_or("client"),
          [respond, header = request.header](JoinGroupResponse r) {
            respond(EncodeMessage(r, ApiKey::kJoinGroup, header.api_version));
          });
      return Status();
    }
    case ApiKey::kSyncGroup: {
      auto decoded = DecodeBody<SyncGroupRequest>(request, ApiKey::kSyncGroup);
      if (!decoded.ok()) return decoded.status();
      coordinator_->Sync(
          *decoded, [respond, header = request.header](SyncGroupResponse r) {
            respond(EncodeMessage(r, ApiKey::kSyncGroup, header.api_version));
          });
      return Status();
    }
    case ApiKey::kHeartbeat: {
      auto decoded = DecodeBody<HeartbeatRequest>(request, ApiKey::kHeartbeat);
      if (!decoded.ok()) return decoded.status();
      GroupErrorResponse response;
      response.error_code = coordinator_->Heartbeat(*decoded);
      respond(EncodeBody(response, request));
      return Status();
    }
    case ApiKey::kLeaveGroup: {
      auto decoded =
          DecodeBody<LeaveGroupRequest>(request, ApiKey::kLeaveGroup);
      if (!decoded.ok()) return decoded.status();
      GroupErrorResponse response;
      response.error_code = coordinator_->Leave(*decoded);
      respond(EncodeBody(response, request));
      return Status();
    }
    case ApiKey::kOffsetCommit: {
      auto decoded =
          DecodeBody<OffsetCommitRequest>(request, ApiKey::kOffsetCommit);
      if (!decoded.ok()) return decoded.status();
      respond(EncodeBody(coordinator_->Commit(*decoded), request));
      return Status();
    }
    case ApiKey::kOffsetFetch: {
      auto decoded =
          DecodeBody<OffsetFetchRequest>(request, ApiKey::kOffsetFetch);
      if (!decoded.ok()) return decoded.status();
      respond(EncodeBody(coordinator_->FetchOffsets(*decoded), request));
      return Status();
    }
    case ApiKey::kListGroups:
      respond(EncodeBody(coordinator_->ListGroups(), request));
      return Status();
    case ApiKey::kDescribeGroups: {
      auto decoded =
          DecodeBody<DescribeGroupsRequest>(request, ApiKey::kDescribeGroups);
      if (!decoded.ok()) return decoded.status();
      respond(EncodeBody(coordinator_->Describe(*decoded), request));
      return Status();
    }
    default:
      return broker_.OnRequest(request, std::move(respond));
  }
}
//! [dispatch]

}  // namespace kafka
