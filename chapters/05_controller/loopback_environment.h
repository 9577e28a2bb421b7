/// \file
/// The environment of a combined node's broker half: what it sends to its
/// own node id goes straight to the node's controller half.
///
/// A combined node (process.roles=broker,controller) is one node id with
/// one listener here, so its broker and its controller cannot tell apart
/// by listener a CreateTopics that a client sent (the broker's, to be
/// forwarded) from one the broker forwarded (the controller's). So the
/// broker half never sends to its own id over the network: when the active
/// controller it forwards to, registers with or heartbeats to is this very
/// node, LoopbackEnvironment hands the request to the controller half's
/// handlers in-process, and its answer back, each as a separate event (as a
/// network round trip would be, without the latency). Everything else
/// passes through to the node's environment. (Kafka's combined node has two
/// listeners, and the broker reaches its own controller over the
/// CONTROLLER one.)
#pragma once

#include <string>

#include "lib/node/node.h"
#include "lib/node/request_handlers.h"

namespace kafka {

class LoopbackEnvironment : public Environment {
 public:
  /// `local` serves what is sent to `self`; both outlive this.
  LoopbackEnvironment(Environment& env, NodeId self,
                      const RequestHandlers& local)
      : env_(env), self_(self), local_(local) {}

  int64_t NowMs() const override { return env_.NowMs(); }
  TimerId StartTimer(int64_t delay_ms,
                     std::function<void()> callback) override {
    return env_.StartTimer(delay_ms, std::move(callback));
  }
  void CancelTimer(TimerId timer) override { env_.CancelTimer(timer); }
  void LearnAddress(NodeId node, const std::string& host,
                    int32_t port) override {
    env_.LearnAddress(node, host, port);
  }
  Storage& storage() override { return env_.storage(); }
  std::mt19937_64& random() override { return env_.random(); }

 protected:
  void SendRequest(NodeId to, Connection connection, RequestHeader header,
                   Bytes body, int64_t timeout_ms,
                   ResponseHandler on_response) override;

 private:
  /// Serves a request sent to this node; its answer is delivered later.
  void Deliver(const RequestHeader& header, const Bytes& body,
               const ResponseHandler& on_response);

  Environment& env_;
  NodeId self_;
  const RequestHandlers& local_;
};

}  // namespace kafka
