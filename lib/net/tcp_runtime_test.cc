#include "lib/net/tcp_runtime.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "lib/example/ping.h"
#include "lib/protocol/api_versions.h"

namespace kafka {
namespace {

constexpr NodeId kServer = 1;

// A server node (a PingServer unless told) on a free loopback port, served
// from its own thread.
class ServerThread {
 public:
  explicit ServerThread(
      TcpRuntime::Options options = {},
      std::unique_ptr<Node> node = std::make_unique<PingServer>())
      : runtime_(std::move(options), std::move(node)),
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
    // MSG_NOSIGNAL: a write to a connection the server closed fails the
    // test instead of killing it with SIGPIPE.
    ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              ssize_t(bytes.size()));
  }
  void SetReadTimeoutMs(int64_t ms) {
    timeval timeout{.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  // True if the peer closed the connection, false if the read timed out.
  bool ClosedByPeer() {
    uint8_t byte;
    ssize_t r = ::read(fd_, &byte, 1);
    return r == 0 || (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
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

// The frame start of a request that claims `size` bytes and sends `sent`.
Bytes FrameStart(int32_t size, size_t sent) {
  Bytes bytes;
  ByteWriter(bytes).WriteInt32(size);
  bytes.resize(bytes.size() + sent, 0x42);
  return bytes;
}

// An ApiVersions v3 request, as librdkafka sends it (correlation id 77).
Bytes ApiVersionsRequest() {
  return EncodeRequestFrame(
      {18, 3, 77, "rdkafka"},
      Bytes{0x0B, 'l', 'i', 'b', 'r', 'd', 'k', 'a', 'f', 'k', 'a', 0x06, '2',
            '.', '0', '.', '2', 0x00});
}

// This process's resident memory (VmRSS), in bytes.
int64_t ResidentBytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  }
  return -1;
}

// Ten connections that each announce a 100 MiB frame and send 8 bytes of it:
// how much resident memory the server holds for them.
int64_t ResidentBytesForTenHugeClaims(TcpRuntime::Options options) {
  ServerThread server(std::move(options));
  int64_t before = ResidentBytes();
  std::vector<std::unique_ptr<RawConnection>> connections;
  for (int i = 0; i < 10; ++i) {
    connections.push_back(std::make_unique<RawConnection>(server.port()));
    EXPECT_TRUE(connections.back()->connected());
    connections.back()->Write(FrameStart(kDefaultSocketRequestMaxBytes, 8));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  return ResidentBytes() - before;
}

// Rule: the announced size of a frame is a claim, not an allocation: memory
// follows the bytes that arrive.
// With no queue limit (the default) all ten frames are being read at once.
TEST(TcpRuntimeTest, AnnouncedFrameSizeIsNotAllocatedUpFront) {
  EXPECT_LT(ResidentBytesForTenHugeClaims({}), 100'000'000);
  EXPECT_LT(ResidentBytesForTenHugeClaims(
                {.queued_max_request_bytes = 100 * 1024 * 1024}),
            100'000'000);
}

// The answer to ApiVersionsRequest() from a PingServer.
Bytes ApiVersionsAnswer() {
  RequestHeader header{18, 3, 77, "rdkafka"};
  return EncodeResponseFrame(
      header, AnswerApiVersions(header, PingServer().ServedApis()));
}

// Rule: queued.max.request.bytes: while the requests being read or answered
// hold the cap, no further frame is read; when room is freed (here: the
// holder closes its connection) the request that waited is read and answered,
// not dropped.
TEST(TcpRuntimeTest, FullQueuePausesReadingUntilRoomIsFreed) {
  ServerThread server({.queued_max_request_bytes = 1000});
  auto holder = std::make_unique<RawConnection>(server.port());
  ASSERT_TRUE(holder->connected());
  holder->Write(FrameStart(1000, 8));  // holds all 1000 bytes of the queue
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  RawConnection waiting(server.port());
  ASSERT_TRUE(waiting.connected());
  waiting.SetReadTimeoutMs(300);
  waiting.Write(ApiVersionsRequest());
  EXPECT_TRUE(waiting.Read(1).empty()) << "read before there was room";
  holder.reset();
  waiting.SetReadTimeoutMs(5000);
  Bytes expected = ApiVersionsAnswer();
  EXPECT_EQ(waiting.Read(expected.size()), expected);
}

// Rule: connections.max.idle.ms closes a connection that stopped in the
// middle of a frame.
TEST(TcpRuntimeTest, IdleConnectionIsClosedMidFrame) {
  ServerThread server({.connections_max_idle_ms = 200});
  RawConnection connection(server.port());
  ASSERT_TRUE(connection.connected());
  connection.Write(FrameStart(100, 8));
  EXPECT_TRUE(connection.ClosedByPeer()) << "still open after 5 s";
}

// Rule: a frame that stopped coming holds its room in the queue only until
// connections.max.idle.ms closes its connection; the connection that waited
// for that room meanwhile is not idle (this node stopped reading it).
TEST(TcpRuntimeTest, StalledFrameFreesTheQueueWhenIdleNotTheWaiter) {
  ServerThread server(
      {.queued_max_request_bytes = 1000, .connections_max_idle_ms = 200});
  RawConnection holder(server.port());
  ASSERT_TRUE(holder.connected());
  holder.Write(FrameStart(1000, 8));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  RawConnection waiting(server.port());
  ASSERT_TRUE(waiting.connected());
  waiting.Write(ApiVersionsRequest());
  for (int i = 0; i < 5; ++i) {  // half a second of a slow but active holder
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    holder.Write(Bytes{0x42});
  }
  Bytes expected = ApiVersionsAnswer();
  EXPECT_EQ(waiting.Read(expected.size()), expected);
  EXPECT_TRUE(holder.ClosedByPeer());
}

// Rule: a connection that keeps sending requests is not idle, however long
// it lives.
TEST(TcpRuntimeTest, ActiveConnectionIsNotClosed) {
  ServerThread server({.connections_max_idle_ms = 200});
  RawConnection connection(server.port());
  ASSERT_TRUE(connection.connected());
  Bytes expected = ApiVersionsAnswer();
  for (int i = 0; i < 10; ++i) {  // one second: five idle limits
    connection.Write(ApiVersionsRequest());
    ASSERT_EQ(connection.Read(expected.size()), expected) << "request " << i;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

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
  connection.Write(ApiVersionsRequest());
  Bytes expected = ApiVersionsAnswer();
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

// Rule: a node reaches a peer at the address it learned at run time
// (Environment::LearnAddress), a host name resolved, with no table given at
// the start.
TEST(TcpRuntimeTest, LearnedAddressIsReached) {
  ServerThread server;
  PingClient::Options options = PingOptions(5, 1);
  options.server_address = HostPort{"localhost", server.port()};
  TcpRuntime client(TcpRuntime::Options{},
                    std::make_unique<PingClient>(options));
  auto& ping = dynamic_cast<PingClient&>(client.node());
  EXPECT_TRUE(client.RunUntil([&] { return ping.done(); }, 10'000));
  EXPECT_EQ(ping.failures(), 0);
}

// A server that holds the requests of client id "held" for 500 ms and answers
// the rest at once, as a broker holds a long-poll fetch.
class HoldingServer : public Node {
 public:
  void Start(Environment& env) override { env_ = &env; }
  ApiSet ServedApis() const override { return ping_.ServedApis(); }
  Status OnRequest(const Request& request, Responder respond) override {
    Bytes body = AnswerApiVersions(request.header, ServedApis());
    // By the client id, not by arrival: two connections' requests may
    // arrive in either order.
    if (request.header.client_id == kHeldClientId) {
      env_->StartTimer(500, [respond, body] { respond(body); });
    } else {
      respond(body);
    }
    return Status();
  }
  static constexpr char kHeldClientId[] = "held";

 private:
  Environment* env_ = nullptr;
  PingServer ping_;
};

// Sends two pings at its start, the first (which the server holds) on the
// default connection and the second on `second`, and records the order of
// the answers.
class TwoPings : public ClientNode {
 public:
  explicit TwoPings(Connection second) : second_(second) {}
  void Start(Environment& env) override {
    for (int i = 0; i < 2; ++i) {
      env.Send(
          kServer,
          {18, 0, 0, i == 0 ? HoldingServer::kHeldClientId : "two-pings"},
          Bytes{}, 5000,
          [this, i](Result<Bytes> body) {
            if (body.ok()) answered.push_back(i);
          },
          i == 0 ? Connection::kDefault : second_);
    }
  }
  std::vector<int> answered;

 private:
  Connection second_;
};

// Rule: each (peer, purpose) is its own connection: a request on one is
// answered while a held request on another to the same peer waits; on the
// same connection it waits behind the held one.
TEST(TcpRuntimeTest, ConnectionsByPurposeDoNotWaitForEachOther) {
  for (Connection second : {Connection::kCoordinator, Connection::kDefault}) {
    ServerThread server({}, std::make_unique<HoldingServer>());
    TcpRuntime client(ClientOptions(server.port()),
                      std::make_unique<TwoPings>(second));
    auto& pings = dynamic_cast<TwoPings&>(client.node());
    ASSERT_TRUE(
        client.RunUntil([&] { return pings.answered.size() == 2; }, 5'000));
    EXPECT_EQ(pings.answered,
              (second == Connection::kCoordinator ? std::vector<int>{1, 0}
                                                  : std::vector<int>{0, 1}));
  }
}

}  // namespace
}  // namespace kafka
