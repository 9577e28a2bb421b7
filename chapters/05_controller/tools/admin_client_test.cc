// The tools' client in the simulator, against brokers that serve Metadata
// only: it asks ApiVersions first (of the first bootstrap server that is
// up), then sends what the tool asks and hands over the answer; an API the
// broker does not serve, or no broker up, ends the tool with exit code 1
// instead of a hang or a closed connection.
#include "chapters/05_controller/tools/admin_client.h"

#include <gtest/gtest.h>

#include "lib/node/request_handlers.h"
#include "lib/protocol/elect_leaders.h"
#include "lib/protocol/metadata.h"
#include "lib/sim/simulation.h"

namespace kafka {
namespace {

constexpr NodeId kBroker = 1;
constexpr NodeId kOtherBroker = 2;

// Answers Metadata with one broker and counts every request it gets.
class MetadataOnlyBroker : public ServingNode {
 public:
  void Start(Environment&) override {
    handlers().Register(
        ApiKey::kMetadata, [this](const Request& request, Responder respond) {
          ++metadata_requests;
          MetadataResponse response;
          response.brokers.push_back({.node_id = kBroker, .host = "node-1"});
          respond(EncodeResponseBody(response, request.header));
          return Status();
        });
  }
  int metadata_requests = 0;
};

class AdminClientTest : public ::testing::Test {
 protected:
  AdminClientTest() : sim_(7) {
    for (NodeId id : {kBroker, kOtherBroker}) {
      sim_.AddNode(id, [] { return std::make_unique<MetadataOnlyBroker>(); });
    }
  }

  std::string Address(NodeId id) {
    const HostPort address = sim_.address(id);
    return address.host + ":" + std::to_string(address.port);
  }

  // Runs a client whose first step is `step` until it finishes; its
  // --bootstrap-server is `servers`, by default the one broker.
  AdminClient& RunClient(std::function<void(AdminClient&)> step,
                         std::vector<NodeId> servers = {kBroker}) {
    std::vector<std::string> bootstrap;
    for (NodeId id : servers) bootstrap.push_back(Address(id));
    const NodeId id = sim_.AddClient([bootstrap, step] {
      return std::make_unique<AdminClient>(bootstrap, "test-tool", step);
    });
    AdminClient& client = sim_.node<AdminClient>(id);
    EXPECT_TRUE(sim_.RunUntil([&] { return client.done(); }, 120'000));
    return client;
  }

  Simulation sim_;
};

// Rule: a served API is sent and its decoded answer handed to the tool.
TEST_F(AdminClientTest, AnswersReachTheTool) {
  std::optional<MetadataResponse> answer;
  AdminClient& client = RunClient([&](AdminClient& c) {
    c.Call<MetadataRequest, MetadataResponse>(
        ApiKey::kMetadata, 12, MetadataRequest{},
        [&answer, client = &c](MetadataResponse r) {
          answer = r;
          client->Finish(0);
        });
  });
  EXPECT_EQ(client.exit_code(), 0);
  ASSERT_TRUE(answer.has_value());
  EXPECT_EQ(answer->brokers.at(0).node_id, kBroker);
}

// Rule: an API the broker did not advertise is not sent: the tool ends with
// exit code 1 (UNSUPPORTED_VERSION), the broker's connection stays open.
TEST_F(AdminClientTest, UnservedApiFailsWithoutSending) {
  bool answered = false;
  AdminClient& client = RunClient([&](AdminClient& c) {
    c.Call<ElectLeadersRequest, ElectLeadersResponse>(
        ApiKey::kElectLeaders, 2, ElectLeadersRequest{},
        [&](ElectLeadersResponse) { answered = true; });
  });
  EXPECT_EQ(client.exit_code(), 1);
  EXPECT_FALSE(answered);
}

// Rule: a broker that is down ends the tool with exit code 1.
TEST_F(AdminClientTest, BrokerDownFails) {
  sim_.Crash(kBroker);
  AdminClient& client = RunClient([](AdminClient& c) { c.Finish(0); });
  EXPECT_EQ(client.exit_code(), 1);
}

// Rule: a bootstrap server that is down is passed over for the next one.
TEST_F(AdminClientTest, NextBootstrapServerIfOneIsDown) {
  sim_.Crash(kBroker);
  AdminClient& client = RunClient(
      [](AdminClient& c) {
        c.Call<MetadataRequest, MetadataResponse>(
            ApiKey::kMetadata, 12, MetadataRequest{},
            [client = &c](MetadataResponse) { client->Finish(0); });
      },
      {kBroker, kOtherBroker});
  EXPECT_EQ(client.exit_code(), 0);
  EXPECT_EQ(sim_.node<MetadataOnlyBroker>(kOtherBroker).metadata_requests, 1);
}

// Rule: --bootstrap-server takes comma-separated host:port addresses.
TEST(ParseBootstrapServersTest, CommaSeparated) {
  EXPECT_EQ(*ParseBootstrapServers("a:9092,127.0.0.1:9093"),
            (std::vector<std::string>{"a:9092", "127.0.0.1:9093"}));
  EXPECT_FALSE(ParseBootstrapServers("a:9092,").ok());
  EXPECT_FALSE(ParseBootstrapServers("nohost").ok());
}

}  // namespace
}  // namespace kafka
