// Chapter 4's broker as a program: one replica of each partition it holds,
// a leader or a follower, told which by the static controller. Three of them
// and the controller make a cluster, which Chapter 4's launcher starts on
// loopback (bazel run //chapters/04_replication:cluster -- DIR). One broker
// by hand, with the controller at 127.0.0.1:9093 (see
// static_controller_main.cc):
//
//   bazel run //chapters/04_replication:broker_main -- config/server.properties
//       --override node.id=1 --data-dir /tmp/b1
//       --override controller.quorum.bootstrap.servers=127.0.0.1:9093
//
// Besides Chapter 2's settings it takes the replica manager's and the
// fetchers', by Kafka's names (replication_settings.h), and where the
// controller listens: controller.quorum.bootstrap.servers, as Kafka's KRaft
// broker finds its controllers since KIP-853 (Kafka 4's example
// broker.properties sets it; the older controller.quorum.voters also names each
// voter's id, which this chapter's single controller does not need: it is 3000,
// as Chapter 5's first controller will be).
#include <memory>
#include <stdexcept>

#include "chapters/02_partitions/broker_program.h"
#include "chapters/03_consumer_groups/group_settings.h"
#include "chapters/04_replication/replicated_broker.h"
#include "chapters/04_replication/replication_settings.h"

namespace {

// ConfigDef's words, as Chapter 2's settings say them.
kafka::Error InvalidValue(const std::string& name, std::string_view value,
                          const std::string& why) {
  return kafka::Error{kafka::ErrorCode::kInvalidConfig,
                      "Invalid value " + std::string(value) +
                          " for configuration " + name + ": " + why};
}

// controller.quorum.bootstrap.servers is Kafka's LIST of host:port; with one
// controller here, the list has one entry.
kafka::ServerSetting ControllerAddressSetting(
    std::optional<kafka::HostPort>& address) {
  const std::string name = "controller.quorum.bootstrap.servers";
  return {name, [name, &address](std::string_view value) -> kafka::Status {
            if (value.find(',') != std::string_view::npos) {
              return InvalidValue(name, value, "Chapter 4 has one controller");
            }
            kafka::Result<kafka::HostPort> parsed = kafka::ParseHostPort(value);
            if (!parsed.ok()) {
              return InvalidValue(name, value, "not a host:port address");
            }
            address = *parsed;
            return kafka::Status();
          }};
}

// Chapter 4's own settings: the replication ones, where the controller is,
// and the group coordinator's (Chapter 3's, and the replication factor of
// __consumer_offsets, which matters from here on).
std::vector<kafka::ServerSetting> ChapterSettings(
    kafka::ReplicatedBrokerConfig& config,
    std::optional<kafka::HostPort>& controller) {
  std::vector<kafka::ServerSetting> settings =
      kafka::ReplicationSettings(config.replication);
  settings.push_back(ControllerAddressSetting(controller));
  for (kafka::ServerSetting& setting :
       kafka::GroupCoordinatorSettings(config.groups)) {
    settings.push_back(std::move(setting));
  }
  settings.push_back(
      kafka::ShortSetting("offsets.topic.replication.factor",
                          config.groups.offsets_topic_replication_factor, 1));
  return settings;
}

}  // namespace

int main(int argc, char** argv) {
  kafka::ReplicatedBrokerConfig config;
  std::optional<kafka::HostPort> controller;
  return kafka::RunBrokerProgram(
      argc, argv, "A Kafka broker whose partitions are replicated (Chapter 4).",
      ChapterSettings(config, controller),
      [&config, &controller](const kafka::BrokerConfig& broker) {
        if (!controller) {
          throw std::invalid_argument(
              "controller.quorum.bootstrap.servers is not set: where does "
              "the controller listen (host:port)?");
        }
        config.broker = broker;
        config.controller_address = *controller;
        return std::make_unique<kafka::ReplicatedBroker>(config);
      });
}
