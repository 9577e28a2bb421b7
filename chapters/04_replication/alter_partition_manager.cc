#include "chapters/04_replication/alter_partition_manager.h"

#include <string>
#include <utility>

#include "lib/protocol/message.h"

namespace kafka {
namespace {

// The leader_recovery_state of an ISR change: the leader is recovered (1,
// RECOVERING, follows only an unclean election, KIP-704).
constexpr int8_t kRecovered = 0;

const char kClientId[] = "alter-partition-manager";

std::vector<AlterPartitionRequest::BrokerState> IsrWithEpochs(
    const LeaderAndIsr& proposed) {
  std::vector<AlterPartitionRequest::BrokerState> members;
  for (size_t i = 0; i < proposed.isr.size(); ++i) {
    members.push_back({.broker_id = proposed.isr[i],
                       .broker_epoch = i < proposed.isr_broker_epochs.size()
                                           ? proposed.isr_broker_epochs[i]
                                           : -1});
  }
  return members;
}

LeaderAndIsr LeaderAndIsrOf(const AlterPartitionResponse::Partition& answer) {
  return {answer.leader_id, answer.leader_epoch, answer.isr,
          answer.partition_epoch};
}

}  // namespace

AlterPartitionManager::AlterPartitionManager(Environment& env, NodeId broker_id,
                                             ControllerNodeProvider controller)
    : env_(env), broker_id_(broker_id), controller_(std::move(controller)) {}

void AlterPartitionManager::Submit(const TopicPartition& partition,
                                   const Uuid& topic_id,
                                   const LeaderAndIsr& proposed,
                                   Callback on_done) {
  if (unsent_.contains(partition)) {
    on_done(Error{ErrorCode::kOperationNotAttempted,
                  "an ISR change of " + partition.DirectoryName() +
                      " already waits for the controller"});
    return;
  }
  unsent_.emplace(partition, Proposal{topic_id, proposed, std::move(on_done)});
  MaybePropagateIsrChanges();
}

void AlterPartitionManager::MaybePropagateIsrChanges() {
  if (in_flight_ || retry_scheduled_ || unsent_.empty()) return;
  const std::optional<NodeId> controller = controller_();
  if (!controller) return RetryLater();
  in_flight_ = true;
  std::vector<TopicPartition> sent;
  for (const auto& [partition, proposal] : unsent_) sent.push_back(partition);
  env_.Send(
      *controller, {int16_t(ApiKey::kAlterPartition), kVersion, 0, kClientId},
      EncodeMessage(BuildRequest(), ApiKey::kAlterPartition, kVersion),
      kRequestTimeoutMs,
      [this, sent](Result<Bytes> body) {
        HandleResponse(sent, std::move(body));
      },
      Connection::kController);
}

AlterPartitionRequest AlterPartitionManager::BuildRequest() const {
  AlterPartitionRequest request;
  request.broker_id = broker_id_;
  for (const auto& [partition, proposal] : unsent_) {
    if (request.topics.empty() ||
        request.topics.back().topic_name != partition.topic) {
      request.topics.push_back(
          {.topic_name = partition.topic, .topic_id = proposal.topic_id});
    }
    request.topics.back().partitions.push_back(
        {.partition_index = partition.partition,
         .leader_epoch = proposal.proposed.leader_epoch,
         .new_isr = proposal.proposed.isr,
         .new_isr_with_epochs = IsrWithEpochs(proposal.proposed),
         .leader_recovery_state = kRecovered,
         .partition_epoch = proposal.proposed.partition_epoch});
  }
  return request;
}

void AlterPartitionManager::HandleResponse(
    const std::vector<TopicPartition>& sent, Result<Bytes> body) {
  in_flight_ = false;
  Result<AlterPartitionResponse> response =
      body.ok() ? DecodeMessage<AlterPartitionResponse>(
                      *body, ApiKey::kAlterPartition, kVersion, 0,
                      "AlterPartitionResponse")
                : Result<AlterPartitionResponse>(body.error());
  // No answer, or a top-level error (NOT_CONTROLLER, ...): every proposal
  // goes out again, a little later.
  if (!response.ok() || response->error_code != ErrorCode::kNone) {
    return RetryLater();
  }
  CompleteProposals(sent, *response);
  MaybePropagateIsrChanges();
}

void AlterPartitionManager::CompleteProposals(
    const std::vector<TopicPartition>& sent,
    const AlterPartitionResponse& response) {
  // Version 2+ answers name topics by id: back to the names proposed for.
  std::map<Uuid, std::string> topic_names;
  for (const auto& [partition, proposal] : unsent_) {
    topic_names[proposal.topic_id] = partition.topic;
  }
  std::map<TopicPartition, Result<LeaderAndIsr>> outcomes;
  for (const AlterPartitionResponse::Topic& topic : response.topics) {
    auto name = topic_names.find(topic.topic_id);
    if (name == topic_names.end()) continue;
    for (const AlterPartitionResponse::Partition& answer : topic.partitions) {
      const TopicPartition partition{name->second, answer.partition_index};
      if (answer.error_code == ErrorCode::kNone) {
        outcomes.emplace(partition, LeaderAndIsrOf(answer));
      } else {
        outcomes.emplace(partition,
                         Error{answer.error_code, "the controller refused"});
      }
    }
  }
  // By what was sent, not what came back: a proposal the answer leaves out
  // stays, and goes out again.
  for (const TopicPartition& partition : sent) {
    auto outcome = outcomes.find(partition);
    auto proposal = unsent_.find(partition);
    if (outcome == outcomes.end() || proposal == unsent_.end()) continue;
    // Out of the queue before the callback, which may propose again.
    Callback on_done = std::move(proposal->second.on_done);
    unsent_.erase(proposal);
    on_done(std::move(outcome->second));
  }
}

void AlterPartitionManager::RetryLater() {
  retry_scheduled_ = true;
  env_.StartTimer(kRetryBackoffMs, [this] {
    retry_scheduled_ = false;
    MaybePropagateIsrChanges();
  });
}

}  // namespace kafka
