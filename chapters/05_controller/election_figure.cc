// Writes the book's chart of a controller election, drawn from a seeded
// simulator run of three controllers and one broker: the active controller
// crashes; its followers' fetches go unanswered until
// controller.quorum.fetch.timeout.ms passes; one of them stands (Vote, for
// the next epoch, with its last epoch and end offset), wins, tells the
// others (BeginQuorumEpoch), and the followers and the broker fetch from it,
// the broker's heartbeats going to the new active controller.
//
// Fetches are the quorum's heartbeats, so a run has many, and the new
// leader sends BeginQuorumEpoch to the crashed controller until it answers;
// the chart keeps every Vote and the first message of each other kind
// between each pair of nodes after the crash.
// Usage: election_figure OUT.msc
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "chapters/05_controller/kraft_cluster.h"
#include "lib/sim/trace_msc.h"

namespace kafka {
namespace {

constexpr uint64_t kSeed = 5;
constexpr NodeId kBroker = 1;

bool IsVote(const TracedMessage& message) {
  return message.api_key == int16_t(ApiKey::kVote);
}

bool IsExchange(const TraceEvent& event) {
  using Kind = TraceEvent::Kind;
  return (event.kind == Kind::kDeliver || event.kind == Kind::kDrop ||
          event.kind == Kind::kTimeout) &&
         event.message.api_key >= 0;  // not a connection closing
}

// The events after `first` worth a row: the crash, every Vote, and the
// first of every other kind of message between two nodes (a message to the
// crashed controller is delivered, then dropped: both stay, and the chart
// draws one lost arrow).
std::vector<TraceEvent> ChartEvents(const std::vector<TraceEvent>& trace,
                                    size_t first) {
  std::vector<TraceEvent> shown;
  std::set<std::tuple<NodeId, NodeId, int16_t, bool, TraceEvent::Kind>> seen;
  for (size_t i = first; i < trace.size(); ++i) {
    const TraceEvent& event = trace[i];
    if (event.kind == TraceEvent::Kind::kCrash) {
      shown.push_back(event);
      continue;
    }
    if (!IsExchange(event)) continue;
    const TracedMessage& m = event.message;
    if (!IsVote(m) && !seen.insert({event.from, event.to, m.api_key,
                                    m.is_response, event.kind})
                           .second) {
      continue;
    }
    shown.push_back(event);
  }
  return shown;
}

int Main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: election_figure OUT.msc\n";
    return 2;
  }
  KRaftCluster cluster(kSeed, 1);
  if (!cluster.RunUntilActiveController() ||
      !cluster.RunUntilBrokersUnfenced()) {
    std::cerr << "election_figure: the cluster did not start\n";
    return 1;
  }
  cluster.RunFor(1'000);
  const NodeId old_active = *cluster.active_controller();
  const size_t first = cluster.sim().trace().size();
  cluster.Crash(old_active);
  const bool replaced = cluster.RunUntil(
      [&] {
        std::optional<NodeId> active = cluster.active_controller();
        return active && *active != old_active;
      },
      10'000);
  if (!replaced) {
    std::cerr << "election_figure: no new active controller\n";
    return 1;
  }
  cluster.RunFor(2'500);  // the followers' and the broker's first fetches

  std::map<NodeId, std::string> names{{kBroker, "broker 1"}};
  for (NodeId id : cluster.controllers()) {
    names[id] = "controller " + std::to_string(id);
  }
  std::ofstream(argv[1]) << TraceToMsc(
      ChartEvents(cluster.sim().trace(), first), names);
  return 0;
}

}  // namespace
}  // namespace kafka

int main(int argc, char** argv) { return kafka::Main(argc, argv); }
