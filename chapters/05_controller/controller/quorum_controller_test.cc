#include "chapters/05_controller/controller/quorum_controller.h"

#include <gtest/gtest.h>

#include <memory>

#include "chapters/05_controller/controller/fake_raft_client.h"
#include "lib/sim/cluster.h"

namespace kafka {
namespace {

constexpr NodeId kController = 3000;
constexpr int64_t kSessionTimeoutMs = 9000;

// The controller under test, active in epoch 1 of a fake Raft layer that
// commits when the test says. Requests go straight to its handlers; the
// simulator gives it a clock and timers.
class QuorumControllerTest : public ::testing::Test {
 protected:
  QuorumControllerTest() {
    sim_.AddNode(kController, [] { return std::make_unique<IdleClient>(); });
    Restart(Config());
  }

  static QuorumControllerConfig Config() {
    return {.node_id = kController,
            .cluster_id = "cluster",
            .broker_session_timeout_ms = kSessionTimeoutMs,
            .auto_leader_rebalance_enable = false,
            .default_replication_factor = 3};
  }

  // A controller anew, on the same fake log, made leader of the next epoch.
  void Restart(QuorumControllerConfig config) {
    handlers_ = RequestHandlers();
    controller_ = std::make_unique<QuorumController>(sim_.env(kController),
                                                     config, raft_);
    raft_.Register(controller_.get());
    controller_->RegisterWith(handlers_);
    raft_.ChangeLeader(kController, ++epoch_);
    raft_.CommitAll();  // the activation record
  }

  // Another controller leads an epoch, then this one again: it renounces and
  // activates anew, with the image it had.
  void Reactivate() {
    raft_.ChangeLeader(kController + 1, ++epoch_);
    raft_.ChangeLeader(kController, ++epoch_);
    raft_.CommitAll();  // the activation record
  }

  // Sends a request; its answer lands in the slot returned, when it comes.
  template <typename Response, typename Message>
  std::shared_ptr<std::optional<Response>> Send(ApiKey api, int16_t version,
                                                const Message& message) {
    auto answer = std::make_shared<std::optional<Response>>();
    const Bytes body = EncodeMessage(message, api, version);
    Request request{{int16_t(api), version, 1, "test"}, body, 0};
    Status handled = handlers_.Handle(
        request, [answer, api, version](std::optional<Bytes> response) {
          *answer =
              DecodeMessage<Response>(*response, api, version, 0, "response")
                  .value();
        });
    EXPECT_TRUE(handled.ok());
    return answer;
  }

  // Sends a request, lets the quorum commit, and returns the answer.
  template <typename Response, typename Message>
  Response Call(ApiKey api, int16_t version, const Message& message) {
    auto answer = Send<Response>(api, version, message);
    raft_.CommitAll();
    EXPECT_TRUE(answer->has_value());
    return answer->value_or(Response{});
  }

  BrokerRegistrationResponse RegisterBroker(NodeId id, uint8_t incarnation) {
    BrokerRegistrationRequest request{
        .broker_id = id,
        .cluster_id = "cluster",
        .incarnation_id =
            Uuid(std::array<uint8_t, 16>{uint8_t(id), incarnation}),
        .listeners = {{"PLAINTEXT", "node-" + std::to_string(id), 9092, 0}}};
    return Call<BrokerRegistrationResponse>(ApiKey::kBrokerRegistration, 1,
                                            request);
  }

  BrokerHeartbeatResponse Heartbeat(NodeId id, int64_t metadata_offset,
                                    bool want_shut_down = false) {
    return Call<BrokerHeartbeatResponse>(
        ApiKey::kBrokerHeartbeat, 0,
        BrokerHeartbeatRequest{.broker_id = id,
                               .broker_epoch = epochs_[id],
                               .current_metadata_offset = metadata_offset,
                               .want_shut_down = want_shut_down});
  }
  // What a broker that replayed every committed record sends.
  BrokerHeartbeatResponse CaughtUpHeartbeat(NodeId id,
                                            bool want_shut_down = false) {
    return Heartbeat(id, committed_offset(), want_shut_down);
  }
  int64_t committed_offset() { return *raft_.high_watermark() - 1; }

  // Registers the brokers and unfences them, as their first heartbeats do.
  void StartBrokers(const std::vector<NodeId>& ids) {
    for (NodeId id : ids) epochs_[id] = RegisterBroker(id, 1).broker_epoch;
    for (NodeId id : ids) CaughtUpHeartbeat(id);
  }

  CreateTopicsResponse::Result CreateTopic(
      const std::string& name,
      const std::vector<std::vector<NodeId>>& replicas) {
    CreateTopicsRequest::Topic topic{.name = name};
    for (const std::vector<NodeId>& partition : replicas) {
      topic.assignments.push_back(
          {int32_t(topic.assignments.size()), partition});
    }
    return Call<CreateTopicsResponse>(ApiKey::kCreateTopics, 7,
                                      CreateTopicsRequest{.topics = {topic}})
        .topics.at(0);
  }

  const PartitionRegistration& Partition(const std::string& topic,
                                         int32_t partition = 0) {
    return *controller_->image().partition({topic, partition});
  }
  const PartitionState& State(const std::string& topic, int32_t partition = 0) {
    return Partition(topic, partition).state;
  }

  void SetTopicConfig(const std::string& topic, const std::string& name,
                      const std::string& value) {
    IncrementalAlterConfigsRequest request{
        .resources = {{.resource_type = kTopicResource,
                       .resource_name = topic,
                       .configs = {{name, 0, value}}}}};
    ASSERT_EQ(Call<IncrementalAlterConfigsResponse>(
                  ApiKey::kIncrementalAlterConfigs, 1, request)
                  .responses.at(0)
                  .error_code,
              ErrorCode::kNone);
  }

