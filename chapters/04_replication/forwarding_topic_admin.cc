#include "chapters/04_replication/forwarding_topic_admin.h"

#include <utility>

#include "lib/protocol/admin.h"
#include "lib/protocol/message.h"
#include "lib/protocol/messages/delete_topics_request.h"
#include "lib/protocol/messages/delete_topics_response.h"

namespace kafka {
namespace {

// The versions forwarded: the latest this codec has of each.
constexpr int16_t kCreateTopicsVersion = 7;
constexpr int16_t kCreatePartitionsVersion = 3;
constexpr int16_t kDeleteTopicsVersion = 6;
constexpr int16_t kIncrementalAlterConfigsVersion = 1;

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

// One resource of IncrementalAlterConfigs: the topic and its changes (a
// DELETE's value is null on the wire).
IncrementalAlterConfigsRequest::Resource ResourceOf(
    const std::string& topic, const std::vector<ConfigChange>& changes) {
  IncrementalAlterConfigsRequest::Resource resource{
      .resource_type = kTopicResource, .resource_name = topic};
  for (const ConfigChange& change : changes) {
    const bool deletes = change.operation == ConfigChange::Operation::kDelete;
    resource.configs.push_back(
        {.name = change.name,
         .config_operation = int8_t(change.operation),
         .value = deletes ? std::nullopt
                          : std::optional<std::string>(change.value)});
  }
  return resource;
}

// The per-topic results of each forwarded response.
const auto& ResultsOf(const CreateTopicsResponse& r) { return r.topics; }
const auto& ResultsOf(const CreatePartitionsResponse& r) { return r.results; }
const auto& ResultsOf(const IncrementalAlterConfigsResponse& r) {
  return r.responses;
}
const auto& ResultsOf(const DeleteTopicsResponse& r) { return r.responses; }

// The node asked is no longer (or not yet) the active controller: the
// request is for another.
template <typename Response>
bool AnsweredNotController(const Response& response) {
  for (const auto& result : ResultsOf(response)) {
    if (result.error_code == ErrorCode::kNotController) return true;
  }
  return false;
}

}  // namespace

template <typename Response, typename Request>
void ForwardingTopicAdmin::Forward(
    ApiKey api, int16_t version, const Request& request,
    std::function<void(Result<Response>)> on_answer) {
  SendToController(api, version, EncodeMessage(request, api, version),
                   env_.NowMs() + request_timeout_ms_, std::move(on_answer));
}

template <typename Response>
void ForwardingTopicAdmin::SendToController(
    ApiKey api, int16_t version, Bytes body, int64_t deadline_ms,
    std::function<void(Result<Response>)> on_answer) {
  const int64_t remaining_ms = deadline_ms - env_.NowMs();
  if (remaining_ms <= 0) {
    return on_answer(Error{ErrorCode::kRequestTimedOut,
                           "no controller answered within request.timeout.ms"});
  }
  const std::optional<NodeId> controller = controller_();
  if (!controller) {
    return RetryLater(api, version, std::move(body), deadline_ms,
                      std::move(on_answer));
  }
  env_.Send(
      *controller, {int16_t(api), version, 0, "forwarding-topic-admin"}, body,
      remaining_ms,
      [this, api, version, body, deadline_ms,
       on_answer = std::move(on_answer)](Result<Bytes> answer) mutable {
        Result<Response> response =
            answer.ok() ? DecodeMessage<Response>(answer.value(), api, version,
                                                  0, "controller's response")
                        : Result<Response>(answer.error());
        if (!response.ok() || !AnsweredNotController(*response)) {
          return on_answer(std::move(response));
        }
        RetryLater(api, version, std::move(body), deadline_ms,
                   std::move(on_answer));
      },
      Connection::kController);
}

template <typename Response>
void ForwardingTopicAdmin::RetryLater(
    ApiKey api, int16_t version, Bytes body, int64_t deadline_ms,
    std::function<void(Result<Response>)> on_answer) {
  env_.StartTimer(kRetryBackoffMs,
                  [this, api, version, body = std::move(body), deadline_ms,
                   on_answer = std::move(on_answer)]() mutable {
                    SendToController(api, version, std::move(body), deadline_ms,
                                     std::move(on_answer));
                  });
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
  IncrementalAlterConfigsRequest request{
      .resources = {ResourceOf(topic, changes)},
      .validate_only = validate_only};
  Forward<IncrementalAlterConfigsResponse>(
      ApiKey::kIncrementalAlterConfigs, kIncrementalAlterConfigsVersion,
      request,
      [done = std::move(done)](Result<IncrementalAlterConfigsResponse> answer) {
        if (!answer.ok()) return done(answer.status());
        if (answer->responses.size() != 1) {
          return done(Error{ErrorCode::kUnknownServerError,
                            "the controller answered no topic"});
        }
        done(OutcomeOf(answer->responses[0]));
      });
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
