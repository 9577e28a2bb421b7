/// \file
/// The controller's APIs that a KRaft broker takes from clients and hands
/// on to the active controller, unchanged: ElectLeaders and DescribeQuorum.
///
/// Clients reach brokers only (the controllers listen on their own
/// listener), so an admin's kafka-leader-election.sh or
/// kafka-metadata-quorum.sh sends its request to any broker, which
/// forwards it (KIP-590; Kafka's KafkaApis forwardToController) and answers
/// with the controller's answer, byte for byte. Like the forwarded topic
/// admin (ForwardingTopicAdmin), a request waits while the broker knows no
/// active controller, and one that reached a node that no longer leads
/// (NOT_CONTROLLER, or NOT_LEADER_OR_FOLLOWER from a voter that is no
/// longer the quorum's leader) goes again to the controller known then,
/// until the request's time is up (REQUEST_TIMED_OUT). A controller that
/// cannot be reached is the answer too (NETWORK_EXCEPTION), as in
/// ForwardingTopicAdmin.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "chapters/04_replication/controller_node_provider.h"
#include "lib/bytes.h"
#include "lib/node/node.h"
#include "lib/node/request_handlers.h"

namespace kafka {

class ControllerApiForwarder {
 public:
  /// How long after a redirect, or while no controller is known, the
  /// request is tried again.
  static constexpr int64_t kRetryBackoffMs = 50;

  ControllerApiForwarder(Environment& env, ControllerNodeProvider controller,
                         int64_t request_timeout_ms = 30'000)
      : env_(env),
        controller_(std::move(controller)),
        request_timeout_ms_(request_timeout_ms) {}

  void RegisterWith(RequestHandlers& handlers);
  Status HandleElectLeaders(const Request& request, Responder respond);
  Status HandleDescribeQuorum(const Request& request, Responder respond);

 private:
  /// A request on its way to the controller.
  struct Forwarded {
    RequestHeader header;
    Bytes body;
    int64_t deadline_ms = 0;
    Responder respond;
    /// The answer to give if the controller cannot: the API's response
    /// carrying this error.
    std::function<Bytes(ErrorCode)> error_answer;
    /// Whether the controller's answer says it is not the one to ask.
    std::function<bool(const Bytes& answer)> redirected;
  };

  void Attempt(std::shared_ptr<Forwarded> request);
  void RetryLater(std::shared_ptr<Forwarded> request);

  Environment& env_;
  ControllerNodeProvider controller_;
  int64_t request_timeout_ms_;
};

}  // namespace kafka
