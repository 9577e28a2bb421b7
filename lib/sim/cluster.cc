#include "lib/sim/cluster.h"

namespace kafka {

SimCluster::SimCluster(uint64_t seed, int brokers, BrokerFactory make_broker)
    : sim_(seed) {
  for (NodeId id = 1; id <= brokers; ++id) {
    brokers_.push_back(id);
    const HostPort address = Simulation::DefaultAddress(id);
    sim_.AddNode(id, address, [id, address, make_broker] {
      return make_broker(id, address);
    });
  }
}

std::vector<std::string> SimCluster::bootstrap_servers() {
  std::vector<std::string> servers;
  for (NodeId id : brokers_) {
    const HostPort& address = sim_.address(id);
    servers.push_back(address.host + ":" + std::to_string(address.port));
  }
  return servers;
}

NodeId SimCluster::AddIdleClient() {
  return sim_.AddClient([] { return std::make_unique<IdleClient>(); });
}

}  // namespace kafka
