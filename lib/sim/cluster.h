/// \file
/// A cluster in the simulator, for tests: N brokers, client nodes, faults,
/// and runs until a condition holds.
///
/// A test of a broker or a client needs the same scaffolding each time:
/// brokers with ids 1 to N whose Metadata advertises the address the
/// simulator gives them (so that a client that learns brokers from Metadata,
/// as a real one does, reaches them), client nodes that host a producer or a
/// consumer (or nothing, for a test that sends requests itself), and a way to
/// send one request and wait for its answer. SimCluster is that scaffolding.
/// It knows no chapter: the test passes a factory that makes its chapter's
/// broker, so Chapter 2's tests build Chapter 2's Broker and Chapter 3's the
/// GroupBroker, and a later chapter passes its own.
///
/// Faults are the simulator's (see simulation.h), named after the broker or
/// client they hit: Crash, Stop, Restart, Partition, Heal.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lib/node/node.h"
#include "lib/protocol/api_keys.h"
#include "lib/protocol/message.h"
#include "lib/sim/simulation.h"

namespace kafka {

/// A client node that hosts one client library object (a producer, a
/// consumer, a group member), made anew at every start; the test drives it.
template <typename Client>
class ClientHost : public ClientNode {
 public:
  using Factory = std::function<std::unique_ptr<Client>(Environment&)>;
  explicit ClientHost(Factory make) : make_(std::move(make)) {}
  void Start(Environment& env) override { client_ = make_(env); }
  Client& client() { return *client_; }

 private:
  Factory make_;
  std::unique_ptr<Client> client_;
};

/// A client node that does nothing by itself: the test sends requests
/// through its environment (SimCluster::Call).
class IdleClient : public ClientNode {
 public:
  void Start(Environment&) override {}
};

class SimCluster {
 public:
  /// Makes broker `id`, which must advertise `address` in Metadata (and
  /// FindCoordinator), the address the simulator gives it.
  using BrokerFactory =
      std::function<std::unique_ptr<Node>(NodeId id, const HostPort& address)>;

  /// Brokers 1 to `brokers`, started now, on a simulation seeded `seed`.
  SimCluster(uint64_t seed, int brokers, BrokerFactory make_broker);

  Simulation& sim() { return sim_; }
  const std::vector<NodeId>& brokers() const { return brokers_; }
  /// bootstrap.servers that name every broker, "node-1:9092,...".
  std::vector<std::string> bootstrap_servers();

  /// Adds a client node that hosts what `make` builds; returns its id (from
  /// Simulation::AddClient, so it never collides with a broker's).
  template <typename Client>
  NodeId AddClient(typename ClientHost<Client>::Factory make) {
    return sim_.AddClient([make = std::move(make)] {
      return std::make_unique<ClientHost<Client>>(make);
    });
  }
  /// Adds a client node that hosts nothing; returns its id.
  NodeId AddIdleClient();
  /// The client that node `id` hosts now (a restart makes a new one).
  template <typename Client>
  Client& client(NodeId id) {
    return sim_.node<ClientHost<Client>>(id).client();
  }

  void Crash(NodeId id, Simulation::CrashKind kind =
                            Simulation::CrashKind::kPowerFailure) {
    sim_.Crash(id, kind);
  }
  void Stop(NodeId id) { sim_.Stop(id); }
  void Restart(NodeId id) { sim_.Restart(id); }
  void Partition(const std::vector<NodeId>& side_a,
                 const std::vector<NodeId>& side_b) {
    sim_.Partition(side_a, side_b);
  }
  void Heal() { sim_.Heal(); }

  void RunFor(int64_t duration_ms) { sim_.RunFor(duration_ms); }
  /// Runs until `done()` holds or `max_ms` pass; whether it held.
  bool RunUntil(const std::function<bool()>& done, int64_t max_ms) {
    return sim_.RunUntil(done, max_ms);
  }

  /// Sends `request` from node `from` to node `to` and runs until the answer
  /// comes (a transport error, such as REQUEST_TIMED_OUT after `timeout_ms`,
  /// is the result too) or the response does not decode.
  template <typename Response, typename Request>
  Result<Response> Call(NodeId from, NodeId to, ApiKey api, int16_t version,
                        const Request& request, int64_t timeout_ms = 5000,
                        const std::string& client_id = "test") {
    std::optional<Result<Bytes>> answer;
    sim_.env(from).Send(
        to, {int16_t(api), version, 0, client_id},
        EncodeMessage(request, api, version), timeout_ms,
        [&answer](Result<Bytes> body) { answer = std::move(body); });
    sim_.RunUntil([&] { return answer.has_value(); }, timeout_ms + 1000);
    if (!answer) return Error{ErrorCode::kRequestTimedOut, "no answer came"};
    if (!answer->ok()) return answer->error();
    return DecodeMessage<Response>(answer->value(), api, version, 0,
                                   "response");
  }

 private:
  Simulation sim_;
  std::vector<NodeId> brokers_;
};

}  // namespace kafka
