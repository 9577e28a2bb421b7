#include "chapters/05_controller/loopback_environment.h"

#include <memory>
#include <utility>

namespace kafka {

void LoopbackEnvironment::SendRequest(NodeId to, Connection connection,
                                      RequestHeader header, Bytes body,
                                      int64_t timeout_ms,
                                      ResponseHandler on_response) {
  if (to != self_) {
    return env_.Send(to, std::move(header), std::move(body), timeout_ms,
                     std::move(on_response), connection);
  }
  env_.StartTimer(0, [this, header = std::move(header), body = std::move(body),
                      on_response = std::move(on_response)] {
    Deliver(header, body, on_response);
  });
}

void LoopbackEnvironment::Deliver(const RequestHeader& header,
                                  const Bytes& body,
                                  const ResponseHandler& on_response) {
  const Request request{header, ByteView(body.data(), body.size()), 0};
  Responder respond = [this, on_response](std::optional<Bytes> answer) {
    if (!on_response) return;
    env_.StartTimer(0, [on_response, answer = std::move(answer)] {
      if (answer) return on_response(*answer);
      on_response(Error{ErrorCode::kNetworkException, "no answer"});
    });
  };
  Status served = local_.Handle(request, std::move(respond));
  // What the runtime does with a request it cannot serve: it closes the
  // connection, and the sender sees the connection fail.
  if (!served.ok() && on_response) {
    env_.StartTimer(0, [on_response, served] {
      on_response(Error{ErrorCode::kNetworkException, served.error().message});
    });
  }
}

}  // namespace kafka
