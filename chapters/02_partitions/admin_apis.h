/// \file
/// The admin APIs of one broker: configs, topic deletion, the cluster.
///
///   DescribeConfigs          a topic's configs (each with its value and
///                            where that comes from: set for the topic,
///                            server.properties, or Kafka's default) or the
///                            broker's own settings
///   IncrementalAlterConfigs  sets or deletes a topic's configs, which are
///                            stored and reach its logs at once; the broker's
///                            settings are read-only
///   AlterConfigs             the same, replacing all of a topic's configs
///                            (the older API, which Debian's clients send)
///   DeleteTopics             deletes topics by name, or by id (v6)
///   DescribeCluster          the cluster id, the controller and the brokers
///
/// In Kafka these are KafkaApis' handlers (ControllerApis' for deletion),
/// which check the request as Kafka's ConfigAdminManager does (the same
/// config twice, a value missing, a resource of the wrong kind) and leave the
/// change to the controller (Chapter 5): here to the topic admin, which
/// applies it on this broker. Reading configs is ConfigHelper's work, over
/// the LogManager's record of what was set for each topic.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chapters/02_partitions/log_manager.h"
#include "chapters/02_partitions/metadata_cache.h"
#include "chapters/02_partitions/topic_admin.h"
#include "lib/node/request_handlers.h"

namespace kafka {

/// One of the broker's own settings, as DescribeConfigs shows it.
struct BrokerSetting {
  std::string name;  ///< Kafka's server.properties name
  std::string value;
  std::string default_value;  ///< Kafka's default, which equal values read as
  std::string_view type;      ///< Kafka's ConfigDef type: INT, LONG, ...
};

/// The components the admin APIs call.
struct AdminApiComponents {
  MetadataCache& metadata;
  TopicAdmin& topics;
  const LogManager& logs;  ///< the configs set for each topic
  NodeId broker_id;
  std::vector<BrokerSetting> broker_settings;
};

class AdminApis {
 public:
  explicit AdminApis(AdminApiComponents components)
      : components_(std::move(components)) {}

  /// Registers a handler for each API above.
  void RegisterWith(RequestHandlers& handlers);

 private:
  Status HandleDescribeConfigs(const Request& request, Responder respond);
  Status HandleIncrementalAlterConfigs(const Request& request,
                                       Responder respond);
  Status HandleAlterConfigs(const Request& request, Responder respond);
  /// Applies one resource's changes, or answers why not.
  void AlterResource(int8_t type, const std::string& name,
                     Result<std::vector<ConfigChange>> changes,
                     bool validate_only, TopicAdmin::Done done);
  Status HandleDeleteTopics(const Request& request, Responder respond);
  Status HandleDescribeCluster(const Request& request, Responder respond);

  AdminApiComponents components_;
};

}  // namespace kafka
