/// \file
/// acks=all: the min.insync.replicas check and the delayed produce.
///
/// A producer's `acks` says when the leader may answer:
///
///   acks=0    never: the producer sent and forgot (the request handler
///             sends no response at all)
///   acks=1    after the leader's own append, in its page cache
///   acks=all  once every replica in the ISR has the batch: when the high
///             watermark passes it, the batch is committed
///
/// acks=all alone promises less than it seems, since the ISR may have
/// shrunk to the leader alone: then "every replica in the ISR" is one
/// replica, and acks=all is acks=1. min.insync.replicas (a topic config,
/// the broker's by default, 1) is the floor. Before the leader appends an
/// acks=all batch it checks the ISR (CheckMinInsyncReplicas): smaller than
/// min.insync.replicas (at most the replica count), and the batch is refused
/// with NOT_ENOUGH_REPLICAS, nothing appended (Kafka's
/// Partition.appendRecordsToLeader).
///
/// Otherwise the leader appends, and the answer waits in the produce
/// purgatory as a DelayedProduce (Kafka's DelayedProduce), watched under
/// each partition of the request. Whenever a partition's high watermark
/// moves, its ISR changes or its leadership goes, the purgatory asks each
/// waiting produce whether it is done, partition by partition
/// (CheckEnoughReplicasReachOffset, Kafka's Partition method of that name):
///
///   no longer the leader         NOT_LEADER_OR_FOLLOWER: the batch may be
///                                lost or kept, the producer cannot tell
///   HW >= the batch's end and    done, NONE
///   the maximal ISR holds at
///   least min.insync.replicas
///   HW >= the batch's end, the   done, NOT_ENOUGH_REPLICAS_AFTER_APPEND:
///   ISR smaller                  the batch is in the log, yet the producer
///                                is told it failed
///   HW below the batch's end     not yet
///
/// A produce still waiting when its request's timeout_ms pass is answered
/// REQUEST_TIMED_OUT for the partitions not done. Both errors after an
/// append are ambiguous: the batch may yet be committed, and a producer
/// that retries it (without Chapter 7's idempotence) writes it twice.
///
/// Since Kafka 3.7 the high watermark does not move at all while the ISR is
/// under min.insync.replicas (KIP-966's strict rule, Chapter 4's
/// MaybeIncrementHighWatermark), so a produce whose ISR shrinks under it
/// after the append waits, and times out unless the ISR grows back; the
/// NOT_ENOUGH_REPLICAS_AFTER_APPEND branch is then Kafka's guard for an ISR
/// that shrank between the high watermark's move and the check.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "chapters/02_partitions/purgatory.h"
#include "chapters/02_partitions/replica_manager.h"
#include "chapters/04_replication/produce_acks.h"
#include "chapters/04_replication/replicated_partition.h"
#include "lib/error.h"
#include "lib/node/node.h"

namespace kafka {

/// The min.insync.replicas check before an append: NOT_ENOUGH_REPLICAS for
/// acks=all (-1) on a leader whose ISR is smaller than its effective
/// min.insync.replicas, NONE otherwise.
ErrorCode CheckMinInsyncReplicas(const ReplicatedPartition& partition,
                                 int16_t acks);

/// Whether the replicas have reached an append's end, and with what answer.
struct ReplicationProgress {
  bool done = false;
  ErrorCode error = ErrorCode::kNone;
  bool operator==(const ReplicationProgress&) const = default;
};

/// Kafka's checkEnoughReplicasReachOffset for `partition` (nullptr: no
/// replica here any more) and the offset after the batch; see the file
/// comment. Not done with an error means: answer with the error now.
ReplicationProgress CheckEnoughReplicasReachOffset(
    const ReplicatedPartition* partition, int64_t required_offset);

/// An acks=all produce waiting for its partitions' high watermarks.
class DelayedProduce : public DelayedOperation {
 public:
  DelayedProduce(std::vector<LeaderAppend> appends, PartitionLookup partitions,
                 ReplicaManager::AppendCallback on_done);

  bool CanComplete() override;
  void OnComplete(bool expired) override;

 private:
  std::vector<LeaderAppend> appends_;
  /// Per append: whether it still waits for its replicas.
  std::vector<bool> acks_pending_;
  PartitionLookup partitions_;
  ReplicaManager::AppendCallback on_done_;
};

/// Chapter 6's ProduceAcks: the min.insync.replicas check, and acks=all's
/// answer from the produce purgatory.
class DelayedProduceAcks : public ProduceAcks {
 public:
  DelayedProduceAcks(Environment& env, PartitionLookup partitions)
      : purgatory_(env), partitions_(std::move(partitions)) {}

  ErrorCode CheckBeforeAppend(const ReplicatedPartition& partition,
                              int16_t acks) const override;
  /// acks=0 and 1, and an acks=all produce nothing of which was appended,
  /// are answered at once; any other waits as a DelayedProduce.
  void AnswerWhenAcknowledged(int16_t acks, int32_t timeout_ms,
                              std::vector<LeaderAppend> appends,
                              ReplicaManager::AppendCallback on_done) override;
  void OnPartitionChanged(const TopicPartition& partition) override;

  /// How many produces wait.
  size_t waiting() const { return purgatory_.watched(); }

 private:
  DelayedOperationPurgatory purgatory_;
  PartitionLookup partitions_;
};

/// The factory a broker's config takes (ReplicaManagerSeams::produce_acks).
ProduceAcksFactory MakeDelayedProduceAcks();

}  // namespace kafka
