/// \file
/// The AlterPartitionManager: how a leader asks the controller to change a
/// partition's in-sync replica set.
///
/// The leader sees first when a follower falls behind or catches up, but the
/// controller decides the ISR: it is part of the partition's state, which
/// every broker must agree on (a new leader is chosen from it). So a leader
/// that wants to shrink or grow the ISR proposes the new set in an
/// AlterPartition request (api 56, KIP-497), naming the leader epoch and the
/// partition epoch it saw; the controller refuses a proposal made on state
/// that has changed since (FENCED_LEADER_EPOCH, INVALID_UPDATE_VERSION), and
/// answers an accepted one with the partition's new state, whose partition
/// epoch is one more.
///
/// As in Kafka's AlterPartitionManager, each partition has at most one
/// proposal waiting (a second is refused with OPERATION_NOT_ATTEMPTED: the
/// partition proposes again after the first is answered), the proposals of
/// all partitions go out together in one request, and only one request is
/// in flight at a time. A request that fails as a whole (the controller is
/// unreachable, or answers a top-level error such as NOT_CONTROLLER) is sent
/// again 50 ms later, to the controller known then; while no controller is
/// known, nothing goes out and the manager looks again 50 ms later. It never
/// gives up, since the partition waits for its answer. Each proposal's
/// outcome goes to the callback given with it: the partition's new state, or
/// the controller's refusal.
///
/// It sends version 3: topics by id (version 2), and each proposed member
/// with the broker epoch the leader saw it fetch with (KIP-903), which the
/// controller checks against the member's registration. Chapter 4's
/// static controller knows no broker epochs: there every epoch is -1, and
/// not checked.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "chapters/02_partitions/log_manager.h"
#include "chapters/04_replication/controller_node_provider.h"
#include "lib/error.h"
#include "lib/node/node.h"
#include "lib/protocol/alter_partition.h"

namespace kafka {

/// A partition's leader, leader epoch, ISR and partition epoch: what the
/// leader proposes and what the controller answers (Kafka's LeaderAndIsr).
struct LeaderAndIsr {
  NodeId leader = -1;
  int32_t leader_epoch = 0;
  std::vector<NodeId> isr;
  int32_t partition_epoch = 0;
  /// A proposal's broker epoch of each ISR member, in `isr`'s order
  /// (Kafka's isrWithBrokerEpoch); -1, or none given: not checked.
  std::vector<int64_t> isr_broker_epochs;

  bool operator==(const LeaderAndIsr&) const = default;
};

class AlterPartitionManager {
 public:
  /// The controller's answer to one proposal: the partition's state as the
  /// controller now holds it, or its refusal.
  using Callback = std::function<void(Result<LeaderAndIsr> outcome)>;

  /// The AlterPartition version sent: topics by id, members with their
  /// broker epochs.
  static constexpr int16_t kVersion = 3;
  /// How long after a failed request the proposals go out again.
  static constexpr int64_t kRetryBackoffMs = 50;
  /// How long one request may take (request.timeout.ms) before it counts
  /// as failed and is sent again.
  static constexpr int64_t kRequestTimeoutMs = 30'000;

  /// `broker_id` is this broker, the leader that proposes; `controller`
  /// names the node each request goes to (on Connection::kController).
  AlterPartitionManager(Environment& env, NodeId broker_id,
                        ControllerNodeProvider controller);

  /// Queues a proposal for `partition` and sends it unless a request is in
  /// flight (then it goes with the next). A partition with a proposal
  /// already waiting gets OPERATION_NOT_ATTEMPTED at once.
  void Submit(const TopicPartition& partition, const Uuid& topic_id,
              const LeaderAndIsr& proposed, Callback on_done);

  /// How many proposals wait for an answer.
  size_t pending() const { return unsent_.size(); }
  bool request_in_flight() const { return in_flight_; }

 private:
  struct Proposal {
    Uuid topic_id;
    LeaderAndIsr proposed;
    Callback on_done;
  };
  /// Sends every waiting proposal, unless a request is in flight (or no
  /// controller is known: then it tries again later).
  void MaybePropagateIsrChanges();
  AlterPartitionRequest BuildRequest() const;
  void HandleResponse(const std::vector<TopicPartition>& sent,
                      Result<Bytes> body);
  /// Answers each sent proposal that the response answers; the others stay
  /// and go out again.
  void CompleteProposals(const std::vector<TopicPartition>& sent,
                         const AlterPartitionResponse& response);
  void RetryLater();

  Environment& env_;
  NodeId broker_id_;
  ControllerNodeProvider controller_;
  /// The proposals not yet answered, sent or not (Kafka's unsentIsrUpdates,
  /// which also keeps the sent ones until their answer).
  std::map<TopicPartition, Proposal> unsent_;
  bool in_flight_ = false;
  bool retry_scheduled_ = false;
};

}  // namespace kafka
