/// \file
/// The client inside every command-line tool: requests one after another to
/// one broker, each answer deciding what comes next.
///
/// Kafka's tools (TopicCommand, LeaderElectionCommand, MetadataQuorumCommand,
/// kafka-consumer-groups' ConsumerGroupCommand) each build an Admin client
/// from --bootstrap-server and call it a few times: list the topics, then
/// describe those that match, then their configs. This is the same shape as a
/// node: `AdminClient` is a ClientNode that sends one request to the
/// bootstrap broker, hands the decoded answer to a callback, and that callback
/// sends the next request or finishes with an exit code. RunAdminClient runs
/// one over TCP until it finishes.
///
/// Kafka's Admin first asks for metadata and then sends each request to the
/// node that should answer it (the controller, a group's coordinator). Here
/// every request goes to the bootstrap broker, after an ApiVersions that
/// tells which versions it serves (a request it does not serve fails with
/// UNSUPPORTED_VERSION, as Kafka's Admin does, instead of a closed
/// connection): it answers admin requests
/// itself or forwards them to the active controller (KIP-590), as a KRaft
/// broker does for CreateTopics, ElectLeaders and DescribeQuorum.
#pragma once

#include <cstdint>
#include <functional>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "lib/error.h"
#include "lib/node/node.h"
#include "lib/protocol/api_keys.h"
#include "lib/protocol/api_versions.h"
#include "lib/protocol/message.h"

namespace kafka {

/// --bootstrap-server: one or more "host:port", comma-separated, each checked
/// (an error names the first bad one).
Result<std::vector<std::string>> ParseBootstrapServers(std::string_view text);

class AdminClient : public ClientNode {
 public:
  /// `first_request` runs when the node starts; it calls Call (or Finish).
  AdminClient(std::vector<std::string> bootstrap_servers, std::string client_id,
              std::function<void(AdminClient&)> first_request)
      : bootstrap_servers_(std::move(bootstrap_servers)),
        client_id_(std::move(client_id)),
        first_request_(std::move(first_request)) {}

  void Start(Environment& env) override;

  /// Sends `request` to the bootstrap broker (the first of
  /// --bootstrap-server that answers) and calls `on_answer` with the
  /// decoded response. A request that fails (the broker does not serve that
  /// API version, no connection, a timeout, an answer that does not decode)
  /// ends the tool: the error on stderr, exit 1.
  template <typename Request, typename Response>
  void Call(ApiKey api, int16_t version, const Request& request,
            std::function<void(Response)> on_answer) {
    if (Status served = CheckServed(api, version); !served.ok()) {
      return FailWith(served.error());
    }
    Send<Request, Response>(api, version, request, std::move(on_answer),
                            [this](const Error& error) { FailWith(error); });
  }

  /// The tool is done; the program exits with `exit_code`.
  void Finish(int exit_code) {
    exit_code_ = exit_code;
    done_ = true;
  }
  bool done() const { return done_; }
  int exit_code() const { return exit_code_; }

  /// The bootstrap broker's request.timeout.ms (Kafka's AdminClient: 30 s).
  static constexpr int64_t kRequestTimeoutMs = 30'000;

 private:
  /// Sends to the bootstrap broker: `on_answer` with the decoded answer, or
  /// `on_failure` with why there is none.
  template <typename Request, typename Response>
  void Send(ApiKey api, int16_t version, const Request& request,
            std::function<void(Response)> on_answer,
            std::function<void(const Error&)> on_failure) {
    env_->Send(
        bootstrap_ids_[bootstrap_], {int16_t(api), version, 0, client_id_},
        EncodeMessage(request, api, version), kRequestTimeoutMs,
        [api, version, on_answer, on_failure](Result<Bytes> body) {
          Result<Response> answer =
              body.ok()
                  ? DecodeMessage<Response>(*body, api, version, 0, "response")
                  : Result<Response>(body.error());
          if (!answer.ok()) return on_failure(answer.error());
          on_answer(std::move(answer).value());
        });
  }

  /// Learns what bootstrap server `index` serves (ApiVersions), then runs
  /// first_request_; if it cannot be reached, tries the next one, as Kafka's
  /// clients go down bootstrap.servers.
  void AskApiVersions(size_t index);
  /// UNSUPPORTED_VERSION unless the broker advertised `api` at `version`.
  Status CheckServed(ApiKey api, int16_t version) const;

  void FailWith(const Error& error) {
    std::cerr << "Error: " << error.ToString() << "\n";
    Finish(1);
  }

  std::vector<std::string> bootstrap_servers_;
  std::string client_id_;
  std::function<void(AdminClient&)> first_request_;
  Environment* env_ = nullptr;
  std::vector<NodeId> bootstrap_ids_;  ///< the bootstrap servers' ids
  size_t bootstrap_ = 0;               ///< the one that answered ApiVersions
  /// What the bootstrap broker serves, from its ApiVersions answer.
  std::vector<ApiVersionsResponse::ApiVersion> served_;
  bool done_ = false;
  int exit_code_ = 0;
};

/// Runs an AdminClient over TCP until it finishes; its exit code, or 1 with a
/// message if no answer came in time. `first_request` as in AdminClient.
int RunAdminClient(std::vector<std::string> bootstrap_servers,
                   std::string client_id,
                   std::function<void(AdminClient&)> first_request);

}  // namespace kafka
