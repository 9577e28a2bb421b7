#include "chapters/05_controller/controller/partition_change_builder.h"

#include <gtest/gtest.h>

#include <set>

namespace kafka {
namespace {

// One row: a partition (replicas 1, 2, 3 unless said), the brokers that
// are active, what is asked, and the change expected.
struct Case {
  std::string name;
  std::vector<NodeId> isr;
  NodeId leader;
  std::set<NodeId> active;
  Election election = Election::kOnline;
  std::optional<std::vector<NodeId>> target_isr;
  // The change: the new leader (kNoLeaderChange: none), the new ISR
  // (nullopt: none), the new recovery state (-1: none).
  int32_t new_leader = kNoLeaderChange;
  std::optional<std::vector<NodeId>> new_isr;
  int8_t new_recovery_state = kNoLeaderRecoveryStateChange;
  std::vector<NodeId> replicas = {1, 2, 3};
};

// Names the row in a failure, rather than dumping its bytes.
void PrintTo(const Case& c, std::ostream* out) { *out << c.name; }

std::optional<PartitionChangeRecord> BuildChange(const Case& c) {
  PartitionRegistration partition{.state = {.partition = {"orders", 0},
                                            .replicas = c.replicas,
                                            .isr = c.isr,
                                            .leader = c.leader,
                                            .leader_epoch = 5,
                                            .partition_epoch = 9}};
  PartitionChangeBuilder builder(
      partition, [&](NodeId id) { return c.active.count(id) > 0; });
  builder.SetElection(c.election);
  if (c.target_isr) builder.SetTargetIsr(*c.target_isr);
  return builder.Build();
}

const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {
      // ONLINE
      {.name = "online keeps a valid leader",
       .isr = {1, 2, 3},
       .leader = 2,
       .active = {1, 2, 3}},
      {.name = "online replaces a fenced leader by the first ISR replica",
       .isr = {1, 2, 3},
       .leader = 1,
       .active = {2, 3},
       .target_isr = std::vector<NodeId>{2, 3},
       .new_leader = 2,
       .new_isr = std::vector<NodeId>{2, 3}},
      {.name = "online replaces an active leader that left the ISR",
       .isr = {1, 2, 3},
       .leader = 1,
       .active = {1, 2, 3},
       .target_isr = std::vector<NodeId>{2, 3},
       .new_leader = 2,
       .new_isr = std::vector<NodeId>{2, 3}},
      {.name = "online picks in assignment order, not ISR order",
       .isr = {3, 2},
       .leader = -1,
       .active = {2, 3},
       .new_leader = 2},
      {.name = "online never picks a replica outside the ISR",
       .isr = {1},
       .leader = 1,
       .active = {2, 3},
       .target_isr = std::vector<NodeId>{},
       .new_leader = -1},
      {.name = "online skips an inactive ISR replica",
       .isr = {1, 2},
       .leader = -1,
       .active = {2, 3},
       .new_leader = 2},
      {.name = "online with nothing to change builds nothing",
       .isr = {1, 2},
       .leader = -1,
       .active = {3}},
      // The ISR
      {.name = "the last ISR member stays and the partition goes offline",
       .isr = {2},
       .leader = 2,
       .active = {1, 3},
       .target_isr = std::vector<NodeId>{},
       .new_leader = -1},
      {.name = "a follower leaving the ISR changes only the ISR",
       .isr = {1, 2, 3},
       .leader = 1,
       .active = {1, 2},
       .target_isr = std::vector<NodeId>{1, 2},
       .new_isr = std::vector<NodeId>{1, 2}},
      // UNCLEAN
      {.name = "unclean prefers a clean leader when there is one",
       .isr = {1, 3},
       .leader = -1,
       .active = {2, 3},
       .election = Election::kUnclean,
       .new_leader = 3},
      {.name = "unclean elects an active replica outside the ISR",
       .isr = {2},
       .leader = -1,
       .active = {1, 3},
       .election = Election::kUnclean,
       .new_leader = 1,
       .new_isr = std::vector<NodeId>{1},
       .new_recovery_state = 1},
      {.name = "unclean with no active replica elects nobody",
       .isr = {2},
       .leader = -1,
       .active = {},
       .election = Election::kUnclean},
      // PREFERRED
      {.name = "preferred moves leadership back to replicas[0]",
       .isr = {1, 2, 3},
       .leader = 2,
       .active = {1, 2, 3},
       .election = Election::kPreferred,
       .new_leader = 1},
      {.name = "preferred never elects replicas[0] outside the ISR",
       .isr = {2, 3},
       .leader = 2,
       .active = {1, 2, 3},
       .election = Election::kPreferred},
      {.name = "preferred falls back to a valid other replica",
       .isr = {1, 2, 3},
       .leader = -1,
       .active = {3},
       .election = Election::kPreferred,
       .new_leader = 3},
  };
  return cases;
}

class PartitionChangeBuilderTest : public ::testing::TestWithParam<Case> {};

TEST_P(PartitionChangeBuilderTest, Rule) {
  const Case& c = GetParam();
  std::optional<PartitionChangeRecord> record = BuildChange(c);
  const bool expect_change = c.new_leader != kNoLeaderChange || c.new_isr ||
                             c.new_recovery_state != -1;
  ASSERT_EQ(record.has_value(), expect_change)
      << (record ? Describe(*record) : "no change");
  if (!record) return;
  EXPECT_EQ(record->leader, c.new_leader) << Describe(*record);
  EXPECT_EQ(record->isr, c.new_isr) << Describe(*record);
  EXPECT_EQ(record->leader_recovery_state, c.new_recovery_state)
      << Describe(*record);
}

INSTANTIATE_TEST_SUITE_P(ElectionRules, PartitionChangeBuilderTest,
                         ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           std::string name;
                           for (char c : info.param.name)
                             name += std::isalnum(c) ? c : '_';
                           return name;
                         });

TEST(PartitionChangeBuilderRecoveryTest, ARecoveredLeaderSaysSo) {
  PartitionRegistration partition{
      .state = {.partition = {"orders", 0},
                .replicas = {1, 2},
                .isr = {1},
                .leader = 1},
      .leader_recovery_state = LeaderRecoveryState::kRecovering};
  std::optional<PartitionChangeRecord> record =
      PartitionChangeBuilder(partition, [](NodeId) { return true; })
          .SetTargetIsr({1})
          .SetTargetLeaderRecoveryState(LeaderRecoveryState::kRecovered)
          .Build();
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->leader_recovery_state, 0);
  EXPECT_EQ(record->leader, kNoLeaderChange);
  EXPECT_EQ(record->isr, std::nullopt);
}

TEST(PartitionChangeBuilderRecoveryTest, TheRecordNamesThePartition) {
  const Uuid id(std::array<uint8_t, 16>{4});
  PartitionRegistration partition{.state = {.partition = {"orders", 3},
                                            .topic_id = id,
                                            .replicas = {1, 2},
                                            .isr = {1, 2},
                                            .leader = 1}};
  std::optional<PartitionChangeRecord> record =
      PartitionChangeBuilder(partition, [](NodeId id) {
        return id == 2;
      }).Build();
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->topic_id, id);
  EXPECT_EQ(record->partition_id, 3);
  EXPECT_EQ(record->leader, 2);
}

}  // namespace
}  // namespace kafka
