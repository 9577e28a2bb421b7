// The BrokerLifecycleManager against a controller that answers by Kafka's
// rules, as a transcript: what the broker sends when, and which state it
// is in.
#include "chapters/05_controller/broker_lifecycle_manager.h"

#include <gtest/gtest.h>

#include "lib/node/request_handlers.h"
#include "lib/protocol/broker_lifecycle.h"
#include "lib/sim/simulation.h"

namespace kafka {
namespace {

constexpr NodeId kBroker = 1;
constexpr NodeId kController = 3000;
// The offset of the broker's RegisterBrokerRecord: its epoch.
constexpr int64_t kRegistrationOffset = 42;

class IdleNode : public ClientNode {
 public:
  void Start(Environment&) override {}
};

// Answers as Kafka's ClusterControlManager does, from what the test set:
// caught up once the broker replayed its registration; unfenced once caught
// up and not wanting to be fenced; shut down when the test allows it.
class RuleController : public ServingNode {
 public:
  void Start(Environment& env) override {
    env_ = &env;
    handlers().Register(ApiKey::kBrokerRegistration,
                        [this](const Request& request, Responder respond) {
                          return Register(request, std::move(respond));
                        });
    handlers().Register(ApiKey::kBrokerHeartbeat,
                        [this](const Request& request, Responder respond) {
                          return Heartbeat(request, std::move(respond));
                        });
  }

  std::vector<BrokerRegistrationRequest> registrations;
  std::vector<BrokerHeartbeatRequest> heartbeats;
  std::vector<int64_t> heartbeat_times;
  ErrorCode refuse_with = ErrorCode::kNone;
  bool shutdown_allowed = false;

 private:
  Status Register(const Request& request, Responder respond) {
    Result<BrokerRegistrationRequest> decoded =
        DecodeRequestBody<BrokerRegistrationRequest>(request);
    if (!decoded.ok()) return decoded.status();
    registrations.push_back(*decoded);
    BrokerRegistrationResponse response{.error_code = refuse_with};
    if (refuse_with == ErrorCode::kNone) {
      response.broker_epoch = kRegistrationOffset;
    }
    respond(EncodeResponseBody(response, request.header));
    return Status();
  }
  Status Heartbeat(const Request& request, Responder respond) {
    Result<BrokerHeartbeatRequest> decoded =
        DecodeRequestBody<BrokerHeartbeatRequest>(request);
    if (!decoded.ok()) return decoded.status();
    heartbeats.push_back(*decoded);
    heartbeat_times.push_back(env_->NowMs());
    const bool caught_up =
        decoded->current_metadata_offset >= kRegistrationOffset;
    BrokerHeartbeatResponse response{
        .error_code = refuse_with,
        .is_caught_up = caught_up,
        .is_fenced = !caught_up || decoded->want_fence,
        .should_shut_down = decoded->want_shut_down && shutdown_allowed};
    respond(EncodeResponseBody(response, request.header));
    return Status();
  }

  Environment* env_ = nullptr;
};

class BrokerLifecycleManagerTest : public ::testing::Test {
 protected:
  BrokerLifecycleManagerTest() {
    sim_.AddNode(kBroker, [] { return std::make_unique<IdleNode>(); });
    sim_.AddNode(kController,
                 [] { return std::make_unique<RuleController>(); });
    broker_.node_id = kBroker;
    broker_.advertised_host = "node-1";
    broker_.advertised_port = 9092;
    broker_.cluster_id = "cluster";
    manager_ = std::make_unique<BrokerLifecycleManager>(
        sim_.env(kBroker), broker_, BrokerLifecycleConfig{.rack = "r1"},
        [this] { return known_controller_; },
        [this] { return metadata_offset_; });
  }
  RuleController& controller() {
    return sim_.node<RuleController>(kController);
  }

