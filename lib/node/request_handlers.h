/// \file
/// Request handlers: which APIs a node answers, at which versions, and with
/// what code.
///
/// A Kafka broker's request path starts in one place (KafkaApis.handle): the
/// request header's api_key picks a handler, which decodes the body, checks
/// it, asks a component (the ReplicaManager, the group coordinator, ...) and
/// encodes the answer. The broker advertises, in ApiVersions, exactly the APIs
/// and versions it has handlers for (Kafka's ApiVersionManager), because a
/// client uses whatever is advertised.
///
/// RequestHandlers is that registry. Each chapter's broker registers the
/// handlers of its components (Chapter 2 the partition APIs, Chapter 3 the
/// group APIs beside them, ...) and the registry answers ApiVersions from
/// what was registered, so a chapter adds APIs by registering them, never by
/// wrapping the broker of the chapter before. ServingNode is a node whose
/// requests all go through such a registry.
#pragma once

#include <functional>
#include <map>
#include <vector>

#include "lib/node/node.h"
#include "lib/protocol/api_keys.h"
#include "lib/protocol/message.h"

namespace kafka {

/// Answers one request of one API (see Node::OnRequest for the contract).
using RequestHandler =
    std::function<Status(const Request& request, Responder respond)>;

/// The versions of one API a node serves.
struct VersionRange {
  int16_t min_version;
  int16_t max_version;
};

class RequestHandlers {
 public:
  /// Serves `api` with `handler`, at every version the codec implements.
  void Register(ApiKey api, RequestHandler handler);
  /// Serves `api` at the versions in `versions` only (within the codec's).
  void Register(ApiKey api, VersionRange versions, RequestHandler handler);

  /// The APIs registered, and ApiVersions, which is always served.
  ApiSet ServedApis() const { return served_; }
  /// Hands the request to its API's handler; answers ApiVersions itself. A
  /// request of an API or version not registered is an error: the runtime
  /// closes the connection, as Kafka does with a request it cannot parse.
  Status Handle(const Request& request, Responder respond) const;

 private:
  struct Entry {
    VersionRange versions;
    RequestHandler handler;
  };
  Status AnswerApiVersions(const Request& request, Responder respond) const;

  std::map<ApiKey, Entry> handlers_;
  std::vector<ApiKey> served_ = {ApiKey::kApiVersions};
};

/// The handler that calls `method` on `apis`: how a class of handlers
/// (PartitionApis, GroupApis, ...) registers its methods.
template <typename Apis>
RequestHandler HandlerOf(Apis* apis,
                         Status (Apis::*method)(const Request&, Responder)) {
  return [apis, method](const Request& request, Responder respond) {
    return (apis->*method)(request, std::move(respond));
  };
}

/// Decodes a request's body as its API and version say; INVALID_REQUEST,
/// naming the field, if it does not decode.
template <typename Message>
Result<Message> DecodeRequestBody(const Request& request) {
  const int16_t api = request.header.api_key;
  return DecodeMessage<Message>(
      request.body, static_cast<ApiKey>(api), request.header.api_version,
      request.body_position, std::string(FindApi(api)->name) + "Request");
}

/// Encodes `message` as the answer to the request with this header.
template <typename Message>
Bytes EncodeResponseBody(const Message& message, const RequestHeader& header) {
  return EncodeMessage(message, static_cast<ApiKey>(header.api_key),
                       header.api_version);
}

/// A response whose parts are answered one by one, maybe later: it is sent
/// when the last part is done. The handler holds one part itself while it
/// starts the others, so an answer that comes at once cannot send early.
template <typename Response>
class PendingResponse {
 public:
  PendingResponse(Responder respond, RequestHeader header)
      : respond_(std::move(respond)), header_(std::move(header)) {}

  Response& response() { return response_; }
  void PartStarted() { ++parts_; }
  void PartDone() {
    if (--parts_ == 0) respond_(EncodeResponseBody(response_, header_));
  }

 private:
  Responder respond_;
  RequestHeader header_;
  Response response_;
  int parts_ = 1;  // the handler's own
};

/// A node that answers requests through its RequestHandlers: a broker. It
/// registers its handlers in Start.
class ServingNode : public Node {
 public:
  ApiSet ServedApis() const override { return handlers_.ServedApis(); }
  Status OnRequest(const Request& request, Responder respond) override {
    return handlers_.Handle(request, std::move(respond));
  }

 protected:
  RequestHandlers& handlers() { return handlers_; }

 private:
  RequestHandlers handlers_;
};

}  // namespace kafka
