/// \file
/// The faults of a reliability run: a schedule that is a function of the
/// seed alone, so that a seed replays its run exactly.
///
/// A schedule is a list of episodes, each a fault that starts, lasts a
/// while and is undone; episodes may overlap, so two nodes can be down at
/// once. The kinds are the simulator's (lib/sim/simulation.h):
///
///   process-crash   kill -9, restarted at the end: the page cache survives
///   power-failure   unsynced writes lost, the last one possibly torn;
///                   restarted at the end
///   pause           the process stops (a long GC, SIGSTOP), then resumes
///   isolate         the node is cut off from every other node
///   one-way         the node's messages to every other node are lost,
///                   while theirs still reach it
///   flaky-links     the node's links lose, duplicate and delay messages
///
/// Every run ends with a healing period (faults.cc's callers): all links
/// whole, every node up and resumed, so that everything acknowledged
/// should be readable.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lib/node/node.h"

namespace kafka {

struct FaultEpisode {
  enum class Kind {
    kProcessCrash,
    kPowerFailure,
    kPause,
    kIsolate,
    kOneWay,
    kFlakyLinks,
  };
  Kind kind;
  NodeId node = -1;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
};

std::string_view FaultName(FaultEpisode::Kind kind);

/// "power-failure of node 2 from 3200 to 7400 ms".
std::string Describe(const FaultEpisode& episode);

/// What the schedule may hit and when.
struct FaultPlan {
  std::vector<NodeId> targets;  ///< brokers and controllers
  int64_t window_ms = 0;        ///< episodes start and end within it
  int min_episodes = 2;
  int max_episodes = 6;
  int64_t min_duration_ms = 500;
  int64_t max_duration_ms = 10'000;
};

/// The episodes for `seed`, by start time.
std::vector<FaultEpisode> MakeFaultSchedule(uint64_t seed,
                                            const FaultPlan& plan);

}  // namespace kafka
