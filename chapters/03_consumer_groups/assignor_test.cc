#include "chapters/03_consumer_groups/assignor.h"

#include <gtest/gtest.h>

namespace kafka {
namespace {

std::map<std::string, Subscription> Members(std::vector<std::string> ids,
                                            std::vector<std::string> topics) {
  std::map<std::string, Subscription> members;
  for (const std::string& id : ids) members[id] = {topics};
  return members;
}

// Rule (range): each topic's partitions go out in contiguous ranges, the
// first members (by id) getting one more when they do not divide evenly.
TEST(AssignorTest, RangeSplitsEachTopicIntoRanges) {
  Assignment a = AssignRange(Members({"m1", "m2"}, {"t"}), {{"t", 5}});
  EXPECT_EQ(a["m1"],
            (std::vector<TopicPartition>{{"t", 0}, {"t", 1}, {"t", 2}}));
  EXPECT_EQ(a["m2"], (std::vector<TopicPartition>{{"t", 3}, {"t", 4}}));
}

// Rule: three consumers, two partitions: one consumer sits idle (the seed's
// consumer-parallelism gotcha), under either assignor.
TEST(AssignorTest, MoreMembersThanPartitionsLeavesOneIdle) {
  for (bool range : {true, false}) {
    auto members = Members({"m1", "m2", "m3"}, {"t"});
    Assignment a = range ? AssignRange(members, {{"t", 2}})
                         : AssignRoundRobin(members, {{"t", 2}});
    int idle = 0;
    for (const auto& [id, partitions] : a) idle += partitions.empty();
    EXPECT_EQ(idle, 1) << (range ? "range" : "roundrobin");
  }
}

// Rule: every partition has exactly one owner, whichever assignor.
TEST(AssignorTest, EveryPartitionExactlyOnce) {
  auto members = Members({"a", "b", "c"}, {"t", "u"});
  std::map<std::string, int32_t> counts{{"t", 7}, {"u", 4}};
  for (const Assignment& a :
       {AssignRange(members, counts), AssignRoundRobin(members, counts)}) {
    std::map<TopicPartition, int> owners;
    for (const auto& [id, partitions] : a) {
      for (const TopicPartition& p : partitions) owners[p]++;
    }
    EXPECT_EQ(owners.size(), 11u);
    for (const auto& [p, n] : owners) EXPECT_EQ(n, 1);
  }
}

// Rule (roundrobin): partitions are dealt in turn across topics, so members
// with identical subscriptions differ by at most one partition in all.
TEST(AssignorTest, RoundRobinBalancesAcrossTopics) {
  Assignment a =
      AssignRoundRobin(Members({"a", "b"}, {"t", "u"}), {{"t", 1}, {"u", 1}});
  EXPECT_EQ(a["a"].size(), 1u);
  EXPECT_EQ(a["b"].size(), 1u);
  Assignment r =
      AssignRange(Members({"a", "b"}, {"t", "u"}), {{"t", 1}, {"u", 1}});
  EXPECT_EQ(r["a"].size(), 2u) << "range gives 'a' the first of each topic";
}

// Rule (roundrobin): "at most one apart" needs identical subscriptions. A
// member skipped for a topic it does not read loses its turn: here `b`
// could have had t-0, but `a` takes every partition.
TEST(AssignorTest, RoundRobinWithUnequalSubscriptionsCanBeFarApart) {
  std::map<std::string, Subscription> members{{"a", {{"t", "u"}}},
                                              {"b", {{"t"}}}};
  Assignment a = AssignRoundRobin(members, {{"t", 1}, {"u", 3}});
  EXPECT_EQ(a["a"].size(), 4u);
  EXPECT_TRUE(a["b"].empty());
}

// Rule: only members subscribed to a topic get its partitions, whichever
// assignor.
TEST(AssignorTest, OnlySubscribersGetATopic) {
  std::map<std::string, Subscription> members{{"a", {{"t"}}}, {"b", {{"u"}}}};
  std::map<std::string, int32_t> counts{{"t", 2}, {"u", 2}};
  for (bool range : {true, false}) {
    Assignment a = range ? AssignRange(members, counts)
                         : AssignRoundRobin(members, counts);
    EXPECT_EQ(a["a"], (std::vector<TopicPartition>{{"t", 0}, {"t", 1}}))
        << (range ? "range" : "roundrobin");
    EXPECT_EQ(a["b"], (std::vector<TopicPartition>{{"u", 0}, {"u", 1}}))
        << (range ? "range" : "roundrobin");
  }
}

// Rule: subscriptions and assignments use Kafka's consumer protocol v0.
TEST(AssignorTest, ConsumerProtocolRoundTrip) {
  Bytes subscription = EncodeSubscription({{"orders", "clicks"}});
  EXPECT_EQ(subscription, (Bytes{0,   0,   0,   0,   0,    2,    0,    6,   'o',
                                 'r', 'd', 'e', 'r', 's',  0,    6,    'c', 'l',
                                 'i', 'c', 'k', 's', 0xFF, 0xFF, 0xFF, 0xFF}));
  EXPECT_EQ(DecodeSubscription(subscription)->topics,
            (std::vector<std::string>{"orders", "clicks"}));
  std::vector<TopicPartition> partitions{{"orders", 0}, {"orders", 3}};
  EXPECT_EQ(DecodeAssignment(EncodeAssignment(partitions)).value(), partitions);
  EXPECT_TRUE(DecodeAssignment({}).value().empty());
  EXPECT_FALSE(DecodeAssignment(Bytes{0, 0, 0, 0, 0, 9}).ok());
}

}  // namespace
}  // namespace kafka
