// The real runtime against raw sockets, in the same run: request/response
// round trips (ApiVersions pings) over loopback, one at a time and ten in
// flight. The baseline is the same frames through blocking read(2)/write(2)
// on plain sockets, with a canned answer: the ratio is what the event loop,
// the framing and the node model cost.
#include <arpa/inet.h>
#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "lib/example/ping.h"
#include "lib/net/tcp_runtime.h"
#include "lib/protocol/api_versions.h"
#include "lib/protocol/message.h"

namespace kafka {
namespace {

constexpr int64_t kPingsPerIteration = 1000;
constexpr ApiKey kServed[] = {ApiKey::kApiVersions};

bool ReadExactly(int fd, uint8_t* out, size_t n) {
  for (size_t done = 0; done < n;) {
    ssize_t r = ::read(fd, out + done, n - done);
    if (r <= 0) return false;
    done += size_t(r);
  }
  return true;
}

int ConnectedSocket(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  return fd;
}

// A blocking server that answers every frame with the same canned answer.
class RawServer {
 public:
  RawServer() : listener_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ::listen(listener_, 1);
    socklen_t length = sizeof address;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~RawServer() {
    thread_.join();
    ::close(listener_);
  }
  uint16_t port() const { return port_; }

 private:
  void Serve() {
    int fd = ::accept(listener_, nullptr, nullptr);
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    RequestHeader header{18, 3, 0, "c"};
    Bytes answer =
        EncodeResponseFrame(header, AnswerApiVersions(header, kServed));
    uint8_t size[4];
    Bytes frame;
    while (ReadExactly(fd, size, 4)) {
      frame.resize(size_t(size[0]) << 24 | size[1] << 16 | size[2] << 8 |
                   size[3]);
      if (!ReadExactly(fd, frame.data(), frame.size())) break;
      if (::write(fd, answer.data(), answer.size()) < 0) break;
    }
    ::close(fd);
  }

  int listener_;
  uint16_t port_;
  std::thread thread_;
};

void RawSockets(benchmark::State& state) {
  const int in_flight = int(state.range(0));
  RawServer server;
  int fd = ConnectedSocket(server.port());
  Bytes request = EncodeRequestFrame(
      {18, 3, 1, "c"},
      EncodeMessage(ApiVersionsRequest{"c", "1"}, ApiKey::kApiVersions, 3));
  Bytes answer(EncodeResponseFrame({18, 3, 0, "c"},
                                   AnswerApiVersions({18, 3, 0, "c"}, kServed))
                   .size());
  for (auto _ : state) {
    for (int64_t i = 0; i < kPingsPerIteration; i += in_flight) {
      for (int j = 0; j < in_flight; ++j) {
        if (::write(fd, request.data(), request.size()) < 0) std::abort();
      }
      for (int j = 0; j < in_flight; ++j)
        ReadExactly(fd, answer.data(), answer.size());
    }
  }
  ::close(fd);
  state.SetItemsProcessed(state.iterations() * kPingsPerIteration);
}

void Runtime(benchmark::State& state) {
  const int in_flight = int(state.range(0));
  TcpRuntime server(TcpRuntime::Options{}, std::make_unique<PingServer>());
  std::thread server_thread([&] { server.Run(); });
  for (auto _ : state) {
    TcpRuntime::Options options;
    options.peers[1] = {"127.0.0.1", server.port()};
    TcpRuntime client(
        options,
        std::make_unique<PingClient>(PingClient::Options{
            .server = 1, .total = kPingsPerIteration, .in_flight = in_flight}));
    auto& ping = dynamic_cast<PingClient&>(client.node());
    if (!client.RunUntil([&] { return ping.done(); }, 60'000)) {
      state.SkipWithError("pings unanswered");
    }
  }
  server.Stop();
  server_thread.join();
  state.SetItemsProcessed(state.iterations() * kPingsPerIteration);
}

// Argument: requests in flight. Wall-clock time: the work is waiting on IO.
BENCHMARK(RawSockets)
    ->Arg(1)
    ->Arg(10)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(Runtime)
    ->Arg(1)
    ->Arg(10)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace kafka

BENCHMARK_MAIN();
