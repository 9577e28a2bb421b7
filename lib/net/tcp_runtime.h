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
///   - a request whose header cannot be parsed, or whose API or version this
///     node does not serve (see CanServe), closes the connection too;
///   - requests on one connection are handed to the node in order and their
///     answers written back in that order (clients pipeline requests);
///   - requests the node sends go out on one connection per peer, matched to
///     their answers by correlation id, failed with NETWORK_EXCEPTION if the
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
    /// Where the other nodes listen, for Environment::Send.
    std::map<NodeId, std::pair<std::string, uint16_t>> peers;
    int32_t socket_request_max_bytes = kDefaultSocketRequestMaxBytes;
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
