/// \file
/// A KRaft node as a program: Kafka's kafka-server-start for Chapter 5.
///
/// The settings (kraft_server_config.h) say the node's roles; this builds
/// the node they make and serves it over TCP until SIGTERM or SIGINT:
///
///   process.roles=broker             a KRaftBroker (Kafka's BrokerServer)
///   process.roles=controller         a ControllerServer: a voter of the
///                                    metadata quorum and its controller
///   process.roles=broker,controller  a combined node, both in one process
///                                    (Kafka's combined mode)
///
/// A node with a broker says it listens ("broker N listening on HOST:PORT")
/// only once its broker is unfenced, as Kafka's BrokerServer opens its
/// listener to clients only then: what connects after that line finds a
/// broker that knows the cluster (and a client that bootstraps from it sees
/// itself in Metadata). A controller says so at once.
///
/// SIGTERM or SIGINT stops the node cleanly. A node with a broker first
/// shuts down under the controller's control, as Kafka's BrokerServer
/// does: the controller moves its leaderships to other replicas in the ISR
/// and lets it go (for at most broker.session.timeout.ms; a second signal
/// stops it at once). Then each says "broker stopped cleanly" or
/// "controller stopped cleanly".
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "chapters/02_partitions/broker_program.h"
#include "chapters/05_controller/kraft_broker.h"
#include "chapters/05_controller/server/kraft_server_config.h"

namespace kafka {

/// How a program reads its settings: ReadKRaftServerConfig, or
/// ReadSingleNodeConfig for //:broker, with a later chapter's settings.
using KRaftConfigReader = std::function<Result<KRaftServerConfig>(
    const ServerCommandLine& line,
    const std::vector<ServerSetting>& added_settings)>;

/// What a later chapter's program gives the node's broker: its own
/// settings (read with Chapter 5's, by Kafka's names) and, once they are
/// read, what it sets in the broker's config (Chapter 6's delayed produce,
/// Chapter 7's producer state and producer ids). Empty: Chapter 5's broker.
struct BrokerAdditions {
  std::vector<ServerSetting> settings;
  std::function<void(KRaftBrokerConfig& broker)> configure;
};

/// Reads the command line with `read_config` (--help ends with
/// `settings_help`, the settings it knows) and serves the node the
/// settings make until SIGTERM or SIGINT; its broker, if it has one, has
/// the `additions`. The process's exit code: 1, with nothing started, if a
/// setting is unknown or wrong (the message names it).
int RunKRaftServer(int argc, char** argv, const std::string& description,
                   const KRaftConfigReader& read_config,
                   const std::string& settings_help,
                   const BrokerAdditions& additions = {});

}  // namespace kafka
