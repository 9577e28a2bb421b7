/// \file
/// The replicated ReplicaManager: this broker's replicas of partitions whose
/// other replicas live on other brokers.
///
/// Chapter 2's request handlers call the same ReplicaManager interface as
/// before (replica_manager.h); what changes is behind it. Each partition is
/// now a ReplicatedPartition that the controller's state makes a leader or a
/// follower here:
///
///   Produce        appends on the leader only (NOT_LEADER_OR_FOLLOWER on a
///                  follower), then lets the high watermark move if it can
///                  (an ISR of the leader alone); what acks asks for around
///                  the append is the ProduceAcks given (produce_acks.h):
///                  by default answered at once, as in Chapter 2, since
///                  acks=all's wait for the ISR is Chapter 6's delayed
///                  produce; a client's batch may be refused or found
///                  already written by the partition's producer state
///                  (partition_producer_state.h), which Chapter 7 fills
///   Fetch          a consumer's reads up to the high watermark, on the
///                  leader; a follower's (a replica id >= 0) is also how the
///                  leader learns that follower's log end: its fetch may move
///                  the high watermark (which answers the consumers' long
///                  polls waiting for it) and add it to the ISR, and a log
///                  that diverged gets a DivergingEpoch instead of records
///   ListOffsets,   on the leader
///   DeleteRecords
///
/// The controller's state arrives as PartitionStates, with every topic's
/// configs (ApplyPartitionStates, Kafka's applyDelta): a partition assigned
/// here gets its log (created with its topic's configs if missing, and the
/// configs changed when the controller's are new) and becomes leader or
/// follower when its epochs are new; a
/// follower's fetching moves to the fetcher of its new leader
/// (ReplicaFetcherManager); a leader stops fetching; replicas of topics the
/// controller no longer has are stopped and their logs deleted. A leader's
/// ISR changes go to the controller (AlterPartitionManager), and their
/// answers back to the partition. Two timers run: every
/// replica.lag.time.max.ms / 2 each leader checks for followers to drop from
/// the ISR (Kafka's isr-expiration), and every 5 s the high watermarks go to
/// `replication-offset-checkpoint` in the data directory, which a restarted
/// broker reads back, so that it starts from the committed offsets it knew.
///
/// This is Kafka's ReplicaManager (core/.../server/ReplicaManager.scala) in
/// KRaft mode. What real Kafka does differently: DeleteRecords waits for the
/// followers' log start offsets; followers may serve consumers in their rack
/// (KIP-392); and the log start offset moves on followers too.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "chapters/02_partitions/delayed_fetch.h"
#include "chapters/02_partitions/log_manager.h"
#include "chapters/02_partitions/metadata_cache.h"
#include "chapters/02_partitions/purgatory.h"
#include "chapters/02_partitions/replica_manager.h"
#include "chapters/04_replication/alter_partition_manager.h"
#include "chapters/04_replication/controller_node_provider.h"
#include "chapters/04_replication/partition_state.h"
#include "chapters/04_replication/replica_fetcher.h"
#include "chapters/04_replication/replica_manager_seams.h"
#include "chapters/04_replication/replicated_partition.h"
#include "lib/node/node.h"

namespace kafka {

/// The replica manager's settings, with Kafka's names and defaults.
struct ReplicaManagerConfig {
  NodeId broker_id = 1;  ///< node.id
  /// log.dirs: where replication-offset-checkpoint lives.
  std::string data_dir = "kafka-logs";
  ReplicationConfig replication;
  ReplicaFetcherConfig fetcher;
  /// replica.high.watermark.checkpoint.interval.ms
  int64_t replica_high_watermark_checkpoint_interval_ms = 5000;
};

class ReplicatedReplicaManager : public ReplicaManager, public LocalLogReader {
 public:
  /// `metadata` says where each leader listens, for the fetchers; it is
  /// updated before each ApplyPartitionStates. `controller` names the node
  /// the ISR changes go to (AlterPartition). `broker_epoch` is this
  /// broker's (Chapter 5's registration), which its fetches and ISR
  /// proposals name (KIP-903); unset, they name -1. `seams` are what later
  /// chapters change (replica_manager_seams.h): what answers a produce
  /// (Chapter 6) and what each partition keeps of its producers (Chapter
  /// 7); unset, Chapter 4's.
  ReplicatedReplicaManager(Environment& env, LogManager& logs,
                           const MetadataCache& metadata,
                           ReplicaManagerConfig config,
                           ControllerNodeProvider controller,
                           BrokerEpochSupplier broker_epoch = nullptr,
                           const ReplicaManagerSeams& seams = {});

