// Election safety and durability of commits over many seeds: 3 and 5
// voters, random crashes (power failures and kill -9), restarts, network
// partitions and heals, and appends on whoever leads. Checked:
//
//   - at most one leader per epoch, as every node heard of it
//     (HandleLeaderChange, across all nodes and incarnations);
//   - no two nodes ever commit different records at one offset;
//   - committed entries are never lost: once healed, every node commits
//     every record any node ever committed, in order.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "chapters/05_controller/raft/raft_test_util.h"

namespace kafka {
namespace {

using raft_test::RaftCluster;

void Step(RaftCluster& cluster, std::mt19937_64& random, int step) {
  const std::vector<NodeId>& ids = cluster.ids();
  auto pick = [&] { return ids[random() % ids.size()]; };
  switch (random() % 10) {
    case 0:
    case 1:
    case 2:
    case 3:
      if (std::optional<NodeId> leader = cluster.leader()) {
        cluster.Append(*leader, {"v" + std::to_string(step)});
      }
      break;
    case 4: {
      const NodeId victim = pick();
      if (cluster.sim().is_up(victim)) {
        cluster.sim().Crash(victim, random() % 2
                                        ? Simulation::CrashKind::kPowerFailure
                                        : Simulation::CrashKind::kProcessCrash);
      }
      break;
    }
    case 5: {
      const NodeId revived = pick();
      if (!cluster.sim().is_up(revived)) cluster.sim().Restart(revived);
      break;
    }
    case 6: {
      std::vector<NodeId> side_a, side_b;
      for (NodeId id : ids) (random() % 2 ? side_a : side_b).push_back(id);
      cluster.sim().Partition(side_a, side_b);
      break;
    }
    case 7:
      cluster.sim().Heal();
      break;
    default:
      break;
  }
  cluster.sim().RunFor(100 + int64_t(random() % 1500));
}

std::string Describe(RaftCluster& cluster) {
  std::string text;
  for (NodeId id : cluster.ids()) {
    KafkaRaftClient& raft = cluster.raft(id);
    text += "\n  node " + std::to_string(id) + " " +
            std::string(raft.state_name()) + " epoch " +
            std::to_string(raft.epoch()) + " leader " +
            std::to_string(raft.leader_and_epoch().leader.value_or(-1)) +
            " log end " + std::to_string(raft.log_end_offset()) + " hw " +
            std::to_string(raft.high_watermark().value_or(-1)) + " values " +
            std::to_string(cluster.node(id).listener().values.size());
  }
  return text;
}

TEST(RaftPropertyTest, ElectionSafetyAndCommittedEntriesSurviveFaults) {
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RaftCluster cluster(seed, seed % 2 ? 3 : 5);
    cluster.sim().set_keep_trace(false);
    std::mt19937_64 random(seed);
    for (int step = 0; step < 80; ++step) Step(cluster, random, step);

    cluster.sim().Heal();
    for (NodeId id : cluster.ids()) {
      if (!cluster.sim().is_up(id)) cluster.sim().Restart(id);
    }
    // An append may be lost with a leader that loses its place in the
    // churn that follows the heal: then it is appended again.
    auto all_committed_final = [&] {
      for (NodeId id : cluster.ids()) {
        const auto& values = cluster.node(id).listener().values;
        if (values.empty() || values.back() != "final") return false;
      }
      return true;
    };
    for (int attempt = 0; attempt < 10 && !all_committed_final(); ++attempt) {
      const std::optional<NodeId> leader = cluster.RunUntilLeader(60000);
      ASSERT_TRUE(leader) << Describe(cluster);
      cluster.Append(*leader, {"final"});
      cluster.sim().RunUntil(all_committed_final, 10000);
    }
    ASSERT_TRUE(all_committed_final()) << Describe(cluster);

    const raft_test::QuorumHistory& history = cluster.history();
    EXPECT_TRUE(history.violations.empty()) << history.violations.front();
    for (const auto& [epoch, leaders] : history.leaders) {
      EXPECT_LE(leaders.size(), 1u) << "epoch " << epoch;
    }
    std::vector<std::string> committed;
    for (const auto& [offset, value] : history.committed) {
      committed.push_back(value);
    }
    for (NodeId id : cluster.ids()) {
      EXPECT_EQ(cluster.node(id).listener().values, committed) << "node " << id;
    }
  }
}

}  // namespace
}  // namespace kafka
