// Writes the book's figure of a rebalance, drawn from a seeded simulator run:
// two group consumers join and share a topic's partitions, then a third
// joins; the others learn it from their heartbeats and rejoin, and a new
// generation shares the partitions three ways.
// Usage: rebalance_figure OUT.msc
#include <fstream>
#include <iostream>

#include "chapters/03_consumer_groups/group_broker.h"
#include "chapters/03_consumer_groups/group_consumer.h"
#include "lib/sim/simulation.h"
#include "lib/sim/trace_msc.h"

namespace kafka {
namespace {

// The broker, node 1, where the simulator has it listen.
const HostPort kBroker = Simulation::DefaultAddress(1);

class MemberNode : public ClientNode {
 public:
  void Start(Environment& env) override {
    consumer_ = std::make_unique<GroupConsumer>(
        env,
        GroupConsumerConfig{
            .consumer = {.bootstrap_servers = {kBroker.host + ":" +
                                               std::to_string(kBroker.port)},
                         .auto_offset_reset = "earliest"},
            .group_id = "readers",
            .session_timeout_ms = 6'000,
            .heartbeat_interval_ms = 1'000,
            .enable_auto_commit = false},
        [](std::vector<ConsumerRecord>) {});
    consumer_->Subscribe({"clicks"});
  }

 private:
  std::unique_ptr<GroupConsumer> consumer_;
};

}  // namespace
}  // namespace kafka

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: rebalance_figure OUT.msc\n";
    return 2;
  }
  using namespace kafka;
  Simulation sim(/*seed=*/3);
  sim.SetDefaultLink({.min_latency_ms = 1, .max_latency_ms = 2});
  sim.AddNode(1, [] {
    return std::make_unique<GroupBroker>(
        BrokerConfig{.advertised_host = kBroker.host,
                     .advertised_port = kBroker.port,
                     .data_dir = "data",
                     .num_partitions = 3},
        GroupCoordinatorConfig{.offsets_topic_num_partitions = 1,
                               .group_initial_rebalance_delay_ms = 300});
  });
  sim.AddNode(2, [] { return std::make_unique<MemberNode>(); });
  sim.AddNode(3, [] { return std::make_unique<MemberNode>(); });
  sim.RunFor(2'000);
  sim.AddNode(4, [] { return std::make_unique<MemberNode>(); });
  sim.RunFor(2'500);

  // Only the group protocol: leave out fetches, metadata and offsets.
  std::vector<TraceEvent> group_events;
  for (const TraceEvent& event : sim.trace()) {
    ApiKey api = static_cast<ApiKey>(event.message.api_key);
    if (api == ApiKey::kJoinGroup || api == ApiKey::kSyncGroup ||
        api == ApiKey::kHeartbeat || api == ApiKey::kFindCoordinator) {
      group_events.push_back(event);
    }
  }
  std::ofstream(argv[1]) << TraceToMsc(group_events, {{2, "consumer A"},
                                                      {1, "coordinator"},
                                                      {3, "consumer B"},
                                                      {4, "consumer C"}});
  return 0;
}
