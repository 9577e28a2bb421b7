// The AlterPartitionManager against a controller the test answers by hand:
// what goes out when, and whose callback hears what.
#include "chapters/04_replication/alter_partition_manager.h"

#include <gtest/gtest.h>

#include "lib/node/request_handlers.h"
#include "lib/sim/simulation.h"

namespace kafka {
namespace {

constexpr NodeId kBroker = 1;
constexpr NodeId kController = 3000;
constexpr NodeId kNextController = 3001;

class IdleNode : public ClientNode {
 public:
  void Start(Environment&) override {}
};

// A controller that keeps each AlterPartition until the test answers it.
class ScriptedController : public ServingNode {
 public:
  struct Held {
    AlterPartitionRequest request;
    RequestHeader header;
    Responder respond;
  };

  void Start(Environment&) override {
    handlers().Register(ApiKey::kAlterPartition,
                        [this](const Request& request, Responder respond) {
                          Result<AlterPartitionRequest> decoded =
                              DecodeRequestBody<AlterPartitionRequest>(request);
                          if (!decoded.ok()) return decoded.status();
                          held.push_back({*decoded, request.header, respond});
                          return Status();
                        });
  }
  void Answer(size_t index, const AlterPartitionResponse& response) {
    held.at(index).respond(EncodeResponseBody(response, held[index].header));
  }

  std::vector<Held> held;
};

// Topic "t" and its id, which AlterPartition v2+ names it by.
const Uuid kTopicId(std::array<uint8_t, 16>{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                            0, 0, 0, 7});

// The partitions a request proposes, "topic-partition" in order.
std::vector<std::string> Proposed(const AlterPartitionRequest& request) {
  std::vector<std::string> names;
  for (const auto& topic : request.topics) {
    const std::string name = topic.topic_id == kTopicId ? "t" : "?";
    for (const auto& partition : topic.partitions) {
      names.push_back(name + "-" + std::to_string(partition.partition_index));
    }
  }
  return names;
}

// An answer accepting `partition` with `isr` in partition epoch
// `partition_epoch`, or refusing it with `error`.
AlterPartitionResponse AnswerFor(const std::string& topic, int32_t partition,
                                 ErrorCode error, std::vector<NodeId> isr = {},
                                 int32_t partition_epoch = -1) {
  AlterPartitionResponse response;
  response.topics.push_back(
      {.topic_name = topic, .topic_id = topic == "t" ? kTopicId : Uuid()});
  response.topics.back().partitions.push_back(
      {.partition_index = partition,
       .error_code = error,
       .leader_id = error == ErrorCode::kNone ? kBroker : -1,
       .leader_epoch = error == ErrorCode::kNone ? 4 : -1,
       .isr = std::move(isr),
       .partition_epoch = partition_epoch});
  return response;
}

class AlterPartitionManagerTest : public ::testing::Test {
 protected:
  AlterPartitionManagerTest() {
    sim_.AddNode(kBroker, [] { return std::make_unique<IdleNode>(); });
    for (NodeId id : {kController, kNextController}) {
      sim_.AddNode(id, [] { return std::make_unique<ScriptedController>(); });
    }
    manager_ = std::make_unique<AlterPartitionManager>(
        sim_.env(kBroker), kBroker, [this] { return known_controller_; });
  }
  ScriptedController& controller(NodeId id = kController) {
    return sim_.node<ScriptedController>(id);
  }
  // Proposes ISR {1, 2} for t-<partition> in leader epoch 4, partition
  // epoch 7, with broker epochs 40 and 52; the outcome lands in
  // outcomes_[partition].
  void Propose(int32_t partition) {
    manager_->Submit({"t", partition}, kTopicId,
                     {.leader = kBroker,
                      .leader_epoch = 4,
                      .isr = {1, 2},
                      .partition_epoch = 7,
                      .isr_broker_epochs = {40, 52}},
                     [this, partition](Result<LeaderAndIsr> outcome) {
                       outcomes_.insert_or_assign(partition,
                                                  std::move(outcome));
                     });
  }

