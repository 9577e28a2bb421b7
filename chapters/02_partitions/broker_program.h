/// \file
/// The broker as a program: its settings, a TCP runtime, a clean stop on
/// SIGTERM. Each chapter's broker program (Chapter 2's plain broker, Chapter
/// 3's with a group coordinator, ...) is this with its own node and settings.
///
/// As Kafka's `kafka-server-start.sh server.properties [--override
/// name=value]...`, it takes a properties file of Kafka's settings (see
/// server_properties.h), then --override's, then the flags it had before it
/// took a file, which stay as shorthands: --data-dir (log.dirs), --host and
/// --port (the host and port of listeners), --node-id (node.id),
/// --num-partitions (num.partitions) and --auto-create-topics
/// (auto.create.topics.enable). Each of the three wins over the one before.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "chapters/02_partitions/broker.h"
#include "chapters/02_partitions/server_properties.h"

namespace kafka {

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
