#include "chapters/02_partitions/admin_apis.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "lib/protocol/acl_operations.h"
#include "lib/protocol/admin.h"

namespace kafka {
namespace {

Error InvalidRequest(std::string message) {
  return Error{ErrorCode::kInvalidRequest, std::move(message)};
}

// Kafka's DescribeConfigsResponse.ConfigType for a ConfigDef type.
int8_t ConfigTypeOf(std::string_view type) {
  if (type == "BOOLEAN") return 1;
  if (type == "STRING") return 2;
  if (type == "INT") return 3;
  if (type == "LONG") return 5;
  return 0;  // UNKNOWN
}

template <typename Result>
void SetError(Result& result, const Error& error) {
  result.error_code = error.code;
  result.error_message = error.message;
}

// The request's keys: null or empty asks for every config.
bool IsAsked(const DescribeConfigsRequest::Resource& resource,
             std::string_view name) {
  const auto& keys = resource.configuration_keys;
  return !keys || keys->empty() ||
         std::find(keys->begin(), keys->end(), name) != keys->end();
}

// One config as DescribeConfigs shows it. Synonyms are the places its value
// could come from, the one in force first (Kafka's ConfigHelper).
struct DescribedConfig {
  std::string name;
  std::string value;
  int8_t source;
  bool read_only;
  std::string_view type;
  std::string_view documentation;
  std::vector<DescribeConfigsResponse::Synonym> synonyms;
};

DescribeConfigsResponse::Config Encode(const DescribedConfig& config,
                                       const DescribeConfigsRequest& request) {
  DescribeConfigsResponse::Config out;
  out.name = config.name;
  out.value = config.value;
  out.read_only = config.read_only;
  out.is_default = config.source == kDefaultConfig;  // v0's word for it
  out.config_source = config.source;
  if (request.include_synonyms) out.synonyms = config.synonyms;
  out.config_type = ConfigTypeOf(config.type);
  if (request.include_documentation) {
    out.documentation = std::string(config.documentation);
  }
  return out;
}

// A topic config: set for the topic (DYNAMIC_TOPIC_CONFIG), else the
// broker's log.* setting when server.properties changed it
// (STATIC_BROKER_CONFIG), else Kafka's default (DEFAULT_CONFIG).
DescribedConfig DescribeTopicConfig(const TopicConfigDefinition& definition,
                                    const TopicConfigOverrides& set,
                                    const LogConfig& broker_defaults) {
  const std::string broker_value =
      TopicConfigValue(broker_defaults, definition.name);
  const std::string kafka_default =
      TopicConfigValue(LogConfig{}, definition.name);
  const std::string broker_setting(definition.broker_setting);
  DescribedConfig config{std::string(definition.name),
                         broker_value,
                         kDefaultConfig,
                         false,
                         definition.type,
                         definition.documentation,
                         {}};
  if (auto found = set.find(config.name); found != set.end()) {
    config.synonyms.push_back(
        {config.name, found->second, kDynamicTopicConfig});
  }
  if (broker_value != kafka_default) {
    config.synonyms.push_back(
        {broker_setting, broker_value, kStaticBrokerConfig});
  }
  config.synonyms.push_back({broker_setting, kafka_default, kDefaultConfig});
  config.value = *config.synonyms.front().value;
  config.source = config.synonyms.front().source;
  return config;
}

// A broker setting: from server.properties unless it has Kafka's default.
// None can change while the broker runs (no dynamic broker configs here).
DescribedConfig DescribeBrokerSetting(const BrokerSetting& setting) {
  DescribedConfig config{
      setting.name, setting.value, kDefaultConfig, true, setting.type, "", {}};
  if (setting.value != setting.default_value) {
    config.synonyms.push_back(
        {setting.name, setting.value, kStaticBrokerConfig});
  }
  config.synonyms.push_back(
      {setting.name, setting.default_value, kDefaultConfig});
  config.source = config.synonyms.front().source;
  return config;
}

// Kafka's ConfigHelper: a broker resource names this broker by its id, or is
// "" (the cluster-wide defaults, of which this broker has none).
Result<bool> IsThisBroker(const std::string& name, NodeId self) {
  if (name.empty()) return false;
  int32_t id = 0;
  auto [end, error] =
      std::from_chars(name.data(), name.data() + name.size(), id);
  if (error != std::errc() || end != name.data() + name.size()) {
    return InvalidRequest("Broker id must be an integer, but it is: " + name);
  }
  if (id != self) {
    return InvalidRequest("Unexpected broker id, expected " +
                          std::to_string(self) +
                          " or empty string, but received " + name);
  }
  return true;
}

// ConfigAdminManager.preprocess: what the broker refuses before the
// controller sees a change.
Result<std::vector<ConfigChange>> PreprocessIncrementalChanges(
    const IncrementalAlterConfigsRequest::Resource& resource) {
  std::vector<ConfigChange> changes;
  std::set<std::string> names;
  for (const auto& config : resource.configs) {
    if (!names.insert(config.name).second) {
      return InvalidRequest("Error due to duplicate config keys");
    }
    const auto operation =
        static_cast<ConfigChange::Operation>(config.config_operation);
    if (config.config_operation < 0 || config.config_operation > 3) {
      return InvalidRequest("Unknown operations type " +
                            std::to_string(config.config_operation));
    }
    if (!config.value && operation != ConfigChange::Operation::kDelete) {
      return InvalidRequest("Null value not supported for : " + config.name);
    }
    changes.push_back({config.name, operation, config.value.value_or("")});
  }
  return changes;
}

// Legacy AlterConfigs replaces a resource's configs: the ones given are SET,
// every other one set now is DELETEd. No value may be null, no name given
// twice (ConfigAdminManager.preprocess).
Result<std::vector<ConfigChange>> PreprocessReplacement(
    const AlterConfigsRequest::Resource& resource,
    const TopicConfigOverrides& current) {
  std::vector<ConfigChange> changes;
  std::set<std::string> names;
  for (const auto& config : resource.configs) {
    if (!names.insert(config.name).second) {
      return InvalidRequest("Error due to duplicate config keys");
    }
    if (!config.value) {
      return InvalidRequest("Null value not supported for : " + config.name);
    }
    changes.push_back(
        {config.name, ConfigChange::Operation::kSet, *config.value});
  }
  for (const auto& [name, value] : current) {
    if (!names.contains(name)) {
      changes.push_back({name, ConfigChange::Operation::kDelete, ""});
    }
  }
  return changes;
}

// What DynamicBrokerConfig says of settings it cannot change at run time;
// here that is all of them.
Error NotDynamic(const std::vector<ConfigChange>& changes) {
  std::string names;
  for (const ConfigChange& change : changes) {
    names += (names.empty() ? "" : ", ") + change.name;
  }
  return InvalidRequest("Cannot update these configs dynamically: Set(" +
                        names + ")");
}

// DeleteTopics v6 names a topic or gives its id; before, names only.
struct TopicToDelete {
  std::optional<std::string> name;
  Uuid id;
};

std::vector<TopicToDelete> TopicsToDelete(const DeleteTopicsRequest& request,
                                          int16_t version) {
  std::vector<TopicToDelete> topics;
  if (version >= 6) {
    for (const auto& topic : request.topics) {
      topics.push_back({topic.name, topic.topic_id});
    }
  } else {
    for (const std::string& name : request.topic_names) {
      topics.push_back({name, Uuid()});
    }
  }
  return topics;
}

std::optional<std::string> TopicNamed(const MetadataCache& metadata,
                                      const Uuid& id) {
  for (const std::string& name : metadata.TopicNames()) {
    if (metadata.TopicId(name) == id) return name;
  }
  return std::nullopt;
}

// Kafka's ControllerApis.deleteTopics, before any topic is deleted: a name or
// an id, not both, not neither, and each at most once (duplicates answer
// once). Sets `result` and returns false if the topic is not to be deleted.
bool CheckTopicToDelete(const TopicToDelete& topic,
                        std::map<std::string, int>& names,
                        std::map<Uuid, int>& ids,
                        DeleteTopicsResponse::Result& result) {
  result.name = topic.name;
  result.topic_id = topic.id;
  if (!topic.name && topic.id.IsZero()) {
    SetError(result,
             InvalidRequest("Neither topic name nor id were specified."));
  } else if (topic.name && !topic.id.IsZero()) {
    SetError(result, InvalidRequest(
                         "You may not specify both topic name and topic id."));
  } else if (topic.name ? names[*topic.name] > 1 : ids[topic.id] > 1) {
    SetError(result, InvalidRequest(topic.name ? "Duplicate topic name."
                                               : "Duplicate topic id."));
  } else {
    return true;
  }
  return false;
}

}  // namespace

void AdminApis::RegisterWith(RequestHandlers& handlers) {
  handlers.Register(ApiKey::kDescribeConfigs,
                    HandlerOf(this, &AdminApis::HandleDescribeConfigs));
  handlers.Register(ApiKey::kAlterConfigs,
                    HandlerOf(this, &AdminApis::HandleAlterConfigs));
  handlers.Register(ApiKey::kIncrementalAlterConfigs,
                    HandlerOf(this, &AdminApis::HandleIncrementalAlterConfigs));
  handlers.Register(ApiKey::kDeleteTopics,
                    HandlerOf(this, &AdminApis::HandleDeleteTopics));
  handlers.Register(ApiKey::kDescribeCluster,
                    HandlerOf(this, &AdminApis::HandleDescribeCluster));
}

Status AdminApis::HandleDescribeConfigs(const Request& request,
                                        Responder respond) {
  Result<DescribeConfigsRequest> decoded =
      DecodeRequestBody<DescribeConfigsRequest>(request);
  if (!decoded.ok()) return decoded.status();
  DescribeConfigsResponse response;
  for (const auto& resource : decoded->resources) {
    auto& result = response.results.emplace_back();
    result.resource_type = resource.resource_type;
    result.resource_name = resource.resource_name;
    std::vector<DescribedConfig> configs;
    if (resource.resource_type == kTopicResource) {
      if (Status valid = ValidateTopicName(resource.resource_name);
          !valid.ok()) {
        SetError(result, valid.error());
        continue;
      }
      auto set = components_.logs.TopicConfigs(resource.resource_name);
      if (!set) {
        SetError(result, Error{ErrorCode::kUnknownTopicOrPartition,
                               "topic '" + resource.resource_name +
                                   "' does not exist"});
        continue;
      }
      for (const TopicConfigDefinition& definition : TopicConfigDefinitions()) {
        configs.push_back(
            DescribeTopicConfig(definition, *set, components_.logs.defaults()));
      }
    } else if (resource.resource_type == kBrokerResource) {
      Result<bool> this_broker =
          IsThisBroker(resource.resource_name, components_.broker_id);
      if (!this_broker.ok()) {
        SetError(result, this_broker.error());
        continue;
      }
      // The cluster-wide defaults ("") are dynamic configs: none here.
      if (*this_broker) {
        for (const BrokerSetting& setting : components_.broker_settings) {
          configs.push_back(DescribeBrokerSetting(setting));
        }
      }
    } else {
      SetError(result, InvalidRequest("Unsupported resource type " +
                                      std::to_string(resource.resource_type)));
      continue;
    }
    for (const DescribedConfig& config : configs) {
      if (IsAsked(resource, config.name)) {
        result.configs.push_back(Encode(config, *decoded));
      }
    }
  }
  respond(EncodeResponseBody(response, request.header));
  return Status();
}

void AdminApis::AlterResource(int8_t type, const std::string& name,
                              Result<std::vector<ConfigChange>> changes,
                              bool validate_only, TopicAdmin::Done done) {
  if (!changes.ok()) return done(changes.error());
  if (type == kTopicResource) {
    return components_.topics.AlterTopicConfigs(name, *changes, validate_only,
                                                std::move(done));
  }
  if (type == kBrokerResource) {
    Result<bool> this_broker = IsThisBroker(name, components_.broker_id);
    return done(this_broker.ok() ? NotDynamic(*changes) : this_broker.error());
  }
  done(InvalidRequest("Unknown resource type " + std::to_string(type)));
}

namespace {

// Both APIs answer per resource, each maybe later (the topic admin's
// answer); the response goes when the last is in.
template <typename Response, typename Resources, typename Preprocess,
          typename Alter>
void AlterEachResource(const Resources& resources, const RequestHeader& header,
                       Responder respond, const Preprocess& preprocess,
                       const Alter& alter) {
  auto pending =
      std::make_shared<PendingResponse<Response>>(std::move(respond), header);
  pending->response().responses.resize(resources.size());
  for (size_t i = 0; i < resources.size(); ++i) {
    auto& answer = pending->response().responses[i];
    answer.resource_type = resources[i].resource_type;
    answer.resource_name = resources[i].resource_name;
    pending->PartStarted();
    alter(resources[i].resource_type, resources[i].resource_name,
          preprocess(resources[i]), [pending, i](Status outcome) {
            if (!outcome.ok()) {
              SetError(pending->response().responses[i], outcome.error());
            }
            pending->PartDone();
          });
  }
  pending->PartDone();
}

}  // namespace

Status AdminApis::HandleIncrementalAlterConfigs(const Request& request,
                                                Responder respond) {
  Result<IncrementalAlterConfigsRequest> decoded =
      DecodeRequestBody<IncrementalAlterConfigsRequest>(request);
  if (!decoded.ok()) return decoded.status();
  AlterEachResource<IncrementalAlterConfigsResponse>(
      decoded->resources, request.header, std::move(respond),
      PreprocessIncrementalChanges,
      [this, validate_only = decoded->validate_only](
          int8_t type, const std::string& name, auto changes, auto done) {
        AlterResource(type, name, std::move(changes), validate_only,
                      std::move(done));
      });
  return Status();
}

Status AdminApis::HandleAlterConfigs(const Request& request,
                                     Responder respond) {
  Result<AlterConfigsRequest> decoded =
      DecodeRequestBody<AlterConfigsRequest>(request);
  if (!decoded.ok()) return decoded.status();
  const LogManager& logs = components_.logs;
  AlterEachResource<AlterConfigsResponse>(
      decoded->resources, request.header, std::move(respond),
      [&logs](const AlterConfigsRequest::Resource& resource) {
        const bool topic = resource.resource_type == kTopicResource;
        return PreprocessReplacement(
            resource,
            (topic ? logs.TopicConfigs(resource.resource_name) : std::nullopt)
                .value_or(TopicConfigOverrides()));
      },
      [this, validate_only = decoded->validate_only](
          int8_t type, const std::string& name, auto changes, auto done) {
        AlterResource(type, name, std::move(changes), validate_only,
                      std::move(done));
      });
  return Status();
}

Status AdminApis::HandleDeleteTopics(const Request& request,
                                     Responder respond) {
  Result<DeleteTopicsRequest> decoded =
      DecodeRequestBody<DeleteTopicsRequest>(request);
  if (!decoded.ok()) return decoded.status();
  const std::vector<TopicToDelete> topics =
      TopicsToDelete(*decoded, request.header.api_version);
  std::map<std::string, int> names;
  std::map<Uuid, int> ids;
  for (const TopicToDelete& topic : topics) {
    if (topic.name && topic.id.IsZero()) ++names[*topic.name];
    if (!topic.name && !topic.id.IsZero()) ++ids[topic.id];
  }
  auto pending = std::make_shared<PendingResponse<DeleteTopicsResponse>>(
      std::move(respond), request.header);
  auto& results = pending->response().responses;
  std::set<std::pair<std::optional<std::string>, Uuid>> answered;
  for (const TopicToDelete& topic : topics) {
    if (!answered.insert({topic.name, topic.id}).second) continue;
    auto& result = results.emplace_back();
    if (!CheckTopicToDelete(topic, names, ids, result)) continue;
    if (!topic.name) {
      result.name = TopicNamed(components_.metadata, topic.id);
      if (!result.name) {
        SetError(result, Error{ErrorCode::kUnknownTopicId,
                               "no topic has id " + topic.id.ToString()});
        continue;
      }
    }
    result.topic_id =
        components_.metadata.TopicId(*result.name).value_or(Uuid());
    pending->PartStarted();
    components_.topics.DeleteTopic(
        *result.name, [pending, i = results.size() - 1](Status outcome) {
          if (!outcome.ok()) {
            SetError(pending->response().responses[i], outcome.error());
          }
          pending->PartDone();
        });
  }
  pending->PartDone();
  return Status();
}

Status AdminApis::HandleDescribeCluster(const Request& request,
                                        Responder respond) {
  Result<DescribeClusterRequest> decoded =
      DecodeRequestBody<DescribeClusterRequest>(request);
  if (!decoded.ok()) return decoded.status();
  DescribeClusterResponse response;
  // Only v1 can ask for an endpoint type (v0 asks for brokers), so Kafka's
  // v0 answer to these mistakes, INVALID_REQUEST, never arises.
  if (decoded->endpoint_type != kBrokerEndpoints &&
      decoded->endpoint_type != kControllerEndpoints) {
    response.error_code = ErrorCode::kUnsupportedEndpointType;
    response.error_message =
        "Unsupported endpoint type " + std::to_string(decoded->endpoint_type);
  } else if (decoded->endpoint_type == kControllerEndpoints) {
    response.error_code = ErrorCode::kMismatchedEndpointType;
    response.error_message =
        "The request was sent to an endpoint of type BROKER, but we wanted an "
        "endpoint of type CONTROLLER";
  } else {
    const MetadataCache& metadata = components_.metadata;
    response.cluster_id = metadata.cluster_id();
    // A controller that is not among the brokers is not named (-1).
    if (metadata.GetBroker(metadata.controller_id())) {
      response.controller_id = metadata.controller_id();
    }
    for (const BrokerEndpoint& broker : metadata.AliveBrokers()) {
      response.brokers.push_back(
          {broker.id, broker.host, broker.port, broker.rack});
    }
    if (decoded->include_cluster_authorized_operations) {
      response.cluster_authorized_operations = kAllClusterOperations;
    }
  }
  respond(EncodeResponseBody(response, request.header));
  return Status();
}

}  // namespace kafka
