#include "chapters/02_partitions/server_properties.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>

namespace kafka {
namespace {

constexpr int64_t kMillisPerMinute = 60'000;
constexpr int64_t kMillisPerHour = 60 * kMillisPerMinute;
constexpr int64_t kNoMinimum = std::numeric_limits<int64_t>::min();

std::string_view Trim(std::string_view text) {
  const std::string_view blanks = " \t\f\r\n";
  size_t start = text.find_first_not_of(blanks);
  if (start == std::string_view::npos) return {};
  return text.substr(start, text.find_last_not_of(blanks) - start + 1);
}

// ConfigDef's words, so that a message reads as Kafka's would.
Error InvalidValue(std::string_view name, std::string_view value,
                   const std::string& why) {
  return Error{ErrorCode::kInvalidConfig,
               "Invalid value " + std::string(value) + " for configuration " +
                   std::string(name) + ": " + why};
}

// A number of Kafka's type INT or LONG, of at least `minimum`.
Result<int64_t> ParseNumber(std::string_view name, std::string_view text,
                            bool is_int, int64_t minimum) {
  std::string_view value = Trim(text);
  int64_t number = 0;
  auto [end, error] =
      std::from_chars(value.data(), value.data() + value.size(), number);
  const bool fits = !is_int || (number >= std::numeric_limits<int32_t>::min() &&
                                number <= std::numeric_limits<int32_t>::max());
  if (value.empty() || error != std::errc() ||
      end != value.data() + value.size() || !fits) {
    return InvalidValue(
        name, value,
        is_int ? "Not a number of type INT" : "Not a number of type LONG");
  }
  if (number < minimum) {
    return InvalidValue(name, value,
                        "Value must be at least " + std::to_string(minimum));
  }
  return number;
}

template <typename Field>
ServerSetting NumberSetting(std::string name, Field& field, bool is_int,
                            int64_t minimum) {
  return {name, [name, &field, is_int, minimum](std::string_view value) {
            Result<int64_t> number = ParseNumber(name, value, is_int, minimum);
            if (number.ok()) field = Field(*number);
            return number.status();
          }};
}

// A setting whose meaning depends on others: kept as given until all are read.
ServerSetting GivenNumberSetting(std::string name,
                                 std::optional<int64_t>& given, bool is_int,
                                 int64_t minimum) {
  return NumberSetting(std::move(name), given, is_int, minimum);
}

// log.dirs is Kafka's LIST of directories; this broker keeps one.
ServerSetting LogDirsSetting(std::optional<std::string>& given) {
  return {"log.dirs", [&given](std::string_view text) -> Status {
            std::string_view value = Trim(text);
            if (value.empty()) {
              return InvalidValue("log.dirs", value, "names no directory");
            }
            if (value.find(',') != std::string_view::npos) {
              return InvalidValue(
                  "log.dirs", value,
                  "this broker keeps its partitions in one directory");
            }
            given = std::string(value);
            return Status();
          }};
}

ServerSetting ListenerSetting(std::string name,
                              std::optional<Listener>& given) {
  return {name, [name, &given](std::string_view value) {
            Result<Listener> listener = ParseListener(name, value);
            if (listener.ok()) given = *listener;
            return listener.status();
          }};
}

// The settings whose meaning depends on others, as given, until every
// setting is read.
struct DependentSettings {
  std::optional<std::string> log_dirs;
  std::optional<Listener> listeners;
  std::optional<Listener> advertised_listeners;
  std::optional<int64_t> retention_ms;
  std::optional<int64_t> retention_minutes;
  std::optional<int64_t> retention_hours;
  std::optional<int64_t> roll_ms;
  std::optional<int64_t> roll_hours;
};

// Chapter 2's settings, with Kafka's types and bounds (KafkaConfig,
// ServerLogConfigs, SocketServerConfigs).
std::vector<ServerSetting> BrokerSettings(ServerConfig& config,
                                          DependentSettings& given) {
  BrokerConfig& broker = config.broker;
  LogConfig& log = broker.log;
  TcpRuntime::Options& listener = config.listener;
  return {
      IntSetting("node.id", broker.node_id, 0),
      LogDirsSetting(given.log_dirs),
      ListenerSetting("listeners", given.listeners),
      ListenerSetting("advertised.listeners", given.advertised_listeners),
      IntSetting("num.partitions", broker.num_partitions, 1),
      BoolSetting("auto.create.topics.enable",
                  broker.auto_create_topics_enable),
      // At least the smallest record Kafka ever had (v0: 14 bytes).
      IntSetting("log.segment.bytes", log.segment_bytes, 14),
      GivenNumberSetting("log.roll.ms", given.roll_ms, false, 1),
      GivenNumberSetting("log.roll.hours", given.roll_hours, true, 1),
      GivenNumberSetting("log.retention.ms", given.retention_ms, false,
                         kNoMinimum),
      GivenNumberSetting("log.retention.minutes", given.retention_minutes, true,
                         kNoMinimum),
      GivenNumberSetting("log.retention.hours", given.retention_hours, true,
                         kNoMinimum),
      // Any negative value means no limit.
      LongSetting("log.retention.bytes", log.retention_bytes, kNoMinimum),
      LongSetting("log.retention.check.interval.ms",
                  broker.log_retention_check_interval_ms, 1),
      // An index too small for one entry is always full: every append rolls.
      IntSetting("log.index.size.max.bytes", log.segment_index_bytes, 4),
      IntSetting("log.index.interval.bytes", log.index_interval_bytes, 0),
      LongSetting("log.flush.interval.messages", log.flush_messages, 1),
      LongSetting("log.flush.interval.ms", log.flush_ms, 0),
      IntSetting("message.max.bytes", log.max_message_bytes, 0),
      IntSetting("min.insync.replicas", log.min_insync_replicas, 1),
      IntSetting("socket.request.max.bytes", listener.socket_request_max_bytes,
                 1),
      // Not above 0: no limit.
      LongSetting("queued.max.request.bytes", listener.queued_max_request_bytes,
                  kNoMinimum),
      // Kafka takes a negative value for never; the TCP runtime has no never.
      LongSetting("connections.max.idle.ms", listener.connections_max_idle_ms,
                  0),
  };
}

// log.retention.ms, else .minutes, else .hours, as KafkaConfig resolves
// them; a negative time means forever.
Status ResolveRetentionTime(const DependentSettings& given, LogConfig& log) {
  std::optional<int64_t> ms = given.retention_ms;
  if (!ms && given.retention_minutes) {
    ms = *given.retention_minutes * kMillisPerMinute;
  }
  if (!ms && given.retention_hours)
    ms = *given.retention_hours * kMillisPerHour;
  if (!ms) return Status();
  if (*ms == 0) {
    return Error{ErrorCode::kInvalidConfig,
                 "log.retention.ms must be unlimited (-1) or, equal or "
                 "greater than 1"};
  }
  log.retention_ms = std::max<int64_t>(*ms, -1);
  return Status();
}

// log.roll.ms, else log.roll.hours.
void ResolveRollTime(const DependentSettings& given, LogConfig& log) {
  if (given.roll_ms) {
    log.segment_ms = *given.roll_ms;
  } else if (given.roll_hours) {
    log.segment_ms = *given.roll_hours * kMillisPerHour;
  }
}

std::string LocalHostName() {
  char name[256] = {};
  gethostname(name, sizeof(name) - 1);
  return name;
}

bool IsEveryInterface(std::string_view host) {
  return host == "0.0.0.0" || host == "::";
}

// Where to listen, and what Metadata advertises (advertised.listeners,
// else listeners).
Status ResolveListeners(const DependentSettings& given, ServerConfig& config) {
  Listener listening = given.listeners.value_or(
      Listener{config.listener.host, config.listener.port});
  config.listener.host = listening.host.empty() ? "0.0.0.0" : listening.host;
  config.listener.port = listening.port;
  Listener advertised = given.advertised_listeners.value_or(listening);
  if (advertised.host.empty()) advertised.host = LocalHostName();
  if (IsEveryInterface(advertised.host)) {
    return Error{ErrorCode::kInvalidConfig,
                 "advertised.listeners cannot use the nonroutable "
                 "meta-address " +
                     advertised.host +
                     ". Use a routable IP address (advertised.listeners "
                     "defaults to listeners)."};
  }
  config.broker.advertised_host = advertised.host;
  config.broker.advertised_port = advertised.port;
  return Status();
}

Status ResolveLogDirs(const DependentSettings& given, BrokerConfig& broker) {
  if (!given.log_dirs) {
    return Error{ErrorCode::kInvalidConfig,
                 "log.dirs is not set: give it in the properties file, with "
                 "--override log.dirs=DIR or with --data-dir DIR"};
  }
  broker.data_dir = *given.log_dirs;
  return Status();
}

Status ResolveDependentSettings(const DependentSettings& given,
                                ServerConfig& config) {
  ResolveRollTime(given, config.broker.log);
  if (Status status = ResolveRetentionTime(given, config.broker.log);
      !status.ok()) {
    return status;
  }
  if (Status status = ResolveListeners(given, config); !status.ok()) {
    return status;
  }
  return ResolveLogDirs(given, config.broker);
}

const ServerSetting* FindSetting(const std::vector<ServerSetting>& settings,
                                 std::string_view name) {
  for (const ServerSetting& setting : settings) {
    if (setting.name == name) return &setting;
  }
  return nullptr;
}

const IgnoredSetting* FindIgnored(std::string_view name) {
  for (const IgnoredSetting& ignored : IgnoredSettings()) {
    const bool is_prefix = ignored.name.back() == '.';
    if (is_prefix ? name.starts_with(ignored.name) : name == ignored.name) {
      return &ignored;
    }
  }
  return nullptr;
}

// Every property names a setting, or one this broker ignores (said on
// `warnings`).
Status CheckNames(const Properties& properties,
                  const std::vector<ServerSetting>& settings,
                  std::ostream& warnings) {
  for (const auto& [name, value] : properties) {
    if (FindSetting(settings, name) != nullptr) continue;
    const IgnoredSetting* ignored = FindIgnored(name);
    if (ignored == nullptr) {
      return Error{ErrorCode::kInvalidConfig,
                   "Unknown configuration " + name +
                       ": not a setting this broker knows or ignores (see "
                       "--help)"};
    }
    warnings << "ignored: " << name << " (" << ignored->why << ")\n";
  }
  return Status();
}

}  // namespace

ServerSetting IntSetting(std::string name, int32_t& field, int32_t minimum) {
  return NumberSetting(std::move(name), field, /*is_int=*/true, minimum);
}

ServerSetting IntSetting(std::string name, int64_t& field, int32_t minimum) {
  return NumberSetting(std::move(name), field, /*is_int=*/true, minimum);
}

ServerSetting LongSetting(std::string name, int64_t& field, int64_t minimum) {
  return NumberSetting(std::move(name), field, /*is_int=*/false, minimum);
}

ServerSetting ShortSetting(std::string name, int16_t& field, int16_t minimum) {
  return {name, [name, &field, minimum](std::string_view value) -> Status {
            Result<int64_t> number =
                ParseNumber(name, value, /*is_int=*/true, minimum);
            if (!number.ok()) return number.status();
            if (*number > std::numeric_limits<int16_t>::max()) {
              return InvalidValue(name, Trim(value),
                                  "Not a number of type SHORT");
            }
            field = int16_t(*number);
            return Status();
          }};
}

ServerSetting BoolSetting(std::string name, bool& field) {
  return {name, [name, &field](std::string_view text) -> Status {
            std::string value(Trim(text));
            std::transform(value.begin(), value.end(), value.begin(),
                           [](unsigned char c) { return std::tolower(c); });
            if (value != "true" && value != "false") {
              return InvalidValue(name, Trim(text),
                                  "Expected value to be either true or false");
            }
            field = value == "true";
            return Status();
          }};
}

const std::vector<IgnoredSetting>& IgnoredSettings() {
  static const std::string kNotHere = "not implemented here";
  static const std::string kNoGroups =
      "this broker has no group coordinator; Chapter 3's has";
  // The settings of Kafka's own example files (config/server.properties,
  // and the ZooKeeper-era ones) that this broker does not have.
  static const std::vector<IgnoredSetting> kIgnored = {
      {"process.roles", kNotHere},
      {"controller.quorum.voters", kNotHere},
      {"controller.quorum.bootstrap.servers", kNotHere},
      {"controller.listener.names", kNotHere},
      {"inter.broker.listener.name", kNotHere},
      {"listener.security.protocol.map", kNotHere},
      {"num.network.threads", kNotHere},
      {"num.io.threads", kNotHere},
      {"socket.send.buffer.bytes", kNotHere},
      {"socket.receive.buffer.bytes", kNotHere},
      {"num.recovery.threads.per.data.dir", kNotHere},
      {"offsets.topic.replication.factor", kNotHere},
      {"transaction.state.log.replication.factor", kNotHere},
      {"transaction.state.log.min.isr", kNotHere},
      {"share.coordinator.state.topic.replication.factor", kNotHere},
      {"share.coordinator.state.topic.min.isr", kNotHere},
      {"log.cleaner.", kNotHere},
      {"zookeeper.", kNotHere},
      // Chapter 3's program sets these (its own settings come first).
      {"offsets.topic.num.partitions", kNoGroups},
      {"offsets.topic.segment.bytes", kNoGroups},
      {"offset.metadata.max.bytes", kNoGroups},
      {"group.initial.rebalance.delay.ms", kNoGroups},
      {"group.min.session.timeout.ms", kNoGroups},
      {"group.max.session.timeout.ms", kNoGroups},
  };
  return kIgnored;
}

Status ApplyServerProperties(const Properties& properties,
                             const std::vector<ServerSetting>& chapter_settings,
                             ServerConfig& config, std::ostream& warnings) {
  DependentSettings given;
  std::vector<ServerSetting> settings = chapter_settings;
  for (ServerSetting& setting : BrokerSettings(config, given)) {
    settings.push_back(std::move(setting));
  }
  if (Status status = CheckNames(properties, settings, warnings);
      !status.ok()) {
    return status;
  }
  for (const auto& [name, value] : properties) {
    if (const ServerSetting* setting = FindSetting(settings, name)) {
      if (Status status = setting->set(value); !status.ok()) return status;
    }
  }
  return ResolveDependentSettings(given, config);
}

std::vector<std::string> KnownSettingNames(
    const std::vector<ServerSetting>& chapter_settings) {
  ServerConfig unused_config;
  DependentSettings unused_given;
  std::vector<std::string> names;
  for (const auto& settings :
       {chapter_settings, BrokerSettings(unused_config, unused_given)}) {
    for (const ServerSetting& setting : settings) {
      names.push_back(setting.name);
    }
  }
  return names;
}

Result<Listener> ParseListener(const std::string& setting,
                               std::string_view text) {
  std::string_view value = Trim(text);
  auto invalid = [&](const std::string& why) {
    return InvalidValue(setting, value, why);
  };
  if (value.find(',') != std::string_view::npos) {
    return invalid("this broker has one listener");
  }
  constexpr std::string_view kScheme = "PLAINTEXT://";
  std::string scheme(value.substr(0, kScheme.size()));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  if (scheme != kScheme) {
    return invalid("this broker has one PLAINTEXT://host:port listener");
  }
  std::string_view address = value.substr(kScheme.size());
  const size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return invalid("no port");
  std::string_view host = address.substr(0, colon);
  if (host.starts_with('[') && host.ends_with(']')) {
    host = host.substr(1, host.size() - 2);  // an IPv6 address
  }
  std::string_view port_text = address.substr(colon + 1);
  int32_t port = -1;
  auto [end, error] = std::from_chars(
      port_text.data(), port_text.data() + port_text.size(), port);
  if (error != std::errc() || end != port_text.data() + port_text.size() ||
      port < 0 || port > 65535) {
    return invalid("the port is not a number from 0 to 65535");
  }
  return Listener{std::string(host), uint16_t(port)};
}

std::string FormatListener(const Listener& listener) {
  const bool is_ipv6 = listener.host.find(':') != std::string::npos;
  std::string host = is_ipv6 ? "[" + listener.host + "]" : listener.host;
  return "PLAINTEXT://" + host + ":" + std::to_string(listener.port);
}

Status ApplyShorthands(const Shorthands& shorthands, Properties& properties) {
  if (shorthands.data_dir) properties["log.dirs"] = *shorthands.data_dir;
  if (shorthands.node_id) {
    properties["node.id"] = std::to_string(*shorthands.node_id);
  }
  if (shorthands.num_partitions) {
    properties["num.partitions"] = std::to_string(*shorthands.num_partitions);
  }
  if (shorthands.auto_create_topics_enable) {
    properties["auto.create.topics.enable"] =
        *shorthands.auto_create_topics_enable ? "true" : "false";
  }
  if (!shorthands.host && !shorthands.port) return Status();
  const TcpRuntime::Options defaults = ServerConfig().listener;
  Result<Listener> listener =
      properties.contains("listeners")
          ? ParseListener("listeners", properties["listeners"])
          : Listener{defaults.host, defaults.port};
  if (!listener.ok()) return listener.error();
  if (shorthands.host) listener->host = *shorthands.host;
  if (shorthands.port) listener->port = *shorthands.port;
  properties["listeners"] = FormatListener(*listener);
  return Status();
}

}  // namespace kafka
