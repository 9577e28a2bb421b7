// The broker as a program:
//
//   bazel run //:broker -- --data-dir /tmp/kafka-data --port 9092
//
// It listens on loopback by default, serves until SIGTERM or SIGINT, then
// closes its logs cleanly. Restarted on the same data directory, it serves
// every record it had acknowledged.
#include <CLI/CLI.hpp>
#include <iostream>

#include "chapters/02_partitions/broker.h"
#include "lib/net/tcp_runtime.h"
#include "lib/user_path.h"

int main(int argc, char** argv) {
  CLI::App app{"A single Kafka broker (Chapter 2)."};
  kafka::BrokerConfig config;
  std::string host = "127.0.0.1";
  uint16_t port = 9092;
  app.add_option("--data-dir", config.data_dir,
                 "log.dirs: where partitions live")
      ->required();
  app.add_option("--host", host, "address to listen on")->capture_default_str();
  app.add_option("--port", port, "port to listen on (0: any free one)")
      ->capture_default_str();
  app.add_option("--node-id", config.node_id, "node.id")->capture_default_str();
  app.add_option("--num-partitions", config.num_partitions,
                 "num.partitions for auto-created topics")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--auto-create-topics", config.auto_create_topics_enable,
                 "auto.create.topics.enable")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  config.data_dir = kafka::FromUserDirectory(config.data_dir);

  kafka::TcpRuntime::Options options;
  options.host = host;
  options.port = port;
  options.handle_signals = true;
  config.advertised_host = host;
  try {
    auto broker = std::make_unique<kafka::Broker>(config);
    kafka::Broker& node = *broker;
    kafka::TcpRuntime runtime(options, std::move(broker));
    node.AdvertisePort(runtime.port());  // the real port, also when 0 was asked
    std::cout << "broker " << config.node_id << " listening on " << host << ":"
              << runtime.port() << ", data in " << config.data_dir << std::endl;
    runtime.Run();
  } catch (const std::exception& e) {
    std::cerr << "broker: " << e.what() << "\n";
    return 1;
  }
  std::cout << "broker stopped cleanly" << std::endl;
  return 0;
}
