/// \file
/// How a leader answers a produce: the seam where Chapter 6's acks go.
///
/// A produce reaches the leader's ReplicaManager, which appends each
/// partition's records to its log. What `acks` asks for decides two things
/// around that append, and they are this interface:
///
///   before   whether the leader may append at all: with acks=all and an
///            ISR smaller than min.insync.replicas, Kafka refuses the batch
///            with NOT_ENOUGH_REPLICAS and appends nothing (the check in
///            Kafka's Partition.appendRecordsToLeader)
///   after    when the answer goes back: acks=1 at once, acks=all once the
///            high watermark passes the batch, which means a wait (Kafka's
///            ReplicaManager parks a DelayedProduce in its produce
///            purgatory, maybeAddDelayedProduce)
///
/// and the ReplicaManager says when a partition changed in a way a waiting
/// answer may care about: its high watermark moved, its ISR changed, or
/// this broker stopped leading it.
///
/// Chapter 4 answers after the leader's append whatever acks asks for
/// (AnswerAfterLeaderAppend below): it teaches replication, and a producer
/// that waited for the ISR would wait on rules it has not met yet. Chapter 6
/// replaces it with the min.insync.replicas check and the delayed produce
/// (chapters/06_acks/delayed_produce.h), behind this interface, so that
/// Chapter 4's ReplicaManager is the same code in both.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "chapters/02_partitions/replica_manager.h"
#include "chapters/04_replication/replicated_partition.h"
#include "lib/error.h"
#include "lib/node/node.h"

namespace kafka {

/// One partition's part of a produce, as the leader's append left it.
struct LeaderAppend {
  TopicPartition partition;
  PartitionAppendResult result;
  /// The offset after the batch (its last offset + 1): the high watermark
  /// that commits it (Kafka's requiredOffset). -1 if nothing was appended.
  int64_t required_offset = -1;
};

/// The replica of a partition on this broker, or nullptr.
using PartitionLookup =
    std::function<const ReplicatedPartition*(const TopicPartition&)>;

class ProduceAcks {
 public:
  virtual ~ProduceAcks() = default;

  /// Whether the leader `partition` may append a produce with `acks`; an
  /// error refuses the partition's records, and nothing is appended.
  virtual ErrorCode CheckBeforeAppend(const ReplicatedPartition& partition,
                                      int16_t acks) const = 0;
  /// Calls `on_done` with the appends' results, in order, once `acks`
  /// allow, or when `timeout_ms` pass.
  virtual void AnswerWhenAcknowledged(
      int16_t acks, int32_t timeout_ms, std::vector<LeaderAppend> appends,
      ReplicaManager::AppendCallback on_done) = 0;
  /// `partition`'s high watermark, ISR or leadership may have changed.
  virtual void OnPartitionChanged(const TopicPartition& partition) = 0;
};

/// Makes a broker's ProduceAcks, given its node's environment and how to
/// find its replicas.
using ProduceAcksFactory = std::function<std::unique_ptr<ProduceAcks>(
    Environment& env, PartitionLookup partitions)>;

/// Chapter 4's answer: after the leader's append, whatever acks asks for,
/// and no check before it.
class AnswerAfterLeaderAppend : public ProduceAcks {
 public:
  ErrorCode CheckBeforeAppend(const ReplicatedPartition&,
                              int16_t) const override {
    return ErrorCode::kNone;
  }
  void AnswerWhenAcknowledged(int16_t acks, int32_t timeout_ms,
                              std::vector<LeaderAppend> appends,
                              ReplicaManager::AppendCallback on_done) override;
  void OnPartitionChanged(const TopicPartition&) override {}
};

/// The results of `appends`, in order.
std::vector<PartitionAppendResult> ResultsOf(
    const std::vector<LeaderAppend>& appends);

}  // namespace kafka
