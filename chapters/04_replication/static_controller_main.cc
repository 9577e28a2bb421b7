// Chapter 4's static controller as a program: it places the replicas of new
// topics on the brokers it is given, tells every broker the cluster's state
// (UpdateMetadata) and takes the leaders' ISR changes (AlterPartition).
// Chapter 4's launcher (//chapters/04_replication:cluster) starts one with
// three brokers on loopback; by hand:
//
//   bazel run //chapters/04_replication:static_controller_main --
//       config/server.properties --data-dir /tmp/controller --port 9093
//       --override static.brokers=1@127.0.0.1:9092,2@127.0.0.1:9094,...
//
// It reads the same settings as a broker (config/server.properties, then
// --override name=value, then --data-dir, --host, --port, --node-id), since
// in Kafka a controller and its brokers share most of them: num.partitions
// and the log.* defaults (min.insync.replicas among them) are what it
// reports for new topics, and should be the brokers' too. node.id is 3000 by
// default and listeners 127.0.0.1:9093; log.dirs has to be given, as Kafka's
// controller keeps its metadata log there, though this chapter's controller
// keeps its decisions in memory and writes nothing. Its own settings:
//
//   default.replication.factor  Kafka's: the replicas of a topic created
//                               without a replication factor (1)
//   static.brokers              not Kafka's: the brokers, id@host:port,...
//                               (Kafka's brokers register themselves with the
//                               controller instead; Chapter 5's do)
#include <charconv>
#include <iostream>
#include <memory>

#include "chapters/02_partitions/broker_program.h"
#include "chapters/04_replication/static_controller.h"
#include "lib/net/tcp_runtime.h"

namespace {

kafka::Error InvalidValue(const std::string& name, std::string_view value,
                          const std::string& why) {
  return kafka::Error{kafka::ErrorCode::kInvalidConfig,
                      "Invalid value " + std::string(value) +
                          " for configuration " + name + ": " + why};
}

// One broker of static.brokers: id@host:port.
kafka::Result<kafka::BrokerEndpoint> ParseBroker(std::string_view entry) {
  const size_t at = entry.find('@');
  int32_t id = -1;
  const auto [end, error] =
      std::from_chars(entry.data(), entry.data() + at, id);
  if (at == std::string_view::npos || error != std::errc() ||
      end != entry.data() + at || id < 0) {
    return InvalidValue("static.brokers", entry, "expected id@host:port");
  }
  kafka::Result<kafka::HostPort> address =
      kafka::ParseHostPort(entry.substr(at + 1));
  if (!address.ok()) {
    return InvalidValue("static.brokers", entry, "expected id@host:port");
  }
  return kafka::BrokerEndpoint{id, address->host, address->port, std::nullopt};
}

kafka::ServerSetting BrokersSetting(
    std::vector<kafka::BrokerEndpoint>& brokers) {
  return {"static.brokers", [&brokers](std::string_view value) {
            brokers.clear();
            size_t start = 0;
            while (start <= value.size()) {
              const size_t comma =
                  std::min(value.find(',', start), value.size());
              kafka::Result<kafka::BrokerEndpoint> broker =
                  ParseBroker(value.substr(start, comma - start));
              if (!broker.ok()) return broker.status();
              brokers.push_back(*broker);
              start = comma + 1;
            }
            return kafka::Status();
          }};
}

struct ControllerProgramConfig {
  kafka::StaticControllerConfig controller;
  kafka::TcpRuntime::Options listener;
};

// node.id 3000 and port 9093 unless the settings say otherwise.
kafka::Result<ControllerProgramConfig> ReadSettings(
    const kafka::ServerCommandLine& line) {
  ControllerProgramConfig config;
  kafka::ServerConfig defaults;
  defaults.broker.node_id = config.controller.node_id;
  defaults.listener.port = 9093;
  std::vector<kafka::ServerSetting> settings = {
      BrokersSetting(config.controller.brokers),
      // Kafka's is an INT; CreateTopics carries replication factors in 16
      // bits.
      kafka::ShortSetting("default.replication.factor",
                          config.controller.default_replication_factor, 1),
  };
  kafka::Result<kafka::ServerConfig> server =
      kafka::ReadServerConfig(line, settings, defaults);
  if (!server.ok()) return server.error();
  if (config.controller.brokers.empty()) {
    return kafka::Error{kafka::ErrorCode::kInvalidConfig,
                        "static.brokers is not set: id@host:port,..."};
  }
  config.controller.node_id = server->broker.node_id;
  config.controller.num_partitions = server->broker.num_partitions;
  config.controller.log = server->broker.log;
  config.listener = server->listener;
  return config;
}

int Serve(ControllerProgramConfig config) {
  config.listener.handle_signals = true;
  const kafka::NodeId id = config.controller.node_id;
  try {
    kafka::TcpRuntime runtime(
        config.listener,
        std::make_unique<kafka::StaticController>(config.controller));
    std::cout << "controller " << id << " listening on " << config.listener.host
              << ":" << runtime.port() << std::endl;
    runtime.Run();
  } catch (const std::exception& e) {
    std::cerr << "controller: " << e.what() << "\n";
    return 1;
  }
  std::cout << "controller stopped cleanly" << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Chapter 4's static controller."};
  kafka::ServerCommandLine line;
  kafka::DefineServerCommandLine(app, line);
  CLI11_PARSE(app, argc, argv);
  kafka::Result<ControllerProgramConfig> config = ReadSettings(line);
  if (!config.ok()) {
    std::cerr << "controller: " << config.error().message << "\n";
    return 1;
  }
  return Serve(*config);
}
