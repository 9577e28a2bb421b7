#include "chapters/05_controller/server/kraft_server_config.h"

#include <string>

#include "chapters/03_consumer_groups/group_settings.h"
#include "chapters/04_replication/replication_settings.h"
#include "lib/user_path.h"

namespace kafka {
namespace {

Error InvalidValue(const std::string& name, std::string_view value,
                   const std::string& why) {
  return Error{ErrorCode::kInvalidConfig,
               "Invalid value " + std::string(value) + " for configuration " +
                   name + ": " + why};
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

// The settings that decide which node this is, as given, until every
// setting is read.
struct QuorumSettings {
  std::optional<ProcessRoles> roles;
  std::optional<QuorumVoters> voters;
  std::optional<QuorumVoters> bootstrap_voters;
  std::optional<std::string> metadata_log_dir;
  /// leader.imbalance.check.interval.seconds; the controller counts in ms.
  int64_t leader_imbalance_check_interval_seconds = 0;
};

ServerSetting ProcessRolesSetting(std::optional<ProcessRoles>& roles) {
  return {"process.roles", [&roles](std::string_view value) -> Status {
            Result<ProcessRoles> parsed = ParseProcessRoles(value);
            if (!parsed.ok()) return parsed.status();
            roles = *parsed;
            return Status();
          }};
}

ServerSetting VotersSetting(std::optional<QuorumVoters>& voters) {
  return {"controller.quorum.voters", [&voters](std::string_view value) {
            Result<QuorumVoters> parsed = ParseQuorumVoters(value);
            if (parsed.ok()) voters = *parsed;
            return parsed.status();
          }};
}

// host:port,...: the voters 3000, 3001, ... in the order given.
ServerSetting BootstrapServersSetting(std::optional<QuorumVoters>& voters) {
  const std::string name = "controller.quorum.bootstrap.servers";
  return {name, [name, &voters](std::string_view value) -> Status {
            QuorumVoters parsed;
            NodeId id = kFirstBootstrapVoterId;
            while (!value.empty()) {
              const size_t comma = value.find(',');
              Result<HostPort> address =
                  ParseHostPort(Trim(value.substr(0, comma)));
              if (!address.ok()) {
                return InvalidValue(name, value, address.error().message);
              }
              parsed[id++] = *address;
              if (comma == std::string_view::npos) break;
              value.remove_prefix(comma + 1);
            }
            if (parsed.empty()) return InvalidValue(name, value, "is empty");
            voters = parsed;
            return Status();
          }};
}

ServerSetting MetadataLogDirSetting(std::optional<std::string>& dir) {
  return {"metadata.log.dir", [&dir](std::string_view value) -> Status {
            if (Trim(value).empty()) {
              return InvalidValue("metadata.log.dir", value,
                                  "names no directory");
            }
            dir = std::string(Trim(value));
            return Status();
          }};
}

// QuorumConfig's timeouts, Kafka's INTs; Kafka checks no bound, a negative
// time is refused here.
std::vector<ServerSetting> RaftSettings(RaftConfig& raft) {
  return {
      IntSetting("controller.quorum.election.timeout.ms",
                 raft.election_timeout_ms, 0),
      IntSetting("controller.quorum.fetch.timeout.ms", raft.fetch_timeout_ms,
                 0),
      IntSetting("controller.quorum.election.backoff.max.ms",
                 raft.election_backoff_max_ms, 0),
      IntSetting("controller.quorum.append.linger.ms", raft.append_linger_ms,
                 0),
      IntSetting("controller.quorum.request.timeout.ms",
                 raft.request_timeout_ms, 0),
      IntSetting("controller.quorum.retry.backoff.ms", raft.retry_backoff_ms,
                 0),
  };
}

ServerSetting RackSetting(std::optional<std::string>& rack) {
  return {"broker.rack", [&rack](std::string_view value) -> Status {
            rack = std::string(Trim(value));
            return Status();
          }};
}

// The lifecycle's settings (KRaftConfigs), Kafka's INTs: a heartbeat
// interval of 0 would flood the controller, so both are at least 1 ms.
// broker.session.timeout.ms is the controller's (a broker knows it too).
std::vector<ServerSetting> LifecycleSettings(
    BrokerLifecycleConfig& lifecycle, QuorumControllerConfig& controller) {
  return {
      IntSetting("broker.heartbeat.interval.ms",
                 lifecycle.broker_heartbeat_interval_ms, 1),
      IntSetting("broker.session.timeout.ms",
                 controller.broker_session_timeout_ms, 1),
      RackSetting(lifecycle.rack),
  };
}

// The quorum controller's, with Kafka's types (default.replication.factor
// is Kafka's INT, but CreateTopics carries it in 16 bits).
// unclean.leader.election.enable here is the cluster's default, for the
// topics whose own config does not say.
std::vector<ServerSetting> ControllerSettings(
    QuorumControllerConfig& controller, QuorumSettings& given) {
  given.leader_imbalance_check_interval_seconds =
      controller.leader_imbalance_check_interval_ms / 1000;
  return {
      ShortSetting("default.replication.factor",
                   controller.default_replication_factor, 1),
      BoolSetting("auto.leader.rebalance.enable",
                  controller.auto_leader_rebalance_enable),
      BoolSetting("unclean.leader.election.enable",
                  controller.unclean_leader_election_enable),
      IntSetting("metadata.max.idle.interval.ms",
                 controller.metadata_max_idle_interval_ms, 0),
      LongSetting("leader.imbalance.check.interval.seconds",
                  given.leader_imbalance_check_interval_seconds, 1),
      LongSetting("metadata.log.max.record.bytes.between.snapshots",
                  controller.metadata_log_max_record_bytes_between_snapshots,
                  1),
  };
}

void Append(std::vector<ServerSetting>& settings,
            std::vector<ServerSetting> more) {
  for (ServerSetting& setting : more) settings.push_back(std::move(setting));
}

// The settings every KRaft node program knows; with `quorum_names`, also
// the ones that say which node it is (the single node has none of those:
// Kafka's example files' process.roles and voters are ignored there);
// then a later chapter's `added_settings`.
std::vector<ServerSetting> ChapterSettings(
    KRaftServerConfig& config, QuorumSettings& given, bool quorum_names,
    const std::vector<ServerSetting>& added_settings) {
  std::vector<ServerSetting> settings = RaftSettings(config.raft);
  settings.push_back(MetadataLogDirSetting(given.metadata_log_dir));
  Append(settings, ReplicationSettings(config.replication));
  Append(settings, GroupCoordinatorSettings(config.groups));
  Append(settings, LifecycleSettings(config.lifecycle, config.controller));
  Append(settings, ControllerSettings(config.controller, given));
  settings.push_back(
      ShortSetting("offsets.topic.replication.factor",
                   config.groups.offsets_topic_replication_factor, 1));
  if (quorum_names) {
    settings.push_back(ProcessRolesSetting(given.roles));
    settings.push_back(VotersSetting(given.voters));
    settings.push_back(BootstrapServersSetting(given.bootstrap_voters));
  }
  Append(settings, added_settings);
  return settings;
}

Error MisconfiguredQuorum(const std::string& why) {
  return Error{ErrorCode::kInvalidConfig, why};
}

// One of the two ways to name the voters, and the node's place among them.
Result<QuorumVoters> ChooseVoters(const QuorumSettings& given,
                                  const ProcessRoles& roles, NodeId node_id) {
  if (given.voters && given.bootstrap_voters) {
    return MisconfiguredQuorum(
        "controller.quorum.voters and controller.quorum.bootstrap.servers "
        "are both set: give one");
  }
  if (!given.voters && !given.bootstrap_voters) {
    return MisconfiguredQuorum(
        "controller.quorum.voters is not set: where do the controllers "
        "listen (id@host:port,...)?");
  }
  const QuorumVoters& voters =
      given.voters ? *given.voters : *given.bootstrap_voters;
  const std::string id = std::to_string(node_id);
  if (roles.controller && !voters.contains(node_id)) {
    return MisconfiguredQuorum("node.id " + id +
                               " is a controller (process.roles) but not "
                               "one of controller.quorum.voters");
  }
  if (!roles.controller && voters.contains(node_id)) {
    return MisconfiguredQuorum("node.id " + id +
                               " is one of controller.quorum.voters but "
                               "process.roles has no controller");
  }
  return voters;
}

// The Raft layer's node, directory and cluster, from the settings read.
void CompleteRaftConfig(const QuorumSettings& given,
                        KRaftServerConfig& config) {
  config.raft.node_id = config.server.broker.node_id;
  config.raft.data_dir = given.metadata_log_dir
                             ? FromUserDirectory(*given.metadata_log_dir)
                             : config.server.broker.data_dir;
  config.raft.cluster_id = config.server.broker.cluster_id;
  config.replication.broker_id = config.server.broker.node_id;
  config.replication.data_dir = config.server.broker.data_dir;
  config.lifecycle.broker_session_timeout_ms =
      config.controller.broker_session_timeout_ms;
  config.controller.node_id = config.server.broker.node_id;
  config.controller.cluster_id = config.server.broker.cluster_id;
  config.controller.num_partitions = config.server.broker.num_partitions;
  config.controller.log = config.server.broker.log;
  config.controller.leader_imbalance_check_interval_ms =
      given.leader_imbalance_check_interval_seconds * 1000;
}

}  // namespace

Result<ProcessRoles> ParseProcessRoles(std::string_view text) {
  ProcessRoles roles;
  std::string_view rest = text;
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view role = Trim(rest.substr(0, comma));
    bool& named = role == "broker" ? roles.broker : roles.controller;
    if ((role != "broker" && role != "controller") || named) {
      return InvalidValue("process.roles", text,
                          "expected broker, controller or broker,controller");
    }
    named = true;
    if (comma == std::string_view::npos) return roles;
    rest.remove_prefix(comma + 1);
  }
}

Result<KRaftServerConfig> ReadKRaftServerConfig(
    const ServerCommandLine& line,
    const std::vector<ServerSetting>& added_settings) {
  KRaftServerConfig config;
  QuorumSettings given;
  Result<ServerConfig> server = ReadServerConfig(
      line,
      ChapterSettings(config, given, /*quorum_names=*/true, added_settings));
  if (!server.ok()) return server.error();
  config.server = *server;
  if (!given.roles) {
    return MisconfiguredQuorum(
        "process.roles is not set: broker, controller or broker,controller");
  }
  config.roles = *given.roles;
  Result<QuorumVoters> voters =
      ChooseVoters(given, config.roles, config.server.broker.node_id);
  if (!voters.ok()) return voters.error();
  config.raft.voters = *voters;
  CompleteRaftConfig(given, config);
  return config;
}

Result<KRaftServerConfig> ReadSingleNodeConfig(
    const ServerCommandLine& line,
    const std::vector<ServerSetting>& added_settings) {
  KRaftServerConfig config;
  QuorumSettings given;
  Result<ServerConfig> server = ReadServerConfig(
      line,
      ChapterSettings(config, given, /*quorum_names=*/false, added_settings));
  if (!server.ok()) return server.error();
  config.server = *server;
  config.roles = {.broker = true, .controller = true};
  // Port 0 (any free one) stays 0 here: the one voter never dials itself.
  config.raft.voters = {
      {config.server.broker.node_id,
       HostPort{config.server.listener.host, config.server.listener.port}}};
  CompleteRaftConfig(given, config);
  return config;
}

std::string KRaftServerSettingsHelp(
    const std::vector<ServerSetting>& added_settings) {
  KRaftServerConfig config;
  QuorumSettings given;
  return SettingsHelp(
      ChapterSettings(config, given, /*quorum_names=*/true, added_settings));
}

std::string SingleNodeSettingsHelp(
    const std::vector<ServerSetting>& added_settings) {
  KRaftServerConfig config;
  QuorumSettings given;
  return SettingsHelp(
      ChapterSettings(config, given, /*quorum_names=*/false, added_settings));
}

}  // namespace kafka
