/// \file
/// The quorum controller: Kafka's KRaft controller (QuorumController).
///
/// The controllers are the voters of the metadata log's Raft quorum; the
/// one that leads it is the active controller, and only it decides. Each
/// decision is a batch of metadata records that it appends to the log, and
/// it answers the request that asked for the decision only once the quorum
/// has committed the batch: a controller that fails over loses nothing it
/// answered, and the next active controller, which replayed the same log,
/// goes on from the same state. The standby controllers replay the log too
/// (their MetadataImage is the active one's, a little behind), and so do
/// the brokers, which learn every decision from it.
///
/// The write path is the QuorumController's event queue (a KafkaEventQueue)
/// made as simple as it can be: one write operation at a time. An operation
/// decides on the committed image, appends its records, and waits for them to
/// commit before the next operation decides; the decisions therefore never see
/// state that might still be lost. (Kafka's controller decides on its
/// uncommitted state and keeps several batches in flight, which is faster and
/// harder to read.) A new active controller's first write is an activation
/// record (the metadata.version FeatureLevelRecord on an empty log, else a
/// NoOpRecord): once it commits, everything before it has been replayed.
///
/// What it decides, with Kafka's rules (the control managers):
///
///   - Cluster control (ClusterControlManager, BrokerHeartbeatManager):
///     BrokerRegistration writes a RegisterBrokerRecord whose offset is the
///     broker's epoch; the broker is fenced until a heartbeat's
///     current_metadata_offset reaches that offset, then unfenced. No
///     heartbeat for broker.session.timeout.ms: fenced, it leaves every ISR
///     and its partitions get new leaders (after a failover the clock
///     starts at the activation). A new incarnation of a registered broker
///     is refused (DUPLICATE_BROKER_REGISTRATION) only while the old one
///     has a session: unfenced and heard from by this controller within the
///     timeout (Kafka's hasValidSession). want_shut_down starts a controlled
///     shutdown (it leaves the ISRs, leadership moves away); once it leads
///     nothing and every active broker has seen that, should_shut_down.
///   - Replication control (ReplicationControlManager): CreateTopics,
///     CreatePartitions, DeleteTopics, placed and checked by the rules
///     Chapter 4's static controller uses too (replication_control.h), on
///     the image's registered and active brokers; AlterPartition with the
///     same checks (CheckAlterPartition), the asking leader's broker epoch
///     and, from version 3, each member's (KIP-903); ElectLeaders
///     (PREFERRED, UNCLEAN); the automatic preferred-leader rebalance
///     (auto.leader.rebalance.enable). Every leader and ISR change goes
///     through PartitionChangeBuilder. A partition left leaderless by a
///     fencing gets an unclean election if its topic's
///     unclean.leader.election.enable (else the cluster's) is true.
///   - Configs (ConfigurationControlManager): IncrementalAlterConfigs of
///     topics, with Chapter 2's ApplyConfigChanges, as ConfigRecords.
///   - Producer ids (ProducerIdControlManager): AllocateProducerIds hands
///     out blocks of 1000.
///   - A NoOpRecord when the log has been idle for
///     metadata.max.idle.interval.ms, and a snapshot of the image every
///     metadata.log.max.record.bytes.between.snapshots.
///
/// What real Kafka does differently: it places replicas with its
/// StripedReplicaPlacer (rack-aware) where this uses the AdminUtils-style
/// AssignReplicasToBrokers; from metadata.version 3.3-IV2 it
/// writes fencing and unfencing as BrokerRegistrationChangeRecords, where
/// this writes the FenceBrokerRecord and UnfenceBrokerRecord they replaced;
/// its rebalance ignores leader.imbalance.per.broker.percentage in KRaft, as
/// this one does.
///
/// A controller that is not active answers NOT_CONTROLLER, and a failover
/// fails the operations waiting with NOT_CONTROLLER: the brokers retry
/// with the new active controller.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chapters/01_log/log_config.h"
#include "chapters/04_replication/replication_control.h"
#include "chapters/05_controller/controller/metadata_image.h"
#include "chapters/05_controller/controller/metadata_records.h"
#include "chapters/05_controller/controller/partition_change_builder.h"
#include "chapters/05_controller/raft/raft_client.h"
#include "lib/node/node.h"
#include "lib/node/request_handlers.h"
#include "lib/protocol/admin.h"
#include "lib/protocol/alter_partition.h"
#include "lib/protocol/create_topics.h"
#include "lib/protocol/elect_leaders.h"
#include "lib/protocol/messages/allocate_producer_ids_request.h"
#include "lib/protocol/messages/allocate_producer_ids_response.h"
#include "lib/protocol/messages/broker_heartbeat_request.h"
#include "lib/protocol/messages/broker_heartbeat_response.h"
#include "lib/protocol/messages/broker_registration_request.h"
#include "lib/protocol/messages/broker_registration_response.h"
#include "lib/protocol/messages/delete_topics_request.h"
#include "lib/protocol/messages/delete_topics_response.h"
#include "lib/protocol/messages/elect_leaders_request.h"
#include "lib/protocol/messages/elect_leaders_response.h"