  Simulation sim_{11};
  // The active controller as the broker knows it (ControllerNodeProvider).
  std::optional<NodeId> known_controller_ = kController;
  std::unique_ptr<AlterPartitionManager> manager_;
  std::map<int32_t, Result<LeaderAndIsr>> outcomes_;
};

// The proposal goes out as Kafka's leader sends it (version 3): the broker,
// the topic by id, and per partition the leader epoch, the new ISR with
// each member's broker epoch (KIP-903) and the partition epoch it was made
// on.
TEST_F(AlterPartitionManagerTest, SendsTheProposalWithItsEpochs) {
  Propose(0);
  sim_.RunFor(10);
  ASSERT_EQ(controller().held.size(), 1u);
  EXPECT_EQ(controller().held[0].header.api_version, 3);
  const AlterPartitionRequest& sent = controller().held[0].request;
  EXPECT_EQ(sent.broker_id, kBroker);
  ASSERT_EQ(Proposed(sent), std::vector<std::string>{"t-0"});
  const auto& partition = sent.topics[0].partitions[0];
  EXPECT_EQ(partition.leader_epoch, 4);
  EXPECT_EQ(
      partition.new_isr_with_epochs,
      (std::vector<AlterPartitionRequest::BrokerState>{{1, 40}, {2, 52}}));
  EXPECT_EQ(partition.partition_epoch, 7);
}

// Only one request is in flight: proposals made meanwhile wait, and go out
// together once the answer came.
TEST_F(AlterPartitionManagerTest, OneRequestInFlightTheRestGoTogetherNext) {
  Propose(0);
  sim_.RunFor(10);
  Propose(1);
  Propose(2);
  sim_.RunFor(10);
  ASSERT_EQ(controller().held.size(), 1u);
  EXPECT_TRUE(manager_->request_in_flight());
  controller().Answer(0, AnswerFor("t", 0, ErrorCode::kNone, {1, 2}, 8));
  sim_.RunFor(10);
  ASSERT_EQ(controller().held.size(), 2u);
  EXPECT_EQ(Proposed(controller().held[1].request),
            (std::vector<std::string>{"t-1", "t-2"}));
}

// A partition has at most one proposal waiting: a second is refused at
// once with OPERATION_NOT_ATTEMPTED, and nothing more is sent for it.
TEST_F(AlterPartitionManagerTest, ASecondProposalForAPartitionIsNotAttempted) {
  Propose(0);
  Propose(0);
  ASSERT_TRUE(outcomes_.contains(0));
  EXPECT_EQ(outcomes_.at(0).error().code, ErrorCode::kOperationNotAttempted);
  EXPECT_EQ(manager_->pending(), 1u);
  sim_.RunFor(10);
  EXPECT_EQ(Proposed(controller().held.at(0).request),
            std::vector<std::string>{"t-0"});
}

// The controller's answer reaches each proposal's callback: the state it
// now holds for an accepted one, its error for a refused one; both leave
// the queue.
TEST_F(AlterPartitionManagerTest, EachProposalHearsItsOwnAnswer) {
  Propose(0);
  sim_.RunFor(10);
  Propose(1);
  Propose(2);
  controller().Answer(0, AnswerFor("t", 0, ErrorCode::kNone, {1, 2}, 8));
  sim_.RunFor(10);
  AlterPartitionResponse answer =
      AnswerFor("t", 1, ErrorCode::kNone, {1, 2}, 3);
  answer.topics[0].partitions.push_back(
      {.partition_index = 2, .error_code = ErrorCode::kInvalidUpdateVersion});
  controller().Answer(1, answer);
  sim_.RunFor(10);
  ASSERT_TRUE(outcomes_.at(0).ok());
  EXPECT_EQ(*outcomes_.at(0), (LeaderAndIsr{.leader = kBroker,
                                            .leader_epoch = 4,
                                            .isr = {1, 2},
                                            .partition_epoch = 8}));
  ASSERT_TRUE(outcomes_.at(1).ok());
  EXPECT_EQ(outcomes_.at(1)->partition_epoch, 3);
  EXPECT_EQ(outcomes_.at(2).error().code, ErrorCode::kInvalidUpdateVersion);
  EXPECT_EQ(manager_->pending(), 0u);
  EXPECT_EQ(controller().held.size(), 2u);  // nothing left to send
}

// A request refused as a whole (here NOT_CONTROLLER) is sent again, with
// every proposal, 50 ms later; the callbacks have heard nothing.
TEST_F(AlterPartitionManagerTest, ATopLevelErrorSendsItAllAgainLater) {
  Propose(0);
  sim_.RunFor(10);
  AlterPartitionResponse refused;
  refused.error_code = ErrorCode::kNotController;
  controller().Answer(0, refused);
  sim_.RunFor(AlterPartitionManager::kRetryBackoffMs - 5);
  EXPECT_EQ(controller().held.size(), 1u);
  sim_.RunFor(10);
  ASSERT_EQ(controller().held.size(), 2u);
  EXPECT_EQ(Proposed(controller().held[1].request),
            std::vector<std::string>{"t-0"});
  EXPECT_TRUE(outcomes_.empty());
}

// While the broker knows no active controller (an election is on), nothing
// goes out; the proposal waits, and goes to the first controller known.
TEST_F(AlterPartitionManagerTest, NothingGoesOutWhileNoControllerIsKnown) {
  known_controller_ = std::nullopt;
  Propose(0);
  sim_.RunFor(1000);
  EXPECT_TRUE(controller(kController).held.empty());
  EXPECT_TRUE(controller(kNextController).held.empty());
  EXPECT_FALSE(manager_->request_in_flight());
  known_controller_ = kNextController;
  sim_.RunFor(AlterPartitionManager::kRetryBackoffMs + 10);
  ASSERT_EQ(controller(kNextController).held.size(), 1u);
  EXPECT_EQ(Proposed(controller(kNextController).held[0].request),
            std::vector<std::string>{"t-0"});
}

// A controller that lost its leadership answers NOT_CONTROLLER; the retry
// goes to whichever controller the broker knows by then.
TEST_F(AlterPartitionManagerTest, NotControllerRetriesOnTheNextController) {
  Propose(0);
  sim_.RunFor(10);
  ASSERT_EQ(controller(kController).held.size(), 1u);
  known_controller_ = kNextController;
  AlterPartitionResponse refused;
  refused.error_code = ErrorCode::kNotController;
  controller(kController).Answer(0, refused);
  sim_.RunFor(AlterPartitionManager::kRetryBackoffMs + 10);
  EXPECT_EQ(controller(kController).held.size(), 1u);
  ASSERT_EQ(controller(kNextController).held.size(), 1u);
  controller(kNextController)
      .Answer(0, AnswerFor("t", 0, ErrorCode::kNone, {1, 2}, 8));
  sim_.RunFor(10);
  ASSERT_TRUE(outcomes_.contains(0));
  EXPECT_EQ(outcomes_.at(0)->partition_epoch, 8);
}

// A proposal the answer does not mention stays queued and goes out again.
TEST_F(AlterPartitionManagerTest, AProposalLeftOutOfTheAnswerGoesOutAgain) {
  Propose(0);
  Propose(1);
  sim_.RunFor(10);
  controller().Answer(0, AnswerFor("t", 0, ErrorCode::kNone, {1, 2}, 8));
  sim_.RunFor(10);
  EXPECT_TRUE(outcomes_.contains(0));
  EXPECT_FALSE(outcomes_.contains(1));
  ASSERT_EQ(controller().held.size(), 2u);
  EXPECT_EQ(Proposed(controller().held[1].request),
            std::vector<std::string>{"t-1"});
}

// With the controller unreachable the request fails, and is sent again
// until it is answered: the proposal is never dropped.
TEST_F(AlterPartitionManagerTest, AnUnreachableControllerIsAskedAgain) {
  sim_.Partition({kBroker}, {kController});
  Propose(0);
  sim_.RunFor(AlterPartitionManager::kRequestTimeoutMs + 100);
  EXPECT_TRUE(controller().held.empty());
  sim_.Heal();
  sim_.RunFor(AlterPartitionManager::kRequestTimeoutMs + 100);
  ASSERT_FALSE(controller().held.empty());
  EXPECT_EQ(Proposed(controller().held.back().request),
            std::vector<std::string>{"t-0"});
  EXPECT_EQ(manager_->pending(), 1u);
}

}  // namespace
}  // namespace kafka
