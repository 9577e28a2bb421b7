/// \file
/// The broker as a program: its settings, a TCP runtime, a clean stop on
/// SIGTERM. Each chapter's broker program (Chapter 2's plain broker, Chapter
/// 3's with a group coordinator, ...) is this with its own node and settings;
/// a program that is no broker (Chapter 4's controller) reads its command
/// line the same way.
///
/// As Kafka's `kafka-server-start.sh server.properties [--override
/// name=value]...`, it takes a properties file of Kafka's settings (see
/// server_properties.h), then --override's, then the flags it had before it
/// took a file, which stay as shorthands: --data-dir (log.dirs), --host and
/// --port (the host and port of listeners), --node-id (node.id),
/// --num-partitions (num.partitions) and --auto-create-topics
/// (auto.create.topics.enable). Each of the three wins over the one before.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "chapters/02_partitions/broker.h"
#include "chapters/02_partitions/server_properties.h"

namespace kafka {

/// The command line of a server program: a properties file, --override's,
/// and the shorthand flags.
struct ServerCommandLine {
  std::string properties_file;         ///< empty: none
  std::vector<std::string> overrides;  ///< name=value
  Shorthands shorthands;
};

/// Defines the flags of `line` on `app`.
void DefineServerCommandLine(CLI::App& app, ServerCommandLine& line);

/// The settings the command line gives, over `defaults`: the file's, then
/// the overrides', then the shorthands', read by Kafka's names (Chapter 2's
/// and `chapter_settings`); the listener's host resolved to an address.
Result<ServerConfig> ReadServerConfig(
    const ServerCommandLine& line,
    const std::vector<ServerSetting>& chapter_settings,
    ServerConfig defaults = {});

/// The text --help ends with: where settings come from, the names the
/// program knows (Chapter 2's and `chapter_settings`), and the ignored
/// ones. Every server program's, so that each lists exactly what it reads.
std::string SettingsHelp(const std::vector<ServerSetting>& chapter_settings);

/// Makes the node to run from the configuration the settings gave: a broker
/// that can be told the port its listener got.
using BrokerNodeFactory =
    std::function<std::unique_ptr<BrokerNode>(const BrokerConfig& config)>;

/// Reads the settings, Chapter 2's and the program's own `chapter_settings`
/// (set before make_node is called), then serves until SIGTERM or SIGINT.
/// Returns the process's exit code: 1, with nothing started, when a setting
/// is unknown or its value wrong (the message names the setting).
int RunBrokerProgram(int argc, char** argv, const std::string& description,
                     const std::vector<ServerSetting>& chapter_settings,
                     const BrokerNodeFactory& make_node);

}  // namespace kafka
