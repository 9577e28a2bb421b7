/// \file
/// The real runtime: one node on one event loop, over TCP, with Kafka's
/// framing.
///
/// The same Node that runs in the simulator runs here unchanged. This runtime
/// gives it the system clock, timers on the steady clock, real files
/// (PosixStorage),
/// and TCP connections that speak Kafka's protocol, so that real Kafka clients
/// can connect to it:
///
///   - every frame is a 4-byte size and that many bytes; a size above
///     socket.request.max.bytes (100 MiB by default) or below a header's
///     size closes the connection, as Kafka's SocketServer does;
///   - a frame's buffer grows as its bytes arrive, a chunk at a time: the
///     size a peer announces costs no memory until the peer sends the bytes;
///   - queued.max.request.bytes, if set (by default there is no cap, as in
///     Kafka), caps the requests being read or waiting for their answers,
///     over all connections: a frame counts with its announced
///     size from the moment its size is read until it is answered (or its
///     connection closes), and while the cap is reached no connection starts
///     reading a new frame's bytes (they wait in the kernel, nothing is
///     dropped) until room is freed;
///   - connections.max.idle.ms closes a connection on which no bytes moved for
///     that long, also one that stopped in the middle of a frame (which frees
///     the room its frame held); one waiting for room in the queue is not
///     idle;
///   - a request whose header cannot be parsed, or whose API or version this
///     node does not serve (see CanServe), closes the connection too;
///   - requests on one connection are handed to the node in order and their
///     answers written back in that order (clients pipeline requests);
///   - requests the node sends go out on one connection per peer and
///     purpose (Environment::Connection), opened to the address the node
///     learned for that peer (Environment::LearnAddress) or else the one in
///     Options::peers, its host name resolved; they are matched to their
///     answers by correlation id, failed with NETWORK_EXCEPTION if the
///     connection breaks and REQUEST_TIMED_OUT if no answer comes in time.
///
/// Everything runs on the thread that calls Run: the node stays
/// single-threaded, as the node model requires. SIGINT and SIGTERM stop the
/// loop after the node's Stop (a clean shutdown).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "lib/node/node.h"

namespace kafka {

class TcpRuntime {
 public:
  struct Options {
    std::string host = "127.0.0.1";  ///< where to listen (loopback by default)
    uint16_t port = 0;               ///< 0: any free port (see port())
    /// Where other nodes listen, known from the start (a node learns more
    /// with Environment::LearnAddress, which takes precedence).
    std::map<NodeId, std::pair<std::string, uint16_t>> peers;
    int32_t socket_request_max_bytes = kDefaultSocketRequestMaxBytes;
    /// queued.max.request.bytes: at most this many bytes of requests being
    /// read or waiting for their answer; not above 0, no limit. The default
    /// is Kafka's, -1: a frame counts with its announced size, so under a
    /// limit one peer that stops mid-frame could pause every connection until
    /// connections.max.idle.ms closes it.
    int64_t queued_max_request_bytes = -1;
    /// connections.max.idle.ms (Kafka's default: 10 minutes).
    int64_t connections_max_idle_ms = 600'000;
    /// For Environment::random; 0 draws one from std::random_device, so two
    /// processes (or two runs) do not make the same "random" choices.
    uint64_t seed = 0;
    bool handle_signals = false;  ///< stop cleanly on SIGINT / SIGTERM
  };

  TcpRuntime(Options options, std::unique_ptr<Node> node);
  ~TcpRuntime();

  /// The port the runtime listens on (useful with port 0).
  uint16_t port() const;
  /// Starts the node and serves until Stop (or a signal, if handled).
  void Run();
  /// Runs until `done()` holds or `timeout_ms` pass; true if it held.
  /// For tests and tools that drive a client node to completion.
  bool RunUntil(const std::function<bool()>& done, int64_t timeout_ms);
  /// Asks the loop to stop the node cleanly; safe from any thread.
  void Stop();
  /// The node, between runs (the loop must not be running).
  Node& node();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kafka