  /// Reads the high watermark checkpoint and starts the ISR expiration
  /// timer. Partitions appear with the controller's first state.
  void Startup();
  /// Writes the high watermark checkpoint (a clean shutdown).
  void Shutdown();

  /// The controller's state of every partition, and every topic's configs
  /// (Kafka's applyDelta); see the file comment.
  void ApplyPartitionStates(const std::vector<PartitionState>& states,
                            const TopicConfigsByTopic& topic_configs);

  void AppendRecords(AppendRecordsRequest request,
                     AppendCallback on_done) override;
  void FetchMessages(FetchRequest request, FetchCallback on_done) override;
  ListOffsetsResponse::Partition FetchOffsetForTimestamp(
      const TopicPartition& partition, int64_t timestamp,
      int32_t current_leader_epoch) const override;
  void DeleteRecords(const TopicPartition& partition, int64_t offset,
                     DeleteRecordsCallback on_done) override;
  const Log* GetLog(const TopicPartition& partition) const override;
  void AddLeadershipListener(LeadershipListener listener) override;

  /// Reads a fetch now, changing nothing (the delayed fetch's read, and a
  /// consumer's): a follower's partitions are read to the log end, without
  /// the divergence check or recording its fetch, which its first read did.
  FetchResponse ReadFromLocalLog(const FetchRequest& request,
                                 int64_t& bytes_read) const override;

  /// OffsetsForLeaderEpoch for one partition (Kafka's
  /// lastOffsetForLeaderEpoch): the partition's error (see below), the epoch
  /// check's, NOT_LEADER_OR_FOLLOWER unless this broker leads it, else where
  /// `epoch` ended in the leader's log.
  Result<EpochEndOffset> LastOffsetForLeaderEpoch(
      const TopicPartition& partition, int32_t current_leader_epoch,
      int32_t epoch) const;

  /// Writes every partition's high watermark to replication-offset-checkpoint.
  void CheckpointHighWatermarks();

  /// The replica, if this broker has one of the partition.
  const ReplicatedPartition* GetPartition(
      const TopicPartition& partition) const;
  const ReplicaFetcherManager& fetchers() const { return fetchers_; }
  const AlterPartitionManager& alter_partition_manager() const {
    return alter_partition_manager_;
  }
  const DelayedOperationPurgatory& fetch_purgatory() const {
    return fetch_purgatory_;
  }

 private:
  /// What a follower's first read found beyond the answer.
  struct FollowerReadOutcome {
    bool diverging = false;
    std::vector<TopicPartition> high_watermark_advanced;
  };

