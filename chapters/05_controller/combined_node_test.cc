// Combined nodes (process.roles=broker,controller): one node id and one
// listener serving both roles. Three of them are a whole cluster: their
// Raft clients are the voters, one of their controllers is active, and
// their brokers register with it (their own node's in-process).
#include <gtest/gtest.h>

#include <set>

#include "chapters/04_replication/replication_cluster.h"
#include "chapters/05_controller/kraft_broker.h"
#include "lib/protocol/api_versions.h"
#include "lib/protocol/metadata.h"
#include "lib/sim/cluster.h"

namespace kafka {
namespace {

const TopicPartition kOrders{"orders", 0};

QuorumVoters VotersOf(int nodes) {
  QuorumVoters voters;
  for (NodeId id = 1; id <= nodes; ++id) {
    voters[id] = Simulation::DefaultAddress(id);
  }
  return voters;
}

SimCluster::BrokerFactory CombinedNodes(int nodes) {
  return [nodes](NodeId id, const HostPort& address) {
    KRaftBrokerConfig broker;
    broker.broker.node_id = id;
    broker.broker.advertised_host = address.host;
    broker.broker.advertised_port = address.port;
    broker.broker.data_dir = "data";
    broker.groups.offsets_topic_num_partitions = 1;
    broker.groups.offsets_topic_replication_factor = int16_t(nodes);
    broker.raft.voters = VotersOf(nodes);
    broker.raft.data_dir = "metadata";
    ControllerServerConfig controller{.raft = broker.raft};
    return std::make_unique<KRaftBroker>(broker, controller);
  };
}

class CombinedNodeTest : public ::testing::Test {
 protected:
  explicit CombinedNodeTest(int nodes = 3)
      : cluster_(23, nodes, CombinedNodes(nodes)) {
    client_ = cluster_.AddIdleClient();
  }
  KRaftBroker& node(NodeId id) { return cluster_.sim().node<KRaftBroker>(id); }
  std::optional<NodeId> Active() {
    for (NodeId id : cluster_.brokers()) {
      if (cluster_.sim().is_up(id) && node(id).quorum_controller()->active()) {
        return id;
      }
    }
    return std::nullopt;
  }
  bool RunUntilUnfenced() {
    return cluster_.RunUntil(
        [&] {
          for (NodeId id : cluster_.brokers()) {
            if (cluster_.sim().is_up(id) && !node(id).is_unfenced()) {
              return false;
            }
          }
          return true;
        },
        30'000);
  }
  Status CreateOrders(NodeId via) {
    CreateTopicsRequest request{.topics = {{.name = "orders",
                                            .num_partitions = 1,
                                            .replication_factor = 3}},
                                .timeout_ms = 10'000};
    Result<CreateTopicsResponse> answer = cluster_.Call<CreateTopicsResponse>(
        client_, via, ApiKey::kCreateTopics, 7, request, 40'000);
    if (!answer.ok()) return answer.error();
    const auto& result = answer->topics.at(0);
    if (result.error_code == ErrorCode::kNone) return Status();
    return Error{result.error_code, result.error_message.value_or("")};
  }
  NodeId LeaderOfOrders(NodeId seen_by) {
    const auto state = node(seen_by).metadata().GetPartitionState(kOrders);
    return state ? state->leader : -1;
  }

  SimCluster cluster_;
  NodeId client_ = -1;
};

// The quorum elects one of the three; every broker half registers with
// its controller, is unfenced, and Metadata names all three brokers.
TEST_F(CombinedNodeTest, ThreeCombinedNodesAreACluster) {
  ASSERT_TRUE(cluster_.RunUntil([&] { return Active().has_value(); }, 10'000));
  ASSERT_TRUE(RunUntilUnfenced());
  const NodeId active = *Active();
  for (NodeId id : cluster_.brokers()) {
    EXPECT_EQ(node(id).raft().leader_and_epoch().leader, active);
  }
  // A broker hears of the others' unfencing through the metadata log, a
  // little after each of them hears of its own from its heartbeat.
  ASSERT_TRUE(cluster_.RunUntil(
      [&] { return node(1).metadata().AliveBrokers().size() == 3; }, 5'000));
  Result<MetadataResponse> metadata = cluster_.Call<MetadataResponse>(
      client_, 1, ApiKey::kMetadata, 12, MetadataRequest{});
  ASSERT_TRUE(metadata.ok()) << metadata.error();
  EXPECT_EQ(metadata->brokers.size(), 3u);
}

// One listener advertises both halves' APIs in ApiVersions: a client's
// (Produce, Fetch, CreateTopics) and the quorum's and the brokers' (Vote,
// BrokerRegistration, AlterPartition).
TEST_F(CombinedNodeTest, ApiVersionsAdvertisesBothRoles) {
  Result<ApiVersionsResponse> versions = cluster_.Call<ApiVersionsResponse>(
      client_, 2, ApiKey::kApiVersions, 3, ApiVersionsRequest{});
  ASSERT_TRUE(versions.ok()) << versions.error();
  std::set<int16_t> keys;
  for (const auto& api : versions->api_keys) keys.insert(api.api_key);
  for (ApiKey api : {ApiKey::kProduce, ApiKey::kFetch, ApiKey::kCreateTopics,
                     ApiKey::kVote, ApiKey::kBrokerRegistration,
                     ApiKey::kAlterPartition, ApiKey::kDescribeQuorum}) {
    EXPECT_TRUE(keys.contains(int16_t(api))) << "api " << int16_t(api);
  }
}

// A topic created through the active node itself (its broker half hands
// the request to its own controller half) and through another; records
// written to its leader reach every replica.
TEST_F(CombinedNodeTest, TopicsAreCreatedAndReplicated) {
  ASSERT_TRUE(cluster_.RunUntil([&] { return Active().has_value(); }, 10'000));
  ASSERT_TRUE(RunUntilUnfenced());
  ASSERT_TRUE(CreateOrders(*Active()).ok());
  ASSERT_TRUE(cluster_.RunUntil(
      [&] {
        for (NodeId id : cluster_.brokers()) {
          if (LeaderOfOrders(id) < 0) return false;
          const ReplicatedPartition* replica =
              node(id).replicas().GetPartition(kOrders);
          if (replica == nullptr) return false;
        }
        return true;
      },
      20'000));
  const NodeId leader = LeaderOfOrders(1);
  ASSERT_TRUE(cluster_.RunUntil(
      [&] {
        return node(leader).replicas().GetPartition(kOrders)->is_leader();
      },
      10'000));
  ASSERT_EQ(ProduceValues(cluster_, client_, leader, kOrders, {"a", "b"}),
            ErrorCode::kNone);
  ASSERT_TRUE(cluster_.RunUntil(
      [&] {
        for (NodeId id : cluster_.brokers()) {
          if (LogValues(*node(id).replicas().GetPartition(kOrders)) !=
              std::vector<std::string>{"a", "b"}) {
            return false;
          }
        }
        return true;
      },
      10'000));
}

// The active node crashes: the other two elect a controller among
// themselves, which fences the dead node's broker when its session ends
// and moves its leaderships to the survivors.
TEST_F(CombinedNodeTest, TheActiveNodeCrashesAndTheOthersCarryOn) {
  ASSERT_TRUE(cluster_.RunUntil([&] { return Active().has_value(); }, 10'000));
  ASSERT_TRUE(RunUntilUnfenced());
  ASSERT_TRUE(CreateOrders(1).ok());
  const NodeId dead = *Active();
  cluster_.Crash(dead);
  ASSERT_TRUE(cluster_.RunUntil(
      [&] {
        const std::optional<NodeId> active = Active();
        return active && *active != dead;
      },
      10'000));
  const NodeId survivor = *Active();
  ASSERT_TRUE(cluster_.RunUntil(
      [&] {
        const BrokerRegistration* registration =
            node(survivor).quorum_controller()->image().broker(dead);
        return registration != nullptr && registration->fenced;
      },
      20'000));
  ASSERT_TRUE(cluster_.RunUntil(
      [&] {
        const NodeId leader = LeaderOfOrders(survivor);
        return leader >= 0 && leader != dead;
      },
      5'000));
}

// Node 1 is combined and the quorum's only voter; brokers 2 and 3 are
// brokers only. Their observers' fetches of __cluster_metadata reach node
// 1's Raft layer, their registrations its controller half, and their
// other requests (a consumer's Fetch) its broker half.
TEST(MixedClusterTest, BrokersFollowACombinedNode) {
  const SimCluster::BrokerFactory combined = CombinedNodes(1);
  SimCluster cluster(29, 3, [combined](NodeId id, const HostPort& address) {
    std::unique_ptr<Node> node = combined(id, address);
    if (id == 1) return node;
    KRaftBrokerConfig broker = dynamic_cast<KRaftBroker&>(*node).config();
    broker.groups.offsets_topic_replication_factor = 1;
    return std::unique_ptr<Node>(std::make_unique<KRaftBroker>(broker));
  });
  ASSERT_TRUE(cluster.RunUntil(
      [&] {
        for (NodeId id : cluster.brokers()) {
          if (!cluster.sim().node<KRaftBroker>(id).is_unfenced()) return false;
        }
        return true;
      },
      30'000));
  const KRaftBroker& observer = cluster.sim().node<KRaftBroker>(2);
  EXPECT_EQ(observer.raft().leader_and_epoch().leader, 1);
  EXPECT_TRUE(observer.raft().config().observer());
  // The unfencing reaches the observer's image with its next fetch.
  EXPECT_TRUE(cluster.RunUntil(
      [&] { return observer.metadata().AliveBrokers().size() == 3; }, 2'000));
}

class SingleCombinedNodeTest : public CombinedNodeTest {
 protected:
  SingleCombinedNodeTest() : CombinedNodeTest(1) {}
};

// One combined node is a quorum of one and a cluster of one broker (the
// single-node //:broker): it leads, registers with itself, and serves.
TEST_F(SingleCombinedNodeTest, OneNodeIsAWholeCluster) {
  ASSERT_TRUE(cluster_.RunUntil([&] { return Active().has_value(); }, 10'000));
  ASSERT_TRUE(RunUntilUnfenced());
  CreateTopicsRequest request{.topics = {{.name = "orders",
                                          .num_partitions = 1,
                                          .replication_factor = 1}},
                              .timeout_ms = 10'000};
  Result<CreateTopicsResponse> created = cluster_.Call<CreateTopicsResponse>(
      client_, 1, ApiKey::kCreateTopics, 7, request, 20'000);
  ASSERT_TRUE(created.ok()) << created.error();
  EXPECT_EQ(created->topics.at(0).error_code, ErrorCode::kNone);
  ASSERT_TRUE(cluster_.RunUntil(
      [&] {
        const ReplicatedPartition* replica =
            node(1).replicas().GetPartition(kOrders);
        return replica != nullptr && replica->is_leader();
      },
      10'000));
  EXPECT_EQ(ProduceValues(cluster_, client_, 1, kOrders, {"x"}),
            ErrorCode::kNone);
  EXPECT_EQ(ValuesOf(FetchAsConsumer(cluster_, client_, 1, kOrders, 0).records),
            std::vector<std::string>{"x"});
}

}  // namespace
}  // namespace kafka
