#include "chapters/05_controller/tools/topic_command.h"

#include <gtest/gtest.h>

namespace kafka {
namespace {

MetadataResponse::Partition Partition(int32_t index, int32_t leader,
                                      std::vector<int32_t> replicas,
                                      std::vector<int32_t> isr) {
  return {.partition_index = index,
          .leader_id = leader,
          .replica_nodes = std::move(replicas),
          .isr_nodes = std::move(isr)};
}

// Two topics on brokers 1-3: orders with partition 1 down to one in-sync
// replica, partition 2 leaderless; views fully in sync. Partitions come out
// of order, as a broker may list them.
MetadataResponse Cluster() {
  MetadataResponse metadata;
  metadata.brokers = {{.node_id = 1}, {.node_id = 2}, {.node_id = 3}};
  metadata.topics.push_back(
      {.name = "views",
       .topic_id = *Uuid::Parse("oKRvjEjRS5y5PIBr0nMvsQ"),
       .partitions = {Partition(0, 2, {2, 3, 1}, {2, 3, 1})}});
  metadata.topics.push_back(
      {.name = "orders",
       .topic_id = *Uuid::Parse("xuHCpN39RNqJJfz3_lrzeA"),
       .partitions = {Partition(1, 3, {3, 1, 2}, {3}),
                      Partition(0, 1, {1, 2, 3}, {1, 2, 3}),
                      Partition(2, -1, {2, 3, 1}, {})}});
  metadata.topics.push_back({.name = "__consumer_offsets",
                             .is_internal = true,
                             .partitions = {Partition(0, 1, {1}, {1})}});
  return metadata;
}

DescribeConfigsResponse::Config Config(std::string name, std::string value,
                                       int8_t source) {
  return {.name = std::move(name),
          .value = std::move(value),
          .config_source = source};
}

std::map<std::string, TopicConfigs> Configs() {
  return {{"orders",
           {Config("min.insync.replicas", "2", kDynamicTopicConfig),
            Config("retention.ms", "604800000", kDefaultConfig),
            Config("segment.bytes", "1048576", kStaticBrokerConfig)}},
          {"views", {Config("min.insync.replicas", "1", kDefaultConfig)}}};
}

const std::set<int32_t> kLiveBrokers = {1, 2, 3};

std::string Describe(const std::vector<std::string>& topics,
                     DescribeOptions options = {}) {
  return DescribeTopics(Cluster(), topics, Configs(), kLiveBrokers, options);
}

// Rule: --describe prints Kafka's topic line (id, partition count, the
// replication factor, the configs that are not defaults) and a line per
// partition in partition order, with Replicas in assignment order (the
// preferred leader first) and "none" for a partition without a leader.
TEST(TopicCommandTest, DescribePrintsKafkasLines) {
  EXPECT_EQ(Describe({"orders"}),
            "Topic: orders\tTopicId: xuHCpN39RNqJJfz3_lrzeA\tPartitionCount: "
            "3\tReplicationFactor: 3\tConfigs: "
            "min.insync.replicas=2,segment.bytes=1048576\n"
            "\tTopic: orders\tPartition: 0\tLeader: 1\tReplicas: 1,2,3\tIsr: "
            "1,2,3\n"
            "\tTopic: orders\tPartition: 1\tLeader: 3\tReplicas: 3,1,2\tIsr: "
            "3\n"
            "\tTopic: orders\tPartition: 2\tLeader: none\tReplicas: "
            "2,3,1\tIsr: \n");
}

// Rule: a topic without an id (Metadata before v10) has no TopicId field.
TEST(TopicCommandTest, NoTopicIdNoField) {
  MetadataResponse metadata = Cluster();
  metadata.topics[0].topic_id = Uuid();
  EXPECT_EQ(DescribeTopics(metadata, {"views"}, Configs(), kLiveBrokers, {}),
            "Topic: views\tPartitionCount: 1\tReplicationFactor: 3\tConfigs: \n"
            "\tTopic: views\tPartition: 0\tLeader: 2\tReplicas: 2,3,1\tIsr: "
            "2,3,1\n");
}

// Rule: --under-replicated-partitions prints only partitions whose ISR is
// smaller than their replicas, and no topic lines.
TEST(TopicCommandTest, UnderReplicatedPartitionsOnly) {
  EXPECT_EQ(
      Describe({"orders", "views"}, {.under_replicated_partitions = true}),
      "\tTopic: orders\tPartition: 1\tLeader: 3\tReplicas: 3,1,2\tIsr: "
      "3\n"
      "\tTopic: orders\tPartition: 2\tLeader: none\tReplicas: "
      "2,3,1\tIsr: \n");
}

// Rule: --under-min-isr-partitions compares the ISR with the topic's own
// min.insync.replicas (from DescribeConfigs), and counts a leaderless
// partition as under it.
TEST(TopicCommandTest, UnderMinIsrUsesEachTopicsMinimum) {
  MetadataResponse metadata = Cluster();
  metadata.topics[0].partitions[0].isr_nodes = {2};  // views: 1 of min 1
  EXPECT_EQ(DescribeTopics(metadata, {"orders", "views"}, Configs(),
                           kLiveBrokers, {.under_min_isr_partitions = true}),
            "\tTopic: orders\tPartition: 1\tLeader: 3\tReplicas: 3,1,2\tIsr: "
            "3\n"
            "\tTopic: orders\tPartition: 2\tLeader: none\tReplicas: "
            "2,3,1\tIsr: \n");
  EXPECT_EQ(DescribeTopics(metadata, {"orders", "views"}, Configs(),
                           kLiveBrokers, {.at_min_isr_partitions = true}),
            "\tTopic: views\tPartition: 0\tLeader: 2\tReplicas: 2,3,1\tIsr: "
            "2\n");
}

// Rule: --unavailable-partitions: no leader, or a leader that is not live.
TEST(TopicCommandTest, UnavailablePartitions) {
  EXPECT_EQ(DescribeTopics(Cluster(), {"orders"}, Configs(), {1, 2},
                           {.unavailable_partitions = true}),
            "\tTopic: orders\tPartition: 1\tLeader: 3\tReplicas: 3,1,2\tIsr: "
            "3\n"
            "\tTopic: orders\tPartition: 2\tLeader: none\tReplicas: "
            "2,3,1\tIsr: \n");
}

// Rule: --topics-with-overrides prints the topic lines of topics with a
// config that is not a default, and no partitions.
TEST(TopicCommandTest, TopicsWithOverrides) {
  EXPECT_EQ(Describe({"orders", "views"}, {.topics_with_overrides = true}),
            "Topic: orders\tTopicId: xuHCpN39RNqJJfz3_lrzeA\tPartitionCount: "
            "3\tReplicationFactor: 3\tConfigs: "
            "min.insync.replicas=2,segment.bytes=1048576\n");
}

// Rule: --topic is a regular expression matched against whole names, a comma
// meaning "or"; the names come sorted; internal topics are in unless
// --exclude-internal.
TEST(TopicCommandTest, SelectTopics) {
  using Names = std::vector<std::string>;
  EXPECT_EQ(*SelectTopics(Cluster(), std::nullopt, false),
            (Names{"__consumer_offsets", "orders", "views"}));
  EXPECT_EQ(*SelectTopics(Cluster(), std::nullopt, true),
            (Names{"orders", "views"}));
  EXPECT_EQ(*SelectTopics(Cluster(), "view", false), Names{});
  EXPECT_EQ(*SelectTopics(Cluster(), "v.*", false), Names{"views"});
  EXPECT_EQ(*SelectTopics(Cluster(), "views,orders", false),
            (Names{"orders", "views"}));
  EXPECT_FALSE(SelectTopics(Cluster(), "(", false).ok());
}

// Rule: --list prints a name a line, and a blank line for no topics.
TEST(TopicCommandTest, ListTopics) {
  EXPECT_EQ(ListTopics({"orders", "views"}), "orders\nviews\n");
  EXPECT_EQ(ListTopics({}), "\n");
}

// Rule: --config is name=value, spaces around '=' trimmed; anything else is
// Kafka's "key=val" error.
TEST(TopicCommandTest, ParseTopicConfigs) {
  auto parsed = ParseTopicConfigs({"retention.ms=1000",
                                   "cleanup.policy = "
                                   "compact"});
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ((*parsed)[1].name, "cleanup.policy");
  EXPECT_EQ((*parsed)[1].value, "compact");
  for (const std::string bad : {"retention.ms", "=1", "a=b=c"}) {
    auto refused = ParseTopicConfigs({bad});
    ASSERT_FALSE(refused.ok()) << bad;
    EXPECT_EQ(refused.error().message,
              "requirement failed: Invalid topic config: all configs to be "
              "added must be in the format \"key=val\".");
  }
}

// Rule: a failed request prints the broker's message, or Kafka's default
// text for the code when the broker sent none.
TEST(TopicCommandTest, ErrorsAsKafkaPrintsThem) {
  EXPECT_EQ(TopicCommandError(ErrorCode::kTopicAlreadyExists,
                              "Topic 'views' already exists."),
            "Error while executing topic command : Topic 'views' already "
            "exists.");
  EXPECT_EQ(
      TopicCommandError(ErrorCode::kInvalidReplicationFactor, std::nullopt),
      "Error while executing topic command : Replication factor is "
      "below 1 or larger than the number of available brokers.");
  EXPECT_EQ(TopicDoesNotExist("nope"),
            "Topic 'nope' does not exist as expected");
  EXPECT_EQ(CollisionWarning("views"), "");
  EXPECT_NE(CollisionWarning("page.views"), "");
}

}  // namespace
}  // namespace kafka
