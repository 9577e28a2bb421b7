/// \file
/// Chapter 2's brokers in the simulator, for tests: each broker takes the
/// node id and the address the simulator gives it, so that Metadata
/// advertises where the test's clients reach it.
#pragma once

#include <memory>

#include "chapters/02_partitions/broker.h"
#include "lib/sim/cluster.h"

namespace kafka {

/// Brokers configured as `config`, each under its own node id and address,
/// with its logs in "data" on its simulated disk.
inline SimCluster::BrokerFactory SimulatedBrokers(BrokerConfig config) {
  return [config](NodeId id, const HostPort& address) {
    BrokerConfig broker = config;
    broker.node_id = id;
    broker.advertised_host = address.host;
    broker.advertised_port = address.port;
    broker.data_dir = "data";
    return std::make_unique<Broker>(broker);
  };
}

}  // namespace kafka
