/// \file
/// A message sequence chart (mscgen, which Doxygen draws) of requests to
/// orders-0's leader in a seeded run of a KRaft cluster in the simulator:
/// the book's charts of acks (Chapter 6) and of idempotence (Chapter 7)
/// come from real runs, not from drawings.
///
/// The rows come from the run as it goes. The simulator's trace gives each
/// request the chart sent as it arrives, or as a cut link drops it, and an
/// answer that a cut link drops; the request's callback gives its answer.
/// After each event the chart compares the replicas' state with what it
/// last drew: the leader's log end (an append), and, when the chart has
/// the followers' columns, a follower's log end (the records of its fetch's
/// answer), the leader's view of a follower's log end (the next fetch,
/// which reports it) and the leader's high watermark.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "chapters/01_log/record_batch.h"
#include "chapters/05_controller/kraft_cluster.h"

namespace kafka {

class ProduceChart {
 public:
  static constexpr NodeId kLeader = 1;  ///< orders-0's leader
  enum class Columns {
    kProducerAndLeader,  ///< P and L: appends and answers
    kAllReplicas,        ///< and F2, F3: fetches and the high watermark
  };
  /// The words of an answer's arrow; a request that got none is a box.
  using AnswerLabel = std::function<std::string(const Bytes& body)>;

  /// Sends from a client node of its own. `program` names the program
  /// that draws the chart, in the chart's first line.
  ProduceChart(KRaftCluster& cluster, std::string program, Columns columns);

  /// Sends `batch` to the leader in one Produce with `acks`, without
  /// waiting: `label` is its arrow's words.
  void Produce(const std::string& label, const RecordBatch& batch,
               int16_t acks);
  /// Sends any request to the leader, its answer drawn by `answer_label`.
  void Send(const std::string& label, ApiKey api_key, int16_t version,
            Bytes body, AnswerLabel answer_label);

  /// Runs until `done` (or `max_ms`), drawing the rows as they happen.
  bool RunUntil(const std::function<bool()>& done, int64_t max_ms);
  void RunFor(int64_t ms);
  /// How many requests have had their answer (or their timeout).
  int answers() const { return answers_; }
  /// A note across the chart's columns.
  void Note(const std::string& text);
  NodeId producer() const { return producer_; }

  /// The chart, with `comment` in its first line.
  std::string Msc(const std::string& comment) const;

 private:
  // What the chart draws changes of.
  struct State {
    std::map<NodeId, int64_t> log_end;
    std::map<NodeId, int64_t> leader_view;  ///< the followers' log ends
    int64_t high_watermark = 0;
  };

  void Snapshot(State& state) const;
  void Draw();
  void DrawReplicas(const State& now);
  void DrawFollowers(const State& now);
  void DrawTrace();
  void Row(const std::string& arc, const std::string& label);

  KRaftCluster& cluster_;
  std::string program_;
  Columns columns_;
  NodeId producer_;
  size_t seen_ = 0;  ///< of the simulator's trace
  int32_t requests_sent_ = 0;
  std::map<int32_t, std::string> sent_;  ///< labels, by correlation id
  State drawn_;
  int answers_ = 0;
  std::vector<std::string> rows_;
};

/// Brings up `cluster` with orders-0 on brokers 1, 2 and 3, led by 1, with
/// min.insync.replicas 2 and every replica in sync; false if it did not
/// come up.
bool StartOrdersCluster(KRaftCluster& cluster);

/// Writes `msc` to `path`; false, saying why, if the run that was to draw
/// it did not finish (nullopt) or the file could not be written.
bool WriteChart(const std::string& path, const std::optional<std::string>& msc);

/// A Produce answer's words: "base_offset 3", or the partition's error.
std::string ProduceAnswerLabel(const Bytes& body);

}  // namespace kafka
