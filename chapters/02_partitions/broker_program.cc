#include "chapters/02_partitions/broker_program.h"

#include <CLI/CLI.hpp>
#include <iostream>

#include "lib/net/tcp_runtime.h"
#include "lib/user_path.h"

namespace kafka {

int RunBrokerProgram(int argc, char** argv, const std::string& description,
                     const BrokerNodeFactory& make_node) {
  CLI::App app{description};
  BrokerConfig config;
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
  config.data_dir = FromUserDirectory(config.data_dir);
  config.advertised_host = host;

  TcpRuntime::Options options;
  options.host = host;
  options.port = port;
  options.handle_signals = true;
  try {
    Broker* broker = nullptr;
    std::unique_ptr<Node> node = make_node(config, broker);
    TcpRuntime runtime(options, std::move(node));
    broker->AdvertisePort(runtime.port());  // the real port, also for port 0
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

}  // namespace kafka
