#include "chapters/05_controller/server/kraft_server.h"

#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <iostream>
#include <memory>

#include "chapters/05_controller/controller/controller_server.h"
#include "chapters/05_controller/kraft_broker.h"
#include "lib/net/tcp_runtime.h"

namespace kafka {
namespace {

// How long a broker may take to be unfenced before the program says it
// listens anyway (a quorum that has no leader yet: the brokers wait too).
constexpr int64_t kUnfencedWaitMs = 60'000;

// SIGINT and SIGTERM received. The handler only counts (all a signal
// handler may do); the loop looks at the count between events.
std::atomic<int> stop_signals{0};

void CountStopSignal(int) { stop_signals.fetch_add(1); }

void HandleStopSignals() {
  struct sigaction action {};
  action.sa_handler = CountStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

KRaftBrokerConfig BrokerConfigOf(const KRaftServerConfig& config,
                                 const BrokerAdditions& additions) {
  KRaftBrokerConfig broker{.broker = config.server.broker,
                           .replication = config.replication,
                           .groups = config.groups,
                           .raft = config.raft,
                           .lifecycle = config.lifecycle};
  if (additions.configure) additions.configure(broker);
  return broker;
}

ControllerServerConfig ControllerConfigOf(const KRaftServerConfig& config) {
  return {.raft = config.raft, .controller = config.controller};
}

// The node the roles make; `broker` is set to its broker, if it has one.
std::unique_ptr<ServingNode> MakeNode(const KRaftServerConfig& config,
                                      const BrokerAdditions& additions,
                                      KRaftBroker*& broker) {
  if (!config.roles.broker) {
    broker = nullptr;
    return std::make_unique<ControllerServer>(ControllerConfigOf(config));
  }
  auto node =
      config.roles.controller
          ? std::make_unique<KRaftBroker>(BrokerConfigOf(config, additions),
                                          ControllerConfigOf(config))
          : std::make_unique<KRaftBroker>(BrokerConfigOf(config, additions));
  broker = node.get();
  return node;
}

// The voters' addresses, known to the runtime from the start: the Raft
// layer's requests go to them before any node is learned. The program
// handles SIGINT and SIGTERM itself, for a controlled shutdown.
TcpRuntime::Options ListenerOptions(const KRaftServerConfig& config) {
  TcpRuntime::Options options = config.server.listener;
  options.handle_signals = false;
  for (const auto& [id, address] : config.raft.voters) {
    if (id == config.raft.node_id) continue;
    options.peers[id] = {address.host, uint16_t(address.port)};
  }
  return options;
}

std::string RoleName(const KRaftServerConfig& config) {
  return config.roles.broker ? "broker" : "controller";
}

// Runs the loop until `done` holds or a stop signal comes; true if `done`.
bool RunUntilOrStopped(TcpRuntime& runtime, const std::function<bool()>& done,
                       int64_t timeout_ms, int signals_seen) {
  runtime.RunUntil(
      [&done, signals_seen] {
        return done() || stop_signals.load() > signals_seen;
      },
      timeout_ms);
  return done();
}

// A broker advertises the port it got (listeners asked for any) and is
// waited for until unfenced; a controller listens at once.
void AwaitReady(const KRaftServerConfig& config, TcpRuntime& runtime,
                KRaftBroker* broker) {
  if (broker == nullptr) return;
  if (config.server.broker.advertised_port == 0) {
    broker->AdvertisePort(runtime.port());
  }
  if (!RunUntilOrStopped(
          runtime, [broker] { return broker->is_unfenced(); }, kUnfencedWaitMs,
          0) &&
      stop_signals.load() == 0) {
    std::cerr << "broker " << config.server.broker.node_id
              << ": not unfenced yet; serving anyway\n";
  }
}

// Kafka's BrokerServer.shutdown: the controller moves this broker's
// leaderships away first (controlled shutdown). It waits at most a
// session timeout (by then the controller has fenced the broker anyway),
// or until a second signal.
void ShutDownBroker(const KRaftServerConfig& config, TcpRuntime& runtime,
                    KRaftBroker& broker) {
  bool may_stop = false;
  broker.BeginControlledShutdown([&may_stop] { may_stop = true; });
  if (!RunUntilOrStopped(
          runtime, [&may_stop] { return may_stop; },
          config.lifecycle.broker_session_timeout_ms, stop_signals.load())) {
    std::cerr << "broker " << config.server.broker.node_id
              << ": controlled shutdown unfinished; stopping anyway\n";
  }
}

// Serves until a stop signal, then stops the node cleanly.
void ServeUntilStopped(const KRaftServerConfig& config, TcpRuntime& runtime,
                       KRaftBroker* broker) {
  while (stop_signals.load() == 0) {
    RunUntilOrStopped(
        runtime, [] { return false; }, 60'000, 0);
  }
  if (broker != nullptr) ShutDownBroker(config, runtime, *broker);
  runtime.Stop();  // the node's Stop, then the loop ends
  runtime.Run();
}

int Serve(const KRaftServerConfig& config, const BrokerAdditions& additions) {
  const std::string role = RoleName(config);
  HandleStopSignals();
  try {
    KRaftBroker* broker = nullptr;
    TcpRuntime runtime(ListenerOptions(config),
                       MakeNode(config, additions, broker));
    AwaitReady(config, runtime, broker);
    std::cout << role << " " << config.server.broker.node_id << " listening on "
              << config.server.listener.host << ":" << runtime.port()
              << ", data in " << config.server.broker.data_dir << std::endl;
    ServeUntilStopped(config, runtime, broker);
  } catch (const std::exception& e) {
    std::cerr << role << ": " << e.what() << "\n";
    return 1;
  }
  std::cout << role << " stopped cleanly" << std::endl;
  return 0;
}

}  // namespace

int RunKRaftServer(int argc, char** argv, const std::string& description,
                   const KRaftConfigReader& read_config,
                   const std::string& settings_help,
                   const BrokerAdditions& additions) {
  CLI::App app{description};
  ServerCommandLine line;
  DefineServerCommandLine(app, line);
  app.footer(settings_help);
  CLI11_PARSE(app, argc, argv);
  Result<KRaftServerConfig> config = read_config(line, additions.settings);
  if (!config.ok()) {
    std::cerr << "kafka-server: " << config.error().message << "\n";
    return 1;
  }
  return Serve(*config, additions);
}

}  // namespace kafka
