#include "tests/reliability/faults.h"

#include <algorithm>
#include <random>

namespace kafka {

std::string_view FaultName(FaultEpisode::Kind kind) {
  switch (kind) {
    case FaultEpisode::Kind::kProcessCrash:
      return "process-crash";
    case FaultEpisode::Kind::kPowerFailure:
      return "power-failure";
    case FaultEpisode::Kind::kPause:
      return "pause";
    case FaultEpisode::Kind::kIsolate:
      return "isolate";
    case FaultEpisode::Kind::kOneWay:
      return "one-way";
    case FaultEpisode::Kind::kFlakyLinks:
      return "flaky-links";
  }
  return "unknown";
}

std::string Describe(const FaultEpisode& episode) {
  return std::string(FaultName(episode.kind)) + " of node " +
         std::to_string(episode.node) + " from " +
         std::to_string(episode.start_ms) + " to " +
         std::to_string(episode.end_ms) + " ms";
}

namespace {

bool OverlapsOnItsNode(const std::vector<FaultEpisode>& schedule,
                       const FaultEpisode& episode) {
  return std::any_of(
      schedule.begin(), schedule.end(), [&](const FaultEpisode& other) {
        return other.node == episode.node && other.start_ms < episode.end_ms &&
               episode.start_ms < other.end_ms;
      });
}

}  // namespace

std::vector<FaultEpisode> MakeFaultSchedule(uint64_t seed,
                                            const FaultPlan& plan) {
  // Its own generator, not the simulation's: the schedule depends on the
  // seed only, not on what the run did.
  std::mt19937_64 random(seed ^ 0x9e3779b97f4a7c15ULL);
  auto between = [&random](int64_t low, int64_t high) {
    return std::uniform_int_distribution<int64_t>(low, high)(random);
  };
  const int episodes = int(between(plan.min_episodes, plan.max_episodes));
  std::vector<FaultEpisode> schedule;
  for (int i = 0; i < episodes; ++i) {
    FaultEpisode episode;
    episode.kind = FaultEpisode::Kind(between(0, 5));
    episode.node = plan.targets.at(size_t(between(0, plan.targets.size() - 1)));
    const int64_t duration =
        between(plan.min_duration_ms, plan.max_duration_ms);
    episode.start_ms =
        between(0, std::max<int64_t>(0, plan.window_ms - duration));
    episode.end_ms = episode.start_ms + duration;
    // One fault at a time per node: a node is not paused while it is down.
    if (!OverlapsOnItsNode(schedule, episode)) schedule.push_back(episode);
  }
  std::sort(schedule.begin(), schedule.end(),
            [](const FaultEpisode& a, const FaultEpisode& b) {
              return a.start_ms < b.start_ms;
            });
  return schedule;
}

}  // namespace kafka
