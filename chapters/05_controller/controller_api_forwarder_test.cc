// ElectLeaders and DescribeQuorum, sent to a broker, reach the active
// controller and come back byte for byte; a controller that no longer
// leads is asked again at the next one.
#include "chapters/05_controller/controller_api_forwarder.h"

#include <gtest/gtest.h>

#include "lib/protocol/elect_leaders.h"
#include "lib/protocol/quorum.h"
#include "lib/sim/cluster.h"

namespace kafka {
namespace {

constexpr NodeId kBroker = 1;
constexpr NodeId kFormer = 3000;  // led once, refuses now
constexpr NodeId kActive = 3001;

// A controller that answers ElectLeaders (each partition elected, or
// NOT_CONTROLLER if it is not active) and DescribeQuorum (its leader id,
// or NOT_LEADER_OR_FOLLOWER).
class AnsweringController : public ServingNode {
 public:
  explicit AnsweringController(bool active) : active_(active) {}
  void Start(Environment&) override {
    handlers().Register(ApiKey::kElectLeaders, [this](const Request& request,
                                                      Responder respond) {
      Result<ElectLeadersRequest> decoded =
          DecodeRequestBody<ElectLeadersRequest>(request);
      if (!decoded.ok()) return decoded.status();
      ++asked;
      ElectLeadersResponse response;
      if (!active_) response.error_code = ErrorCode::kNotController;
      for (const auto& topic : decoded->topic_partitions.value()) {
        auto& result = response.replica_election_results.emplace_back();
        result.topic = topic.topic;
        for (int32_t partition : topic.partitions) {
          result.partition_result.push_back(
              {.partition_id = partition,
               .error_code =
                   active_ ? ErrorCode::kNone : ErrorCode::kNotController});
        }
      }
      respond(EncodeResponseBody(response, request.header));
      return Status();
    });
    handlers().Register(ApiKey::kDescribeQuorum, [this](const Request& request,
                                                        Responder respond) {
      ++asked;
      DescribeQuorumResponse response;
      if (!active_) {
        response.error_code = ErrorCode::kNotLeaderOrFollower;
      } else {
        response.topics.push_back({.topic_name = "__cluster_metadata"});
        response.topics[0].partitions.push_back(
            {.partition_index = 0, .leader_id = kActive, .leader_epoch = 4});
      }
      respond(EncodeResponseBody(response, request.header));
      return Status();
    });
  }
  int asked = 0;

 private:
  bool active_;
};

// The broker, reduced to the forwarder.
class ForwardingBroker : public ServingNode {
 public:
  explicit ForwardingBroker(ControllerNodeProvider controller)
      : controller_(std::move(controller)) {}
  void Start(Environment& env) override {
    forwarder_ = std::make_unique<ControllerApiForwarder>(env, controller_,
                                                          /*timeout=*/3000);
    forwarder_->RegisterWith(handlers());
  }

 private:
  ControllerNodeProvider controller_;
  std::unique_ptr<ControllerApiForwarder> forwarder_;
};

class ControllerApiForwarderTest : public ::testing::Test {
 protected:
  ControllerApiForwarderTest() {
    cluster_.sim().AddNode(kBroker, [this] {
      return std::make_unique<ForwardingBroker>(
          [this] { return known_controller_; });
    });
    cluster_.sim().AddNode(kFormer, [] {
      return std::make_unique<AnsweringController>(/*active=*/false);
    });
    cluster_.sim().AddNode(kActive, [] {
      return std::make_unique<AnsweringController>(/*active=*/true);
    });
    client_ = cluster_.AddIdleClient();
  }
  AnsweringController& controller(NodeId id) {
    return cluster_.sim().node<AnsweringController>(id);
  }
  Result<ElectLeadersResponse> Elect() {
    ElectLeadersRequest request{
        .election_type = kPreferredElection,
        .topic_partitions = std::vector<ElectLeadersRequest::TopicPartitions>{
            {.topic = "orders", .partitions = {0, 1}}}};
    return cluster_.Call<ElectLeadersResponse>(
        client_, kBroker, ApiKey::kElectLeaders, 2, request);
  }

