/// \file
/// The broker as a program: flags, a TCP runtime, a clean stop on SIGTERM.
/// Each chapter's broker program (Chapter 2's plain broker, Chapter 3's with
/// a group coordinator, ...) is this with its own node.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "chapters/02_partitions/broker.h"

namespace kafka {

/// Makes the node to run from the configuration the flags gave, and says
/// which Broker inside it advertises the listening port.
using BrokerNodeFactory = std::function<std::unique_ptr<Node>(
    const BrokerConfig& config, Broker*& broker)>;

/// Parses --data-dir, --host, --port, --node-id, --num-partitions and
/// --auto-create-topics, then serves until SIGTERM or SIGINT. Returns the
/// process's exit code.
int RunBrokerProgram(int argc, char** argv, const std::string& description,
                     const BrokerNodeFactory& make_node);

}  // namespace kafka
