/// \file
/// A KRaft node's settings: what Kafka's kafka-server-start reads for a
/// node of a cluster without ZooKeeper.
///
/// Since KIP-500 one program is every node of a Kafka cluster, and
/// process.roles says what it is:
///
///   broker             serves clients; follows the metadata log as an
///                      observer of the quorum (it never votes) and
///                      registers with the active controller
///                      (Kafka's BrokerServer)
///   controller         a voter of the quorum that holds the metadata log;
///                      the one that leads it is the active controller
///                      (Kafka's ControllerServer with its QuorumController)
///   broker,controller  both in one process: Kafka's combined mode, for a
///                      small or a development cluster
///
/// The settings are Chapter 2's (server_properties.h), Chapter 3's group
/// coordinator's, Chapter 4's replica manager's (replica.*:
/// replication_settings.h) and replication factor of __consumer_offsets,
/// and this chapter's, by Kafka's names (KafkaConfig, QuorumConfig):
///
///   process.roles                 broker | controller | broker,controller
///   node.id                       one id space for brokers and controllers
///   controller.quorum.voters      the voters: id@host:port,...
///   controller.quorum.bootstrap.servers
///                                 host:port,...: KIP-853's way to find the
///                                 quorum; without KIP-853's discovery here,
///                                 its entries are the voters 3000, 3001, ...
///                                 in order (Chapter 4's one controller was
///                                 3000, and //:cluster numbers them so);
///                                 give one of the two
///   controller.quorum.*.ms        the Raft timeouts (raft_config.h)
///   metadata.log.dir              where __cluster_metadata-0 lives
///                                 (default: log.dirs)
///   broker.heartbeat.interval.ms  a broker's heartbeats (2000)
///   broker.session.timeout.ms     how long the controller waits for one
///                                 before it fences the broker (9000)
///   broker.rack                   the rack a broker registers
///   default.replication.factor, metadata.max.idle.interval.ms,
///   auto.leader.rebalance.enable, leader.imbalance.check.interval.seconds,
///   unclean.leader.election.enable (the cluster's default for a topic),
///   metadata.log.max.record.bytes.between.snapshots
///                                 a controller's (quorum_controller.h)
///
/// A controller's node.id must be one of the voters and a broker's must not
/// (a broker is an observer). The single node of //:broker is a combined
/// node that is its own quorum of one: SingleNodeSettings.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "chapters/02_partitions/broker_program.h"
#include "chapters/02_partitions/server_properties.h"
#include "chapters/03_consumer_groups/group_coordinator.h"
#include "chapters/04_replication/replicated_replica_manager.h"
#include "chapters/05_controller/broker_lifecycle_manager.h"
#include "chapters/05_controller/controller/quorum_controller.h"
#include "chapters/05_controller/raft/raft_config.h"
#include "lib/error.h"

namespace kafka {

/// process.roles.
struct ProcessRoles {
  bool broker = false;
  bool controller = false;
  bool operator==(const ProcessRoles&) const = default;
};

/// Parses process.roles: "broker", "controller" or both, apart by a comma,
/// in either order. Anything else is INVALID_CONFIG naming the setting.
Result<ProcessRoles> ParseProcessRoles(std::string_view text);

/// The first id that controller.quorum.bootstrap.servers' entries get.
inline constexpr NodeId kFirstBootstrapVoterId = 3000;

/// Everything one KRaft node's program is configured with.
struct KRaftServerConfig {
  ProcessRoles roles;
  /// Chapter 2's: the listener, node.id, log.dirs, the log.* defaults.
  ServerConfig server;
  /// The Raft layer's: node.id, the voters, the timeouts, the data dir.
  RaftConfig raft;
  /// A broker's: the group coordinator's, the replica manager's, the
  /// lifecycle's (registration and heartbeats).
  GroupCoordinatorConfig groups;
  ReplicaManagerConfig replication;
  BrokerLifecycleConfig lifecycle;
  /// A controller's: its node id, num.partitions and the log.* defaults
  /// are the server's.
  QuorumControllerConfig controller;
};

/// Reads a KRaft node's command line: the file, the --override's, the
/// shorthands (broker_program.h), with the settings above. An error names
/// the setting: an unknown one, a bad value, no process.roles, no voters, a
/// controller not among the voters or a broker among them.
/// Ignored settings are warned of on stderr, as ReadServerConfig does.
/// A later chapter's program reads its own settings with these
/// (`added_settings`, stored where that program says).
Result<KRaftServerConfig> ReadKRaftServerConfig(
    const ServerCommandLine& line,
    const std::vector<ServerSetting>& added_settings = {});

/// Reads the command line of //:broker, the single node: Chapter 2's to 4's
/// settings and the Raft timeouts, but no process.roles or voters (which
/// Kafka's example files carry: they are ignored with a warning). It is a
/// combined node, node.id its one voter at its listener's address;
/// offsets.topic.replication.factor is 1 (one broker), as in Kafka's
/// single-node example configuration.
Result<KRaftServerConfig> ReadSingleNodeConfig(
    const ServerCommandLine& line,
    const std::vector<ServerSetting>& added_settings = {});

/// The end of --help (broker_program.h's SettingsHelp): every setting
/// ReadKRaftServerConfig knows (with `added_settings`), and the ignored
/// ones.
std::string KRaftServerSettingsHelp(
    const std::vector<ServerSetting>& added_settings = {});
/// The same for ReadSingleNodeConfig (process.roles and the voters are
/// among the ignored ones there).
std::string SingleNodeSettingsHelp(
    const std::vector<ServerSetting>& added_settings = {});

}  // namespace kafka
