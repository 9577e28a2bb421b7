/// \file
/// A replicated partition: one replica of a partition whose other replicas
/// live on other brokers, as the leader or as a follower.
///
/// Chapter 2's Partition led alone. Here the controller (PartitionState)
/// names the replicas, the in-sync replicas (ISR) and the leader, and this
/// broker's replica plays its part:
///
/// - **The leader** appends the clients' batches, stamped with its leader
///   epoch, and answers its followers' fetches. Each fetch tells it how far
///   that follower's log reaches (its log end offset, LEO), and from those it
///   moves the **high watermark** (HW): the smallest LEO over the ISR, the
///   offset below which every in-sync replica holds every record. Consumers
///   read below it only. It also watches the ISR: a follower that has not
///   caught up within replica.lag.time.max.ms leaves it, one that has reached
///   the HW joins it again. It proposes either change to the controller
///   (IsrChange, sent as AlterPartition) and waits for the answer: one change
///   in flight at a time.
///
///       leader    [0 1 2 3 4 5 6 7 8 9]     LEO 10
///       follower  [0 1 2 3 4 5 6 7]         LEO 8
///       follower  [0 1 2 3 4 5]             LEO 6    HW = 6
///
/// - **A follower** copies the leader's batches with their offsets and
///   epochs (the fetching is the ReplicaFetcher's), takes the leader's HW as
///   its own (no further than its own LEO), and truncates what the leader's
///   log does not have: the leader answers a fetch whose last epoch ended
///   earlier in its log with a DivergingEpoch, and the follower cuts its log
///   there (KIP-101, KIP-279, KIP-320).
///
/// **Leader epochs** make the truncation right. Each new leader starts a new
/// epoch at its LEO (the LeaderEpochCache remembers where each began), and
/// every batch carries the epoch it was written in. "Where did epoch e end in
/// your log?" then finds the first offset at which two logs may differ,
/// without trusting a high watermark that can lag a round trip behind.
///
/// This is Kafka's kafka.cluster.Partition on its replication side
/// (makeLeader, makeFollower, updateFollowerFetchState, maybeExpandIsr,
/// maybeShrinkIsr, maybeIncrementLeaderHW, fetchRecords' divergence check,
/// lastOffsetForLeaderEpoch), with org.apache.kafka.server.replica.Replica
/// (FollowerState here) and the follower's truncation of
/// AbstractFetcherThread (getOffsetTruncationState). What Kafka does
/// differently: the high watermark lives in the log (UnifiedLog) with the
/// epoch cache, here in the partition; a broker must also be unfenced, not
/// shutting down and on the registered broker epoch to join an ISR (KIP-841,
/// KIP-903), and KIP-966's eligible leader replicas count toward the HW; the
/// static controller of this chapter has no broker epochs, so every replica
/// is eligible.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chapters/02_partitions/partition.h"
#include "chapters/04_replication/leader_epoch_cache.h"
#include "chapters/04_replication/partition_producer_state.h"
#include "chapters/04_replication/partition_state.h"
#include "lib/bytes.h"
#include "lib/error.h"
#include "lib/node/node.h"

namespace kafka {

/// The broker's replication settings that a partition follows.
struct ReplicationConfig {
  /// replica.lag.time.max.ms: a follower that has not caught up with the
  /// leader's log end for this long leaves the ISR.
  int64_t replica_lag_time_max_ms = 30'000;
};

/// The leader's view of one follower (Kafka's Replica and its ReplicaState),
/// updated at each of the follower's fetches.
struct FollowerState {
  NodeId broker = -1;
  /// The follower's LEO: the offset it fetched from last (-1: unknown).
  int64_t log_end_offset = -1;
  int64_t log_start_offset = -1;
  /// What last_caught_up_time_ms holds for a follower that has not caught
  /// up since this broker began to lead (Kafka starts it at 0, which a real
  /// clock puts decades ago; a simulated clock starts at 0 too).
  static constexpr int64_t kNeverCaughtUp = std::numeric_limits<int64_t>::min();