  ReplicatedPartition* GetPartition(const TopicPartition& partition);
  /// The error for a partition with no replica here: NOT_LEADER_OR_FOLLOWER
  /// if the cluster has it (the asker's metadata is stale), else
  /// UNKNOWN_TOPIC_OR_PARTITION (Kafka's getPartitionOrError).
  ErrorCode MissingPartitionError(const TopicPartition& partition) const;
  /// The replica of a partition assigned here, made (and its log created)
  /// if it is new; nullptr if the log cannot be created.
  ReplicatedPartition* GetOrCreatePartition(
      const PartitionState& state, const std::vector<PartitionState>& states);
  Log* GetOrCreateLog(const PartitionState& state,
                      const std::vector<PartitionState>& states);
  void ApplyLeaderState(ReplicatedPartition& partition,
                        const PartitionState& state);
  /// Returns where the follower fetches from now, if its fetching must
  /// (re)start.
  std::optional<InitialFetchState> ApplyFollowerState(
      ReplicatedPartition& partition, const PartitionState& state);
  /// Gives the logs of each topic the controller's configs, where they
  /// differ (Kafka's TopicConfigHandler).
  void ApplyTopicConfigs();
  /// Stops and deletes the replicas of topics not in `states`.
  void DeleteReplicasOfDeletedTopics(const std::vector<PartitionState>& states);
  void StopReplica(const TopicPartition& partition);
  void TellLeadershipListeners(const TopicPartition& partition, bool is_leader);

  LeaderAppend AppendToLocalLog(const PartitionRecords& entry,
                                const AppendRecordsRequest& request);
  Result<int64_t> DeleteRecordsOnLocalLog(const TopicPartition& partition,
                                          int64_t offset);
  /// A follower's fetch read: each partition's FetchForFollower.
  FetchResponse ReadForFollower(const FetchRequest& request,
                                int64_t& bytes_read,
                                FollowerReadOutcome& outcome);
  /// One partition of a consumer's fetch, or of a delayed re-read.
  void ReadPartition(const TopicPartition& id,
                     const FetchRequest::Partition& wanted, int32_t max_bytes,
                     FetchIsolation isolation, bool read_committed,
                     FetchResponse::Partition& out) const;
  /// One partition of a follower's first read.
  void ReadPartitionForFollower(const TopicPartition& id,
                                const FetchRequest::ReplicaState& replica,
                                const FetchRequest::Partition& wanted,
                                int32_t max_bytes,
                                FetchResponse::Partition& out,
                                FollowerReadOutcome& outcome);

  /// Sends a leader's proposed ISR to the controller, each member with the
  /// broker epoch it last fetched with (this broker: its own; Kafka's
  /// addBrokerEpochToIsr); its answer goes back to the partition.
  void SubmitIsrChange(const IsrChange& change);
  /// This broker's epoch, -1 if it has none.
  int64_t LocalBrokerEpoch() const;
  void OnAlterPartitionAnswer(const IsrChange& change,
                              Result<LeaderAndIsr> outcome);
  /// Every replica.lag.time.max.ms / 2: each leader drops lagging followers
  /// from its ISR (Kafka's maybeShrinkIsr).
  void ScheduleIsrExpiration();
  void ScheduleHighWatermarkCheckpoint();
  std::string HighWatermarkCheckpointPath() const;
  /// Answers the fetches and produces waiting on `partition` that can be
  /// answered now (Kafka's completeDelayedFetchOrProduceRequests).
  void CompleteDelayedRequests(const TopicPartition& partition);

  Environment& env_;
  LogManager& logs_;
  const MetadataCache& metadata_;
  ReplicaManagerConfig config_;
  BrokerEpochSupplier broker_epoch_;
  std::map<TopicPartition, std::unique_ptr<ReplicatedPartition>> partitions_;
  std::map<TopicPartition, Uuid> topic_ids_;
  /// The controller's topic configs, as of its last state.
  TopicConfigsByTopic topic_configs_;
  /// The checkpointed high watermarks read at start-up, for the partitions
  /// still to appear.
  std::map<TopicPartition, int64_t> checkpointed_high_watermarks_;
  bool checkpointing_ = false;
  std::vector<LeadershipListener> leadership_listeners_;
  DelayedOperationPurgatory fetch_purgatory_;
  std::unique_ptr<ProduceAcks> produce_acks_;
  /// Unset: each partition keeps NoProducerState.
  ProducerStateFactory producer_state_;
  ReplicaFetcherManager fetchers_;
  AlterPartitionManager alter_partition_manager_;
};

}  // namespace kafka
