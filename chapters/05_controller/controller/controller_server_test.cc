#include "chapters/05_controller/controller/controller_server.h"

#include <gtest/gtest.h>

#include "lib/sim/cluster.h"

namespace kafka {
namespace {

const std::vector<NodeId> kControllers = {3000, 3001, 3002};

// Three controller nodes on the simulator (the voters) and a client that
// plays a broker.
class ControllerServerTest : public ::testing::Test {
 protected:
  ControllerServerTest()
      : cluster_(7, 0, [](NodeId, const HostPort&) { return nullptr; }) {
    QuorumVoters voters;
    for (NodeId id : kControllers) voters[id] = Simulation::DefaultAddress(id);
    for (NodeId id : kControllers) {
      ControllerServerConfig config;
      config.raft.node_id = id;
      config.raft.voters = voters;
      config.raft.data_dir = "/metadata";
      config.raft.cluster_id = "cluster";
      cluster_.sim().AddNode(
          id, [config] { return std::make_unique<ControllerServer>(config); });
    }
    broker_ = cluster_.AddIdleClient();
  }

  ControllerServer& server(NodeId id) {
    return cluster_.sim().node<ControllerServer>(id);
  }
  std::optional<NodeId> Active() {
    for (NodeId id : kControllers) {
      if (cluster_.sim().is_up(id) && server(id).controller().active()) {
        return id;
      }
    }
    return std::nullopt;
  }
  NodeId RunUntilActive() {
    EXPECT_TRUE(cluster_.RunUntil(
        [&] {
          std::optional<NodeId> active = Active();
          return active &&
                 server(*active).controller().image().features().count(
                     std::string(kMetadataVersionFeature));
        },
        30'000));
    return Active().value_or(-1);
  }

  Result<BrokerRegistrationResponse> Register(NodeId controller) {
    BrokerRegistrationRequest request{
        .broker_id = 1,
        .cluster_id = "cluster",
        .incarnation_id = Uuid(std::array<uint8_t, 16>{1}),
        .listeners = {{"PLAINTEXT", "node-1", 9092, 0}}};
    return cluster_.Call<BrokerRegistrationResponse>(
        broker_, controller, ApiKey::kBrokerRegistration, 1, request);
  }

  SimCluster cluster_;
  NodeId broker_ = -1;
};

TEST_F(ControllerServerTest, ServesTheRaftAndTheControllerApis) {
  const ApiSet served = server(kControllers[0]).ServedApis();
  for (ApiKey api : {ApiKey::kApiVersions, ApiKey::kVote, ApiKey::kFetch,
                     ApiKey::kBrokerRegistration, ApiKey::kBrokerHeartbeat,
                     ApiKey::kCreateTopics, ApiKey::kElectLeaders}) {
    EXPECT_NE(std::find(served.begin(), served.end(), api), served.end())
        << int(api);
  }
}

TEST_F(ControllerServerTest, TheActiveControllerRegistersAndAFailoverKeepsIt) {
  const NodeId active = RunUntilActive();
  for (NodeId id : kControllers) {
    if (id == active) continue;
    Result<BrokerRegistrationResponse> refused = Register(id);
    ASSERT_TRUE(refused.ok()) << refused.error();
    EXPECT_EQ(refused->error_code, ErrorCode::kNotController);
  }
  Result<BrokerRegistrationResponse> registered = Register(active);
  ASSERT_TRUE(registered.ok()) << registered.error();
  ASSERT_EQ(registered->error_code, ErrorCode::kNone);

  cluster_.Crash(active);
  const NodeId next = RunUntilActive();
  ASSERT_NE(next, active);
  // The new active controller replayed the registration: the broker's
  // heartbeat on its epoch is answered, and unfences it.
  Result<BrokerHeartbeatResponse> heartbeat =
      cluster_.Call<BrokerHeartbeatResponse>(
          broker_, next, ApiKey::kBrokerHeartbeat, 0,
          BrokerHeartbeatRequest{
              .broker_id = 1,
              .broker_epoch = registered->broker_epoch,
              .current_metadata_offset = registered->broker_epoch});
  ASSERT_TRUE(heartbeat.ok()) << heartbeat.error();
  EXPECT_EQ(heartbeat->error_code, ErrorCode::kNone);
  EXPECT_FALSE(heartbeat->is_fenced);
}

}  // namespace
}  // namespace kafka
