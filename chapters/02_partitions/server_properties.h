/// \file
/// server.properties: the broker's settings, by Kafka's names.
///
/// Kafka's broker starts from a properties file,
/// `kafka-server-start.sh config/server.properties [--override name=value]...`,
/// and so does ours. This maps Kafka's broker settings onto the configs this
/// broker has: BrokerConfig, its LogConfig (the `log.*` settings are the
/// broker's defaults for the topic configs of the same meaning, as Kafka's
/// ServerTopicConfigSynonyms pairs them: log.segment.bytes for segment.bytes,
/// log.roll.ms for segment.ms, message.max.bytes for max.message.bytes, ...)
/// and the TCP runtime's options. The rules:
///
///   - a value is read as Kafka's ConfigDef reads it: trimmed, as a number of
///     the setting's type (INT: 32 bits, LONG: 64 bits) within its range, or
///     as a boolean (true or false, in any case); a value that is not gets
///     INVALID_CONFIG in ConfigDef's words, which name the setting;
///   - an unknown setting stops the program too (Kafka only logs "was
///     supplied but isn't a known config"), so that a typo does not pass
///     unnoticed;
///   - settings that Kafka's own example files carry but this broker does
///     not implement (process.roles, num.network.threads, log.cleaner.*, ...;
///     IgnoredSettings() lists them) are accepted with a warning,
///     "ignored: <name> (not implemented here)", so that a copied Kafka file
///     still starts. The group coordinator's settings are known to every
///     broker program: one without a coordinator (Chapter 2's) ignores them
///     with a warning, Chapter 3's sets them;
///   - several units for one time: log.retention.ms wins over
///     log.retention.minutes, which wins over log.retention.hours (a negative
///     result means forever, -1; zero is refused); log.roll.ms wins over
///     log.roll.hours;
///   - `listeners` is one `PLAINTEXT://host:port` (an empty host: every
///     interface); `advertised.listeners`, what Metadata tells clients,
///     defaults to it. An address of every interface (0.0.0.0) cannot be
///     advertised, as Kafka says too; an empty host advertises this
///     machine's host name, and port 0 (any free one) leaves
///     broker.advertised_port 0: the program advertises the port it got;
///   - log.dirs is one directory, and has to be given (Kafka's default is
///     /tmp/kafka-logs; here no data lands anywhere unasked).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "chapters/02_partitions/broker.h"
#include "lib/config/properties.h"
#include "lib/error.h"
#include "lib/net/tcp_runtime.h"

namespace kafka {

/// What server.properties configures in one broker program.
struct ServerConfig {
  BrokerConfig broker;
  /// listeners, socket.request.max.bytes, queued.max.request.bytes,
  /// connections.max.idle.ms. Loopback on Kafka's port 9092 by default
  /// (Kafka listens on every interface).
  TcpRuntime::Options listener{.host = "127.0.0.1", .port = 9092};
};

/// A setting a program knows: Kafka's name, and how a value sets it.
struct ServerSetting {
  std::string name;
  /// Sets the setting from its value as the file gives it; an error, in
  /// ConfigDef's words, if the value is not legal.
  std::function<Status(std::string_view value)> set;
};

/// A setting of Kafka's type INT (a 32-bit number) of at least `minimum`,
/// stored in `field` (which outlives the setting).
ServerSetting IntSetting(std::string name, int32_t& field, int32_t minimum);
/// The same, for a field that is wider than Kafka's INT.
ServerSetting IntSetting(std::string name, int64_t& field, int32_t minimum);
/// A setting of Kafka's type LONG (64 bits) of at least `minimum`.
ServerSetting LongSetting(std::string name, int64_t& field, int64_t minimum);
/// A setting of Kafka's type SHORT (16 bits) of at least `minimum`, as the
/// replication factors are.
ServerSetting ShortSetting(std::string name, int16_t& field, int16_t minimum);
/// A setting of Kafka's type BOOLEAN: true or false, in any case.
ServerSetting BoolSetting(std::string name, bool& field);

/// A Kafka setting this broker accepts but does not implement.
struct IgnoredSetting {
  std::string name;  ///< a name ending in '.' stands for every name it starts
  std::string why;
};
const std::vector<IgnoredSetting>& IgnoredSettings();

/// Applies the properties to `config`, with Chapter 2's settings and the
/// `chapter_settings` of a later chapter's program (which take precedence
/// over an ignored setting of the same name). Writes a line to `warnings`
/// for each ignored setting. The first problem is an INVALID_CONFIG error
/// whose message names the setting.
Status ApplyServerProperties(const Properties& properties,
                             const std::vector<ServerSetting>& chapter_settings,
                             ServerConfig& config, std::ostream& warnings);

/// The names ApplyServerProperties knows (for --help).
std::vector<std::string> KnownSettingNames(
    const std::vector<ServerSetting>& chapter_settings);

/// One listener: `PLAINTEXT://host:port`. An IPv6 host is in brackets.
struct Listener {
  std::string host;
  uint16_t port = 0;
};
/// The one listener of a listeners or advertised.listeners value; an error
/// naming `setting` for another protocol, more than one, or a bad port.
Result<Listener> ParseListener(const std::string& setting,
                               std::string_view value);
std::string FormatListener(const Listener& listener);

/// The flags the broker program had before it took a properties file, which
/// stay as shorthands for settings and win over the file and --override.
struct Shorthands {
  std::optional<std::string> data_dir;            ///< --data-dir: log.dirs
  std::optional<std::string> host;                ///< --host: listeners' host
  std::optional<uint16_t> port;                   ///< --port: listeners' port
  std::optional<NodeId> node_id;                  ///< --node-id: node.id
  std::optional<int32_t> num_partitions;          ///< --num-partitions
  std::optional<bool> auto_create_topics_enable;  ///< --auto-create-topics
};
/// Writes the shorthands given into `properties`, over their values there.
/// --host and --port change one part of `listeners` and keep the other.
Status ApplyShorthands(const Shorthands& shorthands, Properties& properties);

}  // namespace kafka
