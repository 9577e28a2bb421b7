// Writes Chapter 7's two charts, each drawn from a seeded run of a
// Chapter 7 KRaft cluster in the simulator (three controllers, three
// brokers, orders-0 on brokers 1, 2 and 3, led by broker 1, acks=all), by
// a producer that asks for a producer id and stamps its batches itself:
//
//   idempotence_duplicate_run.msc     the answer to "a" is lost; its retry,
//                                     with the same sequence, is a
//                                     duplicate: answered with a's offset,
//                                     not appended again
//   idempotence_out_of_order_run.msc  r1 is lost on its way; r2 comes
//                                     after r0 and is refused as out of
//                                     order; r1 and then r2 are sent again
//                                     and appended in order
//
// The rows come from the run (chapters/06_acks/produce_chart.h).
// Usage: idempotence_figure OUT_DIR
#include <iostream>
#include <optional>
#include <string>

#include "chapters/01_log/record_batch.h"
#include "chapters/05_controller/kraft_cluster.h"
#include "chapters/06_acks/produce_chart.h"
#include "chapters/07_idempotence/idempotent_broker.h"
#include "lib/protocol/init_producer_id.h"

namespace kafka {
namespace {

constexpr NodeId kLeader = ProduceChart::kLeader;
constexpr int16_t kInitProducerIdVersion = 4;
constexpr int16_t kAcksAll = -1;

KRaftClusterConfig IdempotentClusterConfig() {
  KRaftClusterConfig config = DefaultKRaftClusterConfig();
  AddIdempotence(config.broker);
  return config;
}

// A chart's producer: its producer id from InitProducerId, and a batch of
// one record per Produce, stamped with that id, epoch 0 and a sequence.
class StampingProducer {
 public:
  explicit StampingProducer(ProduceChart& chart) : chart_(chart) {}

  // Asks the leader for a producer id and runs until it has one.
  bool InitProducerId() {
    const InitProducerIdRequest request;  // no transactional.id
    chart_.Send(
        "InitProducerId", ApiKey::kInitProducerId, kInitProducerIdVersion,
        EncodeMessage(request, ApiKey::kInitProducerId, kInitProducerIdVersion),
        [this](const Bytes& body) { return OnProducerId(body); });
    const int answers = chart_.answers() + 1;
    return chart_.RunUntil([&] { return chart_.answers() == answers; },
                           5'000) &&
           producer_id_ >= 0;
  }

  // Sends `value` as the batch of sequence `sequence`, without waiting.
  void Produce(const std::string& value, int32_t sequence) {
    RecordBatch batch =
        MakeBatch({{.timestamp = 1000, .value = ToBytes(value)}});
    batch.header.producer_id = producer_id_;
    batch.header.producer_epoch = 0;
    batch.header.base_sequence = sequence;
    chart_.Produce(
        "Produce " + value + ": sequence " + std::to_string(sequence), batch,
        kAcksAll);
  }

 private:
  std::string OnProducerId(const Bytes& body) {
    Result<InitProducerIdResponse> response =
        DecodeMessage<InitProducerIdResponse>(body, ApiKey::kInitProducerId,
                                              kInitProducerIdVersion, 0,
                                              "InitProducerIdResponse");
    if (!response.ok()) return "undecodable";
    if (response->error_code != ErrorCode::kNone) {
      return std::string(ErrorName(response->error_code));
    }
    producer_id_ = response->producer_id;
    return "producer_id " + std::to_string(producer_id_) + ", epoch " +
           std::to_string(response->producer_epoch);
  }

  ProduceChart& chart_;
  int64_t producer_id_ = -1;
};

// A cluster that is up, with a block of producer ids at the leader. A
// broker asks the controller for its first block when it is first asked
// for an id, and answers COORDINATOR_LOAD_IN_PROGRESS until the block
// comes: another client asks first, until it gets an id.
bool StartIdempotentCluster(KRaftCluster& cluster) {
  if (!StartOrdersCluster(cluster)) return false;
  for (int attempt = 0; attempt < 20; ++attempt) {
    Result<InitProducerIdResponse> response =
        cluster.Call<InitProducerIdResponse>(
            cluster.client(), kLeader, ApiKey::kInitProducerId,
            kInitProducerIdVersion, InitProducerIdRequest{});
    if (response.ok() && response->error_code == ErrorCode::kNone) {
      return true;
    }
    cluster.RunFor(100);
  }
  return false;
}

ProduceChart IdempotenceChart(KRaftCluster& cluster) {
  return ProduceChart(cluster, "idempotence_figure.cc",
                      ProduceChart::Columns::kProducerAndLeader);
}

std::optional<std::string> Duplicate() {
  KRaftCluster cluster(31, 3, IdempotentClusterConfig());
  if (!StartIdempotentCluster(cluster)) return std::nullopt;
  ProduceChart chart = IdempotenceChart(cluster);
  StampingProducer producer(chart);
  if (!producer.InitProducerId()) return std::nullopt;
  chart.Note("broker 1's link to the producer is cut");
  cluster.sim().CutOneWay(kLeader, chart.producer());
  producer.Produce("a", 0);
  if (!chart.RunUntil([&] { return chart.answers() == 2; }, 10'000)) {
    return std::nullopt;
  }
  cluster.Heal();
  chart.Note("the producer sends a again, with the same sequence");
  producer.Produce("a", 0);
  if (!chart.RunUntil([&] { return chart.answers() == 3; }, 5'000)) {
    return std::nullopt;
  }
  chart.Note("a duplicate: answered with a's offset, not appended again");
  return chart.Msc("a lost answer and its retry, idempotent");
}

std::optional<std::string> OutOfOrder() {
  KRaftCluster cluster(31, 3, IdempotentClusterConfig());
  if (!StartIdempotentCluster(cluster)) return std::nullopt;
  ProduceChart chart = IdempotenceChart(cluster);
  StampingProducer producer(chart);
  if (!producer.InitProducerId()) return std::nullopt;
  producer.Produce("r0", 0);
  chart.RunFor(2);  // r0 reaches the leader
  cluster.sim().CutOneWay(chart.producer(), kLeader);
  producer.Produce("r1", 1);
  chart.RunFor(2);  // r1 is lost
  cluster.Heal();
  producer.Produce("r2", 2);
  // r0's and r2's answers, and r1's timeout.
  if (!chart.RunUntil([&] { return chart.answers() == 4; }, 10'000)) {
    return std::nullopt;
  }
  chart.Note("r2 came after sequence 0: a gap, refused; r1 was lost");
  chart.Note("the producer sends r1 again, then r2, with their sequences");
  producer.Produce("r1", 1);
  producer.Produce("r2", 2);
  if (!chart.RunUntil([&] { return chart.answers() == 6; }, 5'000)) {
    return std::nullopt;
  }
  return chart.Msc("a lost batch among those in flight, idempotent");
}

}  // namespace
}  // namespace kafka

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: idempotence_figure OUT_DIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  const bool ok = kafka::WriteChart(dir + "/idempotence_duplicate_run.msc",
                                    kafka::Duplicate()) &&
                  kafka::WriteChart(dir + "/idempotence_out_of_order_run.msc",
                                    kafka::OutOfOrder());
  return ok ? 0 : 1;
}
