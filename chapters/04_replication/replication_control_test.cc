#include "chapters/04_replication/replication_control.h"

#include <gtest/gtest.h>

namespace kafka {
namespace {

// Brokers 1, 2 and 3 registered; 3 fenced (or shutting down).
const ClusterBrokers kBrokers{.registered = {1, 2, 3}, .active = {1, 2}};

// orders-0 on 1, 2, 3: leader 1 in leader epoch 4, partition epoch 7.
PartitionState Orders0(std::vector<NodeId> isr) {
  return {.partition = {"orders", 0},
          .replicas = {1, 2, 3},
          .isr = std::move(isr),
          .leader = 1,
          .leader_epoch = 4,
          .partition_epoch = 7};
}

// The AlterPartition version a leader sends.
constexpr int16_t kVersion = 3;

// What the leader, broker 1, proposes for orders-0 on the current epochs.
AlterPartitionRequest::Partition Proposal(std::vector<NodeId> isr,
                                          int8_t recovery_state) {
  return {.partition_index = 0,
          .leader_epoch = 4,
          .new_isr = std::move(isr),
          .leader_recovery_state = recovery_state,
          .partition_epoch = 7};
}

// ---- AlterPartition and the leader recovery state (KIP-704) ----------------

// A leader elected uncleanly is RECOVERING: it may say so again with the ISR
// still itself alone, but may not take followers in until it says
// RECOVERED, which it may do with them at once.
TEST(CheckAlterPartitionTest, ARecoveringLeaderKeepsTheIsrToItself) {
  const PartitionState unclean = Orders0({1});
  EXPECT_EQ(
      CheckAlterPartition(unclean, kLeaderRecovering, 1,
                          Proposal({1}, kLeaderRecovering), kBrokers, kVersion),
      ErrorCode::kNone);
  EXPECT_EQ(CheckAlterPartition(unclean, kLeaderRecovering, 1,
                                Proposal({1, 2}, kLeaderRecovering), kBrokers,
                                kVersion),
            ErrorCode::kInvalidRequest);
  EXPECT_EQ(
      CheckAlterPartition(unclean, kLeaderRecovering, 1,
                          Proposal({1}, kLeaderRecovered), kBrokers, kVersion),
      ErrorCode::kNone);
  EXPECT_EQ(CheckAlterPartition(unclean, kLeaderRecovering, 1,
                                Proposal({1, 2}, kLeaderRecovered), kBrokers,
                                kVersion),
            ErrorCode::kNone);
}

// Once RECOVERED, a partition never goes back to RECOVERING; and a state
// that is neither is a bad request, not a crash.
TEST(CheckAlterPartitionTest, ARecoveredPartitionStaysRecovered) {
  const PartitionState clean = Orders0({1, 2});
  EXPECT_EQ(
      CheckAlterPartition(clean, kLeaderRecovered, 1,
                          Proposal({1}, kLeaderRecovering), kBrokers, kVersion),
      ErrorCode::kInvalidRequest);
  EXPECT_EQ(
      CheckAlterPartition(clean, kLeaderRecovered, 1,
                          Proposal({1}, kLeaderRecovered), kBrokers, kVersion),
      ErrorCode::kNone);
  EXPECT_EQ(CheckAlterPartition(clean, kLeaderRecovered, 1,
                                Proposal({1}, /*recovery_state=*/2), kBrokers,
                                kVersion),
            ErrorCode::kInvalidRequest);
}

// A broker that is not active may not join the ISR: OPERATION_NOT_ATTEMPTED
// to versions 0 and 1, INELIGIBLE_REPLICA from 2 (KIP-841).
TEST(CheckAlterPartitionTest, OnlyActiveBrokersJoinTheIsr) {
  EXPECT_EQ(CheckAlterPartition(Orders0({1, 2}), kLeaderRecovered, 1,
                                Proposal({1, 2, 3}, kLeaderRecovered), kBrokers,
                                /*version=*/1),
            ErrorCode::kOperationNotAttempted);
  EXPECT_EQ(CheckAlterPartition(Orders0({1, 2}), kLeaderRecovered, 1,
                                Proposal({1, 2, 3}, kLeaderRecovered), kBrokers,
                                /*version=*/2),
            ErrorCode::kIneligibleReplica);
}

// KIP-903: from version 3 each member comes with the broker epoch the
// leader saw it fetch with. Broker 2 registered again (epoch 30) after the
// fetch the leader judged it by (epoch 12): that member is ineligible; its
// current epoch, or -1 (not known, not checked), is not.
TEST(CheckAlterPartitionTest, AMemberOfAnEarlierIncarnationIsIneligible) {
  ClusterBrokers brokers = kBrokers;
  brokers.epochs = {{1, 10}, {2, 30}};
  auto with_epochs = [](int64_t epoch_of_2) {
    AlterPartitionRequest::Partition proposal = Proposal({}, kLeaderRecovered);
    proposal.new_isr_with_epochs = {{1, 10}, {2, epoch_of_2}};
    return proposal;
  };
  const PartitionState current = Orders0({1});
  EXPECT_EQ(CheckAlterPartition(current, kLeaderRecovered, 1, with_epochs(12),
                                brokers, kVersion),
            ErrorCode::kIneligibleReplica);
  EXPECT_EQ(CheckAlterPartition(current, kLeaderRecovered, 1, with_epochs(30),
                                brokers, kVersion),
            ErrorCode::kNone);
  EXPECT_EQ(CheckAlterPartition(current, kLeaderRecovered, 1, with_epochs(-1),
                                brokers, kVersion),
            ErrorCode::kNone);
}

// ---- Assignments
// -------------------------------------------------------------

TEST(CheckAssignmentTest, KafkasRules) {
  EXPECT_TRUE(CheckAssignment({{1, 2}, {2, 3}}, kBrokers).ok());
  auto code = [](const ReplicaAssignment& replicas) {
    return CheckAssignment(replicas, kBrokers).error().code;
  };
  // Not one size; none; a broker twice; an unknown broker; none active.
  EXPECT_EQ(code({{1, 2}, {2}}), ErrorCode::kInvalidReplicaAssignment);
  EXPECT_EQ(code({{}}), ErrorCode::kInvalidReplicaAssignment);
  EXPECT_EQ(code({{1, 1}}), ErrorCode::kInvalidReplicaAssignment);
  EXPECT_EQ(code({{1, 4}}), ErrorCode::kInvalidReplicaAssignment);
  EXPECT_EQ(code({{3}}), ErrorCode::kInvalidReplicaAssignment);
}

// A new partition's ISR is its active replicas; the first leads.
TEST(InitialIsrTest, TheActiveReplicasInOrder) {
  EXPECT_EQ(InitialIsr({3, 2, 1}, kBrokers), (std::vector<NodeId>{2, 1}));
}

// Growing a topic places the new partitions on the active brokers, from
// where partition 0's leader stands, with partition 0's replication factor.
TEST(PlacePartitionsTest, GrowsWithPartitionZerosFactor) {
  Result<ReplicaAssignment> placed =
      PlacePartitions({.name = "orders", .count = 3}, 1, {2, 1}, kBrokers);
  ASSERT_TRUE(placed.ok());
  EXPECT_EQ(*placed, (ReplicaAssignment{{1, 2}, {2, 1}}));
  EXPECT_EQ(PlacePartitions({.name = "orders", .count = 1}, 1, {2, 1}, kBrokers)
                .error()
                .code,
            ErrorCode::kInvalidPartitions);
  // Three replicas, but two active brokers.
  EXPECT_EQ(
      PlacePartitions({.name = "orders", .count = 2}, 1, {1, 2, 3}, kBrokers)
          .error()
          .code,
      ErrorCode::kInvalidReplicationFactor);
}

// ---- New topics
// --------------------------------------------------------------

TEST(CheckNewTopicTest, RefusalsInKafkasOrder) {
  std::mt19937_64 random(42);
  const NewTopicDefaults defaults{.num_partitions = 2,
                                  .default_replication_factor = 2};
  const CreateTopicsRequest request{
      .topics = {{.name = "orders"}, {.name = "twice"}, {.name = "twice"}}};
  auto check = [&](const CreateTopicsRequest::Topic& topic, bool exists) {
    return CheckNewTopic(request, topic, exists, kBrokers, defaults, random);
  };
  Result<ReplicaAssignment> placed = check(request.topics[0], false);
  ASSERT_TRUE(placed.ok());
  EXPECT_EQ(placed->size(), 2u);
  EXPECT_EQ(check(request.topics[1], false).error().code,
            ErrorCode::kInvalidRequest);
  EXPECT_EQ(check(request.topics[0], true).error().code,
            ErrorCode::kTopicAlreadyExists);
  EXPECT_EQ(check({.name = "a/b"}, false).error().code,
            ErrorCode::kInvalidTopicException);
  EXPECT_EQ(
      check({.name = "orders", .replication_factor = 3}, false).error().code,
      ErrorCode::kInvalidReplicationFactor);
  EXPECT_EQ(check({.name = "orders",
                   .configs = {{"unclean.leader.election.enable", "yes"}}},
                  false)
                .error()
                .code,
            ErrorCode::kInvalidConfig);
}

// ---- Configs
// -----------------------------------------------------------------

// unclean.leader.election.enable is a topic config: the topic's value wins,
// in any case; a topic that does not set it follows the cluster.
TEST(UncleanLeaderElectionTest, TheTopicsValueElseTheClusters) {
  EXPECT_TRUE(UncleanLeaderElectionEnabled(
      {{"unclean.leader.election.enable", "TRUE"}}, false));
  EXPECT_FALSE(UncleanLeaderElectionEnabled(
      {{"unclean.leader.election.enable", "false"}}, true));
  EXPECT_TRUE(UncleanLeaderElectionEnabled({{"retention.ms", "5"}}, true));
  EXPECT_FALSE(UncleanLeaderElectionEnabled({}, false));
}

TEST(AlterTopicConfigsTest, SetsUncleanLeaderElectionAndRefusesNonBooleans) {
  IncrementalAlterConfigsRequest::Resource resource{
      .resource_type = kTopicResource,
      .resource_name = "orders",
      .configs = {{"unclean.leader.election.enable", 0, std::string("true")}}};
  const TopicConfigOverrides none;
  Result<TopicConfigOverrides> after =
      AlterTopicConfigs(resource, &none, LogConfig{});
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after,
            (TopicConfigOverrides{{"unclean.leader.election.enable", "true"}}));
  resource.configs[0].value = "maybe";
  EXPECT_EQ(AlterTopicConfigs(resource, &none, LogConfig{}).error().code,
            ErrorCode::kInvalidConfig);
  EXPECT_EQ(AlterTopicConfigs(resource, nullptr, LogConfig{}).error().code,
            ErrorCode::kUnknownTopicOrPartition);
}

}  // namespace
}  // namespace kafka
