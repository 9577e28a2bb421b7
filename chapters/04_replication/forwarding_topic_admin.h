/// \file
/// The topic admin of a broker with a controller: creations, growths and
/// deletions go to the controller, which decides them.
///
/// A broker of a replicated cluster cannot create a topic by itself: the
/// controller places the replicas on brokers and tells every broker, and
/// only then does a broker create the logs it was given. So a broker that
/// receives CreateTopics, CreatePartitions or DeleteTopics (or a Metadata
/// request that auto-creates a topic) sends the same request on to the
/// controller and answers with the controller's answer: KIP-590's request
/// forwarding, Kafka's ForwardingManager and its DefaultAutoTopicCreation
/// Manager. The request handlers do not change: they call TopicAdmin as in
/// Chapter 2.
///
/// A change of topic configs goes the same way: the handlers have checked
/// the request (ConfigAdminManager's preprocessing), and AlterTopicConfigs
/// sends the changes on as IncrementalAlterConfigs (AlterConfigs arrives as
/// changes too). The controller keeps every topic's configs and sends them
/// to every broker with the partitions, which is when this broker's
/// LogManager takes them (in KRaft, a ConfigRecord in the metadata log).
///
/// The controller is whichever node a ControllerNodeProvider names at each
/// attempt (Kafka's NodeToControllerChannelManager): a request waits while
/// no controller is known, and one that the controller refuses with
/// NOT_CONTROLLER is sent again, to the controller known then, until
/// request.timeout.ms has passed since the request came (then
/// REQUEST_TIMED_OUT). A controller that cannot be reached is an answer:
/// the transport's error (NETWORK_EXCEPTION, REQUEST_TIMED_OUT) goes back to
/// the client, which retries.
///
/// A deleted topic's partitions are known to every broker only when the
/// controller's next UpdateMetadata leaves them out; PartitionsDeleted is
/// called then (by whoever reads UpdateMetadata) and tells the listeners
/// (the group coordinator drops their committed offsets).
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "chapters/02_partitions/topic_admin.h"
#include "chapters/04_replication/controller_node_provider.h"
#include "lib/node/node.h"
#include "lib/protocol/create_topics.h"

namespace kafka {

class ForwardingTopicAdmin : public TopicAdmin {
 public:
  /// How long after a NOT_CONTROLLER answer, or while no controller is
  /// known, the request is tried again.
  static constexpr int64_t kRetryBackoffMs = 50;

  /// Forwards to the node `controller` names (Connection::kController).
  ForwardingTopicAdmin(Environment& env, ControllerNodeProvider controller,
                       int64_t request_timeout_ms = 30'000)
      : env_(env),
        controller_(std::move(controller)),
        request_timeout_ms_(request_timeout_ms) {}

  void CreateTopic(const CreateTopicsRequest::Topic& topic, bool validate_only,
                   Done done) override;
  /// What the controller answered for `topic`'s last creation.
  CreatedTopic DescribeCreatedTopic(
      const CreateTopicsRequest::Topic& topic) const override;
  void CreatePartitions(const CreatePartitionsRequest::Topic& topic,
                        bool validate_only, Done done) override;
  void AlterTopicConfigs(const std::string& topic,
                         const std::vector<ConfigChange>& changes,
                         bool validate_only, Done done) override;
  void DeleteTopic(const std::string& topic, Done done) override;
  void AddPartitionsDeletedListener(
      PartitionsDeletedListener listener) override;

  /// The controller's metadata no longer has `partitions`: tells the
  /// listeners.
  void PartitionsDeleted(const std::vector<TopicPartition>& partitions);

 private:
  /// Sends `request` to the controller and hands `on_answer` the decoded
  /// response, or the transport's error, or REQUEST_TIMED_OUT if no
  /// controller was known in time.
  template <typename Response, typename Request>
  void Forward(ApiKey api, int16_t version, const Request& request,
               std::function<void(Result<Response>)> on_answer);
  /// One attempt of Forward, which must be answered by `deadline_ms`.
  template <typename Response>
  void SendToController(ApiKey api, int16_t version, Bytes body,
                        int64_t deadline_ms,
                        std::function<void(Result<Response>)> on_answer);
  /// SendToController again, kRetryBackoffMs from now.
  template <typename Response>
  void RetryLater(ApiKey api, int16_t version, Bytes body, int64_t deadline_ms,
                  std::function<void(Result<Response>)> on_answer);

  Environment& env_;
  ControllerNodeProvider controller_;
  int64_t request_timeout_ms_;
  std::map<std::string, CreatedTopic> created_;
  std::vector<PartitionsDeletedListener> deletion_listeners_;
};

}  // namespace kafka
