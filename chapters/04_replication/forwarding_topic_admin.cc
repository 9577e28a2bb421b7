#include "chapters/04_replication/forwarding_topic_admin.h"

#include <utility>

#include "lib/protocol/message.h"
#include "lib/protocol/messages/delete_topics_request.h"
#include "lib/protocol/messages/delete_topics_response.h"

namespace kafka {
namespace {

// The versions forwarded: the latest this codec has of each.
constexpr int16_t kCreateTopicsVersion = 7;
constexpr int16_t kCreatePartitionsVersion = 3;
constexpr int16_t kDeleteTopicsVersion = 6;

// A result's error code and message as a Status.
template <typename Result>
Status OutcomeOf(const Result& result) {
  if (result.error_code == ErrorCode::kNone) return Status();
  return Error{result.error_code, result.error_message.value_or("")};
}

CreatedTopic CreatedTopicOf(CreateTopicsResponse::Result result) {
  return {
      .topic_id = result.topic_id,
      .num_partitions = result.num_partitions,
      .replication_factor = result.replication_factor,
      .configs = std::move(result.configs)
                     .value_or(std::vector<CreateTopicsResponse::Config>{})};
}

bool IsTopicConfig(const std::string& name) {
  for (const TopicConfigDefinition& config : TopicConfigDefinitions()) {
    if (config.name == name) return true;
  }
  return false;
}

// One change to a topic's configs, as Chapter 2's LocalTopicAdmin applies
// it: SET and DELETE any config, APPEND and SUBTRACT only a list (no topic
// config here is one).
Status ApplyConfigChange(const ConfigChange& change,
                         TopicConfigOverrides& configs) {
  if (!IsTopicConfig(change.name)) {
    return Error{ErrorCode::kInvalidConfig,
                 "Unknown topic config name: " + change.name};
  }
  if (change.operation == ConfigChange::Operation::kSet) {
    configs[change.name] = change.value;
  } else if (change.operation == ConfigChange::Operation::kDelete) {
    configs.erase(change.name);
  } else {
    const char* operation = change.operation == ConfigChange::Operation::kAppend
                                ? "APPEND"
                                : "SUBTRACT";
    return Error{ErrorCode::kInvalidConfig,
                 std::string("Can't ") + operation + " to key " + change.name +
                     " because its type is not LIST."};
  }
  return Status();
}

}  // namespace

template <typename Response, typename Request>
void ForwardingTopicAdmin::Forward(
    ApiKey api, int16_t version, const Request& request,
    std::function<void(Result<Response>)> on_answer) {
  env_.Send(
      controller_, {int16_t(api), version, 0, "forwarding-topic-admin"},
      EncodeMessage(request, api, version), request_timeout_ms_,
      [api, version, on_answer = std::move(on_answer)](Result<Bytes> body) {
        if (!body.ok()) return on_answer(body.error());
        on_answer(DecodeMessage<Response>(body.value(), api, version, 0,
                                          "controller's response"));
      },
      Connection::kController);
}

void ForwardingTopicAdmin::CreateTopic(const CreateTopicsRequest::Topic& topic,
                                       bool validate_only, Done done) {
  CreateTopicsRequest request{.topics = {topic},
                              .timeout_ms = int32_t(request_timeout_ms_),
                              .validate_only = validate_only};
  Forward<CreateTopicsResponse>(
      ApiKey::kCreateTopics, kCreateTopicsVersion, request,
      [this, name = topic.name,
       done = std::move(done)](Result<CreateTopicsResponse> answer) {
        if (!answer.ok()) return done(answer.status());
        if (answer->topics.size() != 1) {
          return done(Error{ErrorCode::kUnknownServerError,
                            "the controller answered no topic"});
        }
        Status outcome = OutcomeOf(answer->topics[0]);
        if (outcome.ok()) {
          created_[name] = CreatedTopicOf(std::move(answer->topics[0]));
        }
        done(outcome);
      });
}

CreatedTopic ForwardingTopicAdmin::DescribeCreatedTopic(
    const CreateTopicsRequest::Topic& topic) const {
  auto found = created_.find(topic.name);
  return found == created_.end() ? CreatedTopic() : found->second;
}

void ForwardingTopicAdmin::CreatePartitions(
    const CreatePartitionsRequest::Topic& topic, bool validate_only,
    Done done) {
  CreatePartitionsRequest request{.topics = {topic},
                                  .timeout_ms = int32_t(request_timeout_ms_),
                                  .validate_only = validate_only};
  Forward<CreatePartitionsResponse>(
      ApiKey::kCreatePartitions, kCreatePartitionsVersion, request,
      [done = std::move(done)](Result<CreatePartitionsResponse> answer) {
        if (!answer.ok()) return done(answer.status());
        if (answer->results.size() != 1) {
          return done(Error{ErrorCode::kUnknownServerError,
                            "the controller answered no topic"});
        }
        done(OutcomeOf(answer->results[0]));
      });
}

void ForwardingTopicAdmin::AlterTopicConfigs(
    const std::string& topic, const std::vector<ConfigChange>& changes,
    bool validate_only, Done done) {
  std::optional<TopicConfigOverrides> configs = logs_.TopicConfigs(topic);
  if (!configs) {
    return done(Error{ErrorCode::kUnknownTopicOrPartition,
                      "topic '" + topic + "' does not exist"});
  }
  for (const ConfigChange& change : changes) {
    if (Status applied = ApplyConfigChange(change, *configs); !applied.ok()) {
      return done(applied);
    }
  }
  if (validate_only) {
    return done(
        ParseTopicConfigs({configs->begin(), configs->end()}, logs_.defaults())
            .status());
  }
  done(logs_.AlterTopicConfigs(topic, *configs));
}

void ForwardingTopicAdmin::DeleteTopic(const std::string& topic, Done done) {
  DeleteTopicsRequest request{.topics = {{.name = topic}},
                              .timeout_ms = int32_t(request_timeout_ms_)};
  Forward<DeleteTopicsResponse>(
      ApiKey::kDeleteTopics, kDeleteTopicsVersion, request,
      [done = std::move(done)](Result<DeleteTopicsResponse> answer) {
        if (!answer.ok()) return done(answer.status());
        if (answer->responses.size() != 1) {
          return done(Error{ErrorCode::kUnknownServerError,
                            "the controller answered no topic"});
        }
        done(OutcomeOf(answer->responses[0]));
      });
}

void ForwardingTopicAdmin::AddPartitionsDeletedListener(
    PartitionsDeletedListener listener) {
  deletion_listeners_.push_back(std::move(listener));
}

void ForwardingTopicAdmin::PartitionsDeleted(
    const std::vector<TopicPartition>& partitions) {
  for (const auto& listener : deletion_listeners_) listener(partitions);
}

}  // namespace kafka