  Simulation sim_{3};
  BrokerConfig broker_;
  std::optional<NodeId> known_controller_ = kController;
  int64_t metadata_offset_ = -1;
  std::unique_ptr<BrokerLifecycleManager> manager_;
};

// The registration says who the broker is and where it listens; its
// answer's epoch is named by every heartbeat, and the first heartbeat
// follows at once.
TEST_F(BrokerLifecycleManagerTest, RegistersAndHeartbeatsWithItsEpoch) {
  manager_->Start();
  EXPECT_EQ(manager_->state(), BrokerState::kStarting);
  sim_.RunFor(100);
  ASSERT_EQ(controller().registrations.size(), 1u);
  const BrokerRegistrationRequest& sent = controller().registrations[0];
  EXPECT_EQ(sent.broker_id, kBroker);
  EXPECT_EQ(sent.cluster_id, "cluster");
  EXPECT_EQ(sent.incarnation_id, manager_->incarnation_id());
  ASSERT_EQ(sent.listeners.size(), 1u);
  EXPECT_EQ(sent.listeners[0].name, "PLAINTEXT");
  EXPECT_EQ(sent.listeners[0].host, "node-1");
  EXPECT_EQ(sent.listeners[0].port, 9092);
  EXPECT_EQ(sent.rack, "r1");
  ASSERT_EQ(sent.features.size(), 1u);
  EXPECT_EQ(sent.features[0].name, "metadata.version");
  EXPECT_EQ(manager_->broker_epoch(), kRegistrationOffset);
  ASSERT_EQ(controller().heartbeats.size(), 1u);
  EXPECT_EQ(controller().heartbeats[0].broker_epoch, kRegistrationOffset);
}

// Heartbeats go every broker.heartbeat.interval.ms (2 s).
TEST_F(BrokerLifecycleManagerTest, HeartbeatsEveryInterval) {
  manager_->Start();
  sim_.RunFor(7000);
  const std::vector<int64_t>& times = controller().heartbeat_times;
  ASSERT_GE(times.size(), 4u);
  for (size_t i = 1; i < times.size(); ++i) {
    EXPECT_NEAR(double(times[i] - times[i - 1]), 2000.0, 20.0);
  }
}

// STARTING until the controller says the broker caught up with the
// metadata log (up to its own registration), then RECOVERY, which asks to
// be unfenced, then RUNNING once unfenced.
TEST_F(BrokerLifecycleManagerTest, StartingRecoveryRunning) {
  manager_->Start();
  metadata_offset_ = 10;
  sim_.RunFor(5000);
  EXPECT_EQ(manager_->state(), BrokerState::kStarting);
  EXPECT_TRUE(manager_->fenced());
  EXPECT_TRUE(controller().heartbeats.back().want_fence);
  EXPECT_EQ(controller().heartbeats.back().current_metadata_offset, 10);

  metadata_offset_ = kRegistrationOffset;
  sim_.RunFor(2000);
  EXPECT_EQ(manager_->state(), BrokerState::kRecovery);
  sim_.RunFor(2000);
  EXPECT_FALSE(controller().heartbeats.back().want_fence);
  EXPECT_EQ(manager_->state(), BrokerState::kRunning);
  EXPECT_FALSE(manager_->fenced());
}

// While the broker knows no active controller, nothing goes out.
TEST_F(BrokerLifecycleManagerTest, WaitsForAController) {
  known_controller_ = std::nullopt;
  manager_->Start();
  sim_.RunFor(3000);
  EXPECT_TRUE(controller().registrations.empty());
  known_controller_ = kController;
  sim_.RunFor(200);
  EXPECT_EQ(controller().registrations.size(), 1u);
}

// A refused registration (NOT_CONTROLLER: an election is on) is sent again
// after 100, 200, 400 ms...: Kafka's exponential backoff.
TEST_F(BrokerLifecycleManagerTest, ARefusalIsRetriedWithBackoff) {
  controller().refuse_with = ErrorCode::kNotController;
  manager_->Start();
  sim_.RunFor(5);
  EXPECT_EQ(controller().registrations.size(), 1u);
  sim_.RunFor(100);
  EXPECT_EQ(controller().registrations.size(), 2u);
  sim_.RunFor(200);
  EXPECT_EQ(controller().registrations.size(), 3u);
  sim_.RunFor(300);
  EXPECT_EQ(controller().registrations.size(), 3u);
  sim_.RunFor(110);
  EXPECT_EQ(controller().registrations.size(), 4u);
  EXPECT_EQ(manager_->last_error().error().code, ErrorCode::kNotController);
  EXPECT_EQ(manager_->state(), BrokerState::kStarting);
}

// A controlled shutdown asks at once (want_shut_down) and ends only when
// the controller says so (should_shut_down: it leads nothing any more).
TEST_F(BrokerLifecycleManagerTest, AControlledShutdownWaitsForTheController) {
  metadata_offset_ = kRegistrationOffset;
  manager_->Start();
  sim_.RunFor(5000);
  ASSERT_EQ(manager_->state(), BrokerState::kRunning);
  bool done = false;
  manager_->BeginControlledShutdown([&] { done = true; });
  EXPECT_EQ(manager_->state(), BrokerState::kPendingControlledShutdown);
  sim_.RunFor(10);
  EXPECT_TRUE(controller().heartbeats.back().want_shut_down);
  sim_.RunFor(3000);
  EXPECT_FALSE(done);
  controller().shutdown_allowed = true;
  sim_.RunFor(2100);
  EXPECT_TRUE(done);
  EXPECT_EQ(manager_->state(), BrokerState::kShuttingDown);
  const size_t sent = controller().heartbeats.size();
  sim_.RunFor(5000);
  EXPECT_EQ(controller().heartbeats.size(), sent) << "it stopped heartbeating";
}

}  // namespace
}  // namespace kafka