  /// The last time the follower was known to have caught up with the
  /// leader's log end (below).
  int64_t last_caught_up_time_ms = kNeverCaughtUp;
  /// The leader's LEO when the follower fetched last, and when that was.
  int64_t last_fetch_leader_log_end_offset = 0;
  int64_t last_fetch_time_ms = 0;
  /// The broker epoch the follower's last fetch named (Fetch v15's
  /// replica_epoch, KIP-903): which incarnation of the broker that fetch
  /// came from. -1: none named.
  int64_t broker_epoch = -1;

  /// Kafka's isCaughtUp: the follower has the leader's whole log, or had it
  /// (as of some fetch) within the last `replica_lag_time_max_ms`. Being
  /// behind is allowed, only staying behind is not: a stuck follower and one
  /// too slow to ever catch up both fail it.
  bool IsCaughtUp(int64_t leader_log_end_offset, int64_t now_ms,
                  int64_t replica_lag_time_max_ms) const;

  bool operator==(const FollowerState&) const = default;
};

/// One partition of a follower's Fetch, as the leader needs it.
struct FollowerFetchParams {
  NodeId replica_id = -1;
  /// Where the follower reads from: its LEO.
  int64_t fetch_offset = 0;
  /// The epoch of the last batch in the follower's log; negative: none (the
  /// divergence check is skipped).
  int32_t last_fetched_epoch = kUndefinedEpoch;
  int64_t log_start_offset = -1;
  int32_t max_bytes = 1 << 20;
  /// The leader epoch the follower fetches in; -1: no check.
  int32_t current_leader_epoch = Partition::kNoLeaderEpochCheck;
  /// The follower's broker epoch (Fetch v15, KIP-903); -1: not known.
  int64_t replica_epoch = -1;
};

/// A proposed ISR (one partition of Kafka's AlterPartition): made by the
/// leader in `leader_epoch` from the state of `partition_epoch`.
struct IsrChange {
  TopicPartition partition;
  std::vector<NodeId> new_isr;
  int32_t leader_epoch = 0;
  int32_t partition_epoch = 0;

  bool operator==(const IsrChange&) const = default;
};

/// The leader's answer to one follower fetch.
struct FollowerFetchResult {
  /// Set when the follower's log diverges from the leader's: the largest
  /// leader epoch at or below the follower's last fetched one and where it
  /// ended in the leader's log. No records come with it.
  std::optional<EpochEndOffset> diverging_epoch;
  Bytes records;
  /// The leader's offsets as they were before this fetch moved anything
  /// (Kafka's LogReadInfo), for the response: a follower learns of the HW
  /// that its own fetch advanced at its next fetch.
  int64_t high_watermark = 0;
  int64_t log_start_offset = 0;
  int64_t log_end_offset = 0;
  /// This fetch advanced the leader's HW: fetches waiting for it may be
  /// answered.
  bool high_watermark_advanced = false;
  /// The follower has reached the HW and the current epoch: the ISR change
  /// that adds it, for the controller (AlterPartition).
  std::optional<IsrChange> isr_change;
};

class ReplicatedPartition : public Partition {
 public:
  /// Receives warnings (Kafka logs them at WARN): a truncation below the
  /// high watermark, and the epoch cache's.
  using WarningSink = std::function<void(const std::string& warning)>;

  /// A replica of `id` on broker `local_broker`, on `log`, neither leader nor
  /// follower until the controller's state says which (MakeLeader,
  /// MakeFollower). It loads the log's leader-epoch-checkpoint, rebuilding it
  /// from the log's batches if it is corrupt, and drops the entries past the
  /// log's end (a crash lost their batches). The high watermark starts at the
  /// log start offset (SetHighWatermarkFromCheckpoint).
  ReplicatedPartition(TopicPartition id, Log& log, NodeId local_broker,
                      ReplicationConfig config);

  void set_warning_sink(WarningSink sink);
  /// Builds the partition's producer state with `make` over its log
  /// (Chapter 7's idempotence); until then, and without it, NoProducerState.
  void set_producer_state(const ProducerStateFactory& make, int64_t now_ms);

