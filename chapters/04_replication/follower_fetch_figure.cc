// Writes the book's chart of follower fetching, drawn from a seeded simulator
// run of three ReplicatedBrokers and the static controller: a produce and the
// fetches that commit it; a follower paused until it leaves the ISR
// (AlterPartition, then UpdateMetadata to the others); and its return.
//
// The simulator's trace names each message but not its contents, so the
// chart reads them off the nodes right after each delivery: a Fetch's offset
// is what the leader then knows of the follower, an answer's records and
// high watermark are how the follower's LEO and HW moved. A fetch round that
// moved nothing (an empty long poll) is left out.
// Usage: follower_fetch_figure OUT.msc
#include <algorithm>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <set>
#include <string>

#include "chapters/01_log/record_batch.h"
#include "chapters/04_replication/replication_cluster.h"

namespace kafka {
namespace {

const TopicPartition kOrders{"orders", 0};

// The Produce version a current client sends.
constexpr int16_t kProduceVersion = 9;

// Two shown rows further apart than this get a "..." row between them.
constexpr int64_t kGapMs = 2'000;

std::string IdList(const std::vector<NodeId>& ids) {
  std::string list;
  for (NodeId id : ids) list += (list.empty() ? "" : ", ") + std::to_string(id);
  return "{" + list + "}";
}

std::string Records(int64_t count) {
  if (count == 0) return "no records";
  return std::to_string(count) + (count == 1 ? " record" : " records");
}

class FollowerFetchChart {
 public:
  FollowerFetchChart(ReplicationCluster& cluster, NodeId leader,
                     std::vector<NodeId> followers)
      : cluster_(cluster), leader_(leader), followers_(std::move(followers)) {
    producer_ = cluster_.AddIdleClient();
    seen_ = cluster_.sim().trace().size();
    start_ms_ = cluster_.sim().now_ms();
    leader_hw_ = Replica(leader_).high_watermark();
    partition_epoch_[leader_] = Replica(leader_).partition_epoch();
    for (NodeId f : followers_) {
      log_end_[f] = Replica(f).log_end_offset();
      high_watermark_[f] = Replica(f).high_watermark();
      partition_epoch_[f] = Replica(f).partition_epoch();
      fetch_offset_[f] = log_end_[f];
    }
  }

  // Sends one Produce (acks=1) of `count` records to the leader, without
  // waiting: the chart follows what happens as the run goes on.
  void Produce(int count) {
    ProduceRequest request;
    request.acks = 1;
    request.timeout_ms = 5'000;
    std::vector<SimpleRecord> records;
    for (int i = 0; i < count; ++i) {
      records.push_back({.timestamp = 1000, .value = ToBytes("record")});
    }
    request.topic_data = {
        {kOrders.topic,
         {{kOrders.partition, EncodeRecordBatch(MakeBatch(records))}}}};
    cluster_.sim().env(producer_).Send(
        leader_, {int16_t(ApiKey::kProduce), kProduceVersion, 0, "producer"},
        EncodeMessage(request, ApiKey::kProduce, kProduceVersion), 5'000,
        [](Result<Bytes>) {});
  }

  // Runs until `done` holds (or `max_ms` pass), turning each message into a
  // row of the chart as it is delivered.
  void RunUntil(const std::function<bool()>& done, int64_t max_ms) {
    cluster_.RunUntil(
        [&] {
          Drain();
          return done();
        },
        max_ms);
    Drain();
  }
  void RunFor(int64_t ms) {
    RunUntil([] { return false; }, ms);
  }

  void Pause(NodeId id) {
    cluster_.sim().Pause(id);
    paused_.insert(id);
  }
  // Resumes `id`, which then takes in the answers that waited for it.
  void Resume(NodeId id) {
    cluster_.sim().Resume(id);
    paused_.erase(id);
    RunFor(0);
    const ReplicatedPartition& replica = Replica(id);
    AddRow(cluster_.sim().now_ms(), "box", id,
           ReplicationCluster::kControllerId,
           "resumed: " + Records(replica.log_end_offset() - log_end_[id]) +
               ", HW " + std::to_string(replica.high_watermark()));
    log_end_[id] = replica.log_end_offset();
    high_watermark_[id] = replica.high_watermark();
    partition_epoch_[id] = replica.partition_epoch();
  }

