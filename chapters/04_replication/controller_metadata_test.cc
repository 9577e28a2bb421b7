#include "chapters/04_replication/controller_metadata.h"

#include <gtest/gtest.h>

#include "lib/protocol/message.h"
#include "lib/sim/cluster.h"

namespace kafka {
namespace {

const Uuid kOrdersId(std::array<uint8_t, 16>{1, 2, 3});
const Uuid kPaymentsId(std::array<uint8_t, 16>{4, 5, 6});

std::vector<BrokerEndpoint> ThreeBrokers() {
  return {{1, "node-1", 9092, "rack-a"},
          {2, "node-2", 9092, std::nullopt},
          {3, "node-3", 9092, "rack-b"}};
}

std::vector<PartitionState> TwoTopics() {
  return {
      {{"orders", 0}, kOrdersId, {1, 2, 3}, {1, 2}, 1, 4, 7},
      {{"orders", 1}, kOrdersId, {2, 3, 1}, {2, 3, 1}, 2, 0, 0},
      {{"payments", 0}, kPaymentsId, {3, 1}, {3}, 3, 2, 5},
  };
}

const TopicConfigsByTopic kOrdersConfigs = {
    {"orders", {{"min.insync.replicas", "2"}, {"retention.ms", "1000"}}}};

// The bytes a broker receives, decoded as it decodes them.
UpdateMetadataRequest OverTheWire(const UpdateMetadataRequest& update) {
  Bytes body =
      EncodeMessage(update, ApiKey::kUpdateMetadata, kUpdateMetadataVersion);
  return DecodeMessage<UpdateMetadataRequest>(body, ApiKey::kUpdateMetadata,
                                              kUpdateMetadataVersion, 0,
                                              "UpdateMetadataRequest")
      .value();
}

// The controller's view of the cluster crosses the wire unchanged: every
// partition's replicas, ISR, leader and both epochs (the partition epoch
// travels as ZooKeeper's zk_version), and every broker's address and rack.
TEST(UpdateMetadataTest, CarriesEveryPartitionStateAndBrokerAcrossTheWire) {
  const UpdateMetadataRequest received =
      OverTheWire(UpdateMetadataOf(3000, 1, ThreeBrokers(), TwoTopics(), {}));
  EXPECT_EQ(received.controller_id, 3000);
  EXPECT_EQ(PartitionStatesOf(received), TwoTopics());
  const std::vector<BrokerEndpoint> brokers = BrokersOf(received);
  ASSERT_EQ(brokers.size(), 3u);
  EXPECT_EQ(brokers[0].host, "node-1");
  EXPECT_EQ(brokers[0].rack, "rack-a");
  EXPECT_EQ(brokers[1].rack, std::nullopt);
  ASSERT_EQ(received.topic_states.size(), 2u);  // grouped by topic
  EXPECT_EQ(received.topic_states[0].partition_states.size(), 2u);
}

// Topic configs travel in the topic's tagged field (the stand-in's own, as
// the static controller has no metadata log): the brokers create and
// configure the logs with them. A topic without configs set has an empty
// entry, so a config deleted on the controller is deleted on the brokers.
TEST(UpdateMetadataTest, CarriesEveryTopicsConfigs) {
  const UpdateMetadataRequest received = OverTheWire(
      UpdateMetadataOf(3000, 1, ThreeBrokers(), TwoTopics(), kOrdersConfigs));
  const TopicConfigsByTopic expected = {{"orders", kOrdersConfigs.at("orders")},
                                        {"payments", {}}};
  EXPECT_EQ(TopicConfigsOf(received), expected);
}

// A replica on a broker that is not live is reported offline, as Kafka's
// controller lists it in OfflineReplicas.
TEST(UpdateMetadataTest, ReplicasOnBrokersNotLiveAreOffline) {
  std::vector<BrokerEndpoint> live = ThreeBrokers();
  live.erase(live.begin() + 1);  // broker 2 is down
  const UpdateMetadataRequest update =
      UpdateMetadataOf(3000, 1, live, TwoTopics(), {});
  EXPECT_EQ(update.topic_states[0].partition_states[0].offline_replicas,
            std::vector<int32_t>{2});
  EXPECT_EQ(update.topic_states[1].partition_states[0].offline_replicas,
            std::vector<int32_t>{});
}

// Metadata is answered from the cache: leaders, replicas, ISR and leader
// epochs as the controller decided them, on whichever broker is asked.
TEST(ControllerMetadataCacheTest, AnswersWhatTheControllerDecided) {
  ControllerMetadataCache cache("cluster");
  cache.Update(ThreeBrokers(), TwoTopics());
  EXPECT_EQ(cache.TopicNames(),
            (std::vector<std::string>{"orders", "payments"}));
  EXPECT_EQ(cache.TopicId("payments"), kPaymentsId);
  std::optional<PartitionMetadata> p0 = cache.GetPartition({"orders", 0});
  ASSERT_TRUE(p0.has_value());
  EXPECT_EQ(p0->leader, 1);
  EXPECT_EQ(p0->leader_epoch, 4);
  EXPECT_EQ(p0->replicas, (std::vector<NodeId>{1, 2, 3}));
  EXPECT_EQ(p0->isr, (std::vector<NodeId>{1, 2}));
  EXPECT_EQ(cache.GetPartitionState({"payments", 0})->partition_epoch, 5);
  EXPECT_EQ(cache.GetBroker(3)->rack, "rack-b");
  EXPECT_EQ(cache.AliveBrokers().size(), 3u);
}

// Each UpdateMetadata is the whole cluster: a topic it no longer names was
// deleted, and a broker it no longer lists is down.
TEST(ControllerMetadataCacheTest, ASnapshotWithoutATopicOrBrokerDropsIt) {
  ControllerMetadataCache cache("cluster");
  cache.Update(ThreeBrokers(), TwoTopics());
  std::vector<PartitionState> without_payments = TwoTopics();
  without_payments.pop_back();
  cache.Update({ThreeBrokers()[1], ThreeBrokers()[2]}, without_payments);
  EXPECT_EQ(cache.TopicNames(), std::vector<std::string>{"orders"});
  EXPECT_FALSE(cache.TopicPartitions("payments").has_value());
  EXPECT_FALSE(cache.GetBroker(1).has_value());
}

// Clients cannot reach the static controller, so Metadata names a live
// broker as the controller (the lowest), which forwards admin requests.
TEST(ControllerMetadataCacheTest, TheControllerClientsSeeIsALiveBroker) {
  ControllerMetadataCache cache("cluster");
  EXPECT_EQ(cache.controller_id(), -1);
  cache.Update({ThreeBrokers()[1], ThreeBrokers()[2]}, {});
  EXPECT_EQ(cache.controller_id(), 2);
}

// A broker stand-in that serves UpdateMetadata with the listener, and
// records what the listener hands to the "ReplicaManager".
class ListeningBroker : public ServingNode {
 public:
  void Start(Environment& env) override {
    listener_ = std::make_unique<ControllerMetadataListener>(
        env, cache_,
        [this](const MetadataUpdate& update) { applied_.push_back(update); });
    listener_->RegisterWith(handlers());
  }
  const ControllerMetadataCache& cache() const { return cache_; }
  const std::vector<MetadataUpdate>& applied() const { return applied_; }