  /// Whether a broker may be in the ISR, given the broker epoch its last
  /// fetch named (Kafka's isReplicaIsrEligible, which asks the metadata
  /// cache): not fenced by the controller and, in KRaft, that fetch from
  /// the broker's current incarnation (KIP-903). A caught-up follower
  /// outside the ISR holds the HW only if it is eligible, and joins the ISR
  /// only then. Unset, every broker is.
  using IsrEligibility =
      std::function<bool(NodeId broker, int64_t fetch_broker_epoch)>;
  void set_isr_eligibility(IsrEligibility eligible) {
    isr_eligibility_ = std::move(eligible);
  }

  // --- Roles, from the controller's PartitionState ----------------------

  /// Becomes (or stays) the leader (Kafka's makeLeader). A state with an
  /// older partition epoch than this replica knows is ignored, and so is
  /// the state this replica already has (the controller repeats it). A new
  /// leader epoch starts at the LEO (the epoch cache gets it) and resets what
  /// the leader knows of each follower: unknown LEOs, and those in the ISR
  /// count as caught up now. A pending ISR change is dropped: the state
  /// given is the controller's word. Returns whether the HW advanced (an ISR
  /// of the leader alone, say).
  bool MakeLeader(const PartitionState& state, int64_t now_ms);
  /// Becomes (or stays) a follower of state.leader (Kafka's makeFollower),
  /// unless the state has an older partition epoch. A follower keeps no ISR
  /// or follower states. Returns whether the leader epoch is new: the
  /// fetcher must then restart, from the new leader or in the new epoch.
  bool MakeFollower(const PartitionState& state);

  bool is_leader() const { return leader_id_ == local_broker_; }
  NodeId leader_id() const { return leader_id_; }
  NodeId local_broker() const { return local_broker_; }
  int32_t leader_epoch() const override { return leader_epoch_; }
  int32_t partition_epoch() const { return partition_epoch_; }
  int64_t high_watermark() const override { return high_watermark_; }
  /// The ISR the controller committed (a follower's is empty: the leader
  /// keeps it).
  const std::vector<NodeId>& isr() const { return isr_; }
  /// The ISR the high watermark waits for: the committed one and the one in
  /// flight together (KIP-497's "maximal ISR"), since either may be the
  /// controller's answer.
  std::vector<NodeId> maximal_isr() const;
  const std::vector<NodeId>& replicas() const { return replicas_; }
  /// min.insync.replicas of the topic, at most the replica count (Kafka's
  /// effectiveMinIsr).
  int32_t effective_min_isr() const;
  /// The leader's ISR is smaller than effective_min_isr().
  bool is_under_min_isr() const;

  // --- Leader ------------------------------------------------------------

  /// Appends one batch from a client, as Chapter 2's AppendRecordsToLeader
  /// does, once the producer state has let it: a batch it refuses is not
  /// appended, and one it already holds is answered with its offsets
  /// instead of appended again.
  Result<LogAppendInfo> AppendClientBatch(
      ByteView batch, int64_t now_ms, std::vector<RecordError>& record_errors);

