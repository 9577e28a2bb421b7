/// \file
/// Which node a broker sends its controller requests to: Kafka's
/// ControllerNodeProvider.
///
/// A broker sends the controller its ISR changes (AlterPartition) and the
/// admin requests it forwards (CreateTopics, DeleteTopics, ...). In Chapter 4
/// the controller is one fixed node, 3000. In KRaft the controllers elect
/// one of themselves, the active controller, and a broker learns which from
/// the metadata log it follows; the answer changes with every election, and
/// for a while after one the broker knows of none. So the broker's senders
/// do not hold a node id: they ask a provider at each send, and wait while
/// it knows no controller. A controller that has lost its leadership answers
/// NOT_CONTROLLER, and the request goes again to whoever the provider names
/// then (Kafka's NodeToControllerChannelManager).
#pragma once

#include <functional>
#include <optional>

#include "lib/node/node.h"

namespace kafka {

/// The active controller as the broker knows it now; nullopt while it knows
/// none.
using ControllerNodeProvider = std::function<std::optional<NodeId>()>;

/// A controller that never changes: Chapter 4's static controller.
inline ControllerNodeProvider FixedControllerNode(NodeId controller) {
  return [controller] { return std::optional<NodeId>(controller); };
}

}  // namespace kafka
