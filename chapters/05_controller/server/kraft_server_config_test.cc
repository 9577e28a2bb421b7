// The rules of kraft_server_config.h, one test each: which node the
// settings make, and the misconfigurations that stop the program.
#include "chapters/05_controller/server/kraft_server_config.h"

#include <gtest/gtest.h>

namespace kafka {
namespace {

// A command line of --override's only, with log.dirs (every start needs it).
ServerCommandLine Overrides(std::vector<std::string> settings) {
  ServerCommandLine line;
  line.overrides = {"log.dirs=/data"};
  line.overrides.insert(line.overrides.end(), settings.begin(), settings.end());
  return line;
}

std::string ErrorOf(const Result<KRaftServerConfig>& config) {
  return config.ok() ? "(no error)" : config.error().message;
}

const char kVoters[] =
    "controller.quorum.voters=3000@127.0.0.1:9093,3001@127.0.0.1:9094,"
    "3002@127.0.0.1:9095";

TEST(KRaftServerConfigTest, ABrokerIsAnObserverOfTheVoters) {
  Result<KRaftServerConfig> config = ReadKRaftServerConfig(
      Overrides({"process.roles=broker", "node.id=2", kVoters}));
  ASSERT_TRUE(config.ok()) << ErrorOf(config);
  EXPECT_EQ(config->roles, (ProcessRoles{.broker = true}));
  EXPECT_EQ(config->raft.node_id, 2);
  EXPECT_TRUE(config->raft.observer());
  EXPECT_EQ(config->raft.voters.size(), 3u);
  EXPECT_EQ(config->raft.voters.at(3001), (HostPort{"127.0.0.1", 9094}));
  EXPECT_EQ(config->raft.data_dir, "/data");
}

TEST(KRaftServerConfigTest, AControllerIsOneOfTheVoters) {
  Result<KRaftServerConfig> config = ReadKRaftServerConfig(
      Overrides({"process.roles=controller", "node.id=3001", kVoters,
                 "controller.quorum.election.timeout.ms=500",
                 "metadata.log.dir=/metadata"}));
  ASSERT_TRUE(config.ok()) << ErrorOf(config);
  EXPECT_EQ(config->roles, (ProcessRoles{.controller = true}));
  EXPECT_FALSE(config->raft.observer());
  EXPECT_EQ(config->raft.election_timeout_ms, 500);
  EXPECT_EQ(config->raft.data_dir, "/metadata");
}

TEST(KRaftServerConfigTest, ACombinedNodeHasBothRolesInEitherOrder) {
  for (const std::string roles : {"broker,controller", "controller, broker"}) {
    Result<KRaftServerConfig> config = ReadKRaftServerConfig(
        Overrides({"process.roles=" + roles, "node.id=1",
                   "controller.quorum.voters=1@127.0.0.1:9092"}));
    ASSERT_TRUE(config.ok()) << ErrorOf(config);
    EXPECT_EQ(config->roles, (ProcessRoles{.broker = true, .controller = true}))
        << roles;
  }
}

TEST(KRaftServerConfigTest, TheLifecycleSettingsSetTheBrokers) {
  Result<KRaftServerConfig> config = ReadKRaftServerConfig(Overrides(
      {"process.roles=broker", kVoters, "broker.heartbeat.interval.ms=500",
       "broker.session.timeout.ms=3000", "broker.rack=r1"}));
  ASSERT_TRUE(config.ok()) << ErrorOf(config);
  EXPECT_EQ(config->lifecycle.broker_heartbeat_interval_ms, 500);
  EXPECT_EQ(config->lifecycle.broker_session_timeout_ms, 3000);
  EXPECT_EQ(config->lifecycle.rack, "r1");
  EXPECT_EQ(config->controller.broker_session_timeout_ms, 3000);
}

TEST(KRaftServerConfigTest, TheControllerSettingsSetTheControllers) {
  Result<KRaftServerConfig> config = ReadKRaftServerConfig(Overrides(
      {"process.roles=controller", "node.id=3000", kVoters,
       "default.replication.factor=3", "num.partitions=4",
       "min.insync.replicas=2", "leader.imbalance.check.interval.seconds=5",
       "metadata.max.idle.interval.ms=100"}));
  ASSERT_TRUE(config.ok()) << ErrorOf(config);
  const QuorumControllerConfig& controller = config->controller;
  EXPECT_EQ(controller.node_id, 3000);
  EXPECT_EQ(controller.default_replication_factor, 3);
  EXPECT_EQ(controller.num_partitions, 4);
  EXPECT_EQ(controller.log.min_insync_replicas, 2);
  EXPECT_EQ(controller.leader_imbalance_check_interval_ms, 5000);
  EXPECT_EQ(controller.metadata_max_idle_interval_ms, 100);
}

// The cluster's defaults that a controller decides elections by.
TEST(KRaftServerConfigTest, TheElectionSettingsSetTheControllers) {
  Result<KRaftServerConfig> config = ReadKRaftServerConfig(
      Overrides({"process.roles=controller", "node.id=3000", kVoters,
                 "auto.leader.rebalance.enable=false",
                 "unclean.leader.election.enable=TRUE"}));
  ASSERT_TRUE(config.ok()) << ErrorOf(config);
  EXPECT_FALSE(config->controller.auto_leader_rebalance_enable);
  EXPECT_TRUE(config->controller.unclean_leader_election_enable);
}

// Chapter 4's replica.* settings (replication_settings.h), for a broker.
TEST(KRaftServerConfigTest, TheReplicationSettingsSetTheReplicaManager) {
  Result<KRaftServerConfig> config = ReadKRaftServerConfig(Overrides(
      {"process.roles=broker", kVoters, "replica.lag.time.max.ms=7000",
       "replica.fetch.wait.max.ms=100"}));
  ASSERT_TRUE(config.ok()) << ErrorOf(config);
  EXPECT_EQ(config->replication.replication.replica_lag_time_max_ms, 7000);
  EXPECT_EQ(config->replication.fetcher.replica_fetch_wait_max_ms, 100);
}

// --help names every setting the program reads, and what it ignores.
TEST(KRaftServerConfigTest, TheHelpNamesTheSettingsOfEachProgram) {
  const std::string server = KRaftServerSettingsHelp();
  for (const std::string name :
       {"process.roles", "replica.lag.time.max.ms", "log.dirs",
        "unclean.leader.election.enable", "auto.leader.rebalance.enable"}) {
    EXPECT_NE(server.find(name), std::string::npos) << name;
  }
  EXPECT_NE(server.find("ignored"), std::string::npos);
  const std::string single = SingleNodeSettingsHelp();
  const size_t ignored = single.find("ignored");
  ASSERT_NE(ignored, std::string::npos);
  EXPECT_GT(single.find("process.roles"), ignored);
}

TEST(KRaftServerConfigTest, BootstrapServersAreTheVoters3000AndOn) {
  Result<KRaftServerConfig> config = ReadKRaftServerConfig(Overrides(
      {"process.roles=broker",
       "controller.quorum.bootstrap.servers=127.0.0.1:9093,127.0.0.1:9094"}));
  ASSERT_TRUE(config.ok()) << ErrorOf(config);
  EXPECT_EQ(config->raft.voters, (QuorumVoters{{3000, {"127.0.0.1", 9093}},
                                               {3001, {"127.0.0.1", 9094}}}));
}

TEST(KRaftServerConfigTest, MisconfigurationsStopTheProgram) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{kVoters},
       "process.roles is not set: broker, controller or broker,controller"},
      {{"process.roles=zookeeper", kVoters},
       "Invalid value zookeeper for configuration process.roles: expected "
       "broker, controller or broker,controller"},
      {{"process.roles=broker,broker", kVoters},
       "Invalid value broker,broker for configuration process.roles: "
       "expected broker, controller or broker,controller"},
      {{"process.roles=broker"},
       "controller.quorum.voters is not set: where do the controllers listen "
       "(id@host:port,...)?"},
      {{"process.roles=broker", kVoters,
        "controller.quorum.bootstrap.servers=127.0.0.1:9093"},
       "controller.quorum.voters and controller.quorum.bootstrap.servers are "
       "both set: give one"},
      {{"process.roles=controller", "node.id=1", kVoters},
       "node.id 1 is a controller (process.roles) but not one of "
       "controller.quorum.voters"},
      {{"process.roles=broker", "node.id=3000", kVoters},
       "node.id 3000 is one of controller.quorum.voters but process.roles "
       "has no controller"},
      {{"process.roles=broker", "controller.quorum.voters=3000@nowhere"},
       "controller.quorum.voters: \"3000@nowhere\""},
      {{"process.roles=broker", "controller.quorum.bootstrap.servers=x:y"},
       "Invalid value x:y for configuration "
       "controller.quorum.bootstrap.servers"},
      {{"process.roles=broker", kVoters, "unclean.leader.election.enable=yes"},
       "Invalid value yes for configuration unclean.leader.election.enable: "
       "Expected value to be either true or false"},
      {{"process.roles=broker", kVoters,
        "controller.quorum.fetch.timeout.ms=-1"},
       "Invalid value -1 for configuration controller.quorum.fetch.timeout.ms: "
       "Value must be at least 0"},
  };
  for (const auto& [settings, error] : cases) {
    Result<KRaftServerConfig> config =
        ReadKRaftServerConfig(Overrides(settings));
    EXPECT_NE(ErrorOf(config).find(error), std::string::npos)
        << settings.front() << ": " << ErrorOf(config);
  }
}

// //:broker: a combined node and its own quorum of one, from the flags it
// always took; Kafka's process.roles and voters, if a file has them, are
// ignored (with a warning).
TEST(KRaftServerConfigTest, TheSingleNodeIsItsOwnQuorumOfOne) {
  ServerCommandLine line =
      Overrides({"process.roles=broker", "controller.quorum.voters=9@x:1"});
  line.shorthands.node_id = 7;
  line.shorthands.port = 0;
  Result<KRaftServerConfig> config = ReadSingleNodeConfig(line);
  ASSERT_TRUE(config.ok()) << ErrorOf(config);
  EXPECT_EQ(config->roles, (ProcessRoles{.broker = true, .controller = true}));
  EXPECT_EQ(config->raft.voters, (QuorumVoters{{7, {"127.0.0.1", 0}}}));
  EXPECT_FALSE(config->raft.observer());
}

}  // namespace
}  // namespace kafka
