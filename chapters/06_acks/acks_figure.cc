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
// The rows come from the run (produce_chart.h).
// Usage: acks_figure OUT_DIR
#include <iostream>
#include <optional>
#include <string>

#include "chapters/01_log/record_batch.h"
#include "chapters/05_controller/kraft_cluster.h"
#include "chapters/06_acks/delayed_produce.h"
#include "chapters/06_acks/produce_chart.h"

namespace kafka {
namespace {

const TopicPartition kOrders{"orders", 0};
constexpr NodeId kLeader = ProduceChart::kLeader;

ProduceChart AcksChart(KRaftCluster& cluster) {
  return ProduceChart(cluster, "acks_figure.cc",
                      ProduceChart::Columns::kAllReplicas);
}

// Sends `value` to the leader in one Produce with `acks`, without waiting:
// the rows follow the run.
void Produce(ProduceChart& chart, const std::string& value, int16_t acks) {
  const std::string setting = acks == -1 ? "all" : std::to_string(acks);
  chart.Produce("Produce acks=" + setting + ": " + value,
                MakeBatch({{.timestamp = 1000, .value = ToBytes(value)}}),
                acks);
}

KRaftClusterConfig AcksClusterConfig() {
  KRaftClusterConfig config = DefaultKRaftClusterConfig();
  config.broker.seams.produce_acks = MakeDelayedProduceAcks();
  return config;
}

std::optional<std::string> AcksZero() {
  KRaftCluster cluster(31, 3, AcksClusterConfig());
  if (!StartOrdersCluster(cluster)) return std::nullopt;
  ProduceChart chart = AcksChart(cluster);
  Produce(chart, "a", 0);
  chart.RunFor(1500);
  chart.Note("the producer's link to broker 1 is cut");
  cluster.Partition({chart.producer()}, {kLeader});
  Produce(chart, "b", 0);
  chart.RunFor(100);
  chart.Note("the producer counted a and b as sent; b is lost");
  return chart.Msc("acks=0, a produce that arrives and one that is lost");
}

std::optional<std::string> AcksWaiting(int16_t acks) {
  KRaftCluster cluster(31, 3, AcksClusterConfig());
  if (!StartOrdersCluster(cluster)) return std::nullopt;
  ProduceChart chart = AcksChart(cluster);
  Produce(chart, "a", acks);
  // Until the answer came and both followers reported the record.
  if (!chart.RunUntil(
          [&] {
            const ReplicatedPartition* leader =
                cluster.replica(kLeader, kOrders);
            return chart.answers() == 1 &&
                   leader->high_watermark() == leader->log_end_offset();
          },
          5'000)) {
    return std::nullopt;
  }
  return chart.Msc(acks == 1 ? "acks=1" : "acks=all");
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
      kafka::WriteChart(dir + "/acks_zero_run.msc", kafka::AcksZero()) &&
      kafka::WriteChart(dir + "/acks_one_run.msc", kafka::AcksWaiting(1)) &&
      kafka::WriteChart(dir + "/acks_all_run.msc", kafka::AcksWaiting(-1));
  return ok ? 0 : 1;
}
