/// \file
/// The replica fetcher: how a follower copies its leader's log.
///
/// Replication in Kafka is pull-based. A follower asks the leader with an
/// ordinary Fetch, as a consumer does, but with its own broker id as
/// replica_id, and for each partition the offset it needs next (its log end
/// offset), the leader epoch it believes current (current_leader_epoch) and
/// the epoch of the last batch it has (last_fetched_epoch). The leader
/// answers with the batches from there, to its log end, and its high
/// watermark. The follower appends them unchanged, offsets and epochs as
/// the leader wrote them (the log's follower append), takes the high
/// watermark as far as its own log goes, and moves its log start offset up
/// to the leader's (what DeleteRecords or retention removed there).
///
/// When the follower's log has left the leader's (it wrote, or kept, batches
/// the leader never had), the leader answers with DivergingEpoch instead of
/// records: the end of the follower's last epoch in the leader's log
/// (KAFKA-10554). The follower truncates to where the two logs agree
/// (ReplicatedPartition::TruncationOffsetFor) and fetches from there; it may
/// take several rounds (KIP-279).
///
/// One fetcher serves every partition led by one source broker, with one
/// Fetch in flight at a time; the ReplicaFetcherManager keeps a fetcher per
/// source broker (num.replica.fetchers 1) and moves partitions between them
/// as leaders change. A partition whose fetch fails waits
/// replica.fetch.backoff.ms and is fetched again, except one the leader
/// fences (FENCED_LEADER_EPOCH: this follower's epoch is older than the
/// leader's), which waits for the new metadata that will bring the epoch.
///
/// This is Kafka's AbstractFetcherThread and ReplicaFetcherThread (and
/// ReplicaFetcherManager). What real Kafka does differently: each fetcher
/// is a thread, with fetch sessions (KIP-227) to send only the partitions
/// that changed, and quotas.
///
/// Each fetch names this broker's epoch (Fetch v15's replica_state, KIP-903:
/// in KRaft the offset of its registration, -1 before Chapter 5), so that the
/// leader can tell this incarnation's fetches from those of one before a
/// restart, which may still be in flight; and, as v13+ do, it names topics
/// by id.
///
/// A follower whose log end is below the leader's log start (it was away
/// while the leader's retention or DeleteRecords went past it) is answered
/// OFFSET_OUT_OF_RANGE: it asks the leader where its log starts (ListOffsets,
/// earliest, as a replica) and starts again there, empty (Kafka's
/// fetchOffsetAndTruncate).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "chapters/02_partitions/log_manager.h"
#include "chapters/02_partitions/metadata_cache.h"
#include "chapters/04_replication/replicated_partition.h"
#include "lib/node/node.h"
#include "lib/protocol/fetch.h"
#include "lib/protocol/list_offsets.h"

namespace kafka {

/// The follower's fetch settings, with Kafka's names and defaults.
struct ReplicaFetcherConfig {
  int32_t replica_fetch_wait_max_ms = 500;    ///< replica.fetch.wait.max.ms
  int32_t replica_fetch_min_bytes = 1;        ///< replica.fetch.min.bytes
  int32_t replica_fetch_max_bytes = 1 << 20;  ///< replica.fetch.max.bytes
  /// replica.fetch.response.max.bytes: the whole response's budget.
  int32_t replica_fetch_response_max_bytes = 10 << 20;
  int64_t replica_fetch_backoff_ms = 1000;  ///< replica.fetch.backoff.ms
  int64_t request_timeout_ms = 30'000;      ///< replica.socket.timeout.ms
};

/// The follower replica of a partition on this broker, or nullptr: how a
/// fetcher finds the partitions it fetches for (they belong to the
/// ReplicaManager).
using FollowerLookup =
    std::function<ReplicatedPartition*(const TopicPartition& partition)>;

/// This broker's epoch as its fetches name it (Kafka's brokerEpochSupplier):
/// -1 where brokers have none.
using BrokerEpochSupplier = std::function<int64_t()>;

/// The Fetch version a follower sends: v12 brought last_fetched_epoch and
/// diverging_epoch, v13 topic ids, v15 the follower's broker epoch.
inline constexpr int16_t kReplicaFetchVersion = 15;

/// Fetches the partitions one source broker leads (Kafka's
/// ReplicaFetcherThread).
class ReplicaFetcher {
 public:
  /// One partition's place in the fetcher (Kafka's PartitionFetchState).
  struct PartitionFetchState {
    /// The partition's topic id, which the Fetch names.
    Uuid topic_id;
    /// The leader epoch this follower knows, sent as current_leader_epoch.
    int32_t current_leader_epoch = -1;
    /// Not fetched before this time (after an error).
    int64_t delayed_until_ms = 0;
    /// Fenced by the leader: not fetched until the partition is added again.
    bool fenced = false;
    /// Not fetched while the leader is asked where its log starts.
    bool asking_log_start = false;
  };

  /// `broker_epoch` unset: this broker's fetches name epoch -1.
  ReplicaFetcher(Environment& env, NodeId local_broker, NodeId source_broker,
                 const ReplicaFetcherConfig& config, FollowerLookup followers,
                 BrokerEpochSupplier broker_epoch = nullptr);