  /// One follower fetch (Kafka's fetchRecords from a follower): checks the
  /// epoch (FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH), that this replica
  /// leads and the fetcher is a replica (NOT_LEADER_OR_FOLLOWER), and the
  /// follower's last fetched epoch: if that epoch ended in the leader's log
  /// below the fetch offset, or the leader never had it, the answer is its
  /// DivergingEpoch and nothing else changes. Otherwise it reads from the
  /// fetch offset up to the log end, records the follower's LEO and
  /// caught-up time, advances the HW and may propose adding the follower to
  /// the ISR. A fetch offset outside the log, or a last epoch the leader
  /// cannot place (an empty epoch cache), is OFFSET_OUT_OF_RANGE.
  Result<FollowerFetchResult> FetchForFollower(
      const FollowerFetchParams& params, int64_t now_ms);
  /// Advances the HW to the smallest LEO of the maximal ISR and of the
  /// followers caught up but not yet in it (Kafka's maybeIncrementLeaderHW),
  /// unless the ISR is under min.insync.replicas; never moves it back. Call
  /// it after each leader append. Returns whether it moved.
  bool MaybeIncrementHighWatermark(int64_t now_ms);
  /// The ISR without the followers that are not caught up (Kafka's
  /// maybeShrinkIsr), if there are any and no change is in flight; the
  /// change is then in flight. Call it every replica.lag.time.max.ms / 2.
  std::optional<IsrChange> MaybeShrinkIsr(int64_t now_ms);
  /// The ISR change in flight, if any (to send again after a lost request).
  const std::optional<IsrChange>& pending_isr_change() const {
    return pending_isr_change_;
  }
  /// The controller accepted an ISR change (AlterPartition's answer): its
  /// state becomes this replica's, unless it is for another leader epoch or
  /// older than the partition epoch known here (Kafka's
  /// handleAlterPartitionUpdate). Returns whether the HW advanced.
  bool OnIsrChangeCommitted(const PartitionState& state, int64_t now_ms);
  /// The controller refused the ISR change in flight with `error` (Kafka's
  /// handleAlterPartitionError). OPERATION_NOT_ATTEMPTED and
  /// INELIGIBLE_REPLICA say the state here is right and the change was not
  /// made: back to the committed ISR, so a later check may propose again.
  /// Any other refusal (FENCED_LEADER_EPOCH, INVALID_UPDATE_VERSION,
  /// UNKNOWN_TOPIC_OR_PARTITION, ...) means this replica's state is stale: the
  /// change stays in flight, blocking others, until the controller's next
  /// state arrives (MakeLeader or MakeFollower).
  void OnIsrChangeFailed(ErrorCode error);
  /// What the leader knows of each follower, by broker id.
  const std::map<NodeId, FollowerState>& followers() const {
    return followers_;
  }

  /// Where `epoch` ended in this replica's log (the epoch cache's
  /// EndOffsetFor, with the LEO for the latest epoch): UNDEFINED if the
  /// replica cannot tell.
  EpochEndOffset LastOffsetForLeaderEpoch(int32_t epoch) const;
  /// OffsetsForLeaderEpoch for one partition (Kafka's
  /// lastOffsetForLeaderEpoch): the epoch check (FENCED_LEADER_EPOCH,
  /// UNKNOWN_LEADER_EPOCH), then NOT_LEADER_OR_FOLLOWER unless this replica
  /// leads, then LastOffsetForLeaderEpoch(epoch).
  Result<EpochEndOffset> LastOffsetForLeaderEpoch(int32_t current_leader_epoch,
                                                  int32_t epoch) const;

  // --- Follower ----------------------------------------------------------

  /// Appends batches fetched from the leader, with their offsets and
  /// epochs (Log::AppendAsFollower); the epoch cache learns each batch's
  /// epoch at its base offset.
  Result<LogAppendInfo> AppendRecordsAsFollower(ByteView records,
                                                int64_t now_ms);
  /// The follower's HW: the leader's, but no further than its own LEO (nor
  /// below its log start). Returns whether it changed.
  bool UpdateFollowerHighWatermark(int64_t leader_high_watermark);
  /// The follower's log start follows the leader's (its DeleteRecords and
  /// retention), so that records deleted there are not served here after a
  /// leader change; no further than its own LEO (Kafka's follower
  /// maybeIncrementLogStartOffset, LeaderOffsetIncremented).
  void UpdateFollowerLogStartOffset(int64_t leader_log_start_offset);
  /// Where a follower truncates on the leader's DivergingEpoch (Kafka's
  /// getOffsetTruncationState): if it has the leader's epoch, at the smaller
  /// of the two epoch ends; if not (KIP-279), at the end of its own largest
  /// epoch below it, and the next fetch asks again; never past its LEO.
  int64_t TruncationOffsetFor(const EpochEndOffset& diverging) const;
  /// Removes the batches from `offset` on, and their epochs; the HW moves
  /// down with the LEO. A warning if that is below the HW: committed records
  /// go, which only an unclean election should cause.
  void TruncateTo(int64_t offset);
  /// Empties the log and starts it at `offset`, the leader's log start,
  /// when the follower's whole log lies below it (OFFSET_OUT_OF_RANGE): its
  /// epochs go, and its HW is `offset`.
  void TruncateFullyAndStartAt(int64_t offset);
  /// A clean shutdown: the producer state takes its snapshot.
  void Close();
  /// The epoch of the last batch this replica holds, for its next fetch's
  /// last_fetched_epoch.
  std::optional<int32_t> last_fetched_epoch() const;

