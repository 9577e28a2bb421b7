#include "chapters/02_partitions/broker_program.h"

#include <netdb.h>
#include <sys/socket.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>

#include "lib/config/properties.h"
#include "lib/net/tcp_runtime.h"
#include "lib/user_path.h"

namespace kafka {
namespace {

// Sets `field` when the flag is given, so that an absent flag leaves the
// file's setting alone.
template <typename T>
void AddShorthand(CLI::App& app, const std::string& flag,
                  std::optional<T>& field, const std::string& help) {
  app.add_option_function<T>(
      flag, [&field](const T& value) { field = value; }, help);
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string joined;
  for (const std::string& name : names) {
    joined += (joined.empty() ? "" : ", ") + name;
  }
  return joined;
}

// The file's settings, then the overrides', then the shorthands'.
Result<Properties> GatherProperties(const ServerCommandLine& line) {
  Properties properties;
  if (!line.properties_file.empty()) {
    Result<Properties> file =
        LoadPropertiesFile(FromUserDirectory(line.properties_file));
    if (!file.ok()) return file.error();
    properties = *file;
  }
  for (const std::string& setting : line.overrides) {
    size_t equals = setting.find('=');
    if (equals == std::string::npos) {
      return Error{ErrorCode::kInvalidConfig,
                   "--override " + setting + ": expected name=value"};
    }
    properties[setting.substr(0, equals)] = setting.substr(equals + 1);
  }
  if (Status status = ApplyShorthands(line.shorthands, properties);
      !status.ok()) {
    return status.error();
  }
  return properties;
}

// The address to listen on: the TCP runtime takes a numeric one, and
// listeners may name a host (localhost, or this machine's name).
Result<std::string> ResolveListenHost(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int error = getaddrinfo(host.c_str(), nullptr, &hints, &found);
      error != 0) {
    return Error{
        ErrorCode::kInvalidConfig,
        "listeners: cannot resolve " + host + ": " + gai_strerror(error)};
  }
  char address[NI_MAXHOST] = {};
  getnameinfo(found->ai_addr, found->ai_addrlen, address, sizeof(address),
              nullptr, 0, NI_NUMERICHOST);
  freeaddrinfo(found);
  return std::string(address);
}

int Serve(ServerConfig config, const BrokerNodeFactory& make_node) {
  config.listener.handle_signals = true;
  try {
    std::unique_ptr<BrokerNode> node = make_node(config.broker);
    BrokerNode& broker = *node;
    TcpRuntime runtime(config.listener, std::move(node));
    // advertised port 0: the port the runtime got (listeners asked for any).
    if (config.broker.advertised_port == 0) {
      broker.AdvertisePort(runtime.port());
    }
    std::cout << "broker " << config.broker.node_id << " listening on "
              << config.listener.host << ":" << runtime.port() << ", data in "
              << config.broker.data_dir << std::endl;
    runtime.Run();
  } catch (const std::exception& e) {
    std::cerr << "broker: " << e.what() << "\n";
    return 1;
  }
  std::cout << "broker stopped cleanly" << std::endl;
  return 0;
}

}  // namespace

void DefineServerCommandLine(CLI::App& app, ServerCommandLine& line) {
  app.add_option("server.properties", line.properties_file,
                 "a properties file of Kafka's settings");
  app.add_option("--override", line.overrides,
                 "name=value: a setting over the file's (repeatable)")
      ->allow_extra_args(false);
  Shorthands& shorthands = line.shorthands;
  AddShorthand(app, "--data-dir", shorthands.data_dir,
               "log.dirs: where partitions live");
  AddShorthand(app, "--host", shorthands.host,
               "the host of listeners: the address to listen on "
               "(default 127.0.0.1)");
  AddShorthand(app, "--port", shorthands.port,
               "the port of listeners (a broker's default is 9092; 0: any "
               "free one)");
  AddShorthand(app, "--node-id", shorthands.node_id, "node.id");
  AddShorthand(app, "--num-partitions", shorthands.num_partitions,
               "num.partitions for auto-created topics (default 1)");
  AddShorthand(app, "--auto-create-topics",
               shorthands.auto_create_topics_enable,
               "auto.create.topics.enable (default true)");
}

Result<ServerConfig> ReadServerConfig(
    const ServerCommandLine& line,
    const std::vector<ServerSetting>& chapter_settings, ServerConfig defaults) {
  Result<Properties> properties = GatherProperties(line);
  if (!properties.ok()) return properties.error();
  ServerConfig config = std::move(defaults);
  if (Status status = ApplyServerProperties(*properties, chapter_settings,
                                            config, std::cerr);
      !status.ok()) {
    return status.error();
  }
  Result<std::string> host = ResolveListenHost(config.listener.host);
  if (!host.ok()) return host.error();
  config.listener.host = *host;
  config.broker.data_dir = FromUserDirectory(config.broker.data_dir);
  return config;
}

std::string SettingsHelp(const std::vector<ServerSetting>& chapter_settings) {
  const std::vector<std::string> known = KnownSettingNames(chapter_settings);
  std::vector<std::string> ignored;
  for (const IgnoredSetting& setting : IgnoredSettings()) {
    if (std::find(known.begin(), known.end(), setting.name) != known.end()) {
      continue;  // a later chapter's program sets it
    }
    bool is_prefix = setting.name.back() == '.';
    ignored.push_back(setting.name + (is_prefix ? "*" : ""));
  }
  return "\nSettings come from the properties file (config/server.properties "
         "is an example), then --override name=value, then the shorthand "
         "flags, each over the one before. Kafka's names: " +
         JoinNames(known) +
         ".\n\nSettings of Kafka that this broker does not implement, but "
         "Kafka's example files carry, are ignored with a warning (\"ignored: "
         "NAME (...)\"): " +
         JoinNames(ignored) +
         ". Any other setting, and a value out of its range, stops the "
         "program.";
}

int RunBrokerProgram(int argc, char** argv, const std::string& description,
                     const std::vector<ServerSetting>& chapter_settings,
                     const BrokerNodeFactory& make_node) {
  CLI::App app{description};
  ServerCommandLine line;
  DefineServerCommandLine(app, line);
  app.footer(SettingsHelp(chapter_settings));
  CLI11_PARSE(app, argc, argv);
  Result<ServerConfig> config = ReadServerConfig(line, chapter_settings);
  if (!config.ok()) {
    std::cerr << "broker: " << config.error().message << "\n";
    return 1;
  }
  return Serve(*config, make_node);
}

}  // namespace kafka
