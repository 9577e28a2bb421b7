/// \file
/// Turns a simulator trace into a message sequence chart (mscgen syntax),
/// which Doxygen draws: the book's protocol figures come from real runs.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "lib/sim/simulation.h"

namespace kafka {

/// One column per node in `names` (in map order); an arrow for each delivered
/// message, a lost arrow for each dropped one, and a box for crashes,
/// restarts, pauses and timeouts. Events of nodes not in `names` are left out.
std::string TraceToMsc(const std::vector<TraceEvent>& trace,
                       const std::map<NodeId, std::string>& names);

}  // namespace kafka