namespace kafka {

/// How many producer ids AllocateProducerIds hands out at once (Kafka's
/// ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE).
inline constexpr int32_t kProducerIdBlockSize = 1000;

struct QuorumControllerConfig {
  NodeId node_id = 3000;  ///< node.id
  /// The cluster's id; a broker registering with another is refused
  /// (INCONSISTENT_CLUSTER_ID). Empty: any.
  std::string cluster_id;
  int64_t broker_session_timeout_ms = 9000;  ///< broker.session.timeout.ms
  /// How often the active controller looks for brokers whose session ended
  /// (this project's; Kafka schedules the check at the next expiry).
  int64_t fence_check_interval_ms = 1000;
  /// metadata.max.idle.interval.ms: a NoOpRecord when the log has been idle
  /// this long.
  int64_t metadata_max_idle_interval_ms = 500;
  bool auto_leader_rebalance_enable = true;  ///< auto.leader.rebalance.enable
  /// leader.imbalance.check.interval.seconds (300), in milliseconds.
  int64_t leader_imbalance_check_interval_ms = 300'000;
  /// unclean.leader.election.enable: the cluster's default, for the topics
  /// that do not set it.
  bool unclean_leader_election_enable = false;
  int16_t default_replication_factor = 1;  ///< default.replication.factor
  int32_t num_partitions = 1;              ///< num.partitions
  /// The topic configs' defaults: new configs are checked against them and
  /// CreateTopics reports them.
  LogConfig log;
  /// metadata.log.max.record.bytes.between.snapshots (20 MiB): a snapshot
  /// after this many bytes of records.
  int64_t metadata_log_max_record_bytes_between_snapshots = 20 << 20;
};

class QuorumController : public RaftListener {
 public:
  /// The caller registers the controller with `raft` (raft.Register).
  QuorumController(Environment& env, QuorumControllerConfig config,
                   RaftClient& raft);

  /// BrokerRegistration, BrokerHeartbeat, CreateTopics, CreatePartitions,
  /// DeleteTopics, AlterPartition, IncrementalAlterConfigs, ElectLeaders
  /// and AllocateProducerIds.
  void RegisterWith(RequestHandlers& handlers);

  /// Whether this controller leads the quorum (and so takes writes).
  bool active() const { return active_epoch_.has_value(); }
  /// The committed state, as this controller replayed it.
  const MetadataImage& image() const { return image_; }

  void HandleCommit(const CommittedBatch& batch) override;
  void HandleLoadSnapshot(int64_t end_offset, int32_t epoch,
                          const std::vector<Bytes>& records) override;
  void HandleLeaderChange(const LeaderAndEpoch& leader) override;

  Status HandleBrokerRegistration(const Request& request, Responder respond);
  Status HandleBrokerHeartbeat(const Request& request, Responder respond);
  Status HandleCreateTopics(const Request& request, Responder respond);
  Status HandleCreatePartitions(const Request& request, Responder respond);
  Status HandleDeleteTopics(const Request& request, Responder respond);
  Status HandleAlterPartition(const Request& request, Responder respond);
  Status HandleIncrementalAlterConfigs(const Request& request,
                                       Responder respond);
  Status HandleElectLeaders(const Request& request, Responder respond);
  Status HandleAllocateProducerIds(const Request& request, Responder respond);

 private:
  /// What a write operation decided: its records, and what to do once they
  /// are committed (answer its request).
  struct ControllerResult {
    std::vector<MetadataRecord> records;
    std::function<void()> on_commit;
  };
  /// One write operation: `decide` runs on the committed image when its
  /// turn comes; `fail` answers NOT_CONTROLLER if leadership is lost first.
  struct Operation {
    std::function<ControllerResult()> decide;
    std::function<void(ErrorCode)> fail;
  };
  /// Sends a response to the request it answers.
  template <typename Response>
  using Answer = std::function<void(const Response&)>;
  struct InFlight {
    int64_t last_offset;
    std::function<void()> on_commit;
    std::function<void(ErrorCode)> fail;
  };

  // ---- The write path
  /// Queues `operation`, or fails it at once if this controller is not
  /// active.
  void Submit(Operation operation);
  void RunNextOperation();
  /// The operation in flight committed: it answers, and the next may run.
  void CompleteInFlight();
  void Activate(int32_t epoch);
  void Renounce();
  ControllerResult ActivationRecords();
  void MaybeSnapshot(const CommittedBatch& batch);

