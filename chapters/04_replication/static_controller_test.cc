#include "chapters/04_replication/static_controller.h"

#include <gtest/gtest.h>

#include <map>

#include "chapters/04_replication/controller_metadata.h"
#include "lib/sim/cluster.h"

namespace kafka {
namespace {

constexpr NodeId kController = 3000;
constexpr int16_t kCreateTopicsVersion = 7;
constexpr int16_t kAlterPartitionVersion = 1;
constexpr int64_t kPushIntervalMs = 2000;

// A broker stand-in: it takes UpdateMetadata as a broker does (the
// ControllerMetadataListener into a ControllerMetadataCache) and counts the
// pushes it received.
class RecordingBroker : public ServingNode {
 public:
  void Start(Environment& env) override {
    listener_ = std::make_unique<ControllerMetadataListener>(
        env, cache_, [this](const MetadataUpdate& update) {
          ++pushes_;
          last_states_ = update.states;
        });
    listener_->RegisterWith(handlers());
  }
  const ControllerMetadataCache& cache() const { return cache_; }
  int pushes() const { return pushes_; }
  const std::vector<PartitionState>& last_states() const {
    return last_states_;
  }

 private:
  ControllerMetadataCache cache_{"cluster"};
  std::unique_ptr<ControllerMetadataListener> listener_;
  int pushes_ = 0;
  std::vector<PartitionState> last_states_;
};

// Three brokers (1, 2, 3) that record what they are told, the static
// controller (3000) configured with them, and an admin client.
class StaticControllerTest : public ::testing::Test {
 protected:
  StaticControllerTest()
      : cluster_(42, 3, [](NodeId, const HostPort&) {
          return std::make_unique<RecordingBroker>();
        }) {
    StaticControllerConfig config{.node_id = kController,
                                  .default_replication_factor = 3,
                                  .num_partitions = 2,
                                  .push_interval_ms = kPushIntervalMs};
    for (NodeId id : cluster_.brokers()) {
      const HostPort& address = cluster_.sim().address(id);
      config.brokers.push_back({id, address.host, address.port, std::nullopt});
    }
    cluster_.sim().AddNode(kController, [config] {
      return std::make_unique<StaticController>(config);
    });
    admin_ = cluster_.AddIdleClient();
  }

  StaticController& controller() {
    return cluster_.sim().node<StaticController>(kController);
  }
  RecordingBroker& broker(NodeId id) {
    return cluster_.sim().node<RecordingBroker>(id);
  }

  CreateTopicsResponse::Result Create(CreateTopicsRequest::Topic topic,
                                      bool validate_only = false) {
    CreateTopicsRequest request{.topics = {std::move(topic)},
                                .validate_only = validate_only};
    return cluster_
        .Call<CreateTopicsResponse>(admin_, kController, ApiKey::kCreateTopics,
                                    kCreateTopicsVersion, request)
        .value()
        .topics.at(0);
  }
  CreateTopicsResponse::Result Create(const std::string& name,
                                      int32_t partitions,
                                      int16_t replication_factor) {
    return Create({.name = name,
                   .num_partitions = partitions,
                   .replication_factor = replication_factor});
  }

  // Creates `name` with these replicas, partition by partition.
  ErrorCode CreateAssigned(const std::string& name,
                           const std::vector<std::vector<NodeId>>& replicas) {
    CreateTopicsRequest::Topic topic{.name = name};
    for (const std::vector<NodeId>& partition : replicas) {
      topic.assignments.push_back(
          {int32_t(topic.assignments.size()), partition});
    }
    return Create(topic).error_code;
  }

  // What the controller answers `from`, the leader, proposing `isr` for
  // orders-0 on the epochs given.
  AlterPartitionResponse::Partition Propose(NodeId from, int32_t leader_epoch,
                                            int32_t partition_epoch,
                                            std::vector<NodeId> isr,
                                            int32_t partition = 0) {
    AlterPartitionRequest request{
        .broker_id = from,
        .topics = {{.topic_name = "orders",
                    .partitions = {{.partition_index = partition,
                                    .leader_epoch = leader_epoch,
                                    .new_isr = std::move(isr),
                                    .partition_epoch = partition_epoch}}}}};
    return cluster_
        .Call<AlterPartitionResponse>(from, kController,
                                      ApiKey::kAlterPartition,
                                      kAlterPartitionVersion, request)
        .value()
        .topics.at(0)
        .partitions.at(0);
  }