  std::string Msc() const {
    // The leader between its followers, so that each fetch crosses one
    // column only; the controller last.
    auto broker = [](NodeId id) { return "broker " + std::to_string(id); };
    std::string msc =
        "# Drawn by follower_fetch_figure.cc from a seeded simulator run.\n"
        "msc {\n  width=\"728\";\n  " +
        Declare(followers_[0], broker(followers_[0])) + ", " +
        Declare(leader_, broker(leader_) + " (leader)") + ", " +
        Declare(followers_[1], broker(followers_[1])) + ", " +
        Declare(ReplicationCluster::kControllerId, "controller") + ";\n";
    int64_t last_ms = -1;
    for (const Row& row : rows_) {
      if (!row.shown) continue;
      if (last_ms >= 0 && row.time_ms - last_ms > kGapMs) {
        msc += "  ... [label=\"" + std::to_string(row.time_ms - last_ms) +
               " ms of fetches that move nothing\"];\n";
      }
      msc += "  " + row.line + "\n";
      last_ms = row.time_ms;
    }
    return msc + "}\n";
  }

 private:
  struct Row {
    int64_t time_ms;
    std::string line;
    bool shown = true;
  };

  static std::string Column(NodeId id) { return "n" + std::to_string(id); }
  static std::string Declare(NodeId id, const std::string& name) {
    return Column(id) + " [label=\"" + name + "\"]";
  }

  const ReplicatedPartition& Replica(NodeId id) {
    return *cluster_.replica(id, kOrders);
  }
  bool IsFollower(NodeId id) const {
    return std::find(followers_.begin(), followers_.end(), id) !=
           followers_.end();
  }

  size_t AddRow(int64_t time_ms, const std::string& kind, NodeId from,
                NodeId to, const std::string& label, bool shown = true) {
    rows_.push_back({time_ms,
                     Column(from) + " " + kind + " " + Column(to) +
                         " [label=\"" + std::to_string(time_ms - start_ms_) +
                         " ms: " + label + "\"];",
                     shown});
    return rows_.size() - 1;
  }

  // Turns the trace's new events into rows, with the nodes' state as the
  // events left it.
  void Drain() {
    const std::vector<TraceEvent>& trace = cluster_.sim().trace();
    for (; seen_ < trace.size(); ++seen_) OnEvent(trace[seen_]);
  }

  void OnEvent(const TraceEvent& e) {
    if (e.kind == TraceEvent::Kind::kPause) {
      AddRow(e.time_ms, "box", e.from, ReplicationCluster::kControllerId,
             "paused");
      return;
    }
    if (e.kind != TraceEvent::Kind::kDeliver) return;
    switch (static_cast<ApiKey>(e.message.api_key)) {
      case ApiKey::kFetch:
        if (e.message.is_response) {
          OnFetchAnswer(e);
        } else {
          OnFetch(e);
        }
        break;
      case ApiKey::kProduce:
        OnProduce(e);
        break;
      case ApiKey::kAlterPartition:
        OnAlterPartition(e);
        break;
      case ApiKey::kUpdateMetadata:
        if (!e.message.is_response) OnUpdateMetadata(e);
        break;
      default:
        break;
    }
    NoteLeaderHighWatermark(e);
  }

  // A follower's Fetch, as the leader took it in. Shown when it reports
  // progress; otherwise only if its answer brings something.
  void OnFetch(const TraceEvent& e) {
    if (e.to != leader_ || !IsFollower(e.from)) return;
    const int64_t offset =
        Replica(leader_).followers().at(e.from).log_end_offset;
    const bool moved = offset != fetch_offset_[e.from];
    fetch_offset_[e.from] = offset;
    open_fetches_[{e.from, e.message.correlation_id}] =
        AddRow(e.time_ms, "=>", e.from, e.to,
               "Fetch(from " + std::to_string(offset) + ")", moved);
  }