  /// Fetches `partition` (of topic `topic_id`) from now on, in
  /// `current_leader_epoch`; a partition already here takes the epoch and
  /// starts afresh (not delayed, not fenced).
  void AddPartition(const TopicPartition& partition, const Uuid& topic_id,
                    int32_t current_leader_epoch);
  /// Stops fetching `partition`; the answer to a fetch in flight for it is
  /// dropped.
  void RemovePartition(const TopicPartition& partition);

  NodeId source_broker() const { return source_broker_; }
  const std::map<TopicPartition, PartitionFetchState>& partitions() const {
    return partitions_;
  }
  bool fetch_in_flight() const { return in_flight_; }

 private:
  /// What one Fetch asked for one partition, to match its answer against.
  struct SentPartition {
    Uuid topic_id;
    int32_t current_leader_epoch;
    int64_t fetch_offset;
  };
  using Sent = std::map<TopicPartition, SentPartition>;

  /// Sends the next Fetch unless one is in flight; with nothing to fetch
  /// now, waits until a delayed partition may be fetched again.
  void MaybeFetch();
  /// The Fetch for every partition that may be fetched now; empty if none.
  FetchRequest BuildFetch(Sent& sent) const;
  void HandleResponse(const Sent& sent, Result<Bytes> body);
  /// The partition an answer is for: v13+ name topics by id.
  static std::optional<TopicPartition> SentPartitionOf(const Sent& sent,
                                                       const Uuid& topic_id,
                                                       int32_t partition);
  void ProcessPartition(const TopicPartition& partition,
                        const SentPartition& sent,
                        const FetchResponse::Partition& answer);
  /// Appends the records and takes the leader's high watermark and log
  /// start offset; an append that fails delays the partition.
  void AppendFromLeader(const TopicPartition& partition,
                        ReplicatedPartition& follower,
                        const FetchResponse::Partition& answer);
  /// Truncates to where the follower's log and the leader's agree.
  void TruncateOnDivergence(ReplicatedPartition& follower,
                            const FetchResponse::EpochEndOffset& diverging);
  /// How a partition's error changes its fetching.
  void HandlePartitionError(const TopicPartition& partition, ErrorCode error);
  /// Asks the leader for its log start offset (OFFSET_OUT_OF_RANGE).
  void AskLeaderLogStart(const TopicPartition& partition);
  /// The leader's log start: past this follower's log end, the follower
  /// starts again there; otherwise the partition waits and fetches again.
  void StartAtLeaderLogStart(const TopicPartition& partition,
                             int32_t current_leader_epoch,
                             Result<ListOffsetsResponse> answer);
  void Delay(const TopicPartition& partition);
  void ScheduleFetch(int64_t delay_ms);

  Environment& env_;
  NodeId local_broker_;
  NodeId source_broker_;
  ReplicaFetcherConfig config_;
  FollowerLookup followers_;
  BrokerEpochSupplier broker_epoch_;
  std::map<TopicPartition, PartitionFetchState> partitions_;
  bool in_flight_ = false;
  std::optional<TimerId> wake_up_;
};

/// Kafka's leader of a partition, as a fetcher needs it: who, where, and in
/// which epoch (InitialFetchState).
struct InitialFetchState {
  BrokerEndpoint leader;
  int32_t current_leader_epoch = 0;
  Uuid topic_id;
};

/// One fetcher per source broker (Kafka's ReplicaFetcherManager).
class ReplicaFetcherManager {
 public:
  ReplicaFetcherManager(Environment& env, NodeId local_broker,
                        ReplicaFetcherConfig config, FollowerLookup followers,
                        BrokerEpochSupplier broker_epoch = nullptr);

  /// Fetches each partition from its leader from now on (Kafka's
  /// addFetcherForPartitions), taking it from the fetcher of its previous
  /// leader if that is another broker; teaches the environment where the
  /// leader listens.
  void AddFetcherForPartitions(
      const std::map<TopicPartition, InitialFetchState>& partitions);
  /// Stops fetching the partitions (Kafka's removeFetcherForPartitions): this
  /// broker leads them now, or no longer has them.
  void RemoveFetcherForPartitions(
      const std::vector<TopicPartition>& partitions);

  /// The fetcher that fetches from `source`, if there is one.
  const ReplicaFetcher* GetFetcher(NodeId source) const;
  /// The broker `partition` is fetched from, if it is.
  std::optional<NodeId> SourceOf(const TopicPartition& partition) const;

 private:
  ReplicaFetcher& FetcherFor(NodeId source);

  Environment& env_;
  NodeId local_broker_;
  ReplicaFetcherConfig config_;
  FollowerLookup followers_;
  BrokerEpochSupplier broker_epoch_;
  /// Fetchers stay once made (at most one per broker of the cluster); one
  /// whose partitions all went sends nothing.
  std::map<NodeId, std::unique_ptr<ReplicaFetcher>> fetchers_;
};

}  // namespace kafka
