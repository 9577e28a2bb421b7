/// \file
/// The smallest pair of nodes: a server that answers ApiVersions, and a
/// client that sends it requests. They show the node model (lib/node/node.h)
/// at work, and the same code runs in the simulator and over TCP.
///
/// ApiVersions is the natural "ping" of the Kafka protocol: every broker
/// answers it, and every client sends it first on every connection.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "lib/node/node.h"

namespace kafka {

/// Answers ApiVersions, and counts what it answered.
class PingServer : public Node {
 public:
  void Start(Environment& env) override;
  ApiSet ServedApis() const override;
  Status OnRequest(const Request& request, Responder respond) override;

  int64_t requests_answered() const { return requests_answered_; }

 private:
  int64_t requests_answered_ = 0;
};

/// Sends `total` ApiVersions requests to `server`, at most `in_flight` at a
/// time, and retries a request that fails after `retry_backoff_ms`
/// (Kafka's retry.backoff.ms), until every one has an answer.
class PingClient : public ClientNode {
 public:
  struct Options {
    NodeId server = 0;
    /// Where `server` listens, learned at the start (Environment::
    /// LearnAddress); none: the runtime knows already.
    std::optional<HostPort> server_address;
    int64_t total = 10;
    int in_flight = 1;
    int64_t request_timeout_ms = 30'000;  ///< Kafka's request.timeout.ms
    int64_t retry_backoff_ms = 100;
  };
  explicit PingClient(Options options) : options_(options) {}

  void Start(Environment& env) override;

  int64_t answered() const { return answered_; }
  int64_t failures() const { return failures_; }
  bool done() const { return answered_ == options_.total; }
  /// When each answer came, by the node's clock.
  const std::vector<int64_t>& answer_times_ms() const { return answer_times_; }

 private:
  void SendOne();
  void OnAnswer(Result<Bytes> body);

  Options options_;
  Environment* env_ = nullptr;
  int64_t sent_ = 0;  ///< requests started, not counting retries
  int64_t answered_ = 0;
  int64_t failures_ = 0;
  std::vector<int64_t> answer_times_;
};

}  // namespace kafka