  PartitionState Orders0() { return *controller().state({"orders", 0}); }

  SimCluster cluster_;
  NodeId admin_ = -1;
};

// Kafka's own example of its rack-unaware assignment (AdminUtilsTest):
// five brokers, ten partitions, three replicas, starting at broker 0. The
// leaders go round the brokers; after each round the followers move one
// further away, so broker 0's followers are 1 and 2, then 2 and 3.
TEST(AssignReplicasToBrokersTest, KafkasExample) {
  const std::vector<std::vector<NodeId>> expected = {
      {0, 1, 2}, {1, 2, 3}, {2, 3, 4}, {3, 4, 0}, {4, 0, 1},
      {0, 2, 3}, {1, 3, 4}, {2, 4, 0}, {3, 0, 1}, {4, 1, 2}};
  EXPECT_EQ(AssignReplicasToBrokers({0, 1, 2, 3, 4}, 0, 10, 3, 0, 0), expected);
}

// A created topic's replicas are distinct brokers, the leaders spread evenly
// over the brokers, every replica starts in sync, and both epochs start at 0.
TEST_F(StaticControllerTest, CreateTopicSpreadsReplicasAndLeaders) {
  CreateTopicsResponse::Result created = Create("orders", 6, 3);
  ASSERT_EQ(created.error_code, ErrorCode::kNone) << *created.error_message;
  EXPECT_FALSE(created.topic_id.IsZero());
  EXPECT_EQ(created.num_partitions, 6);
  EXPECT_EQ(created.replication_factor, 3);
  std::map<NodeId, int> leaders;
  for (const PartitionState& state : controller().states()) {
    EXPECT_EQ(
        std::set<NodeId>(state.replicas.begin(), state.replicas.end()).size(),
        3u);
    EXPECT_EQ(state.isr, state.replicas);
    EXPECT_EQ(state.leader, state.replicas[0]);
    EXPECT_EQ(state.leader_epoch, 0);
    EXPECT_EQ(state.partition_epoch, 0);
    EXPECT_EQ(state.topic_id, created.topic_id);
    ++leaders[state.leader];
  }
  EXPECT_EQ(leaders, (std::map<NodeId, int>{{1, 2}, {2, 2}, {3, 2}}));
}

// -1 asks for the controller's num.partitions and
// default.replication.factor, as Kafka's CreateTopics v4+ does.
TEST_F(StaticControllerTest, MinusOneTakesTheDefaults) {
  CreateTopicsResponse::Result created = Create("orders", -1, -1);
  ASSERT_EQ(created.error_code, ErrorCode::kNone);
  EXPECT_EQ(created.num_partitions, 2);
  EXPECT_EQ(created.replication_factor, 3);
  EXPECT_EQ(controller().states().size(), 2u);
}

// Three brokers cannot hold four copies of a partition.
TEST_F(StaticControllerTest, ReplicationFactorAboveTheBrokersIsRefused) {
  EXPECT_EQ(Create("orders", 1, 4).error_code,
            ErrorCode::kInvalidReplicationFactor);
  EXPECT_EQ(Create("orders", 1, 0).error_code,
            ErrorCode::kInvalidReplicationFactor);
  EXPECT_EQ(Create("orders", 0, 1).error_code, ErrorCode::kInvalidPartitions);
  EXPECT_TRUE(controller().states().empty());
}

// CreateTopics' other refusals: a bad name, a name taken, a bad config, and
// a manual assignment naming an unknown broker, or a broker twice, or
// partitions of different sizes.
TEST_F(StaticControllerTest, CreateTopicsRefusals) {
  EXPECT_EQ(Create("bad name", 1, 1).error_code,
            ErrorCode::kInvalidTopicException);
  ASSERT_EQ(Create("orders", 1, 1).error_code, ErrorCode::kNone);
  EXPECT_EQ(Create("orders", 1, 1).error_code, ErrorCode::kTopicAlreadyExists);
  EXPECT_EQ(Create({.name = "configs",
                    .configs = {{.name = "segment.bytes", .value = "x"}}})
                .error_code,
            ErrorCode::kInvalidConfig);
  EXPECT_EQ(CreateAssigned("unknown-broker", {{1, 9}}),
            ErrorCode::kInvalidReplicaAssignment);
  EXPECT_EQ(CreateAssigned("twice", {{2, 2}}),
            ErrorCode::kInvalidReplicaAssignment);
  EXPECT_EQ(CreateAssigned("uneven", {{1, 2}, {3}}),
            ErrorCode::kInvalidReplicaAssignment);
  EXPECT_EQ(controller().states().size(), 1u);
}

// A topic named twice in one request is refused, both times.
TEST_F(StaticControllerTest, ATopicNamedTwiceIsRefused) {
  CreateTopicsRequest request{
      .topics = {{.name = "orders"}, {.name = "orders"}}};
  CreateTopicsResponse response =
      cluster_
          .Call<CreateTopicsResponse>(admin_, kController,
                                      ApiKey::kCreateTopics,
                                      kCreateTopicsVersion, request)
          .value();
  ASSERT_EQ(response.topics.size(), 2u);
  EXPECT_EQ(response.topics[0].error_code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(response.topics[1].error_code, ErrorCode::kInvalidRequest);
  EXPECT_TRUE(controller().states().empty());
}

// A manual assignment is taken as given: the first replica leads.
TEST_F(StaticControllerTest, AManualAssignmentIsKept) {
  ASSERT_EQ(CreateAssigned("orders", {{3, 1}, {2, 3}}), ErrorCode::kNone);
  EXPECT_EQ(Orders0().replicas, (std::vector<NodeId>{3, 1}));
  EXPECT_EQ(Orders0().leader, 3);
  EXPECT_EQ(controller().state({"orders", 1})->replicas,
            (std::vector<NodeId>{2, 3}));
}

// validate_only answers as a creation would, and creates nothing.
TEST_F(StaticControllerTest, ValidateOnlyCreatesNothing) {
  CreateTopicsResponse::Result checked =
      Create({.name = "orders", .num_partitions = 3}, /*validate_only=*/true);
  EXPECT_EQ(checked.error_code, ErrorCode::kNone);
  EXPECT_EQ(checked.num_partitions, 3);
  EXPECT_TRUE(checked.topic_id.IsZero());
  EXPECT_TRUE(controller().states().empty());
}

// After a creation every broker is told the new partitions' states.
TEST_F(StaticControllerTest, ACreationReachesEveryBroker) {
  ASSERT_EQ(Create("orders", 2, 3).error_code, ErrorCode::kNone);
  cluster_.RunFor(100);  // less than a push interval
  for (NodeId id : cluster_.brokers()) {
    EXPECT_EQ(broker(id).last_states(), controller().states()) << id;
    EXPECT_EQ(broker(id).cache().GetPartition({"orders", 1})->leader,
              controller().state({"orders", 1})->leader);
  }
}

// The controller pushes the whole state every push interval, changed or
// not: a broker that was down learns everything from the next push.
TEST_F(StaticControllerTest, ARestartedBrokerLearnsTheStateFromTheNextPush) {
  ASSERT_EQ(Create("orders", 2, 3).error_code, ErrorCode::kNone);
  cluster_.Crash(2);
  cluster_.RunFor(100);
  cluster_.Restart(2);
  EXPECT_EQ(broker(2).pushes(), 0);
  cluster_.RunFor(kPushIntervalMs + 100);
  EXPECT_GE(broker(2).pushes(), 1);
  EXPECT_EQ(broker(2).last_states(), controller().states());
}

// CreatePartitions adds partitions with the topic's replication factor,
// new epochs at 0; it never removes partitions.
TEST_F(StaticControllerTest, CreatePartitionsGrowsATopic) {
  ASSERT_EQ(Create("orders", 2, 2).error_code, ErrorCode::kNone);
  const auto grow = [&](int32_t count) {
    CreatePartitionsRequest request{
        .topics = {{.name = "orders", .count = count}}};
    return cluster_
        .Call<CreatePartitionsResponse>(admin_, kController,
                                        ApiKey::kCreatePartitions, 3, request)
        .value()
        .results.at(0)
        .error_code;
  };
  EXPECT_EQ(grow(5), ErrorCode::kNone);
  ASSERT_EQ(controller().states().size(), 5u);
  const PartitionState added = *controller().state({"orders", 4});
  EXPECT_EQ(added.replicas.size(), 2u);
  EXPECT_NE(added.replicas[0], added.replicas[1]);
  EXPECT_EQ(added.leader_epoch, 0);
  EXPECT_EQ(grow(5), ErrorCode::kInvalidPartitions);
  EXPECT_EQ(grow(3), ErrorCode::kInvalidPartitions);
}

// DeleteTopics forgets the topic; the next push no longer names it, which
// is how the brokers learn to delete their replicas.
TEST_F(StaticControllerTest, DeleteTopicsForgetsTheTopic) {
  ASSERT_EQ(Create("orders", 2, 3).error_code, ErrorCode::kNone);
  DeleteTopicsRequest request{.topics = {{.name = "orders"}, {.name = "nope"}}};
  DeleteTopicsResponse response =
      cluster_
          .Call<DeleteTopicsResponse>(admin_, kController,
                                      ApiKey::kDeleteTopics, 6, request)
          .value();
  EXPECT_EQ(response.responses.at(0).error_code, ErrorCode::kNone);
  EXPECT_EQ(response.responses.at(1).error_code,
            ErrorCode::kUnknownTopicOrPartition);
  EXPECT_TRUE(controller().states().empty());
  cluster_.RunFor(100);
  EXPECT_TRUE(broker(1).last_states().empty());
  EXPECT_FALSE(broker(1).cache().TopicId("orders").has_value());
}

// The leader drops a follower from the ISR: accepted, the partition epoch
// rises (the leader epoch does not), the answer carries the new state, and
// every broker is told.
TEST_F(StaticControllerTest, AnAcceptedIsrChangeBumpsThePartitionEpoch) {
  ASSERT_EQ(CreateAssigned("orders", {{1, 2, 3}}), ErrorCode::kNone);
  AlterPartitionResponse::Partition answer = Propose(1, 0, 0, {1, 2});
  EXPECT_EQ(answer.error_code, ErrorCode::kNone);
  EXPECT_EQ(answer.leader_id, 1);
  EXPECT_EQ(answer.leader_epoch, 0);
  EXPECT_EQ(answer.isr, (std::vector<NodeId>{1, 2}));
  EXPECT_EQ(answer.partition_epoch, 1);
  EXPECT_EQ(Orders0().isr, (std::vector<NodeId>{1, 2}));
  cluster_.RunFor(100);
  EXPECT_EQ(broker(3).cache().GetPartitionState({"orders", 0})->isr,
            (std::vector<NodeId>{1, 2}));
}

// Each of Kafka's refusals of an ISR change, and that none changes the
// partition's state.
TEST_F(StaticControllerTest, AlterPartitionRefusals) {
  ASSERT_EQ(CreateAssigned("orders", {{1, 2, 3}}), ErrorCode::kNone);
  ASSERT_TRUE(controller().ElectLeader({"orders", 0}, 2).ok());
  ASSERT_EQ(Propose(2, 1, 1, {2, 1, 3}).error_code, ErrorCode::kNone);
  // Now leader 2, leader epoch 1, partition epoch 1 (no change: same ISR).
  const PartitionState before = Orders0();
  ASSERT_EQ(before.partition_epoch, 1);
  // The old leader, still at epoch 0: a zombie.
  EXPECT_EQ(Propose(1, 0, 1, {1, 2}).error_code, ErrorCode::kFencedLeaderEpoch);
  // Right epochs, but broker 3 does not lead.
  EXPECT_EQ(Propose(3, 1, 1, {3, 2}).error_code, ErrorCode::kInvalidRequest);
  // The leader proposing on a partition epoch that has moved on.
  EXPECT_EQ(Propose(2, 1, 0, {2, 1}).error_code,
            ErrorCode::kInvalidUpdateVersion);
  // Epochs newer than the controller's: the asker knows a newer controller.
  EXPECT_EQ(Propose(2, 2, 1, {2, 1}).error_code, ErrorCode::kNotController);
  EXPECT_EQ(Propose(2, 1, 2, {2, 1}).error_code, ErrorCode::kNotController);
  // An ISR that is not a set of the replicas, or lacks the leader.
  EXPECT_EQ(Propose(2, 1, 1, {2, 4}).error_code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(Propose(2, 1, 1, {2, 2}).error_code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(Propose(2, 1, 1, {1, 3}).error_code, ErrorCode::kInvalidRequest);
  // A partition that does not exist.
  EXPECT_EQ(Propose(2, 1, 1, {2}, /*partition=*/7).error_code,
            ErrorCode::kUnknownTopicOrPartition);
  EXPECT_EQ(Orders0(), before);
}

// An ISR may not take in a fenced broker: OPERATION_NOT_ATTEMPTED (what
// Kafka answers before AlterPartition v2's INELIGIBLE_REPLICA).
TEST_F(StaticControllerTest, AFencedBrokerCannotJoinTheIsr) {
  ASSERT_EQ(CreateAssigned("orders", {{1, 2, 3}}), ErrorCode::kNone);
  controller().FenceBroker(3);  // leaves the ISR: partition epoch 1
  EXPECT_EQ(Orders0().isr, (std::vector<NodeId>{1, 2}));
  EXPECT_EQ(Propose(1, 0, 1, {1, 2, 3}).error_code,
            ErrorCode::kOperationNotAttempted);
  controller().UnfenceBroker(3);
  EXPECT_EQ(Propose(1, 0, 1, {1, 2, 3}).error_code, ErrorCode::kNone);
}

// An election: a new leader from the ISR, the next leader epoch and
// partition epoch, the ISR as it was. A replica outside the ISR may lead
// only when asked for an unclean election, and is then the ISR alone.
TEST_F(StaticControllerTest, ElectLeaderBumpsBothEpochs) {
  ASSERT_EQ(CreateAssigned("orders", {{1, 2, 3}}), ErrorCode::kNone);
  ASSERT_EQ(Propose(1, 0, 0, {1, 2}).error_code, ErrorCode::kNone);
  ASSERT_TRUE(controller().ElectLeader({"orders", 0}, 2).ok());
  EXPECT_EQ(Orders0().leader, 2);
  EXPECT_EQ(Orders0().leader_epoch, 1);
  EXPECT_EQ(Orders0().partition_epoch, 2);
  EXPECT_EQ(Orders0().isr, (std::vector<NodeId>{1, 2}));
  EXPECT_EQ(controller().ElectLeader({"orders", 0}, 3).error().code,
            ErrorCode::kEligibleLeadersNotAvailable);
  ASSERT_TRUE(controller().ElectLeader({"orders", 0}, 3, true).ok());
  EXPECT_EQ(Orders0().leader, 3);
  EXPECT_EQ(Orders0().leader_epoch, 2);
  EXPECT_EQ(Orders0().isr, std::vector<NodeId>{3});
  cluster_.RunFor(100);
  EXPECT_EQ(broker(1).cache().GetPartition({"orders", 0})->leader_epoch, 2);
}

// A fenced leader is replaced by the first in-sync replica; a fenced
// broker leaves every ISR, except as its last member, which keeps the
// partition leaderless until that broker comes back and leads again.
TEST_F(StaticControllerTest, FencingALeaderElectsAnotherFromTheIsr) {
  ASSERT_EQ(CreateAssigned("orders", {{1, 2, 3}}), ErrorCode::kNone);
  ASSERT_EQ(CreateAssigned("solo", {{1}}), ErrorCode::kNone);
  controller().FenceBroker(1);
  EXPECT_EQ(Orders0().leader, 2);
  EXPECT_EQ(Orders0().leader_epoch, 1);
  EXPECT_EQ(Orders0().isr, (std::vector<NodeId>{2, 3}));
  const PartitionState alone = *controller().state({"solo", 0});
  EXPECT_EQ(alone.leader, -1);
  EXPECT_EQ(alone.isr, std::vector<NodeId>{1});
  controller().UnfenceBroker(1);
  EXPECT_EQ(controller().state({"solo", 0})->leader, 1);
  EXPECT_EQ(controller().state({"solo", 0})->leader_epoch, 2);
  EXPECT_EQ(Orders0().leader, 2);  // broker 1 must catch up to rejoin
}

}  // namespace
}  // namespace kafka