  // The leader of `topic`-0 proposes `isr` in `recovery_state`, on the
  // partition's current epochs; the error it is answered.
  ErrorCode ProposeRecovery(const std::string& topic, std::vector<NodeId> isr,
                            int8_t recovery_state) {
    const PartitionState& state = State(topic);
    AlterPartitionRequest request{
        .broker_id = state.leader,
        .topics = {
            {.topic_name = topic,
             .partitions = {{.partition_index = 0,
                             .leader_epoch = state.leader_epoch,
                             .new_isr = std::move(isr),
                             .leader_recovery_state = recovery_state,
                             .partition_epoch = state.partition_epoch}}}}};
    return Call<AlterPartitionResponse>(ApiKey::kAlterPartition, 1, request)
        .topics.at(0)
        .partitions.at(0)
        .error_code;
  }

  // The leader of `topic`-0 drops every follower from the ISR.
  void ShrinkIsrToLeader(const std::string& topic) {
    ASSERT_EQ(ProposeRecovery(topic, {State(topic).leader}, kLeaderRecovered),
              ErrorCode::kNone);
  }

  // The records committed since the last call, NoOps left out.
  std::vector<std::string> Transcript() {
    std::vector<std::string> lines;
    const auto& batches = raft_.committed();
    for (; transcript_batch_ < batches.size(); ++transcript_batch_) {
      for (const Bytes& bytes : batches[transcript_batch_].records) {
        MetadataRecord record = DecodeMetadataRecord(bytes).value();
        if (!std::holds_alternative<NoOpRecord>(record)) {
          lines.push_back(Describe(record));
        }
      }
    }
    return lines;
  }
  // The committed records' types since the last call, NoOps left out.
  std::vector<std::string> RecordTypes() {
    std::vector<std::string> types;
    for (const std::string& line : Transcript()) {
      types.push_back(line.substr(0, line.find('(')));
    }
    return types;
  }

  // Lets `ms` pass, the `alive` brokers heartbeating every second.
  void RunWithHeartbeats(int64_t ms, const std::vector<NodeId>& alive) {
    for (int64_t t = 0; t < ms; t += 1000) {
      sim_.RunFor(1000);
      raft_.CommitAll();
      for (NodeId id : alive) CaughtUpHeartbeat(id);
    }
  }

