/// \file
/// The ReplicaManager of a broker whose partitions have one replica each.
///
/// This broker leads every partition it has: an append goes straight to the
/// partition's log and is answered at once (acks=all asks for every in-sync
/// replica, and the leader is the only one), and a read may go up to the log
/// end, which is also the high watermark. A fetch that finds fewer than
/// min_bytes waits in the fetch purgatory until an append brings them or
/// max_wait_ms passes (Kafka's DelayedFetch).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "chapters/02_partitions/delayed_fetch.h"
#include "chapters/02_partitions/log_manager.h"
#include "chapters/02_partitions/partition.h"
#include "chapters/02_partitions/purgatory.h"
#include "chapters/02_partitions/replica_manager.h"
#include "lib/node/node.h"

namespace kafka {

class LocalReplicaManager : public ReplicaManager, public LocalLogReader {
 public:
  LocalReplicaManager(Environment& env, LogManager& logs);

  /// Leads every partition the log manager found on disk.
  void Startup();
  /// Leads partitions just created (Kafka's broker learns of them from the
  /// metadata and becomes their leader: "makeLeaders").
  void BecomeLeader(const std::vector<TopicPartition>& partitions);
  /// Stops the replicas of deleted partitions (Kafka's stopReplicas): they
  /// are led here no more, and fetches waiting for them answer at once.
  void StopReplicas(const std::vector<TopicPartition>& partitions);

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

  /// The partition, if this broker has it.
  const Partition* GetPartition(const TopicPartition& partition) const;
  /// Reads what a fetch asks for, within its byte budgets, now; sets
  /// `bytes_read` to the size of the records in the answer (Kafka's
  /// readFromLocalLog).
  FetchResponse ReadFromLocalLog(const FetchRequest& request,
                                 int64_t& bytes_read) const override;

 private:
  Result<int64_t> DeleteRecordsOnLocalLog(const TopicPartition& partition,
                                          int64_t offset);
  PartitionAppendResult AppendToLocalLog(const PartitionRecords& entry,
                                         bool internal_topics_allowed);
  Partition* GetPartition(const TopicPartition& partition);

  Environment& env_;
  LogManager& logs_;
  std::map<TopicPartition, Partition> partitions_;
  std::vector<LeadershipListener> leadership_listeners_;
  DelayedOperationPurgatory fetch_purgatory_;
};

}  // namespace kafka
