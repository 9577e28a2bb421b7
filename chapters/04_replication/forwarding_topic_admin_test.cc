#include "chapters/04_replication/forwarding_topic_admin.h"

#include <gtest/gtest.h>

#include "chapters/04_replication/static_controller.h"
#include "lib/sim/cluster.h"

namespace kafka {
namespace {

constexpr NodeId kController = 3000;
// A controller that was active once and is no more: it refuses everything
// with NOT_CONTROLLER.
constexpr NodeId kFormerController = 3001;

// A broker's topic admin, on a node of its own.
struct AdminHost {
  AdminHost(Environment& env, ControllerNodeProvider controller)
      : admin(env, std::move(controller), /*request_timeout_ms=*/5000) {}
  ForwardingTopicAdmin admin;
};

class FormerController : public ServingNode {
 public:
  void Start(Environment&) override {
    handlers().Register(ApiKey::kCreateTopics, [this](const Request& request,
                                                      Responder respond) {
      Result<CreateTopicsRequest> decoded =
          DecodeRequestBody<CreateTopicsRequest>(request);
      if (!decoded.ok()) return decoded.status();
      CreateTopicsResponse refusal;
      for (const CreateTopicsRequest::Topic& topic : decoded->topics) {
        refusal.topics.push_back(
            {.name = topic.name, .error_code = ErrorCode::kNotController});
      }
      ++refused;
      respond(EncodeResponseBody(refusal, request.header));
      return Status();
    });
  }
  int refused = 0;
};

// Brokers 1 to 3 exist for the controller to place replicas on; these tests
// look at the controller, so the brokers serve nothing.
class SilentBroker : public ServingNode {
 public:
  void Start(Environment&) override {}
};

class ForwardingTopicAdminTest : public ::testing::Test {
 protected:
  ForwardingTopicAdminTest()
      : cluster_(5, 3, [](NodeId, const HostPort&) {
          return std::make_unique<SilentBroker>();
        }) {
    StaticControllerConfig config{.node_id = kController};
    for (NodeId id : cluster_.brokers()) {
      config.brokers.push_back({id, "node", 9092, std::nullopt});
    }
    cluster_.sim().AddNode(kController, [config] {
      return std::make_unique<StaticController>(config);
    });
    cluster_.sim().AddNode(kFormerController,
                           [] { return std::make_unique<FormerController>(); });
    host_ = cluster_.AddClient<AdminHost>([this](Environment& env) {
      return std::make_unique<AdminHost>(env,
                                         [this] { return known_controller_; });
    });
  }

  ForwardingTopicAdmin& admin() {
    return cluster_.client<AdminHost>(host_).admin;
  }
  StaticController& controller() {
    return cluster_.sim().node<StaticController>(kController);
  }