  // ---- Cluster control
  ControllerResult RegisterBroker(
      const BrokerRegistrationRequest& request,
      std::function<void(ErrorCode, int64_t)> answer);
  ControllerResult Heartbeat(const BrokerHeartbeatRequest& request,
                             Answer<BrokerHeartbeatResponse> answer);
  /// The records that fence `broker`: FenceBrokerRecord, and its leaving
  /// every ISR (new leaders where it led).
  std::vector<MetadataRecord> FenceRecords(NodeId broker) const;
  /// The records that unfence `broker`, and elect leaders for the
  /// leaderless partitions it may now lead.
  std::vector<MetadataRecord> UnfenceRecords(NodeId broker) const;
  /// The records that start `broker`'s controlled shutdown.
  std::vector<MetadataRecord> ControlledShutdownRecords(NodeId broker) const;
  /// Kafka's generateLeaderAndIsrUpdates: `broker` leaves the ISR of every
  /// partition that has it, and may not lead.
  std::vector<MetadataRecord> LeaveIsrs(NodeId broker) const;
  bool LeadsAnyPartition(NodeId broker) const;
  int64_t LowestActiveOffset() const;
  ControllerResult FenceStaleBroker();
  void CheckSessions();

  // ---- Replication control (each a write operation's decision)
  ControllerResult CreateTopics(const CreateTopicsRequest& request,
                                Answer<CreateTopicsResponse> answer);
  ControllerResult AlterPartitions(const AlterPartitionRequest& request,
                                   int16_t version,
                                   Answer<AlterPartitionResponse> answer);
  ControllerResult ElectLeaders(const ElectLeadersRequest& request,
                                Answer<ElectLeadersResponse> answer);
  ControllerResult AllocateProducerIds(
      const AllocateProducerIdsRequest& request,
      Answer<AllocateProducerIdsResponse> answer);
  CreateTopicsResponse::Result CreateTopic(
      const CreateTopicsRequest& request,
      const CreateTopicsRequest::Topic& topic,
      std::vector<MetadataRecord>& records);
  Status CreatePartitions(const CreatePartitionsRequest::Topic& topic,
                          bool validate_only,
                          std::vector<MetadataRecord>& records) const;
  /// PartitionRecords for new partitions, numbered from `first`: the active
  /// replicas in sync, the first of them leading.
  void AddPartitionRecords(const Uuid& topic_id, int32_t first,
                           const std::vector<std::vector<NodeId>>& replicas,
                           std::vector<MetadataRecord>& records) const;
  DeleteTopicsResponse::Result DeleteTopic(
      const std::optional<std::string>& name, const Uuid& id,
      std::vector<MetadataRecord>& records) const;
  AlterPartitionResponse::Partition AlterPartition(
      const std::string& topic, NodeId broker,
      const AlterPartitionRequest::Partition& proposal, int16_t version,
      std::vector<MetadataRecord>& records) const;
  /// The partition as AlterPartition answers it, from the image.
  AlterPartitionResponse::Partition PartitionAnswer(const std::string& topic,
                                                    int32_t partition) const;
  Status AlterTopicConfigs(
      const IncrementalAlterConfigsRequest::Resource& resource,
      bool validate_only, std::vector<MetadataRecord>& records) const;
  ErrorCode ElectLeader(const TopicPartition& partition, Election election,
                        std::vector<MetadataRecord>& records) const;
  /// PREFERRED elections where the preferred replica may lead and does not.
  ControllerResult RebalanceLeaders();
  /// The election a partition of `topic` gets when its leader is lost:
  /// UNCLEAN if the topic's unclean.leader.election.enable (else the
  /// cluster's) is true, else ONLINE.
  Election LeaderLossElection(const std::string& topic) const;
  /// The registered brokers; the active ones (unfenced, not shutting down)
  /// may take new replicas and join ISRs.
  ClusterBrokers Brokers() const;
  IsAcceptableLeader ActiveBrokers() const;
  Status CheckBrokerEpoch(NodeId broker, int64_t epoch) const;

  // ---- Timers
  void ScheduleEvery(int64_t interval_ms, void (QuorumController::*tick)());
  void MaybeWriteNoOp();
  void MaybeRebalance();

  Environment& env_;
  QuorumControllerConfig config_;
  RaftClient& raft_;
  MetadataImage image_;

  std::optional<int32_t> active_epoch_;
  /// The offset the next record appended gets; known from the first append
  /// of this controller's term (the activation record) on.
  std::optional<int64_t> next_write_offset_;
  std::deque<Operation> queue_;
  std::optional<InFlight> in_flight_;

  /// When each broker was last heard from by this controller, in this term
  /// (Kafka's BrokerHeartbeatTracker: contact times come from heartbeats and
  /// registrations only).
  std::map<NodeId, int64_t> last_contact_ms_;
  /// When this controller became active: the session clock of a broker it
  /// has not heard from yet starts then, so that a silent unfenced broker is
  /// still fenced a session timeout later. It is not a session: a new
  /// incarnation of such a broker may register at once.
  int64_t activated_ms_ = 0;
  /// How far each broker has replayed the log, as its last heartbeat said.
  std::map<NodeId, int64_t> metadata_offset_;
  /// The offset of the records that began each broker's controlled
  /// shutdown: it may shut down once every active broker has replayed them.
  std::map<NodeId, int64_t> controlled_shutdown_offset_;
  int64_t bytes_since_snapshot_ = 0;
  /// The timers' callbacks hold it weakly: a controller destroyed (its node
  /// crashed) is not called back.
  std::shared_ptr<int> lifetime_ = std::make_shared<int>(0);
};

}  // namespace kafka
