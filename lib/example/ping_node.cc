// The ping example as programs over TCP:
//
//   bazel run //lib/example:ping_node -- server --port 9099
//   bazel run //lib/example:ping_node -- client --server-port 9099 --count 1000
//
// The server serves until SIGTERM or SIGINT, then stops cleanly; the client
// exits when every ping has an answer.
#include <CLI/CLI.hpp>
#include <iostream>

#include "lib/example/ping.h"
#include "lib/net/tcp_runtime.h"

namespace kafka {
namespace {

int RunServer(uint16_t port) {
  TcpRuntime::Options options;
  options.port = port;
  options.handle_signals = true;
  TcpRuntime runtime(options, std::make_unique<PingServer>());
  std::cout << "ping server listening on 127.0.0.1:" << runtime.port()
            << std::endl;
  runtime.Run();
  std::cout << "ping server stopped cleanly after answering "
            << dynamic_cast<PingServer&>(runtime.node()).requests_answered()
            << " requests" << std::endl;
  return 0;
}

int RunClient(uint16_t server_port, int64_t count) {
  TcpRuntime runtime({},
                     std::make_unique<PingClient>(PingClient::Options{
                         .server = 0,
                         .server_address = HostPort{"127.0.0.1", server_port},
                         .total = count,
                         .in_flight = 10}));
  auto& client = dynamic_cast<PingClient&>(runtime.node());
  if (!runtime.RunUntil([&] { return client.done(); }, 60'000)) {
    std::cerr << "only " << client.answered() << " of " << count
              << " pings answered in 60 s\n";
    return 1;
  }
  std::cout << count << " pings answered, " << client.failures()
            << " failed attempts retried" << std::endl;
  return 0;
}

}  // namespace
}  // namespace kafka

int main(int argc, char** argv) {
  CLI::App app{"The ping example nodes over TCP."};
  app.require_subcommand(1);
  uint16_t port = 0;
  CLI::App* server = app.add_subcommand("server", "answer ApiVersions pings");
  server->add_option("--port", port, "port to listen on (0: any free one)");
  uint16_t server_port = 0;
  int64_t count = 100;
  CLI::App* client = app.add_subcommand("client", "send pings to a server");
  client->add_option("--server-port", server_port, "the server's port")
      ->required();
  client->add_option("--count", count, "how many pings")
      ->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  if (server->parsed()) return kafka::RunServer(port);
  return kafka::RunClient(server_port, count);
}
