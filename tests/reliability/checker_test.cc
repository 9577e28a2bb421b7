// The checker, one hand-written history per anomaly: each test would fail
// if the checker stopped looking for its kind (a checker that never finds
// anything proves nothing).
#include "tests/reliability/checker.h"

#include <gtest/gtest.h>

namespace kafka {
namespace {

SendOp Acknowledged(int producer, const std::string& value, int32_t partition,
                    int64_t offset) {
  return {.producer = producer,
          .value = value,
          .completed_ms = 10,
          .outcome = SendOp::Outcome::kAcknowledged,
          .partition = partition,
          .offset = offset};
}

SendOp Failed(int producer, const std::string& value) {
  return {.producer = producer,
          .value = value,
          .completed_ms = 10,
          .outcome = SendOp::Outcome::kFailed};
}

// p0-0 and p0-1 sent to partition 0, written at 0 and 1, read by
// consumer 0 in two polls and by the final read.
History CleanHistory() {
  History history;
  history.sends = {Acknowledged(0, "p0-0", 0, 0),
                   Acknowledged(0, "p0-1", 0, 1)};
  history.polls = {
      {.consumer = 0, .time_ms = 20, .partition = 0, .records = {{0, "p0-0"}}},
      {.consumer = 0, .time_ms = 30, .partition = 0, .records = {{1, "p0-1"}}}};
  history.final_read[0] = {{0, "p0-0"}, {1, "p0-1"}};
  return history;
}

std::vector<Anomaly::Kind> KindsIn(const History& history) {
  std::vector<Anomaly::Kind> kinds;
  for (const Anomaly& anomaly : CheckHistory(history)) {
    kinds.push_back(anomaly.kind);
  }
  return kinds;
}

using Kinds = std::vector<Anomaly::Kind>;

TEST(CheckerTest, ACleanHistoryHasNoAnomaly) {
  EXPECT_EQ(KindsIn(CleanHistory()), Kinds{});
}

TEST(CheckerTest, AFailedSendThatWasWrittenAfterAllIsNoAnomaly) {
  History history = CleanHistory();
  history.sends.push_back(Failed(0, "p0-2"));
  history.final_read[0].push_back({2, "p0-2"});
  EXPECT_EQ(KindsIn(history), Kinds{});
}

TEST(CheckerTest, AnAcknowledgedSendMissingFromTheFinalReadIsALostWrite) {
  History history = CleanHistory();
  history.final_read[0].pop_back();
  history.polls.pop_back();
  EXPECT_EQ(KindsIn(history), Kinds{Anomaly::Kind::kLostWrite});
}

TEST(CheckerTest, OneValueAtTwoOffsetsIsADuplicate) {
  History history = CleanHistory();
  history.sends.push_back(Failed(0, "p0-2"));
  history.final_read[0].push_back({2, "p0-1"});
  EXPECT_EQ(KindsIn(history), Kinds{Anomaly::Kind::kDuplicate});
}

TEST(CheckerTest, AProducersLaterRecordAtAnEarlierOffsetIsNonmonotonicSend) {
  History history;
  history.sends = {Acknowledged(0, "p0-0", 0, 1),
                   Acknowledged(0, "p0-1", 0, 0)};
  history.final_read[0] = {{0, "p0-1"}, {1, "p0-0"}};
  EXPECT_EQ(KindsIn(history), Kinds{Anomaly::Kind::kNonmonotonicSend});
}

TEST(CheckerTest, TwoProducersMayInterleave) {
  History history;
  history.sends = {Acknowledged(0, "p0-0", 0, 1),
                   Acknowledged(1, "p1-0", 0, 0)};
  history.final_read[0] = {{0, "p1-0"}, {1, "p0-0"}};
  EXPECT_EQ(KindsIn(history), Kinds{});
}

TEST(CheckerTest, TwoValuesReadAtOneOffsetAreInconsistentOffsets) {
  History history = CleanHistory();
  history.sends.push_back(Failed(0, "p0-2"));
  history.polls.push_back({.consumer = 1,
                           .time_ms = 40,
                           .partition = 0,
                           .records = {{0, "p0-0"}, {1, "p0-2"}}});
  const Kinds kinds = KindsIn(history);
  EXPECT_NE(std::find(kinds.begin(), kinds.end(),
                      Anomaly::Kind::kInconsistentOffsets),
            kinds.end());
}

TEST(CheckerTest, AnAcknowledgementAndAReadThatDisagreeAreInconsistent) {
  History history = CleanHistory();
  history.sends.push_back(Acknowledged(1, "p1-0", 0, 1));
  history.final_read[0].push_back({2, "p1-0"});
  const Kinds kinds = KindsIn(history);
  EXPECT_NE(std::find(kinds.begin(), kinds.end(),
                      Anomaly::Kind::kInconsistentOffsets),
            kinds.end());
}

TEST(CheckerTest, AConsumerGoingBackIsNonmonotonicPoll) {
  History history = CleanHistory();
  history.polls.push_back(
      {.consumer = 0, .time_ms = 40, .partition = 0, .records = {{0, "p0-0"}}});
  EXPECT_EQ(KindsIn(history), Kinds{Anomaly::Kind::kNonmonotonicPoll});
}

TEST(CheckerTest, AConsumerJumpingOverARecordIsPollSkip) {
  History history = CleanHistory();
  history.polls.erase(history.polls.begin());
  EXPECT_EQ(KindsIn(history), Kinds{Anomaly::Kind::kPollSkip});
}

}  // namespace
}  // namespace kafka