  /// The HW from replication-offset-checkpoint at start-up, kept within the
  /// log (Kafka's updateHighWatermark).
  void SetHighWatermarkFromCheckpoint(int64_t offset);
  const LeaderEpochCache& epochs() const { return epochs_; }

 private:
  /// Replaces the assignment and the committed ISR, dropping any change in
  /// flight, and keeps a FollowerState for each other replica.
  void UpdateAssignmentAndIsr(const PartitionState& state, bool is_leader);
  /// Kafka's resetReplicaState, for a new leader epoch starting at
  /// `leader_end_offset`.
  void ResetFollowerStates(int64_t now_ms, int64_t leader_end_offset,
                           bool is_new_leader);
  /// The divergence check of a follower fetch: a DivergingEpoch, nothing, or
  /// OFFSET_OUT_OF_RANGE.
  Result<std::optional<EpochEndOffset>> CheckDivergence(
      const FollowerFetchParams& params) const;
  /// Kafka's updateFollowerFetchState (without the ISR and HW parts).
  void UpdateFollowerFetchState(FollowerState& follower,
                                const FollowerFetchParams& params,
                                int64_t leader_end_offset, int64_t now_ms);
  /// Kafka's maybeExpandIsr: the change that adds `follower`, now in
  /// flight, if it may join.
  std::optional<IsrChange> MaybeExpandIsr(const FollowerState& follower);
  /// The follower has reached the HW and the start of this leader's epoch.
  bool IsFollowerInSync(const FollowerState& follower) const;
  bool InIsr(NodeId broker) const;
  bool InMaximalIsr(NodeId broker) const;
  /// An empty log starts at `first`'s base offset if it begins inside it.
  void StartAtStraddlingBatch(const RecordBatchHeader& first);
  /// The eligibility of a follower, with the broker epoch it fetched with.
  bool IsIsrEligible(NodeId broker) const;
  /// Makes `new_isr` the change in flight, and returns it.
  IsrChange ProposeIsr(std::vector<NodeId> new_isr);
  /// The HW at `offset`, kept within [log start, LEO].
  void SetHighWatermarkWithinLog(int64_t offset);
  /// The epoch cache after the log was opened: rebuilt if its file was
  /// corrupt, and without entries past the log end.
  void ReconcileEpochsWithLog();
  void Warn(const std::string& warning) const;

  NodeId local_broker_;
  std::unique_ptr<PartitionProducerState> producer_state_ =
      std::make_unique<NoProducerState>();
  ReplicationConfig config_;
  LeaderEpochCache epochs_;
  NodeId leader_id_ = -1;
  /// Kafka starts a replica one below the first leader epoch.
  int32_t leader_epoch_ = kFirstLeaderEpoch - 1;
  int32_t partition_epoch_ = 0;
  /// The LEO at which this replica's leadership in leader_epoch_ began.
  std::optional<int64_t> leader_epoch_start_offset_;
  int64_t high_watermark_ = 0;
  std::vector<NodeId> replicas_;
  std::vector<NodeId> isr_;
  std::optional<IsrChange> pending_isr_change_;
  std::map<NodeId, FollowerState> followers_;
  WarningSink warning_sink_;
  IsrEligibility isr_eligibility_;
};

}  // namespace kafka