 private:
  ControllerMetadataCache cache_{"cluster"};
  std::unique_ptr<ControllerMetadataListener> listener_;
  std::vector<MetadataUpdate> applied_;
};

// The listener answers UpdateMetadata, fills the cache and hands every
// partition's state to the ReplicaManager, once per message.
TEST(ControllerMetadataListenerTest, FillsTheCacheAndHandsOnEveryState) {
  SimCluster cluster(7, 1, [](NodeId, const HostPort&) {
    return std::make_unique<ListeningBroker>();
  });
  const NodeId controller = cluster.AddIdleClient();
  Result<UpdateMetadataResponse> answer = cluster.Call<UpdateMetadataResponse>(
      controller, 1, ApiKey::kUpdateMetadata, kUpdateMetadataVersion,
      UpdateMetadataOf(3000, 1, ThreeBrokers(), TwoTopics(), kOrdersConfigs));
  ASSERT_TRUE(answer.ok()) << answer.error();
  EXPECT_EQ(answer->error_code, ErrorCode::kNone);
  const auto& broker = cluster.sim().node<ListeningBroker>(1);
  ASSERT_EQ(broker.applied().size(), 1u);
  EXPECT_EQ(broker.applied()[0].states, TwoTopics());
  EXPECT_EQ(broker.applied()[0].topic_configs.at("orders"),
            kOrdersConfigs.at("orders"));
  EXPECT_TRUE(broker.applied()[0].deleted_partitions.empty());
  EXPECT_EQ(broker.cache().GetPartition({"orders", 1})->leader, 2);
}

// A topic in one update and not in the next was deleted: its partitions are
// handed on as deleted, so that the group coordinator forgets their
// committed offsets on every broker, not only those that held replicas.
TEST(ControllerMetadataListenerTest, ATopicMissingFromTheNextUpdateIsDeleted) {
  SimCluster cluster(7, 1, [](NodeId, const HostPort&) {
    return std::make_unique<ListeningBroker>();
  });
  const NodeId controller = cluster.AddIdleClient();
  std::vector<PartitionState> without_orders = TwoTopics();
  without_orders.erase(without_orders.begin(), without_orders.begin() + 2);
  for (const auto& states : {TwoTopics(), without_orders}) {
    ASSERT_TRUE(cluster
                    .Call<UpdateMetadataResponse>(
                        controller, 1, ApiKey::kUpdateMetadata,
                        kUpdateMetadataVersion,
                        UpdateMetadataOf(3000, 1, ThreeBrokers(), states, {}))
                    .ok());
  }
  const auto& broker = cluster.sim().node<ListeningBroker>(1);
  ASSERT_EQ(broker.applied().size(), 2u);
  EXPECT_EQ(broker.applied()[1].deleted_partitions,
            (std::vector<TopicPartition>{{"orders", 0}, {"orders", 1}}));
}

}  // namespace
}  // namespace kafka