  // Calls `call` with a Done and runs until it is called.
  Status Await(const std::function<void(TopicAdmin::Done)>& call) {
    std::optional<Status> outcome;
    call([&](Status status) { outcome = std::move(status); });
    cluster_.RunUntil([&] { return outcome.has_value(); }, 10'000);
    return outcome.value_or(Error{ErrorCode::kUnknownServerError, "no answer"});
  }
  Status Create(const CreateTopicsRequest::Topic& topic) {
    return Await([&](TopicAdmin::Done done) {
      admin().CreateTopic(topic, /*validate_only=*/false, std::move(done));
    });
  }

  SimCluster cluster_;
  // The active controller as the broker knows it (ControllerNodeProvider).
  std::optional<NodeId> known_controller_ = kController;
  NodeId host_ = -1;
};

// The broker creates nothing itself: the controller places the replicas,
// and DescribeCreatedTopic reports what the controller made (its id,
// partitions, replication factor and configs).
TEST_F(ForwardingTopicAdminTest, TheControllerCreatesTheTopic) {
  CreateTopicsRequest::Topic topic{
      .name = "orders", .num_partitions = 3, .replication_factor = 2};
  ASSERT_TRUE(Create(topic).ok());
  ASSERT_EQ(controller().states().size(), 3u);
  EXPECT_EQ(controller().state({"orders", 0})->replicas.size(), 2u);
  const CreatedTopic created = admin().DescribeCreatedTopic(topic);
  EXPECT_EQ(created.topic_id, controller().state({"orders", 0})->topic_id);
  EXPECT_EQ(created.num_partitions, 3);
  EXPECT_EQ(created.replication_factor, 2);
  EXPECT_FALSE(created.configs.empty());
}

// The controller's refusal is the broker's answer, code and message.
TEST_F(ForwardingTopicAdminTest, TheControllersRefusalIsTheAnswer) {
  Status refused = Create({.name = "orders", .replication_factor = 4});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidReplicationFactor);
  EXPECT_NE(refused.error().message.find("only 3 broker(s)"),
            std::string::npos);
}

// Growing and deleting a topic are the controller's too.
TEST_F(ForwardingTopicAdminTest, CreatePartitionsAndDeleteTopicAreForwarded) {
  ASSERT_TRUE(Create({.name = "orders", .num_partitions = 1}).ok());
  EXPECT_TRUE(Await([&](TopicAdmin::Done done) {
                admin().CreatePartitions({.name = "orders", .count = 4},
                                         /*validate_only=*/false,
                                         std::move(done));
              }).ok());
  EXPECT_EQ(controller().states().size(), 4u);
  EXPECT_TRUE(Await([&](TopicAdmin::Done done) {
                admin().DeleteTopic("orders", std::move(done));
              }).ok());
  EXPECT_TRUE(controller().states().empty());
  Status missing = Await([&](TopicAdmin::Done done) {
    admin().DeleteTopic("orders", std::move(done));
  });
  EXPECT_EQ(missing.error().code, ErrorCode::kUnknownTopicOrPartition);
}

// Without a controller nothing can be created: the transport's error is
// the answer.
TEST_F(ForwardingTopicAdminTest, AnUnreachableControllerIsAnError) {
  cluster_.Crash(kController);
  Status outcome = Create({.name = "orders"});
  ASSERT_FALSE(outcome.ok());
  EXPECT_TRUE(outcome.error().code == ErrorCode::kNetworkException ||
              outcome.error().code == ErrorCode::kRequestTimedOut)
      << outcome.error();
}

// A broker that never learns of a controller gives up after
// request.timeout.ms.
TEST_F(ForwardingTopicAdminTest, NoKnownControllerTimesOut) {
  known_controller_ = std::nullopt;
  Status outcome = Create({.name = "orders"});
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().code, ErrorCode::kRequestTimedOut);
}

// While the broker knows no active controller (an election is on), the
// request waits, and goes to the first controller known.
TEST_F(ForwardingTopicAdminTest, ARequestWaitsWhileNoControllerIsKnown) {
  known_controller_ = std::nullopt;
  std::optional<Status> outcome;
  admin().CreateTopic({.name = "orders", .num_partitions = 1},
                      /*validate_only=*/false,
                      [&](Status status) { outcome = std::move(status); });
  cluster_.RunFor(1000);
  EXPECT_FALSE(outcome.has_value());
  EXPECT_TRUE(controller().states().empty());
  known_controller_ = kController;
  cluster_.RunUntil([&] { return outcome.has_value(); }, 1000);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_TRUE(outcome->ok()) << outcome->error();
  EXPECT_EQ(controller().states().size(), 1u);
}

// A controller that is no longer active answers NOT_CONTROLLER; the broker
// has learned the new one meanwhile, and the request goes there.
TEST_F(ForwardingTopicAdminTest, NotControllerRetriesOnTheNextController) {
  FormerController& former =
      cluster_.sim().node<FormerController>(kFormerController);
  known_controller_ = kFormerController;
  std::optional<Status> outcome;
  admin().CreateTopic({.name = "orders", .num_partitions = 1},
                      /*validate_only=*/false,
                      [&](Status status) { outcome = std::move(status); });
  cluster_.RunUntil([&] { return former.refused > 0; }, 1000);
  known_controller_ = kController;
  cluster_.RunUntil([&] { return outcome.has_value(); }, 1000);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_TRUE(outcome->ok()) << outcome->error();
  EXPECT_EQ(former.refused, 1);
  EXPECT_EQ(controller().states().size(), 1u);
}

// Topic configs are the controller's too: AlterTopicConfigs sends the
// changes on (IncrementalAlterConfigs), the controller applies and checks
// them, and keeps them for every broker; validate_only changes nothing.
TEST_F(ForwardingTopicAdminTest, AlterTopicConfigsGoesToTheController) {
  ASSERT_TRUE(Create({.name = "orders", .num_partitions = 1}).ok());
  auto alter = [&](std::vector<ConfigChange> changes, bool validate_only) {
    return Await([&](TopicAdmin::Done done) {
      admin().AlterTopicConfigs("orders", changes, validate_only,
                                std::move(done));
    });
  };
  EXPECT_TRUE(alter({{.name = "retention.ms", .value = "1000"}}, true).ok());
  EXPECT_TRUE(controller().topic_configs().at("orders").empty());
  EXPECT_TRUE(alter({{.name = "retention.ms", .value = "1000"}}, false).ok());
  EXPECT_EQ(controller().topic_configs().at("orders").at("retention.ms"),
            "1000");

  EXPECT_EQ(alter({{.name = "no.such.config"}}, false).error().code,
            ErrorCode::kInvalidConfig);
  EXPECT_EQ(
      alter({{.name = "retention.ms", .value = "soon"}}, false).error().code,
      ErrorCode::kInvalidConfig);
  EXPECT_TRUE(alter({{.name = "retention.ms",
                      .operation = ConfigChange::Operation::kDelete}},
                    false)
                  .ok());
  EXPECT_TRUE(controller().topic_configs().at("orders").empty());
}

// PartitionsDeleted reaches every listener (the group coordinator's).
TEST_F(ForwardingTopicAdminTest, PartitionsDeletedTellsTheListeners) {
  std::vector<TopicPartition> told;
  admin().AddPartitionsDeletedListener(
      [&](const std::vector<TopicPartition>& partitions) {
        told = partitions;
      });
  admin().PartitionsDeleted({{"orders", 0}, {"orders", 1}});
  EXPECT_EQ(told, (std::vector<TopicPartition>{{"orders", 0}, {"orders", 1}}));
}

}  // namespace
}  // namespace kafka
