// The simulator must not be what slows randomized tests down.
//
// Ten nodes in a ring, each pinging the next: 10 x 100,000 requests and as
// many responses through the simulated network, with random latency. Reports
// simulated messages per second of real time. The baseline, in the same run,
// is the cost of the same requests' encoding alone (frame, parse, answer), so
// the ratio shows what the simulation machinery adds on top of the codec.
#include <benchmark/benchmark.h>

#include "lib/example/ping.h"
#include "lib/protocol/api_versions.h"
#include "lib/protocol/message.h"
#include "lib/sim/simulation.h"

namespace kafka {
namespace {

constexpr int kNodes = 10;
constexpr int64_t kPingsPerNode = 100'000;

// A node that is both: it answers pings and pings the next node.
class RingNode : public Node {
 public:
  explicit RingNode(NodeId next)
      : client_({.server = next, .total = kPingsPerNode, .in_flight = 10}) {}
  void Start(Environment& env) override { client_.Start(env); }
  ApiSet ServedApis() const override { return server_.ServedApis(); }
  Status OnRequest(const Request& request, Responder respond) override {
    return server_.OnRequest(request, std::move(respond));
  }
  bool done() const { return client_.done(); }

 private:
  PingServer server_;
  PingClient client_;
};

void SimulatedRing(benchmark::State& state) {
  int64_t messages = 0;
  for (auto _ : state) {
    Simulation sim(42);
    sim.set_keep_trace(false);
    sim.SetDefaultLink({.min_latency_ms = 1, .max_latency_ms = 5});
    for (NodeId id = 0; id < kNodes; ++id) {
      sim.AddNode(
          id, [id] { return std::make_unique<RingNode>((id + 1) % kNodes); });
    }
    bool done = sim.RunUntil(
        [&] {
          for (NodeId id = 0; id < kNodes; ++id) {
            if (!sim.node<RingNode>(id).done()) return false;
          }
          return true;
        },
        int64_t{1} << 40);
    if (!done) state.SkipWithError("the ring did not finish");
    messages += 2 * kNodes * kPingsPerNode;  // requests and responses
  }
  state.counters["messages_per_second"] =
      benchmark::Counter(double(messages), benchmark::Counter::kIsRate);
}

constexpr ApiKey kServed[] = {ApiKey::kApiVersions};

// The codec work of the same messages, without any simulation.
void CodecOnly(benchmark::State& state) {
  int64_t messages = 0;
  for (auto _ : state) {
    for (int64_t i = 0; i < kNodes * kPingsPerNode; ++i) {
      RequestHeader header{18, 3, int32_t(i), "ping-client"};
      Bytes request = EncodeRequestFrame(
          header, EncodeMessage(ApiVersionsRequest{"ping-client", "1.0"},
                                ApiKey::kApiVersions, 3));
      Result<Request> parsed =
          ParseRequest(ByteView(request).subspan(kFrameSizeBytes));
      Bytes response = EncodeResponseFrame(
          parsed->header, AnswerApiVersions(parsed->header, kServed));
      benchmark::DoNotOptimize(response.data());
    }
    messages += 2 * kNodes * kPingsPerNode;
  }
  state.counters["messages_per_second"] =
      benchmark::Counter(double(messages), benchmark::Counter::kIsRate);
}

BENCHMARK(SimulatedRing)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->Repetitions(3);
BENCHMARK(CodecOnly)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->Repetitions(3);

}  // namespace
}  // namespace kafka

BENCHMARK_MAIN();
