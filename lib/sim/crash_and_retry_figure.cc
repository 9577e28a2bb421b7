// Writes the book's figure of a simulator run: a client pings a server, the
// server crashes, the client's request is refused and retried, the server
// restarts and answers. Usage: crash_and_retry_figure OUT.msc
#include <fstream>
#include <iostream>

#include "lib/example/ping.h"
#include "lib/sim/simulation.h"
#include "lib/sim/trace_msc.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: crash_and_retry_figure OUT.msc\n";
    return 2;
  }
  using namespace kafka;
  const NodeId server = 1, client = 2;
  Simulation sim(/*seed=*/2024);
  sim.SetDefaultLink({.min_latency_ms = 2, .max_latency_ms = 4});
  sim.AddNode(server, [] { return std::make_unique<PingServer>(); });
  sim.AddNode(client, [] {
    return std::make_unique<PingClient>(
        PingClient::Options{.server = 1,
                            .total = 4,
                            .request_timeout_ms = 50,
                            .retry_backoff_ms = 20});
  });
  sim.RunFor(9);
  sim.Crash(server);
  sim.RunFor(30);
  sim.Restart(server);
  sim.RunUntil([&] { return sim.node<PingClient>(client).done(); }, 1000);
  std::ofstream(argv[1]) << TraceToMsc(
      sim.trace(), {{server, "server (node 1)"}, {client, "client (node 2)"}});
  return 0;
}
