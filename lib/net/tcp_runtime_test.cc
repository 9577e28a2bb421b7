#include "lib/net/tcp_runtime.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "lib/example/ping.h"
#include "lib/protocol/api_versions.h"

namespace kafka {
namespace {

constexpr NodeId kServer = 1;

// A PingServer on a free loopback port, served from its own thread.
class ServerThread {
 public:
  ServerThread()
      : runtime_(TcpRuntime::Options{}, std::make_unique<PingServer>()),
        thread_([this] { runtime_.Run(); }) {}
  ~ServerThread() {
    runtime_.Stop();
    thread_.join();
  }
  uint16_t port() const { return runtime_.port(); }

 private:
  TcpRuntime runtime_;
  std::thread thread_;
};

// Runs a PingClient against `port` until it is done; returns it.
PingClient::Options PingOptions(int64_t total, int in_flight) {
  return {.server = kServer,
          .total = total,
          .in_flight = in_flight,
          .request_timeout_ms = 5000,
          .retry_backoff_ms = 50};
}

TcpRuntime::Options ClientOptions(uint16_t server_port) {
  TcpRuntime::Options options;
  options.peers[kServer] = {"127.0.0.1", server_port};
  return options;
}

// A raw socket, to send what no well-behaved client would.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port)
      : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{.tv_sec = 5, .tv_usec = 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address),
                           sizeof address) == 0;
  }
  ~RawConnection() { ::close(fd_); }

  bool connected() const { return connected_; }
  void Write(const Bytes& bytes) {
    ASSERT_EQ(::write(fd_, bytes.data(), bytes.size()), ssize_t(bytes.size()));
  }
  // Reads until `n` bytes or end of stream; fewer means the peer closed.
  Bytes Read(size_t n) {
    Bytes out(n);
    size_t got = 0;
    while (got < n) {
      ssize_t r = ::read(fd_, out.data() + got, n - got);
      if (r <= 0) break;
      got += size_t(r);
    }
    out.resize(got);
    return out;
  }

 private:
  int fd_;
  bool connected_ = false;
};

// Rule: the example node runs unchanged over TCP: every ping is answered.
TEST(TcpRuntimeTest, PingOverLoopback) {
  ServerThread server;
  TcpRuntime client(ClientOptions(server.port()),
                    std::make_unique<PingClient>(PingOptions(200, 10)));
  auto& ping = dynamic_cast<PingClient&>(client.node());
  EXPECT_TRUE(client.RunUntil([&] { return ping.done(); }, 10'000));
  EXPECT_EQ(ping.failures(), 0);
}

// Rule: the ApiVersions answer on the wire is byte for byte what
// librdkafka expects for v3 (header v0, compact array, no tags).
TEST(TcpRuntimeTest, ApiVersionsV3OnTheWire) {
  ServerThread server;
  RawConnection connection(server.port());
  ASSERT_TRUE(connection.connected());
  RequestHeader header{18, 3, 77, "rdkafka"};
  connection.Write(EncodeRequestFrame(
      header, Bytes{0x0B, 'l', 'i', 'b', 'r', 'd', 'k', 'a', 'f', 'k', 'a',
                    0x06, '2', '.', '0', '.', '2', 0x00}));
  Bytes expected = EncodeResponseFrame(
      header, AnswerApiVersions(header, PingServer().ServedApis()));
  EXPECT_EQ(connection.Read(expected.size()), expected);
}

// Rule: bad input closes that connection only; the node keeps serving.
TEST(TcpRuntimeTest, GarbageClosesTheConnectionNotTheNode) {
  ServerThread server;
  std::vector<Bytes> garbage = {
      {0x7F, 0xFF, 0xFF, 0xFF},                  // 2 GiB: over the limit
      {0xFF, 0xFF, 0xFF, 0xF0},                  // negative size
      {0, 0, 0, 3, 1, 2, 3},                     // shorter than a header
      EncodeRequestFrame({999, 0, 1, "x"}, {}),  // unknown API
      EncodeRequestFrame({18, 3, 1, "x"}, {}),   // then a good request...
  };
  garbage.back().insert(garbage.back().begin() + 4, 0);  // ...made malformed
  ByteWriter(garbage.back()).PatchInt32(0, int32_t(garbage.back().size()) - 4);
  for (const Bytes& bytes : garbage) {
    RawConnection connection(server.port());
    ASSERT_TRUE(connection.connected());
    connection.Write(bytes);
    EXPECT_TRUE(connection.Read(1).empty()) << "the server closed it";
  }
  TcpRuntime client(ClientOptions(server.port()),
                    std::make_unique<PingClient>(PingOptions(5, 1)));
  auto& ping = dynamic_cast<PingClient&>(client.node());
  EXPECT_TRUE(client.RunUntil([&] { return ping.done(); }, 10'000));
}

// Rule: a request to a node that is down fails with NETWORK_EXCEPTION (the
// connection is refused), which the client retries.
TEST(TcpRuntimeTest, RefusedConnectionIsANetworkException) {
  uint16_t closed_port;
  {
    ServerThread gone;
    closed_port = gone.port();
  }
  TcpRuntime client(ClientOptions(closed_port),
                    std::make_unique<PingClient>(PingOptions(1, 1)));
  auto& ping = dynamic_cast<PingClient&>(client.node());
  client.RunUntil([&] { return ping.failures() >= 2; }, 5'000);
  EXPECT_GE(ping.failures(), 2);
  EXPECT_EQ(ping.answered(), 0);
}

// Rule: a request the node cannot decode closes its connection, and the node
// keeps serving others.
TEST(TcpRuntimeTest, UndecodableBodyClosesTheConnection) {
  ServerThread server;
  RawConnection connection(server.port());
  ASSERT_TRUE(connection.connected());
  connection.Write(EncodeRequestFrame({18, 3, 1, "x"}, Bytes{0x09, 'x'}));
  EXPECT_TRUE(connection.Read(1).empty());
  TcpRuntime client(ClientOptions(server.port()),
                    std::make_unique<PingClient>(PingOptions(3, 1)));
  auto& ping = dynamic_cast<PingClient&>(client.node());
  EXPECT_TRUE(client.RunUntil([&] { return ping.done(); }, 10'000));
}

// Rule: a request to a node with no known address fails at once with
// NETWORK_EXCEPTION, not after request.timeout.ms.
TEST(TcpRuntimeTest, UnknownPeerIsANetworkException) {
  TcpRuntime client(TcpRuntime::Options{},
                    std::make_unique<PingClient>(PingOptions(1, 1)));
  auto& ping = dynamic_cast<PingClient&>(client.node());
  client.RunUntil([&] { return ping.failures() >= 3; }, 2'000);
  EXPECT_GE(ping.failures(), 3) << "each retry fails fast (timeout is 5 s)";
}

}  // namespace
}  // namespace kafka
