/// \file
/// The node model: how every process in this project is written.
///
/// A broker, a controller voter, a producer and a consumer are each a *node*:
/// a single-threaded state machine that reacts to three kinds of event
///
///   - a request arrived (OnRequest),
///   - a response to one of its own requests arrived (the handler it gave
///   Send),
///   - a timer fired (the callback it gave StartTimer),
///
/// and acts on the world only through the Environment it was started with:
/// the clock, timers, sending requests, its disk, and randomness. A node never
/// reads the wall clock, sleeps, blocks, starts a thread, or touches a socket
/// or a file by itself.
///
/// That discipline buys two worlds for one code. In the simulator
/// (lib/sim) time is virtual, the network is a priority queue that can delay,
/// drop, duplicate and cut messages, and the disk is a MemoryStorage that a
/// crash can tear: a test runs a cluster through failures in milliseconds, and
/// the same seed replays the same run exactly. In the real runtime (lib/net)
/// the same node gets TCP, the steady clock and real files. etcd's raft library
/// is built the same way: the library decides, the application does the IO.
///
/// Messages are Kafka's: a request is a request header plus a body encoded
/// with Kafka's wire protocol (lib/protocol), in both worlds, so the bytes a
/// node handles in a test are the bytes a real client sends.
#pragma once

#include <cassert>
#include <charconv>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "lib/bytes.h"
#include "lib/error.h"
#include "lib/protocol/api_keys.h"
#include "lib/protocol/header.h"
#include "lib/storage/storage.h"

namespace kafka {

/// A node's id: the broker.id / node.id of Kafka's configuration.
using NodeId = int32_t;
using TimerId = uint64_t;

/// Answers one request: call it once with the response body (the runtime
/// adds the response header), now or later from another event. Call it with
/// nullopt for a request that gets no answer (a Produce with acks=0), so the
/// answers to later requests on the same connection can go out.
using Responder = std::function<void(std::optional<Bytes> response_body)>;

/// Receives the answer to a request the node sent: the response body, or an
/// error: NETWORK_EXCEPTION if the connection failed, REQUEST_TIMED_OUT if no
/// answer came in time. Called exactly once.
using ResponseHandler = std::function<void(Result<Bytes> response_body)>;

/// Which of a node's connections to a peer a request travels on. Each
/// (peer, connection) pair is a connection of its own: answers come back in
/// request order on each, so a request the peer holds (a long-poll Fetch)
/// delays only what follows it on the same connection. Kafka's consumer talks
/// to its group coordinator on a connection apart from its fetches for this
/// reason, and a broker's replica fetchers have theirs.
enum class Connection : int8_t {
  kDefault,         ///< metadata, produce, fetch: a client's data connection
  kCoordinator,     ///< the group coordinator's requests (join, heartbeat, ...)
  kReplicaFetcher,  ///< a follower broker's fetches from a leader (Chapter 4)
  kController,  ///< a broker's requests to the controller (Chapters 4 and 5)
  /// The Raft layer's requests: the metadata log's fetches and the quorum's
  /// votes (Chapter 5). A fetch the leader holds for a while then delays no
  /// broker heartbeat, as Kafka's raft client has a network client of its
  /// own.
  kRaft,
};

/// Everything a node may do to the world.
class Environment {
 public:
  virtual ~Environment() = default;

  /// Milliseconds since the Unix epoch, on this world's clock: virtual in the
  /// simulator, the system clock in the real runtime. Kafka stamps records and
  /// judges retention by this kind of time. Timers below count durations, so a
  /// clock that jumps does not make them fire early or late.
  virtual int64_t NowMs() const = 0;

  /// Calls `callback` once, `delay_ms` from now, unless cancelled first.
  virtual TimerId StartTimer(int64_t delay_ms,
                             std::function<void()> callback) = 0;
  virtual void CancelTimer(TimerId timer) = 0;

  /// Sends a request to node `to`, on the connection `connection` to it. The
  /// runtime assigns the correlation id (whatever `header` holds there is
  /// ignored), frames the request, and calls `on_response` exactly once: with
  /// the response body, or with an error if the connection fails or
  /// `timeout_ms` passes first (request.timeout.ms). An empty `on_response`
  /// sends a request that gets no answer (a Produce with acks=0): nothing
  /// waits for one.
  void Send(NodeId to, RequestHeader header, Bytes body, int64_t timeout_ms,
            ResponseHandler on_response,
            Connection connection = Connection::kDefault) {
    SendRequest(to, connection, std::move(header), std::move(body), timeout_ms,
                std::move(on_response));
  }

