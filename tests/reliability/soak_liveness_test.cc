// The harness's first findings, kept: under the safe configuration our
// idempotent producer used to stop sending for good after some fault
// schedules (a new batch waiting behind five unresolved ones that could
// not go out, batches of one partition left with an old leader, an epoch
// bump while batches were waiting out their retry backoff). Seeds 4, 5
// and 8 were such runs; every one of these seeds now recovers: each send
// has its answer and every partition is read to its end.
#include <gtest/gtest.h>

#include "tests/reliability/reliability_run.h"

namespace kafka {
namespace {

TEST(SoakLivenessTest, EverySafeRunRecoversAfterItsFaults) {
  const ReliabilityConfig* safe = FindReliabilityConfig("safe");
  ASSERT_NE(safe, nullptr);
  for (uint64_t seed : {4, 5, 8}) {
    const RunOutcome outcome = RunReliabilitySeed(*safe, seed);
    EXPECT_TRUE(outcome.healed) << "seed " << seed;
    EXPECT_FALSE(outcome.history.final_read.empty()) << "seed " << seed;
  }
}

}  // namespace
}  // namespace kafka
