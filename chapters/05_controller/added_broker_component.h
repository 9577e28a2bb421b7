/// \file
/// The seam where a later chapter adds a component of its own, with its
/// own APIs, to Chapter 5's broker.
///
/// Kafka's BrokerServer builds, beside the replica manager and the group
/// coordinator, the components that later chapters are about: the
/// producer id manager that hands idempotent producers their ids (Chapter
/// 7), the transaction coordinator (Chapter 8). Each serves APIs of its
/// own, which join the broker's one registry of request handlers, as
/// Chapter 3's group APIs joined Chapter 2's.
///
/// KRaftBrokerConfig::added_components lists them, as factories: the
/// broker makes each once its own components are up, with what it has to
/// offer them (BrokerServices), and registers its APIs. Chapter 5's broker
/// itself adds none.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "chapters/02_partitions/broker.h"
#include "chapters/04_replication/controller_node_provider.h"
#include "lib/node/node.h"
#include "lib/node/request_handlers.h"

namespace kafka {

/// What the broker offers the components it adds.
struct BrokerServices {
  Environment& env;
  NodeId broker_id;
  /// The active controller, as the broker knows it.
  ControllerNodeProvider active_controller;
  /// This incarnation's broker epoch, once registered; -1 before.
  std::function<int64_t()> broker_epoch;
  /// The replica manager, metadata cache, topic admin and logs.
  BrokerApiComponents components;
};

class AddedBrokerComponent {
 public:
  virtual ~AddedBrokerComponent() = default;
  virtual void RegisterWith(RequestHandlers& handlers) = 0;
};

using AddedComponentFactory =
    std::function<std::unique_ptr<AddedBrokerComponent>(
        const BrokerServices& services)>;

}  // namespace kafka