  Simulation sim_{42};
  FakeRaftClient raft_{kController};
  RequestHandlers handlers_;
  std::unique_ptr<QuorumController> controller_;
  int32_t epoch_ = 0;
  std::map<NodeId, int64_t> epochs_;
  size_t transcript_batch_ = 0;
};

// ---- Cluster control -------------------------------------------------------

TEST_F(QuorumControllerTest, TheFirstRecordIsTheMetadataVersion) {
  EXPECT_EQ(Transcript(), (std::vector<std::string>{
                              "FeatureLevelRecord(name=\"metadata.version\", "
                              "feature_level=7)"}));
  EXPECT_TRUE(controller_->active());
}

TEST_F(QuorumControllerTest, RegisterFencedThenCaughtUpHeartbeatUnfences) {
  const BrokerRegistrationResponse registered = RegisterBroker(1, 1);
  ASSERT_EQ(registered.error_code, ErrorCode::kNone);
  epochs_[1] = registered.broker_epoch;
  // The broker's epoch is the offset of its RegisterBrokerRecord.
  EXPECT_EQ(raft_.committed().back().base_offset, registered.broker_epoch);
  const std::string prefix = "RegisterBrokerRecord(broker_id=1, broker_epoch=" +
                             std::to_string(registered.broker_epoch) + ",";
  EXPECT_EQ(Transcript().back().rfind(prefix, 0), 0u);
  EXPECT_TRUE(controller_->image().broker(1)->fenced);

  // Behind its registration: still fenced.
  BrokerHeartbeatResponse behind = Heartbeat(1, registered.broker_epoch - 1);
  EXPECT_EQ(behind.error_code, ErrorCode::kNone);
  EXPECT_FALSE(behind.is_caught_up);
  EXPECT_TRUE(behind.is_fenced);
  EXPECT_TRUE(RecordTypes().empty());

  // Caught up: unfenced.
  BrokerHeartbeatResponse caught_up = Heartbeat(1, registered.broker_epoch);
  EXPECT_TRUE(caught_up.is_caught_up);
  EXPECT_FALSE(caught_up.is_fenced);
  EXPECT_EQ(Transcript(),
            (std::vector<std::string>{"UnfenceBrokerRecord(id=1, epoch=" +
                                      std::to_string(epochs_[1]) + ")"}));
  EXPECT_FALSE(controller_->image().broker(1)->fenced);
}

TEST_F(QuorumControllerTest, AStaleBrokerEpochIsRefused) {
  StartBrokers({1});
  epochs_[1] -= 1;
  EXPECT_EQ(CaughtUpHeartbeat(1).error_code, ErrorCode::kStaleBrokerEpoch);
  EXPECT_EQ(Heartbeat(7, 0).error_code, ErrorCode::kStaleBrokerEpoch);
}

TEST_F(QuorumControllerTest, ARegistrationOfAnotherClusterIsRefused) {
  BrokerRegistrationRequest request{.broker_id = 1, .cluster_id = "other"};
  EXPECT_EQ(
      Call<BrokerRegistrationResponse>(ApiKey::kBrokerRegistration, 1, request)
          .error_code,
      ErrorCode::kInconsistentClusterId);
}

TEST_F(QuorumControllerTest, AnotherProcessWithALiveIdIsRefused) {
  StartBrokers({1, 2, 3});
  EXPECT_EQ(RegisterBroker(2, 9).error_code,
            ErrorCode::kDuplicateBrokerRegistration);
}

// A new active controller has heard no heartbeat yet: no broker has a
// session with it, and a restarted broker (a combined node restarting, its
// controller now active) registers at once instead of a session later.
TEST_F(QuorumControllerTest, ANewIncarnationRegistersAtOnceAfterAFailover) {
  StartBrokers({1, 2, 3});
  Reactivate();
  EXPECT_EQ(RegisterBroker(2, 2).error_code, ErrorCode::kNone);
  EXPECT_TRUE(controller_->image().broker(2)->fenced);
}

// ... but a broker that stays silent is still fenced a session timeout
// after the activation.
TEST_F(QuorumControllerTest, ASilentBrokerIsFencedASessionAfterAFailover) {
  StartBrokers({1, 2, 3});
  Reactivate();
  RunWithHeartbeats(kSessionTimeoutMs - 1000, {1, 3});
  EXPECT_FALSE(controller_->image().broker(2)->fenced);  // not yet
  RunWithHeartbeats(2000, {1, 3});
  EXPECT_TRUE(controller_->image().broker(2)->fenced);
  EXPECT_FALSE(controller_->image().broker(1)->fenced);
}

// A restarted broker (a new incarnation) registers again: a new epoch, its
// old life leaves the ISRs, and it is fenced until it catches up.
TEST_F(QuorumControllerTest, ARestartedBrokerGetsANewEpochAndLeavesTheIsrs) {
  StartBrokers({1, 2, 3});
  CreateTopic("orders", {{1, 2, 3}});
  RunWithHeartbeats(kSessionTimeoutMs + 1000, {1, 3});  // 2 crashed: fenced
  Transcript();
  const int64_t old_epoch = epochs_[2];
  const BrokerRegistrationResponse again = RegisterBroker(2, 2);
  ASSERT_EQ(again.error_code, ErrorCode::kNone);
  EXPECT_GT(again.broker_epoch, old_epoch);
  EXPECT_TRUE(controller_->image().broker(2)->fenced);
  EXPECT_EQ(State("orders").isr, (std::vector<NodeId>{1, 3}));
}

TEST_F(QuorumControllerTest, SessionTimeoutFencesMovesLeadershipLeavesIsrs) {
  StartBrokers({1, 2, 3});
  CreateTopic("orders", {{1, 2, 3}, {2, 3, 1}});
  Transcript();
  const int32_t led_epoch = State("orders").leader_epoch;
  RunWithHeartbeats(kSessionTimeoutMs - 1000, {2, 3});
  EXPECT_FALSE(controller_->image().broker(1)->fenced);  // not yet
  RunWithHeartbeats(2000, {2, 3});
  EXPECT_TRUE(controller_->image().broker(1)->fenced);
  // Broker 1 led orders-0: broker 2, the next in the ISR, leads it in the
  // next leader epoch.
  EXPECT_EQ(State("orders", 0).leader, 2);
  EXPECT_EQ(State("orders", 0).leader_epoch, led_epoch + 1);
  EXPECT_EQ(State("orders", 0).isr, (std::vector<NodeId>{2, 3}));
  // A follower's leaving changes the ISR only.
  EXPECT_EQ(State("orders", 1).leader, 2);
  EXPECT_EQ(State("orders", 1).leader_epoch, led_epoch);
  EXPECT_EQ(State("orders", 1).isr, (std::vector<NodeId>{2, 3}));
  EXPECT_EQ(RecordTypes(), (std::vector<std::string>{"FenceBrokerRecord",
                                                     "PartitionChangeRecord",
                                                     "PartitionChangeRecord"}));
}

TEST_F(QuorumControllerTest, TheLastIsrMemberStaysAndThePartitionGoesOffline) {
  StartBrokers({1, 2, 3});
  CreateTopic("orders", {{2}});
  RunWithHeartbeats(kSessionTimeoutMs + 1000, {1, 3});
  EXPECT_EQ(State("orders").leader, -1);
  EXPECT_EQ(State("orders").isr, (std::vector<NodeId>{2}));
  // Back and caught up: it leads again.
  epochs_[2] = RegisterBroker(2, 2).broker_epoch;
  CaughtUpHeartbeat(2);
  EXPECT_EQ(State("orders").leader, 2);
}

TEST_F(QuorumControllerTest, UncleanLeaderElectionOnFencingWhenEnabled) {
  QuorumControllerConfig config = Config();
  config.unclean_leader_election_enable = true;
  Restart(config);
  StartBrokers({1, 2, 3});
  CreateTopic("orders", {{2, 1}});
  ShrinkIsrToLeader("orders");
  RunWithHeartbeats(kSessionTimeoutMs + 1000, {1, 3});
  EXPECT_EQ(State("orders").leader, 1);
  EXPECT_EQ(State("orders").isr, (std::vector<NodeId>{1}));
  EXPECT_EQ(Partition("orders").leader_recovery_state,
            LeaderRecoveryState::kRecovering);
}

// unclean.leader.election.enable is a topic config: a topic that sets it
// gets an unclean election when fencing leaves it leaderless, though the
// cluster's default is false; a topic that does not stays offline.
TEST_F(QuorumControllerTest, UncleanLeaderElectionOnFencingWhenTheTopicSetsIt) {
  StartBrokers({1, 2, 3});
  CreateTopic("orders", {{2, 1}});
  CreateTopic("payments", {{2, 1}});
  SetTopicConfig("orders", "unclean.leader.election.enable", "true");
  ShrinkIsrToLeader("orders");
  ShrinkIsrToLeader("payments");
  RunWithHeartbeats(kSessionTimeoutMs + 1000, {1, 3});
  EXPECT_EQ(State("orders").leader, 1);
  EXPECT_EQ(State("orders").isr, (std::vector<NodeId>{1}));
  EXPECT_EQ(Partition("orders").leader_recovery_state,
            LeaderRecoveryState::kRecovering);
  EXPECT_EQ(State("payments").leader, -1);
  EXPECT_EQ(State("payments").isr, (std::vector<NodeId>{2}));
}

// And a topic that sets it false stays offline though the cluster's
// default is true.
TEST_F(QuorumControllerTest, ATopicsFalseOverridesTheClustersUnclean) {
  QuorumControllerConfig config = Config();
  config.unclean_leader_election_enable = true;
  Restart(config);
  StartBrokers({1, 2, 3});
  CreateTopic("orders", {{2, 1}});
  SetTopicConfig("orders", "unclean.leader.election.enable", "false");
  ShrinkIsrToLeader("orders");
  RunWithHeartbeats(kSessionTimeoutMs + 1000, {1, 3});
  EXPECT_EQ(State("orders").leader, -1);
}

// The unclean leader keeps the ISR to itself while RECOVERING (KIP-704):
// a follower may join only with RECOVERED, and the partition never goes
// back to RECOVERING.
TEST_F(QuorumControllerTest, ARecoveringLeaderTakesFollowersOnlyOnceRecovered) {
  StartBrokers({1, 2, 3});
  CreateTopic("orders", {{2, 1, 3}});
  SetTopicConfig("orders", "unclean.leader.election.enable", "true");
  ShrinkIsrToLeader("orders");
  RunWithHeartbeats(kSessionTimeoutMs + 1000, {1, 3});
  ASSERT_EQ(State("orders").leader, 1);
  ASSERT_EQ(Partition("orders").leader_recovery_state,
            LeaderRecoveryState::kRecovering);
  EXPECT_EQ(ProposeRecovery("orders", {1, 3}, kLeaderRecovering),
            ErrorCode::kInvalidRequest);
  EXPECT_EQ(ProposeRecovery("orders", {1, 3}, kLeaderRecovered),
            ErrorCode::kNone);
  EXPECT_EQ(State("orders").isr, (std::vector<NodeId>{1, 3}));
  EXPECT_EQ(Partition("orders").leader_recovery_state,
            LeaderRecoveryState::kRecovered);
  EXPECT_EQ(ProposeRecovery("orders", {1}, kLeaderRecovering),
            ErrorCode::kInvalidRequest);
}

TEST_F(QuorumControllerTest, ControlledShutdownMovesLeadershipThenShutsDown) {
  StartBrokers({1, 2, 3});
  CreateTopic("orders", {{1, 2, 3}});
  Transcript();
  BrokerHeartbeatResponse first = CaughtUpHeartbeat(1, /*want_shut_down=*/true);
  EXPECT_FALSE(first.should_shut_down);
  EXPECT_FALSE(first.is_fenced);
  EXPECT_EQ(RecordTypes(),
            (std::vector<std::string>{"BrokerRegistrationChangeRecord",
                                      "PartitionChangeRecord"}));
  EXPECT_TRUE(controller_->image().broker(1)->in_controlled_shutdown);
  EXPECT_EQ(State("orders").leader, 2);
  EXPECT_EQ(State("orders").isr, (std::vector<NodeId>{2, 3}));
  // It may go once every active broker has seen that it leads nothing.
  EXPECT_FALSE(CaughtUpHeartbeat(1, true).should_shut_down);
  Heartbeat(2, committed_offset() - 1);
  CaughtUpHeartbeat(3);
  EXPECT_FALSE(CaughtUpHeartbeat(1, true).should_shut_down);
  CaughtUpHeartbeat(2);
  BrokerHeartbeatResponse done = CaughtUpHeartbeat(1, true);
  EXPECT_TRUE(done.should_shut_down);
  EXPECT_TRUE(done.is_fenced);
}

TEST_F(QuorumControllerTest, ABrokerThatLeadsNothingShutsDownAtOnce) {
  StartBrokers({1, 2, 3});
  CreateTopic("orders", {{1, 2, 3}});
  Transcript();
  BrokerHeartbeatResponse answer =
      CaughtUpHeartbeat(3, /*want_shut_down=*/true);
  EXPECT_TRUE(answer.should_shut_down);
  EXPECT_TRUE(answer.is_fenced);
  EXPECT_EQ(RecordTypes(), (std::vector<std::string>{"FenceBrokerRecord",
                                                     "PartitionChangeRecord"}));
  EXPECT_EQ(State("orders").isr, (std::vector<NodeId>{1, 2}));
}

// A caught-up fenced broker stays fenced while it asks to (want_fence: it is
// still recovering its logs), and one that asks to shut down may go at once:
// a fenced broker leads nothing.
TEST_F(QuorumControllerTest, AFencedBrokerThatWantsFenceOrShutdownStaysFenced) {
  const BrokerRegistrationResponse registered = RegisterBroker(1, 1);
  epochs_[1] = registered.broker_epoch;
  Transcript();
  BrokerHeartbeatResponse recovering = Call<BrokerHeartbeatResponse>(
      ApiKey::kBrokerHeartbeat, 0,
      BrokerHeartbeatRequest{.broker_id = 1,
                             .broker_epoch = epochs_[1],
                             .current_metadata_offset = committed_offset(),
                             .want_fence = true});
  EXPECT_TRUE(recovering.is_caught_up);
  EXPECT_TRUE(recovering.is_fenced);
  EXPECT_FALSE(recovering.should_shut_down);
  BrokerHeartbeatResponse leaving =
      CaughtUpHeartbeat(1, /*want_shut_down=*/true);
  EXPECT_TRUE(leaving.is_fenced);
  EXPECT_TRUE(leaving.should_shut_down);
  EXPECT_TRUE(RecordTypes().empty());
  EXPECT_TRUE(controller_->image().broker(1)->fenced);
}

// An active broker that asks to be fenced is: it leaves the ISRs and its
// leadership moves, as on a session timeout.
TEST_F(QuorumControllerTest, AnActiveBrokerThatWantsFenceIsFenced) {
  StartBrokers({1, 2, 3});
  CreateTopic("orders", {{1, 2, 3}});
  Transcript();
  BrokerHeartbeatResponse answer = Call<BrokerHeartbeatResponse>(
      ApiKey::kBrokerHeartbeat, 0,
      BrokerHeartbeatRequest{.broker_id = 1,
                             .broker_epoch = epochs_[1],
                             .current_metadata_offset = committed_offset(),
                             .want_fence = true});
  EXPECT_TRUE(answer.is_fenced);
  EXPECT_FALSE(answer.should_shut_down);
  EXPECT_EQ(RecordTypes(), (std::vector<std::string>{"FenceBrokerRecord",
                                                     "PartitionChangeRecord"}));
  EXPECT_EQ(State("orders").leader, 2);
  EXPECT_EQ(State("orders").isr, (std::vector<NodeId>{2, 3}));
}

// Controlled shutdown ends only once the broker leads nothing. Here another
// controller wrote the shutdown's start without moving leadership away, and
// this one took over: the broker still leads orders-0, so it may not go.
TEST_F(QuorumControllerTest, ABrokerStillLeadingDoesNotFinishItsShutdown) {
  StartBrokers({1, 2, 3});
  CreateTopic("orders", {{1, 2, 3}});
  raft_.ChangeLeader(3001, ++epoch_);
  raft_.CommitFromElsewhere({EncodeMetadataRecord(
      BrokerRegistrationChangeRecord{.broker_id = 1,
                                     .broker_epoch = epochs_[1],
                                     .in_controlled_shutdown = 1})});
  raft_.ChangeLeader(kController, ++epoch_);
  raft_.CommitAll();
  ASSERT_TRUE(controller_->image().broker(1)->in_controlled_shutdown);
  ASSERT_EQ(State("orders").leader, 1);
  CaughtUpHeartbeat(2);
  CaughtUpHeartbeat(3);
  BrokerHeartbeatResponse answer = CaughtUpHeartbeat(1, true);
  EXPECT_FALSE(answer.should_shut_down);
  EXPECT_FALSE(answer.is_fenced);
}

// Once its controlled shutdown is done the broker is fenced for good: a late
// heartbeat does not unfence it (it must register again).
TEST_F(QuorumControllerTest, AShutDownBrokerIsNotUnfencedByALateHeartbeat) {
  StartBrokers({1, 2, 3});
  CreateTopic("orders", {{1, 2, 3}});
  CaughtUpHeartbeat(1, /*want_shut_down=*/true);
  CaughtUpHeartbeat(2);
  CaughtUpHeartbeat(3);
  ASSERT_TRUE(CaughtUpHeartbeat(1, true).should_shut_down);
  Transcript();
  BrokerHeartbeatResponse late = CaughtUpHeartbeat(1);
  EXPECT_TRUE(late.is_fenced);
  EXPECT_TRUE(RecordTypes().empty());
  EXPECT_TRUE(controller_->image().broker(1)->in_controlled_shutdown);
}

// ---- The write path --------------------------------------------------------

TEST_F(QuorumControllerTest, AnAnswerWaitsForTheCommit) {
  StartBrokers({1, 2, 3});
  auto answer = Send<CreateTopicsResponse>(
      ApiKey::kCreateTopics, 7,
      CreateTopicsRequest{.topics = {{.name = "orders",
                                      .num_partitions = 1,
                                      .replication_factor = 3}}});
  EXPECT_FALSE(answer->has_value());
  EXPECT_EQ(controller_->image().topic("orders"), nullptr);
  ASSERT_TRUE(raft_.CommitNext());
  ASSERT_TRUE(answer->has_value());
  EXPECT_EQ((*answer)->topics.at(0).error_code, ErrorCode::kNone);
  EXPECT_NE(controller_->image().topic("orders"), nullptr);
}

TEST_F(QuorumControllerTest, OneOperationAtATime) {
  StartBrokers({1, 2, 3});
  auto first = Send<CreateTopicsResponse>(
      ApiKey::kCreateTopics, 7,
      CreateTopicsRequest{.topics = {{.name = "a", .num_partitions = 1}}});
  auto second = Send<CreateTopicsResponse>(
      ApiKey::kCreateTopics, 7,
      CreateTopicsRequest{.topics = {{.name = "a", .num_partitions = 1}}});
  EXPECT_EQ(raft_.pending_batches(), 1u);  // the second waits its turn
  raft_.CommitAll();
  EXPECT_EQ((*first)->topics[0].error_code, ErrorCode::kNone);
  // ... and decides on the image the first left.
  EXPECT_EQ((*second)->topics[0].error_code, ErrorCode::kTopicAlreadyExists);
}

TEST_F(QuorumControllerTest, AFailoverFailsWhatWaitsWithNotController) {
  StartBrokers({1, 2, 3});
  auto answer = Send<CreateTopicsResponse>(
      ApiKey::kCreateTopics, 7,
      CreateTopicsRequest{.topics = {{.name = "orders", .num_partitions = 1}}});
  raft_.ChangeLeader(3001, epoch_ + 1);
  ASSERT_TRUE(answer->has_value());
  EXPECT_EQ((*answer)->topics.at(0).error_code, ErrorCode::kNotController);
  EXPECT_FALSE(controller_->active());
  EXPECT_EQ(controller_->image().topic("orders"), nullptr);  // never committed
  // A standby answers NOT_CONTROLLER at once.
  EXPECT_EQ(RegisterBroker(4, 1).error_code, ErrorCode::kNotController);
}

TEST_F(QuorumControllerTest, AStandbyReplaysWhatTheActiveOneWrote) {
  raft_.ChangeLeader(3001, epoch_ + 1);
  raft_.CommitFromElsewhere({EncodeMetadataRecord(TopicRecord{
      .name = "orders", .topic_id = Uuid(std::array<uint8_t, 16>{5})})});
  EXPECT_NE(controller_->image().topic("orders"), nullptr);
}

TEST_F(QuorumControllerTest, ANewActiveControllerStartsWithANoOp) {
  Transcript();
  raft_.ChangeLeader(3001, ++epoch_);
  raft_.ChangeLeader(kController, ++epoch_);
  raft_.CommitAll();
  ASSERT_EQ(raft_.committed().back().records.size(), 1u);
  EXPECT_EQ(
      Describe(
          DecodeMetadataRecord(raft_.committed().back().records[0]).value()),
      "NoOpRecord()");
  EXPECT_TRUE(Transcript().empty());
}

TEST_F(QuorumControllerTest, AnIdleLogGetsNoOpRecords) {
  const size_t batches = raft_.committed().size();
  sim_.RunFor(500);
  raft_.CommitAll();
  EXPECT_EQ(raft_.committed().size(), batches + 1);
  EXPECT_TRUE(std::holds_alternative<NoOpRecord>(
      DecodeMetadataRecord(raft_.committed().back().records[0]).value()));
}

TEST_F(QuorumControllerTest, SnapshotsTheImageAfterEnoughBytes) {
  QuorumControllerConfig config = Config();
  config.metadata_log_max_record_bytes_between_snapshots = 200;
  Restart(config);
  StartBrokers({1, 2, 3});
  ASSERT_FALSE(raft_.snapshots().empty());
  const FakeRaftClient::Snapshot& snapshot = raft_.snapshots().back();
  EXPECT_LE(snapshot.end_offset, *raft_.high_watermark());
  // Loaded into a fresh controller, it is the image it was made from.
  MetadataImage rebuilt;
  for (const Bytes& record : snapshot.records) {
    rebuilt.Apply(DecodeMetadataRecord(record).value(),
                  snapshot.end_offset - 1);
  }
  EXPECT_EQ(rebuilt.brokers().size(), 3u);
  QuorumController standby(sim_.env(kController), Config(), raft_);
  standby.HandleLoadSnapshot(snapshot.end_offset, snapshot.epoch,
                             snapshot.records);
  EXPECT_EQ(standby.image(), rebuilt);
  EXPECT_EQ(standby.image().last_applied_offset(), snapshot.end_offset - 1);
}

// ---- Replication control ---------------------------------------------------

TEST_F(QuorumControllerTest, CreateTopicsWritesATopicItsPartitionsAndConfigs) {
  StartBrokers({1, 2, 3});
  Transcript();
  CreateTopicsRequest::Topic topic{
      .name = "orders",
      .num_partitions = 2,
      .replication_factor = 3,
      .configs = {{"retention.ms", std::string("1000")}}};
  CreateTopicsResponse::Result created =
      Call<CreateTopicsResponse>(ApiKey::kCreateTopics, 7,
                                 CreateTopicsRequest{.topics = {topic}})
          .topics.at(0);
  ASSERT_EQ(created.error_code, ErrorCode::kNone);
  EXPECT_EQ(RecordTypes(),
            (std::vector<std::string>{"TopicRecord", "PartitionRecord",
                                      "PartitionRecord", "ConfigRecord"}));
  for (int32_t p = 0; p < 2; ++p) {
    const PartitionState& state = State("orders", p);
    EXPECT_EQ(state.topic_id, created.topic_id);
    EXPECT_EQ(state.isr, state.replicas);
    EXPECT_EQ(state.leader, state.replicas[0]);
    EXPECT_EQ(state.leader_epoch, 0);
    EXPECT_EQ(state.partition_epoch, 0);
  }
  EXPECT_EQ(
      controller_->image().topic_configs().at("orders").at("retention.ms"),
      "1000");
}

TEST_F(QuorumControllerTest, TopicsAreGrownAndDeleted) {
  StartBrokers({1, 2, 3});
  CreateTopic("orders", {{1, 2}});
  Transcript();
  CreatePartitionsResponse grown = Call<CreatePartitionsResponse>(
      ApiKey::kCreatePartitions, 3,
      CreatePartitionsRequest{.topics = {{.name = "orders", .count = 3}}});
  EXPECT_EQ(grown.results.at(0).error_code, ErrorCode::kNone);
  EXPECT_EQ(controller_->image().topic("orders")->partitions.size(), 3u);
  EXPECT_EQ(State("orders", 2).replicas.size(), 2u);
  DeleteTopicsResponse deleted = Call<DeleteTopicsResponse>(
      ApiKey::kDeleteTopics, 4, DeleteTopicsRequest{.topic_names = {"orders"}});
  EXPECT_EQ(deleted.responses.at(0).error_code, ErrorCode::kNone);
  EXPECT_EQ(controller_->image().topic("orders"), nullptr);
  EXPECT_EQ(RecordTypes(),
            (std::vector<std::string>{"PartitionRecord", "PartitionRecord",
                                      "RemoveTopicRecord"}));
}

TEST_F(QuorumControllerTest, NewPartitionsNeedActiveBrokers) {
  StartBrokers({1});
  EXPECT_EQ(Call<CreateTopicsResponse>(
                ApiKey::kCreateTopics, 7,
                CreateTopicsRequest{.topics = {{.name = "orders",
                                                .num_partitions = 1,
                                                .replication_factor = 2}}})
                .topics.at(0)
                .error_code,
            ErrorCode::kInvalidReplicationFactor);
  epochs_[2] = RegisterBroker(2, 1).broker_epoch;  // registered, fenced
  EXPECT_EQ(CreateTopic("orders", {{2}}).error_code,
            ErrorCode::kInvalidReplicaAssignment);
}

TEST_F(QuorumControllerTest, IncrementalAlterConfigsWritesWhatChanged) {
  StartBrokers({1, 2, 3});
  CreateTopic("orders", {{1, 2, 3}});
  Transcript();
  IncrementalAlterConfigsRequest request{
      .resources = {{.resource_type = kTopicResource,
                     .resource_name = "orders",
                     .configs = {{"retention.ms", 0, std::string("5000")}}}}};
  IncrementalAlterConfigsResponse altered =
      Call<IncrementalAlterConfigsResponse>(ApiKey::kIncrementalAlterConfigs, 1,
                                            request);
  EXPECT_EQ(altered.responses.at(0).error_code, ErrorCode::kNone);
  EXPECT_EQ(Transcript(),
            (std::vector<std::string>{
                "ConfigRecord(resource_type=2, resource_name=\"orders\", "
                "name=\"retention.ms\", value=\"5000\")"}));
  request.resources[0].configs = {{"retention.ms", 1, std::nullopt}};
  Call<IncrementalAlterConfigsResponse>(ApiKey::kIncrementalAlterConfigs, 1,
                                        request);
  EXPECT_EQ(Transcript(),
            (std::vector<std::string>{
                "ConfigRecord(resource_type=2, resource_name=\"orders\", "
                "name=\"retention.ms\", value=null)"}));
  request.resources[0].configs = {{"retention.ms", 0, std::string("x")}};
  EXPECT_EQ(Call<IncrementalAlterConfigsResponse>(
                ApiKey::kIncrementalAlterConfigs, 1, request)
                .responses.at(0)
                .error_code,
            ErrorCode::kInvalidConfig);
}

class AlterPartitionTest : public QuorumControllerTest {
 protected:
  AlterPartitionTest() {
    StartBrokers({1, 2, 3});
    CreateTopic("orders", {{1, 2, 3}});
  }
  AlterPartitionResponse::Partition Propose(NodeId from, int32_t leader_epoch,
                                            int32_t partition_epoch,
                                            std::vector<NodeId> isr,
                                            int64_t broker_epoch = -1) {
    AlterPartitionRequest request{
        .broker_id = from,
        .broker_epoch = broker_epoch,
        .topics = {{.topic_name = "orders",
                    .partitions = {{.partition_index = 0,
                                    .leader_epoch = leader_epoch,
                                    .new_isr = std::move(isr),
                                    .partition_epoch = partition_epoch}}}}};
    AlterPartitionResponse response =
        Call<AlterPartitionResponse>(ApiKey::kAlterPartition, 1, request);
    if (response.error_code != ErrorCode::kNone) {
      return {.error_code = response.error_code};
    }
    return response.topics.at(0).partitions.at(0);
  }
};

TEST_F(AlterPartitionTest, AnAcceptedIsrRaisesThePartitionEpoch) {
  AlterPartitionResponse::Partition answer = Propose(1, 0, 0, {1, 2});
  EXPECT_EQ(answer.error_code, ErrorCode::kNone);
  EXPECT_EQ(answer.isr, (std::vector<NodeId>{1, 2}));
  EXPECT_EQ(answer.partition_epoch, 1);
  EXPECT_EQ(answer.leader_epoch, 0);
  EXPECT_EQ(State("orders").partition_epoch, 1);
}

TEST_F(AlterPartitionTest, StaleEpochsAreRejected) {
  ASSERT_EQ(Propose(1, 0, 0, {1, 2}).error_code, ErrorCode::kNone);
  // Made on partition epoch 0, which is gone.
  EXPECT_EQ(Propose(1, 0, 0, {1}).error_code, ErrorCode::kInvalidUpdateVersion);
  // From a leader epoch that is gone (broker 1 lost leadership).
  RunWithHeartbeats(kSessionTimeoutMs + 1000, {2, 3});
  EXPECT_EQ(State("orders").leader, 2);
  EXPECT_EQ(Propose(1, 0, 2, {1, 2}).error_code, ErrorCode::kFencedLeaderEpoch);
  // A broker epoch that is not the broker's.
  EXPECT_EQ(Propose(2, 1, 2, {2}, epochs_[2] + 1).error_code,
            ErrorCode::kStaleBrokerEpoch);
  EXPECT_EQ(State("orders").isr, (std::vector<NodeId>{2}));
}

TEST_F(AlterPartitionTest, AFencedBrokerCannotJoinTheIsr) {
  ASSERT_EQ(Propose(1, 0, 0, {1, 2}).error_code, ErrorCode::kNone);
  RunWithHeartbeats(kSessionTimeoutMs + 1000, {1, 2});  // 3 fenced
  EXPECT_EQ(Propose(1, 0, 1, {1, 2, 3}).error_code,
            ErrorCode::kOperationNotAttempted);
}

// ---- Elections -------------------------------------------------------------

class ElectLeadersTest : public QuorumControllerTest {
 protected:
  ElectLeadersTest() {
    StartBrokers({1, 2, 3});
    CreateTopic("orders", {{1, 2, 3}});
  }
  ErrorCode Elect(int8_t type, std::optional<int32_t> partition = 0) {
    ElectLeadersRequest request{.election_type = type};
    if (partition) {
      request.topic_partitions = {
          {.topic = "orders", .partitions = {*partition}}};
    }
    ElectLeadersResponse response =
        Call<ElectLeadersResponse>(ApiKey::kElectLeaders, 2, request);
    if (response.replica_election_results.empty()) return ErrorCode::kNone;
    return response.replica_election_results[0]
        .partition_result.at(0)
        .error_code;
  }
  // Broker 1 is fenced and back: broker 2 leads, 1 is out of the ISR.
  void LoseThePreferredLeader() {
    RunWithHeartbeats(kSessionTimeoutMs + 1000, {2, 3});
    epochs_[1] = RegisterBroker(1, 2).broker_epoch;
    CaughtUpHeartbeat(1);
    ASSERT_EQ(State("orders").leader, 2);
  }
};

TEST_F(ElectLeadersTest, PreferredIsNotNeededWhenItLeads) {
  EXPECT_EQ(Elect(kPreferredElection), ErrorCode::kElectionNotNeeded);
}

TEST_F(ElectLeadersTest, PreferredNeedsThePreferredReplicaInTheIsr) {
  LoseThePreferredLeader();
  EXPECT_EQ(Elect(kPreferredElection), ErrorCode::kPreferredLeaderNotAvailable);
  EXPECT_EQ(State("orders").leader, 2);
}

TEST_F(ElectLeadersTest, PreferredMovesLeadershipBackOnceInTheIsr) {
  LoseThePreferredLeader();
  const int32_t epoch = State("orders").leader_epoch;
  const int32_t partition_epoch = State("orders").partition_epoch;
  Call<AlterPartitionResponse>(
      ApiKey::kAlterPartition, 1,
      AlterPartitionRequest{
          .broker_id = 2,
          .topics = {{.topic_name = "orders",
                      .partitions = {{.partition_index = 0,
                                      .leader_epoch = epoch,
                                      .new_isr = {2, 3, 1},
                                      .partition_epoch = partition_epoch}}}}});
  EXPECT_EQ(Elect(kPreferredElection), ErrorCode::kNone);
  EXPECT_EQ(State("orders").leader, 1);
  EXPECT_EQ(State("orders").leader_epoch, epoch + 1);
}

TEST_F(ElectLeadersTest, AllPartitionsHearOnlyOfThoseThatNeededIt) {
  EXPECT_EQ(Elect(kPreferredElection, std::nullopt), ErrorCode::kNone);
}

TEST_F(ElectLeadersTest, UncleanOnlyForALeaderlessPartition) {
  EXPECT_EQ(Elect(kUncleanElection), ErrorCode::kElectionNotNeeded);
}

TEST_F(ElectLeadersTest, UncleanElectsAReplicaOutsideTheIsr) {
  // ISR {1}; then broker 1 dies: offline, the ISR still {1}.
  Call<AlterPartitionResponse>(
      ApiKey::kAlterPartition, 1,
      AlterPartitionRequest{
          .broker_id = 1,
          .topics = {{.topic_name = "orders",
                      .partitions = {{.partition_index = 0,
                                      .leader_epoch = 0,
                                      .new_isr = {1},
                                      .partition_epoch = 0}}}}});
  RunWithHeartbeats(kSessionTimeoutMs + 1000, {2, 3});
  ASSERT_EQ(State("orders").leader, -1);
  EXPECT_EQ(State("orders").isr, (std::vector<NodeId>{1}));
  EXPECT_EQ(Elect(kUncleanElection), ErrorCode::kNone);
  EXPECT_EQ(State("orders").leader, 2);
  EXPECT_EQ(State("orders").isr, (std::vector<NodeId>{2}));
  EXPECT_EQ(Partition("orders").leader_recovery_state,
            LeaderRecoveryState::kRecovering);
}

TEST_F(QuorumControllerTest, AutoLeaderRebalanceElectsThePreferredLeader) {
  QuorumControllerConfig config = Config();
  config.auto_leader_rebalance_enable = true;
  config.leader_imbalance_check_interval_ms = 300'000;
  Restart(config);
  StartBrokers({1, 2, 3});
  CreateTopic("orders", {{1, 2, 3}});
  // Broker 1 leaves, comes back and rejoins the ISR.
  RunWithHeartbeats(kSessionTimeoutMs + 1000, {2, 3});
  epochs_[1] = RegisterBroker(1, 2).broker_epoch;
  CaughtUpHeartbeat(1);
  Call<AlterPartitionResponse>(
      ApiKey::kAlterPartition, 1,
      AlterPartitionRequest{
          .broker_id = 2,
          .topics = {
              {.topic_name = "orders",
               .partitions = {
                   {.partition_index = 0,
                    .leader_epoch = State("orders").leader_epoch,
                    .new_isr = {2, 3, 1},
                    .partition_epoch = State("orders").partition_epoch}}}}});
  ASSERT_EQ(State("orders").leader, 2);
  RunWithHeartbeats(300'000, {1, 2, 3});
  EXPECT_EQ(State("orders").leader, 1);
}

TEST_F(QuorumControllerTest, AllocateProducerIdsHandsOutBlocks) {
  StartBrokers({1});
  AllocateProducerIdsRequest request{.broker_id = 1,
                                     .broker_epoch = epochs_[1]};
  AllocateProducerIdsResponse first = Call<AllocateProducerIdsResponse>(
      ApiKey::kAllocateProducerIds, 0, request);
  AllocateProducerIdsResponse second = Call<AllocateProducerIdsResponse>(
      ApiKey::kAllocateProducerIds, 0, request);
  EXPECT_EQ(first.producer_id_start, 0);
  EXPECT_EQ(first.producer_id_len, kProducerIdBlockSize);
  EXPECT_EQ(second.producer_id_start, kProducerIdBlockSize);
  request.broker_epoch += 1;
  EXPECT_EQ(Call<AllocateProducerIdsResponse>(ApiKey::kAllocateProducerIds, 0,
                                              request)
                .error_code,
            ErrorCode::kStaleBrokerEpoch);
}

}  // namespace
}  // namespace kafka
