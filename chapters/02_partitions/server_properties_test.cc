// The rules of server_properties.h, one test each.
#include "chapters/02_partitions/server_properties.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <sstream>

namespace kafka {
namespace {

struct Applied {
  Status status;
  ServerConfig config;
  std::string warnings;
};

// Applies `properties` with log.dirs set (every start needs it), unless the
// test gives its own.
Applied Apply(Properties properties,
              const std::vector<ServerSetting>& chapter_settings = {}) {
  properties.emplace("log.dirs", "/data");
  Applied applied;
  std::ostringstream warnings;
  applied.status = ApplyServerProperties(properties, chapter_settings,
                                         applied.config, warnings);
  applied.warnings = warnings.str();
  return applied;
}

std::string ErrorOf(const Applied& applied) {
  return applied.status.ok() ? "(no error)" : applied.status.error().message;
}

TEST(ServerPropertiesTest, OnlyLogDirsLeavesTheDefaults) {
  Applied applied = Apply({});
  ASSERT_TRUE(applied.status.ok()) << applied.status.error();
  const BrokerConfig defaults;
  EXPECT_EQ(applied.config.broker.data_dir, "/data");
  EXPECT_EQ(applied.config.broker.node_id, defaults.node_id);
  EXPECT_EQ(applied.config.broker.log.segment_bytes,
            defaults.log.segment_bytes);
  EXPECT_EQ(applied.config.broker.log.retention_ms, defaults.log.retention_ms);
  EXPECT_EQ(applied.config.listener.host, "127.0.0.1");
  EXPECT_EQ(applied.config.listener.port, 9092);
  EXPECT_EQ(applied.config.broker.advertised_host, "127.0.0.1");
  EXPECT_EQ(applied.config.broker.advertised_port, 9092);
  EXPECT_EQ(applied.warnings, "");
}

TEST(ServerPropertiesTest, EachSettingSetsItsField) {
  Applied applied = Apply({
      {"node.id", "7"},
      {"num.partitions", "6"},
      {"auto.create.topics.enable", "false"},
      {"log.segment.bytes", "1048576"},
      {"log.retention.bytes", "5000000"},
      {"log.retention.check.interval.ms", "1000"},
      {"log.index.size.max.bytes", "4096"},
      {"log.index.interval.bytes", "100"},
      {"log.flush.interval.messages", "1"},
      {"log.flush.interval.ms", "200"},
      {"message.max.bytes", "2000000"},
      {"min.insync.replicas", "2"},
      {"socket.request.max.bytes", "3000000"},
      {"queued.max.request.bytes", "50000000"},
      {"connections.max.idle.ms", "60000"},
  });
  ASSERT_TRUE(applied.status.ok()) << applied.status.error();
  const BrokerConfig& broker = applied.config.broker;
  EXPECT_EQ(broker.node_id, 7);
  EXPECT_EQ(broker.num_partitions, 6);
  EXPECT_FALSE(broker.auto_create_topics_enable);
  EXPECT_EQ(broker.log.segment_bytes, 1048576);
  EXPECT_EQ(broker.log.retention_bytes, 5000000);
  EXPECT_EQ(broker.log_retention_check_interval_ms, 1000);
  EXPECT_EQ(broker.log.segment_index_bytes, 4096);
  EXPECT_EQ(broker.log.index_interval_bytes, 100);
  EXPECT_EQ(broker.log.flush_messages, 1);
  EXPECT_EQ(broker.log.flush_ms, 200);
  EXPECT_EQ(broker.log.max_message_bytes, 2000000);
  EXPECT_EQ(broker.log.min_insync_replicas, 2);
  const TcpRuntime::Options& listener = applied.config.listener;
  EXPECT_EQ(listener.socket_request_max_bytes, 3000000);
  EXPECT_EQ(listener.queued_max_request_bytes, 50000000);
  EXPECT_EQ(listener.connections_max_idle_ms, 60000);
}

TEST(ServerPropertiesTest, ValuesAreTrimmed) {
  Applied applied =
      Apply({{"node.id", " 3 "}, {"auto.create.topics.enable", "\tFalse "}});
  ASSERT_TRUE(applied.status.ok()) << applied.status.error();
  EXPECT_EQ(applied.config.broker.node_id, 3);
  EXPECT_FALSE(applied.config.broker.auto_create_topics_enable);
}

TEST(ServerPropertiesTest, ANumberThatIsNotOneNamesTheSetting) {
  Applied applied = Apply({{"num.partitions", "three"}});
  EXPECT_EQ(applied.status.error().code, ErrorCode::kInvalidConfig);
  EXPECT_EQ(ErrorOf(applied),
            "Invalid value three for configuration num.partitions: Not a "
            "number of type INT");
}

TEST(ServerPropertiesTest, AnIntMustFitIn32Bits) {
  EXPECT_EQ(ErrorOf(Apply({{"log.segment.bytes", "4294967296"}})),
            "Invalid value 4294967296 for configuration log.segment.bytes: "
            "Not a number of type INT");
}

TEST(ServerPropertiesTest, ALongMayBeWide) {
  Applied applied = Apply({{"log.retention.bytes", "4294967296"}});
  ASSERT_TRUE(applied.status.ok()) << applied.status.error();
  EXPECT_EQ(applied.config.broker.log.retention_bytes, 4294967296);
}

TEST(ServerPropertiesTest, AnEmptyNumberIsNotANumber) {
  EXPECT_EQ(ErrorOf(Apply({{"log.flush.interval.ms", ""}})),
            "Invalid value  for configuration log.flush.interval.ms: Not a "
            "number of type LONG");
}

TEST(ServerPropertiesTest, ANumberBelowItsMinimumNamesTheSetting) {
  EXPECT_EQ(ErrorOf(Apply({{"num.partitions", "0"}})),
            "Invalid value 0 for configuration num.partitions: Value must be "
            "at least 1");
  EXPECT_EQ(ErrorOf(Apply({{"log.segment.bytes", "13"}})),
            "Invalid value 13 for configuration log.segment.bytes: Value must "
            "be at least 14");
  EXPECT_EQ(ErrorOf(Apply({{"node.id", "-1"}})),
            "Invalid value -1 for configuration node.id: Value must be at "
            "least 0");
}

TEST(ServerPropertiesTest, ABooleanIsTrueOrFalse) {
  EXPECT_EQ(ErrorOf(Apply({{"auto.create.topics.enable", "yes"}})),
            "Invalid value yes for configuration auto.create.topics.enable: "
            "Expected value to be either true or false");
}

TEST(ServerPropertiesTest, AnUnknownSettingStops) {
  Applied applied = Apply({{"num.partition", "3"}});
  EXPECT_EQ(ErrorOf(applied),
            "Unknown configuration num.partition: not a setting this broker "
            "knows or ignores (see --help)");
}

TEST(ServerPropertiesTest, KafkasSettingsThatAreNotHereAreIgnoredWithAWarning) {
  Applied applied =
      Apply({{"process.roles", "broker,controller"}, {"num.io.threads", "8"}});
  ASSERT_TRUE(applied.status.ok()) << applied.status.error();
  EXPECT_EQ(applied.warnings,
            "ignored: num.io.threads (not implemented here)\n"
            "ignored: process.roles (not implemented here)\n");
}

TEST(ServerPropertiesTest, APrefixIgnoresEveryNameItStarts) {
  Applied applied = Apply(
      {{"log.cleaner.threads", "2"}, {"zookeeper.connect", "localhost:2181"}});
  ASSERT_TRUE(applied.status.ok()) << applied.status.error();
  EXPECT_EQ(applied.warnings,
            "ignored: log.cleaner.threads (not implemented here)\n"
            "ignored: zookeeper.connect (not implemented here)\n");
}

TEST(ServerPropertiesTest, GroupSettingsAreIgnoredWithoutAGroupCoordinator) {
  Applied applied = Apply({{"offsets.topic.num.partitions", "3"}});
  ASSERT_TRUE(applied.status.ok()) << applied.status.error();
  EXPECT_EQ(applied.warnings,
            "ignored: offsets.topic.num.partitions (this broker has no group "
            "coordinator; Chapter 3's has)\n");
}

TEST(ServerPropertiesTest, AChaptersSettingIsSetRatherThanIgnored) {
  int32_t partitions = 50;
  Applied applied =
      Apply({{"offsets.topic.num.partitions", "3"}},
            {IntSetting("offsets.topic.num.partitions", partitions, 1)});
  ASSERT_TRUE(applied.status.ok()) << applied.status.error();
  EXPECT_EQ(partitions, 3);
  EXPECT_EQ(applied.warnings, "");
}

TEST(ServerPropertiesTest, AChaptersSettingHasItsRange) {
  int32_t partitions = 50;
  Applied applied =
      Apply({{"offsets.topic.num.partitions", "0"}},
            {IntSetting("offsets.topic.num.partitions", partitions, 1)});
  EXPECT_EQ(ErrorOf(applied),
            "Invalid value 0 for configuration offsets.topic.num.partitions: "
            "Value must be at least 1");
}

TEST(ServerPropertiesTest, RetentionMsWinsOverMinutesWhichWinsOverHours) {
  EXPECT_EQ(
      Apply({{"log.retention.hours", "2"}}).config.broker.log.retention_ms,
      2 * 3'600'000);
  EXPECT_EQ(
      Apply({{"log.retention.hours", "2"}, {"log.retention.minutes", "3"}})
          .config.broker.log.retention_ms,
      3 * 60'000);
  EXPECT_EQ(Apply({{"log.retention.hours", "2"},
                   {"log.retention.minutes", "3"},
                   {"log.retention.ms", "4000"}})
                .config.broker.log.retention_ms,
            4000);
}

TEST(ServerPropertiesTest, OnlyTheRetentionTimeThatWinsIsChecked) {
  Applied applied =
      Apply({{"log.retention.hours", "0"}, {"log.retention.ms", "4000"}});
  ASSERT_TRUE(applied.status.ok()) << applied.status.error();
  EXPECT_EQ(applied.config.broker.log.retention_ms, 4000);
}

TEST(ServerPropertiesTest, ANegativeRetentionTimeMeansForever) {
  EXPECT_EQ(
      Apply({{"log.retention.hours", "-1"}}).config.broker.log.retention_ms,
      -1);
  EXPECT_EQ(Apply({{"log.retention.ms", "-5"}}).config.broker.log.retention_ms,
            -1);
}

TEST(ServerPropertiesTest, AZeroRetentionTimeIsRefused) {
  EXPECT_EQ(ErrorOf(Apply({{"log.retention.minutes", "0"}})),
            "log.retention.ms must be unlimited (-1) or, equal or greater "
            "than 1");
}

TEST(ServerPropertiesTest, RollMsWinsOverRollHours) {
  EXPECT_EQ(Apply({{"log.roll.hours", "3"}}).config.broker.log.segment_ms,
            3 * 3'600'000);
  EXPECT_EQ(Apply({{"log.roll.hours", "3"}, {"log.roll.ms", "5000"}})
                .config.broker.log.segment_ms,
            5000);
}

TEST(ServerPropertiesTest, ListenersSetWhereToListenAndWhatToAdvertise) {
  Applied applied = Apply({{"listeners", "PLAINTEXT://127.0.0.2:9093"}});
  ASSERT_TRUE(applied.status.ok()) << applied.status.error();
  EXPECT_EQ(applied.config.listener.host, "127.0.0.2");
  EXPECT_EQ(applied.config.listener.port, 9093);
  EXPECT_EQ(applied.config.broker.advertised_host, "127.0.0.2");
  EXPECT_EQ(applied.config.broker.advertised_port, 9093);
}

TEST(ServerPropertiesTest, AdvertisedListenersAreWhatMetadataTellsClients) {
  Applied applied =
      Apply({{"listeners", "PLAINTEXT://0.0.0.0:9092"},
             {"advertised.listeners", "PLAINTEXT://kafka1.example:19092"}});
  ASSERT_TRUE(applied.status.ok()) << applied.status.error();
  EXPECT_EQ(applied.config.listener.host, "0.0.0.0");
  EXPECT_EQ(applied.config.listener.port, 9092);
  EXPECT_EQ(applied.config.broker.advertised_host, "kafka1.example");
  EXPECT_EQ(applied.config.broker.advertised_port, 19092);
}

TEST(ServerPropertiesTest, EveryInterfaceCannotBeAdvertised) {
  EXPECT_EQ(ErrorOf(Apply({{"listeners", "PLAINTEXT://0.0.0.0:9092"}})),
            "advertised.listeners cannot use the nonroutable meta-address "
            "0.0.0.0. Use a routable IP address (advertised.listeners "
            "defaults to listeners).");
}

TEST(ServerPropertiesTest, AnEmptyHostListensEverywhereAndAdvertisesTheHost) {
  Applied applied = Apply({{"listeners", "PLAINTEXT://:9092"}});
  ASSERT_TRUE(applied.status.ok()) << applied.status.error();
  EXPECT_EQ(applied.config.listener.host, "0.0.0.0");
  char host_name[256] = {};
  ASSERT_EQ(gethostname(host_name, sizeof(host_name) - 1), 0);
  EXPECT_EQ(applied.config.broker.advertised_host, host_name);
}

TEST(ServerPropertiesTest, PortZeroLeavesTheAdvertisedPortToTheProgram) {
  Applied applied = Apply({{"listeners", "PLAINTEXT://127.0.0.1:0"}});
  ASSERT_TRUE(applied.status.ok()) << applied.status.error();
  EXPECT_EQ(applied.config.listener.port, 0);
  EXPECT_EQ(applied.config.broker.advertised_port, 0);
}

TEST(ServerPropertiesTest, ThereIsOnePlaintextListener) {
  EXPECT_EQ(
      ErrorOf(Apply({{"listeners", "PLAINTEXT://:9092,CONTROLLER://:9093"}})),
      "Invalid value PLAINTEXT://:9092,CONTROLLER://:9093 for "
      "configuration listeners: this broker has one listener");
  EXPECT_EQ(ErrorOf(Apply({{"advertised.listeners", "SSL://host:9093"}})),
            "Invalid value SSL://host:9093 for configuration "
            "advertised.listeners: this broker has one PLAINTEXT://host:port "
            "listener");
}

TEST(ServerPropertiesTest, AListenerHasAPortFrom0To65535) {
  EXPECT_EQ(ErrorOf(Apply({{"listeners", "PLAINTEXT://host"}})),
            "Invalid value PLAINTEXT://host for configuration listeners: no "
            "port");
  EXPECT_EQ(ErrorOf(Apply({{"listeners", "PLAINTEXT://host:65536"}})),
            "Invalid value PLAINTEXT://host:65536 for configuration "
            "listeners: the port is not a number from 0 to 65535");
}

TEST(ServerPropertiesTest, AnIpv6HostIsInBrackets) {
  Result<Listener> listener =
      ParseListener("listeners", "PLAINTEXT://[::1]:9092");
  ASSERT_TRUE(listener.ok()) << listener.error();
  EXPECT_EQ(listener->host, "::1");
  EXPECT_EQ(listener->port, 9092);
  EXPECT_EQ(FormatListener(*listener), "PLAINTEXT://[::1]:9092");
}

TEST(ServerPropertiesTest, TheSchemeIsReadInAnyCase) {
  Result<Listener> listener = ParseListener("listeners", "plaintext://h:1");
  ASSERT_TRUE(listener.ok()) << listener.error();
  EXPECT_EQ(listener->host, "h");
}

TEST(ServerPropertiesTest, LogDirsMustBeGiven) {
  ServerConfig config;
  std::ostringstream warnings;
  Status status = ApplyServerProperties({}, {}, config, warnings);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message,
            "log.dirs is not set: give it in the properties file, with "
            "--override log.dirs=DIR or with --data-dir DIR");
}

TEST(ServerPropertiesTest, LogDirsIsOneDirectory) {
  EXPECT_EQ(ErrorOf(Apply({{"log.dirs", "/a,/b"}})),
            "Invalid value /a,/b for configuration log.dirs: this broker "
            "keeps its partitions in one directory");
  EXPECT_EQ(ErrorOf(Apply({{"log.dirs", " "}})),
            "Invalid value  for configuration log.dirs: names no directory");
}

TEST(ServerPropertiesTest, ShorthandsWinOverTheFile) {
  Properties properties = {{"log.dirs", "/file"},
                           {"node.id", "1"},
                           {"num.partitions", "1"},
                           {"auto.create.topics.enable", "true"}};
  Status status = ApplyShorthands({.data_dir = "/flag",
                                   .node_id = 5,
                                   .num_partitions = 3,
                                   .auto_create_topics_enable = false},
                                  properties);
  ASSERT_TRUE(status.ok()) << status.error();
  EXPECT_EQ(properties, (Properties{{"log.dirs", "/flag"},
                                    {"node.id", "5"},
                                    {"num.partitions", "3"},
                                    {"auto.create.topics.enable", "false"}}));
}

TEST(ServerPropertiesTest, PortAndHostShorthandsChangeOnePartOfListeners) {
  Properties properties = {{"listeners", "PLAINTEXT://127.0.0.2:9999"}};
  ASSERT_TRUE(ApplyShorthands({.port = 0}, properties).ok());
  EXPECT_EQ(properties["listeners"], "PLAINTEXT://127.0.0.2:0");
  ASSERT_TRUE(ApplyShorthands({.host = "127.0.0.3"}, properties).ok());
  EXPECT_EQ(properties["listeners"], "PLAINTEXT://127.0.0.3:0");
}

TEST(ServerPropertiesTest, APortShorthandAloneChangesTheDefaultListener) {
  Properties properties;
  ASSERT_TRUE(ApplyShorthands({.port = 9099}, properties).ok());
  EXPECT_EQ(properties["listeners"], "PLAINTEXT://127.0.0.1:9099");
}

TEST(ServerPropertiesTest, KnownSettingNamesListEveryChaptersSettings) {
  int32_t partitions = 50;
  std::vector<std::string> names = KnownSettingNames(
      {IntSetting("offsets.topic.num.partitions", partitions, 1)});
  EXPECT_EQ(names.front(), "offsets.topic.num.partitions");
  EXPECT_NE(std::find(names.begin(), names.end(), "log.retention.hours"),
            names.end());
}

}  // namespace
}  // namespace kafka