  SimCluster cluster_{
      7, 0, [](NodeId, const HostPort&) { return std::unique_ptr<Node>(); }};
  std::optional<NodeId> known_controller_ = kActive;
  NodeId client_ = -1;
};

TEST_F(ControllerApiForwarderTest, ElectLeadersIsTheControllersAnswer) {
  Result<ElectLeadersResponse> answer = Elect();
  ASSERT_TRUE(answer.ok()) << answer.error();
  EXPECT_EQ(answer->error_code, ErrorCode::kNone);
  ASSERT_EQ(answer->replica_election_results.size(), 1u);
  EXPECT_EQ(answer->replica_election_results[0].partition_result.size(), 2u);
  EXPECT_EQ(controller(kActive).asked, 1);
}

// The broker still names the former controller; its NOT_CONTROLLER sends
// the request on to the one the broker knows next.
TEST_F(ControllerApiForwarderTest, NotControllerGoesToTheNextController) {
  known_controller_ = kFormer;
  std::optional<Result<ElectLeadersResponse>> answer;
  ElectLeadersRequest request{
      .election_type = kUncleanElection,
      .topic_partitions = std::vector<ElectLeadersRequest::TopicPartitions>{
          {.topic = "orders", .partitions = {0}}}};
  cluster_.sim().env(client_).Send(
      kBroker, {int16_t(ApiKey::kElectLeaders), 2, 0, "test"},
      EncodeMessage(request, ApiKey::kElectLeaders, 2), 5000,
      [&](Result<Bytes> body) {
        answer = body.ok() ? DecodeMessage<ElectLeadersResponse>(
                                 *body, ApiKey::kElectLeaders, 2, 0, "answer")
                           : Result<ElectLeadersResponse>(body.error());
      });
  cluster_.RunUntil([&] { return controller(kFormer).asked > 0; }, 1000);
  known_controller_ = kActive;
  cluster_.RunUntil([&] { return answer.has_value(); }, 2000);
  ASSERT_TRUE(answer.has_value());
  ASSERT_TRUE(answer->ok());
  EXPECT_EQ((*answer)->error_code, ErrorCode::kNone);
  EXPECT_EQ(controller(kFormer).asked, 1);
  EXPECT_EQ(controller(kActive).asked, 1);
}

// No controller known for the request's whole time: REQUEST_TIMED_OUT, for
// the request and for each partition asked about.
TEST_F(ControllerApiForwarderTest, NoKnownControllerTimesOut) {
  known_controller_ = std::nullopt;
  Result<ElectLeadersResponse> answer = Elect();
  ASSERT_TRUE(answer.ok()) << answer.error();
  EXPECT_EQ(answer->error_code, ErrorCode::kRequestTimedOut);
  EXPECT_EQ(
      answer->replica_election_results.at(0).partition_result.at(1).error_code,
      ErrorCode::kRequestTimedOut);
}

// DescribeQuorum goes to the quorum's leader; a voter that does not lead
// answers NOT_LEADER_OR_FOLLOWER, which is a redirect too.
TEST_F(ControllerApiForwarderTest, DescribeQuorumReachesTheLeader) {
  known_controller_ = kFormer;
  std::optional<Result<Bytes>> answer;
  DescribeQuorumRequest request;
  cluster_.sim().env(client_).Send(
      kBroker, {int16_t(ApiKey::kDescribeQuorum), 1, 0, "test"},
      EncodeMessage(request, ApiKey::kDescribeQuorum, 1), 5000,
      [&](Result<Bytes> body) { answer = std::move(body); });
  cluster_.RunUntil([&] { return controller(kFormer).asked > 0; }, 1000);
  known_controller_ = kActive;
  cluster_.RunUntil([&] { return answer.has_value(); }, 2000);
  ASSERT_TRUE(answer.has_value() && answer->ok());
  Result<DescribeQuorumResponse> response =
      DecodeMessage<DescribeQuorumResponse>(**answer, ApiKey::kDescribeQuorum,
                                            1, 0, "answer");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->topics.at(0).partitions.at(0).leader_id, kActive);
}

}  // namespace
}  // namespace kafka