  // The leader's answer, as the follower took it in: how far its LEO and
  // HW moved.
  void OnFetchAnswer(const TraceEvent& e) {
    if (e.from != leader_ || !IsFollower(e.to)) return;
    const NodeId f = e.to;
    bool moved = true;
    if (paused_.contains(f)) {
      AddRow(e.time_ms, ">>", e.from, e.to, "held (paused)");
    } else {
      const ReplicatedPartition& replica = Replica(f);
      const int64_t records = replica.log_end_offset() - log_end_[f];
      moved = records != 0 || replica.high_watermark() != high_watermark_[f];
      log_end_[f] = replica.log_end_offset();
      high_watermark_[f] = replica.high_watermark();
      AddRow(
          e.time_ms, ">>", e.from, e.to,
          Records(records) + ", HW " + std::to_string(replica.high_watermark()),
          moved);
    }
    auto request = open_fetches_.find({f, e.message.correlation_id});
    if (request != open_fetches_.end()) {
      if (moved) rows_[request->second].shown = true;
      open_fetches_.erase(request);
    }
  }

  // The producer has no column of its own: its Produce is a box where the
  // leader appends (and answers, acks=1).
  void OnProduce(const TraceEvent& e) {
    if (e.message.is_response) return;
    AddRow(e.time_ms, "box", leader_, leader_,
           "Produce: LEO " + std::to_string(Replica(leader_).log_end_offset()));
  }

  void OnAlterPartition(const TraceEvent& e) {
    const ReplicatedPartition& leader = Replica(leader_);
    if (e.message.is_response) {
      AddRow(e.time_ms, ">>", e.from, e.to,
             "ISR " + IdList(leader.isr()) + ", partition epoch " +
                 std::to_string(leader.partition_epoch()));
    } else if (leader.pending_isr_change()) {
      AddRow(e.time_ms, "=>", e.from, e.to,
             "AlterPartition(ISR " +
                 IdList(leader.pending_isr_change()->new_isr) + ")");
    }
  }

  // A push that changed a replica's state (to the ISR that the
  // AlterPartition before it names); the many that repeat it are left out.
  void OnUpdateMetadata(const TraceEvent& e) {
    if (!partition_epoch_.contains(e.to) || paused_.contains(e.to)) return;
    const ReplicatedPartition& replica = Replica(e.to);
    if (replica.partition_epoch() == partition_epoch_[e.to]) return;
    partition_epoch_[e.to] = replica.partition_epoch();
    AddRow(e.time_ms, "=>", e.from, e.to, "UpdateMetadata");
  }

  void NoteLeaderHighWatermark(const TraceEvent& e) {
    const int64_t hw = Replica(leader_).high_watermark();
    if (hw == leader_hw_) return;
    leader_hw_ = hw;
    AddRow(e.time_ms, "box", leader_, leader_, "HW " + std::to_string(hw));
  }

  ReplicationCluster& cluster_;
  NodeId leader_;
  std::vector<NodeId> followers_;
  NodeId producer_ = -1;
  size_t seen_ = 0;
  int64_t start_ms_ = 0;
  int64_t leader_hw_ = 0;
  std::set<NodeId> paused_;
  // What each follower had, and what it last told the leader, as of the
  // last row.
  std::map<NodeId, int64_t> log_end_, high_watermark_, fetch_offset_;
  std::map<NodeId, int32_t> partition_epoch_;
  // Fetches not yet answered: (follower, correlation id) -> their row.
  std::map<std::pair<NodeId, int32_t>, size_t> open_fetches_;
  std::vector<Row> rows_;
};

}  // namespace
}  // namespace kafka

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: follower_fetch_figure OUT.msc\n";
    return 2;
  }
  using namespace kafka;
  ReplicationCluster cluster(/*seed=*/4, /*brokers=*/3);
  if (!cluster.CreateTopic(kOrders.topic, 1, 3).ok()) return 1;
  cluster.RunUntilReplicated(kOrders);
  const PartitionState state = *cluster.controller().state(kOrders);
  std::vector<NodeId> followers;
  for (NodeId broker : state.replicas) {
    if (broker != state.leader) followers.push_back(broker);
  }
  auto isr_size_is = [&](size_t size) {
    return [&cluster, size] {
      return cluster.controller().state(kOrders)->isr.size() == size;
    };
  };

  FollowerFetchChart chart(cluster, state.leader, followers);
  chart.RunFor(100);
  chart.Produce(1);
  chart.RunFor(1'500);
  chart.Pause(followers[1]);
  chart.Produce(1);
  chart.RunUntil(isr_size_is(2), 60'000);
  chart.RunFor(1'500);
  chart.Resume(followers[1]);
  chart.RunUntil(isr_size_is(3), 10'000);
  chart.RunFor(1'500);

  std::ofstream(argv[1]) << chart.Msc();
  return 0;
}
