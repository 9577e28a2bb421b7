#include "tests/reliability/checker.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

namespace kafka {
namespace {

using Position = std::pair<int32_t, int64_t>;  // partition, offset

// One read (or acknowledgement) of the value at a position.
struct Observation {
  Position position;
  std::string value;
  int64_t time_ms = 0;
};

std::string At(const Position& position) {
  return "offset " + std::to_string(position.second) + " of partition " +
         std::to_string(position.first);
}

// Everything the clients were told about which value is where: the final
// read, every poll and every acknowledgement.
std::vector<Observation> Observations(const History& history) {
  std::vector<Observation> seen;
  for (const auto& [partition, records] : history.final_read) {
    for (const ReadRecord& record : records) {
      seen.push_back({{partition, record.offset}, record.value, -1});
    }
  }
  for (const PollOp& poll : history.polls) {
    for (const ReadRecord& record : poll.records) {
      seen.push_back(
          {{poll.partition, record.offset}, record.value, poll.time_ms});
    }
  }
  for (const SendOp& send : history.sends) {
    if (send.outcome == SendOp::Outcome::kAcknowledged && send.offset >= 0) {
      seen.push_back(
          {{send.partition, send.offset}, send.value, send.completed_ms});
    }
  }
  return seen;
}

void FindInconsistentOffsets(const std::vector<Observation>& seen,
                             std::vector<Anomaly>& found) {
  std::map<Position, const Observation*> first;
  std::set<Position> reported;
  for (const Observation& observation : seen) {
    auto [at, inserted] = first.emplace(observation.position, &observation);
    if (inserted || at->second->value == observation.value ||
        !reported.insert(observation.position).second) {
      continue;
    }
    found.push_back({Anomaly::Kind::kInconsistentOffsets,
                     observation.position.first,
                     std::max(at->second->time_ms, observation.time_ms),
                     At(observation.position) + " held " + at->second->value +
                         " and " + observation.value});
  }
}

void FindDuplicates(const std::vector<Observation>& seen,
                    std::vector<Anomaly>& found) {
  std::map<std::string, std::set<Position>> positions;
  std::map<std::string, int64_t> last_seen_ms;
  for (const Observation& observation : seen) {
    positions[observation.value].insert(observation.position);
    last_seen_ms[observation.value] =
        std::max(last_seen_ms[observation.value], observation.time_ms);
  }
  for (const auto& [value, at] : positions) {
    if (at.size() < 2) continue;
    found.push_back({Anomaly::Kind::kDuplicate, at.begin()->first,
                     last_seen_ms[value],
                     value + " at " + At(*at.begin()) + " and " +
                         At(*std::next(at.begin()))});
  }
}

// Where each value is in the final read (its first place, if it is twice).
std::map<std::string, Position> FinalPositions(const History& history) {
  std::map<std::string, Position> positions;
  for (const auto& [partition, records] : history.final_read) {
    for (const ReadRecord& record : records) {
      positions.emplace(record.value, Position{partition, record.offset});
    }
  }
  return positions;
}

void FindLostWrites(const History& history, std::vector<Anomaly>& found) {
  const std::map<std::string, Position> final_positions =
      FinalPositions(history);
  for (const SendOp& send : history.sends) {
    if (send.outcome != SendOp::Outcome::kAcknowledged ||
        final_positions.contains(send.value)) {
      continue;
    }
    found.push_back(
        {Anomaly::Kind::kLostWrite, send.partition, send.completed_ms,
         send.value + ", acknowledged at " + At({send.partition, send.offset}) +
             ", is not in the final read"});
  }
}

// A producer's sends are in the history in the order it made them.
void FindNonmonotonicSends(const History& history,
                           std::vector<Anomaly>& found) {
  const std::map<std::string, Position> final_positions =
      FinalPositions(history);
  std::map<std::pair<int, int32_t>, const SendOp*> last_by_producer;
  std::map<std::pair<int, int32_t>, int64_t> last_offset;
  for (const SendOp& send : history.sends) {
    auto position = final_positions.find(send.value);
    if (position == final_positions.end()) continue;
    const auto [partition, offset] = position->second;
    const std::pair<int, int32_t> key{send.producer, partition};
    auto last = last_offset.find(key);
    if (last != last_offset.end() && offset < last->second) {
      found.push_back({Anomaly::Kind::kNonmonotonicSend, partition,
                       send.invoked_ms,
                       send.value + " at " + At(position->second) +
                           ", sent after " + last_by_producer[key]->value +
                           " at offset " + std::to_string(last->second)});
    }
    if (last == last_offset.end() || offset > last->second) {
      last_offset[key] = offset;
      last_by_producer[key] = &send;
    }
  }
}

void FindPollAnomalies(const History& history, std::vector<Anomaly>& found) {
  std::map<int32_t, std::set<int64_t>> final_offsets;
  for (const auto& [partition, records] : history.final_read) {
    for (const ReadRecord& record : records) {
      final_offsets[partition].insert(record.offset);
    }
  }
  std::vector<const PollOp*> polls;
  for (const PollOp& poll : history.polls) polls.push_back(&poll);
  std::stable_sort(
      polls.begin(), polls.end(),
      [](const PollOp* a, const PollOp* b) { return a->time_ms < b->time_ms; });
  std::map<std::pair<int, int32_t>, int64_t> last;  // consumer, partition
  for (const PollOp* poll : polls) {
    const std::set<int64_t>& offsets = final_offsets[poll->partition];
    int64_t& previous =
        last.try_emplace({poll->consumer, poll->partition}, -1).first->second;
    for (const ReadRecord& record : poll->records) {
      const std::string consumer = "consumer " + std::to_string(poll->consumer);
      if (record.offset <= previous) {
        found.push_back(
            {Anomaly::Kind::kNonmonotonicPoll, poll->partition, poll->time_ms,
             consumer + " read " + At({poll->partition, record.offset}) +
                 " after offset " + std::to_string(previous)});
      } else if (auto next = offsets.upper_bound(previous);
                 next != offsets.end() && *next < record.offset) {
        found.push_back(
            {Anomaly::Kind::kPollSkip, poll->partition, poll->time_ms,
             consumer + " read " + At({poll->partition, record.offset}) +
                 " after offset " + std::to_string(previous) +
                 ", skipping offset " + std::to_string(*next)});
      }
      previous = record.offset;
    }
  }
}

}  // namespace

std::string_view AnomalyName(Anomaly::Kind kind) {
  switch (kind) {
    case Anomaly::Kind::kLostWrite:
      return "lost-write";
    case Anomaly::Kind::kDuplicate:
      return "duplicate";
    case Anomaly::Kind::kNonmonotonicSend:
      return "nonmonotonic-send";
    case Anomaly::Kind::kInconsistentOffsets:
      return "inconsistent-offsets";
    case Anomaly::Kind::kNonmonotonicPoll:
      return "nonmonotonic-poll";
    case Anomaly::Kind::kPollSkip:
      return "poll-skip";
  }
  return "unknown";
}

std::vector<Anomaly> CheckHistory(const History& history) {
  std::vector<Anomaly> found;
  const std::vector<Observation> seen = Observations(history);
  FindLostWrites(history, found);
  FindDuplicates(seen, found);
  FindNonmonotonicSends(history, found);
  FindInconsistentOffsets(seen, found);
  FindPollAnomalies(history, found);
  return found;
}

}  // namespace kafka
