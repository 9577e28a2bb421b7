// Writes the book's three charts of acks, each drawn from a seeded run of a
// Chapter 6 KRaft cluster in the simulator (three controllers, three
// brokers, orders-0 on brokers 1, 2 and 3, led by broker 1):
//
//   acks_zero_run.msc  acks=0: a produce that arrives, and one lost on a cut
//                      link, neither answered
//   acks_one_run.msc   acks=1: answered after the leader's append, before
//                      the followers have the record
//   acks_all_run.msc   acks=all: answered when the high watermark passes
//                      the record, after both followers' fetches
//
// The rows come from the run, as it goes: the trace gives each Produce and
// its answer (delivered, or dropped on a cut link), and after each event the
// chart compares the replicas' state with what it last drew: the leader's
// log end (an append), a follower's log end (the records of its fetch's
// answer), the leader's view of a follower's log end (the next fetch, which
// reports it) and the leader's high watermark.
// Usage: acks_figure OUT_DIR
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "chapters/01_log/record_batch.h"
#include "chapters/05_controller/kraft_cluster.h"
#include "chapters/06_acks/delayed_produce.h"
#include "lib/protocol/produce.h"

namespace kafka {
namespace {

const TopicPartition kOrders{"orders", 0};
constexpr NodeId kLeader = 1;
constexpr int16_t kProduceVersion = 9;

std::string Quoted(const std::string& text) { return "\"" + text + "\""; }

class AcksChart {
 public:
  explicit AcksChart(KRaftCluster& cluster)
      : cluster_(cluster), producer_(cluster.AddIdleClient()) {
    seen_ = cluster_.sim().trace().size();
    Snapshot(drawn_);
  }

