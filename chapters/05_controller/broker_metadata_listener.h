/// \file
/// How a KRaft broker takes in the metadata log: it replays each committed
/// batch into its MetadataImage and hands the result to its components.
///
/// In Chapter 4 the controller pushed the whole cluster to every broker
/// (UpdateMetadata). In KRaft each broker follows the metadata log itself,
/// as an observer of the quorum, and this listener hears every batch the
/// quorum committed (RaftListener). Kafka splits the work in two, and so
/// does this class's interface:
///
///   MetadataLoader          replays the records, in offset order, into the
///                           image (a snapshot replaces the image whole)
///   BrokerMetadataPublisher hands the new image on: the partition states
///                           and topic configs to the ReplicaManager (which
///                           becomes leader or follower, Chapter 4's
///                           ApplyPartitionStates, Kafka's applyDelta), the
///                           deleted partitions to the group coordinator
///
/// Both are Chapter 4's MetadataUpdate, so the components are Chapter 4's,
/// unchanged. The listener also teaches the runtime where each registered
/// broker listens (a follower connects to its leader).
///
/// Two rules of Kafka's MetadataLoader: nothing is published until the
/// broker has caught up with the log's high watermark once (a broker that
/// restarts replays the log from its start, and must not act on a state
/// the cluster left long ago: create a replica, then delete it), and a
/// record that does not decode is skipped and counted, never an assertion.
/// published_offset() is what the broker tells the controller in its
/// heartbeats (current_metadata_offset): the offset up to which its
/// components have the log's state.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <vector>

#include "chapters/04_replication/controller_metadata.h"
#include "chapters/05_controller/controller/metadata_image.h"
#include "chapters/05_controller/raft/raft_client.h"
#include "lib/error.h"
#include "lib/node/node.h"

namespace kafka {

class BrokerMetadataListener : public RaftListener {
 public:
  /// Receives each new image's MetadataUpdate (Kafka's
  /// BrokerMetadataPublisher); the image is current when it is called.
  using Publisher = std::function<void(const MetadataUpdate& update)>;

  /// `raft` says how far the log is committed (its high watermark).
  BrokerMetadataListener(Environment& env, const RaftClient& raft,
                         Publisher publish)
      : env_(env), raft_(raft), publish_(std::move(publish)) {}

  void HandleCommit(const CommittedBatch& batch) override;
  void HandleLoadSnapshot(int64_t end_offset, int32_t epoch,
                          const std::vector<Bytes>& records) override;
  void HandleLeaderChange(const LeaderAndEpoch&) override {}

  const MetadataImage& image() const { return image_; }
  /// The offset of the last record whose effect the components have; -1
  /// before the first publication.
  int64_t published_offset() const { return published_offset_; }
  /// Whether the broker has caught up with the log once.
  bool caught_up() const { return !catching_up_; }
  /// How many records did not decode (each skipped), and the last error.
  int64_t undecodable_records() const { return undecodable_records_; }
  const Status& last_decode_error() const { return last_decode_error_; }

 private:
  /// Applies one record at `offset`; whether it changes what is published.
  bool Replay(ByteView bytes, int64_t offset);
  /// Publishes if there is something new and the broker has caught up.
  void MaybePublish();
  bool StillCatchingUp();
  void Publish();
  void LearnAddresses();

  Environment& env_;
  const RaftClient& raft_;
  Publisher publish_;
  MetadataImage image_;
  bool catching_up_ = true;
  bool unpublished_changes_ = false;
  int64_t published_offset_ = -1;
  /// The partitions of the last publication, to tell which went.
  std::set<TopicPartition> published_partitions_;
  int64_t undecodable_records_ = 0;
  Status last_decode_error_;
};

}  // namespace kafka