  /// Tells the runtime where node `node` listens, as a client learns the
  /// brokers from bootstrap.servers and then from Metadata (each broker's
  /// node id, host and port). Connections opened to `node` from now on go
  /// there; one already open stays where it is until it breaks, as in Kafka.
  virtual void LearnAddress(NodeId node, const std::string& host,
                            int32_t port) = 0;

  /// The node's disk. It outlives the node: a restarted node finds its files.
  virtual Storage& storage() = 0;

  /// The node's only source of randomness, seeded by the runtime.
  virtual std::mt19937_64& random() = 0;

 protected:
  /// What Send does; each runtime implements it.
  virtual void SendRequest(NodeId to, Connection connection,
                           RequestHeader header, Bytes body, int64_t timeout_ms,
                           ResponseHandler on_response) = 0;
};

/// A "host:port" address, as bootstrap.servers and listeners write one.
struct HostPort {
  std::string host;
  int32_t port = 0;
  bool operator==(const HostPort&) const = default;
};

/// Parses "host:port" (the port 1 to 65535); a bad one is an error naming
/// it, as Kafka's clients refuse a bad bootstrap.servers entry.
inline Result<HostPort> ParseHostPort(std::string_view text) {
  const size_t colon = text.rfind(':');
  const std::string_view port = colon == std::string_view::npos
                                    ? std::string_view()
                                    : text.substr(colon + 1);
  int32_t number = 0;
  const auto [end, error] =
      std::from_chars(port.data(), port.data() + port.size(), number);
  if (colon == 0 || port.empty() || error != std::errc() ||
      end != port.data() + port.size() || number < 1 || number > 65535) {
    return Error{ErrorCode::kInvalidConfig,
                 "not a host:port address: \"" + std::string(text) + "\""};
  }
  return HostPort{std::string(text.substr(0, colon)), number};
}

/// bootstrap.servers: teaches `env` each "host:port" of `servers` under the
/// ids Kafka's clients give bootstrap servers, -1, -2, ... (real node ids
/// are never negative), and returns those ids. The addresses must parse
/// (see ParseHostPort): a program checks what its user typed first.
inline std::vector<NodeId> LearnBootstrapServers(
    Environment& env, const std::vector<std::string>& servers) {
  std::vector<NodeId> ids;
  for (const std::string& server : servers) {
    Result<HostPort> address = ParseHostPort(server);
    assert(address.ok() && "bootstrap.servers holds a bad address");
    ids.push_back(-NodeId(ids.size() + 1));
    env.LearnAddress(ids.back(), address->host, address->port);
  }
  return ids;
}

/// A process: broker, controller, client. See the file comment.
class Node {
 public:
  virtual ~Node() = default;

  /// The node starts (or restarts after a crash): `env` outlives the node.
  virtual void Start(Environment& env) = 0;

  /// The APIs this node answers, which it advertises in ApiVersions. The
  /// runtime closes a connection that sends anything else, as Kafka does.
  virtual ApiSet ServedApis() const = 0;

  /// A request arrived; answer it through `respond`. Requests from one
  /// connection arrive in order, and the runtime sends their answers back in
  /// that order, whatever order the node answers them in (clients pipeline
  /// requests and rely on it). `request.body` is valid only during this call:
  /// copy what you keep. The runtime has checked the request with CanServe.
  ///
  /// Returns an error, without touching `respond`, if the request's body
  /// cannot be decoded: the runtime then closes the connection, as Kafka does
  /// with a request it cannot parse.
  virtual Status OnRequest(const Request& request, Responder respond) = 0;

  /// A clean shutdown (SIGTERM): flush and close what needs it. A crash
  /// skips this.
  virtual void Stop() {}
};

/// A node that only sends requests: a producer, a consumer, a tool. It serves
/// no API, so the runtime never passes it a request.
class ClientNode : public Node {
 public:
  ApiSet ServedApis() const override { return {}; }
  Status OnRequest(const Request&, Responder) override {
    return Error{ErrorCode::kInvalidRequest, "a client serves no API"};
  }
};

}  // namespace kafka
