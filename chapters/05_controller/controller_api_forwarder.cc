#include "chapters/05_controller/controller_api_forwarder.h"

#include <string>
#include <utility>

#include "lib/protocol/elect_leaders.h"
#include "lib/protocol/quorum.h"

namespace kafka {
namespace {

bool IsRedirect(ErrorCode code) {
  return code == ErrorCode::kNotController ||
         code == ErrorCode::kNotLeaderOrFollower;
}

// ElectLeaders' answer when the controller gave none: every partition
// asked for has the error (v0 has no top-level error), and the request too.
ElectLeadersResponse ElectLeadersFailure(const ElectLeadersRequest& request,
                                         ErrorCode error) {
  ElectLeadersResponse response{.error_code = error};
  if (!request.topic_partitions) return response;
  for (const auto& topic : *request.topic_partitions) {
    auto& result = response.replica_election_results.emplace_back();
    result.topic = topic.topic;
    for (int32_t partition : topic.partitions) {
      result.partition_result.push_back(
          {.partition_id = partition, .error_code = error});
    }
  }
  return response;
}

bool ElectLeadersRedirected(const Bytes& answer, int16_t version) {
  Result<ElectLeadersResponse> response = DecodeMessage<ElectLeadersResponse>(
      answer, ApiKey::kElectLeaders, version, 0, "ElectLeadersResponse");
  if (!response.ok()) return false;
  if (IsRedirect(response->error_code)) return true;
  for (const auto& topic : response->replica_election_results) {
    for (const auto& partition : topic.partition_result) {
      if (partition.error_code == ErrorCode::kNotController) return true;
    }
  }
  return false;
}

bool DescribeQuorumRedirected(const Bytes& answer, int16_t version) {
  Result<DescribeQuorumResponse> response =
      DecodeMessage<DescribeQuorumResponse>(answer, ApiKey::kDescribeQuorum,
                                            version, 0,
                                            "DescribeQuorumResponse");
  if (!response.ok()) return false;
  if (IsRedirect(response->error_code)) return true;
  for (const auto& topic : response->topics) {
    for (const auto& partition : topic.partitions) {
      if (IsRedirect(partition.error_code)) return true;
    }
  }
  return false;
}

}  // namespace

void ControllerApiForwarder::RegisterWith(RequestHandlers& handlers) {
  handlers.Register(
      ApiKey::kElectLeaders,
      HandlerOf(this, &ControllerApiForwarder::HandleElectLeaders));
  handlers.Register(
      ApiKey::kDescribeQuorum,
      HandlerOf(this, &ControllerApiForwarder::HandleDescribeQuorum));
}

Status ControllerApiForwarder::HandleElectLeaders(const Request& request,
                                                  Responder respond) {
  Result<ElectLeadersRequest> decoded =
      DecodeRequestBody<ElectLeadersRequest>(request);
  if (!decoded.ok()) return decoded.status();
  const RequestHeader header = request.header;
  auto forwarded = std::make_shared<Forwarded>(
      Forwarded{.header = header,
                .body = Bytes(request.body.begin(), request.body.end()),
                .deadline_ms = env_.NowMs() + request_timeout_ms_,
                .respond = std::move(respond),
                .error_answer =
                    [header, asked = *decoded](ErrorCode error) {
                      return EncodeResponseBody(
                          ElectLeadersFailure(asked, error), header);
                    },
                .redirected =
                    [version = header.api_version](const Bytes& answer) {
                      return ElectLeadersRedirected(answer, version);
                    }});
  Attempt(std::move(forwarded));
  return Status();
}

Status ControllerApiForwarder::HandleDescribeQuorum(const Request& request,
                                                    Responder respond) {
  Result<DescribeQuorumRequest> decoded =
      DecodeRequestBody<DescribeQuorumRequest>(request);
  if (!decoded.ok()) return decoded.status();
  const RequestHeader header = request.header;
  auto forwarded = std::make_shared<Forwarded>(
      Forwarded{.header = header,
                .body = Bytes(request.body.begin(), request.body.end()),
                .deadline_ms = env_.NowMs() + request_timeout_ms_,
                .respond = std::move(respond),
                .error_answer =
                    [header](ErrorCode error) {
                      return EncodeResponseBody(
                          DescribeQuorumResponse{.error_code = error}, header);
                    },
                .redirected =
                    [version = header.api_version](const Bytes& answer) {
                      return DescribeQuorumRedirected(answer, version);
                    }});
  Attempt(std::move(forwarded));
  return Status();
}

void ControllerApiForwarder::Attempt(std::shared_ptr<Forwarded> request) {
  const int64_t remaining_ms = request->deadline_ms - env_.NowMs();
  if (remaining_ms <= 0) {
    return request->respond(request->error_answer(ErrorCode::kRequestTimedOut));
  }
  const std::optional<NodeId> controller = controller_();
  if (!controller) return RetryLater(std::move(request));
  env_.Send(
      *controller, request->header, request->body, remaining_ms,
      [this, request](Result<Bytes> answer) {
        if (!answer.ok()) {
          return request->respond(request->error_answer(answer.error().code));
        }
        if (request->redirected(*answer)) return RetryLater(request);
        request->respond(std::move(answer).value());
      },
      Connection::kController);
}

void ControllerApiForwarder::RetryLater(std::shared_ptr<Forwarded> request) {
  env_.StartTimer(kRetryBackoffMs,
                  [this, request = std::move(request)] { Attempt(request); });
}

}  // namespace kafka