  // Sends `value` to the leader in one Produce with `acks`, without
  // waiting: the rows follow the run.
  void Produce(const std::string& value, int16_t acks) {
    ProduceRequest request;
    request.acks = acks;
    request.timeout_ms = 5'000;
    request.topic_data = {
        {kOrders.topic,
         {{kOrders.partition,
           EncodeRecordBatch(
               MakeBatch({{.timestamp = 1000, .value = ToBytes(value)}}))}}}};
    const std::string setting = acks == -1 ? "all" : std::to_string(acks);
    sent_[NextCorrelationId()] = "Produce acks=" + setting + ": " + value;
    Bytes body = EncodeMessage(request, ApiKey::kProduce, kProduceVersion);
    RequestHeader header{int16_t(ApiKey::kProduce), kProduceVersion, 0,
                         "producer"};
    if (acks == 0) {
      cluster_.sim().env(producer_).Send(kLeader, header, std::move(body),
                                         5'000, {});
      return;
    }
    cluster_.sim().env(producer_).Send(kLeader, header, std::move(body), 5'000,
                                       [this](Result<Bytes> answer) {
                                         answered_ = true;
                                         Row("L >> P", AnswerLabel(answer));
                                       });
  }

  // Runs until `done` (or `max_ms`), drawing the rows as they happen.
  bool RunUntil(const std::function<bool()>& done, int64_t max_ms) {
    return cluster_.RunUntil(
        [&] {
          Draw();
          return done();
        },
        max_ms);
  }
  void RunFor(int64_t ms) {
    RunUntil([] { return false; }, ms);
  }
  bool answered() const { return answered_; }
  // A note across the chart's columns.
  void Note(const std::string& text) { Row("P box F3", text); }
  NodeId producer() const { return producer_; }

  std::string Msc(const std::string& comment) const {
    std::string msc =
        "# Drawn by acks_figure.cc from a seeded simulator run: " + comment +
        "\nmsc {\n  width = \"728\", arcgradient = \"0\";\n\n"
        "  P [label=\"Producer\"], L [label=\"Broker 1 "
        "(leader)\"],\n  F2 [label=\"Broker 2\"], F3 "
        "[label=\"Broker 3\"];\n\n";
    for (const std::string& row : rows_) msc += "  " + row + "\n";
    return msc + "}\n";
  }

 private:
  // What the chart draws changes of: the replicas' log ends, the leader's
  // view of its followers' log ends, its high watermark.
  struct State {
    std::map<NodeId, int64_t> log_end;
    std::map<NodeId, int64_t> leader_view;
    int64_t high_watermark = 0;
  };

  void Snapshot(State& state) {
    for (NodeId broker : {1, 2, 3}) {
      const ReplicatedPartition* replica = cluster_.replica(broker, kOrders);
      if (replica == nullptr) continue;
      state.log_end[broker] = replica->log_end_offset();
      if (broker == kLeader) {
        state.high_watermark = replica->high_watermark();
        for (const auto& [follower, seen] : replica->followers()) {
          state.leader_view[follower] = seen.log_end_offset;
        }
      }
    }
  }

  // The rows of what happened since the last call.
  void Draw() {
    DrawProduceRequests();
    State now;
    Snapshot(now);
    if (now.log_end[kLeader] > drawn_.log_end[kLeader]) {
      Row("L box L",
          "append at offset " + std::to_string(drawn_.log_end[kLeader]));
    }
    for (NodeId follower : {2, 3}) {
      const std::string column = "F" + std::to_string(follower);
      if (now.log_end[follower] > drawn_.log_end[follower]) {
        Row("L => " + column,
            "Fetch answer: offset " + std::to_string(drawn_.log_end[follower]));
      }
      if (now.leader_view[follower] > drawn_.leader_view[follower]) {
        Row(column + " => L",
            "Fetch from " + std::to_string(now.leader_view[follower]));
      }
    }
    if (now.high_watermark > drawn_.high_watermark) {
      Row("L box L", "HW " + std::to_string(now.high_watermark));
    }
    drawn_ = now;
  }

  // A Produce from the producer: an arrow when it arrives, a lost one when
  // a cut link drops it.
  void DrawProduceRequests() {
    const std::vector<TraceEvent>& trace = cluster_.sim().trace();
    for (; seen_ < trace.size(); ++seen_) {
      const TraceEvent& event = trace[seen_];
      if (event.from != producer_ || event.message.is_response) continue;
      auto sent = sent_.find(event.message.correlation_id);
      if (sent == sent_.end()) continue;
      if (event.kind == TraceEvent::Kind::kDeliver) {
        Row("P => L", sent->second);
      } else if (event.kind == TraceEvent::Kind::kDrop) {
        Row("P -x L", sent->second + ", lost");
      }
    }
  }

  std::string AnswerLabel(const Result<Bytes>& answer) const {
    if (!answer.ok()) return std::string(ErrorName(answer.error().code));
    Result<ProduceResponse> response = DecodeMessage<ProduceResponse>(
        *answer, ApiKey::kProduce, kProduceVersion, 0, "ProduceResponse");
    if (!response.ok()) return "undecodable";
    const auto& partition = response->responses.at(0).partition_responses.at(0);
    if (partition.error_code != ErrorCode::kNone) {
      return std::string(ErrorName(partition.error_code));
    }
    return "base_offset " + std::to_string(partition.base_offset);
  }

  // The producer's next request's correlation id (the simulator numbers
  // each client's requests from 1).
  int32_t NextCorrelationId() { return ++requests_sent_; }

  void Row(const std::string& arc, const std::string& label) {
    rows_.push_back(arc + " [label=" + Quoted(label) + "];");
  }

  KRaftCluster& cluster_;
  NodeId producer_;
  size_t seen_ = 0;
  int32_t requests_sent_ = 0;
  std::map<int32_t, std::string> sent_;
  State drawn_;
  bool answered_ = false;
  std::vector<std::string> rows_;
};

KRaftClusterConfig AcksClusterConfig() {
  KRaftClusterConfig config = DefaultKRaftClusterConfig();
  config.broker.seams.produce_acks = MakeDelayedProduceAcks();
  return config;
}

// Brings up a cluster with orders-0 on brokers 1, 2, 3, led by 1, every
// replica in sync; false if it did not come up.
bool StartCluster(KRaftCluster& cluster) {
  if (!cluster.RunUntilActiveController() ||
      !cluster.RunUntilBrokersUnfenced()) {
    return false;
  }
  CreateTopicsRequest::Config min_insync_replicas;
  min_insync_replicas.name = "min.insync.replicas";
  min_insync_replicas.value = "2";
  return cluster.CreateTopic("orders", 1, 3, {min_insync_replicas}, {{1, 2, 3}})
             .ok() &&
         cluster.RunUntilLeaderElected(kOrders) &&
         cluster.RunUntilReplicated(kOrders);
}

std::optional<std::string> AcksZero() {
  KRaftCluster cluster(31, 3, AcksClusterConfig());
  if (!StartCluster(cluster)) return std::nullopt;
  AcksChart chart(cluster);
  chart.Produce("a", 0);
  chart.RunFor(1500);
  chart.Note("the producer's link to broker 1 is cut");
  cluster.Partition({chart.producer()}, {kLeader});
  chart.Produce("b", 0);
  chart.RunFor(100);
  chart.Note("the producer counted a and b as sent; b is lost");
  return chart.Msc("acks=0, a produce that arrives and one that is lost");
}

std::optional<std::string> AcksWaiting(int16_t acks) {
  KRaftCluster cluster(31, 3, AcksClusterConfig());
  if (!StartCluster(cluster)) return std::nullopt;
  AcksChart chart(cluster);
  chart.Produce("a", acks);
  // Until the answer came and both followers reported the record.
  if (!chart.RunUntil(
          [&] {
            const ReplicatedPartition* leader =
                cluster.replica(kLeader, kOrders);
            return chart.answered() &&
                   leader->high_watermark() == leader->log_end_offset();
          },
          5'000)) {
    return std::nullopt;
  }
  return chart.Msc(acks == 1 ? "acks=1" : "acks=all");
}

bool Write(const std::string& path, const std::optional<std::string>& msc) {
  if (!msc) {
    std::cerr << "acks_figure: the run for " << path << " did not finish\n";
    return false;
  }
  std::ofstream out(path);
  out << *msc;
  return bool(out);
}

}  // namespace
}  // namespace kafka

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: acks_figure OUT_DIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  const bool ok =
      kafka::Write(dir + "/acks_zero_run.msc", kafka::AcksZero()) &&
      kafka::Write(dir + "/acks_one_run.msc", kafka::AcksWaiting(1)) &&
      kafka::Write(dir + "/acks_all_run.msc", kafka::AcksWaiting(-1));
  return ok ? 0 : 1;
}
