// Chapter 4 benchmark: what replication costs, in the simulator.
//
// One workload, kBatches Produce requests of kRecordsPerBatch records of
// kValueSize bytes, sent to the leader of a topic on a three-broker simulated
// cluster, twice over: with replication factor 1, the baseline in the same
// run, and with replication factor 3. The simulator runs every broker's code
// on one thread, so its CPU time is the cluster's work: the leader's appends,
// the followers' fetches and appends, the high watermark's moves. What it
// reports (a produced byte is a byte of a record's value):
//
//   bytes_per_second, cpu_per_GB  CPU time of the whole cluster (seconds per
//                                 GB are nanoseconds per byte);
//   log_bytes_per_produced_byte   bytes in every replica's log (about 1x and
//                                 3x: each follower keeps a full copy);
//   sim_ms_until_committed        simulated time, per iteration, from the
//                                 first Produce until the leader's high
//                                 watermark reaches its log end;
//   sim_ms_until_replicated       ... until every replica has the leader's
//                                 log end and high watermark too (a
//                                 follower learns the high watermark from
//                                 its next fetch's answer);
//   sim_events                    events the simulator ran per iteration
//                                 (messages delivered, timers fired).
//
// Two ways to produce, as Kafka's acks name them:
//
//   acks=1    each Produce is answered after the leader's append; the next
//             one goes at once, and the followers catch up meanwhile;
//   acks=-1   each batch is committed (the leader's high watermark reaches
//             it) before the next is sent. Chapter 4's broker answers
//             acks=all after the leader's append, as acks=1 (waiting for the
//             ISR is Chapter 6's delayed produce), so the benchmark waits for
//             the commit itself: what an acks=all producer with one request
//             in flight will see.
//
// Replication's cost is each counter of replication factor 3 over the same
// counter of replication factor 1, with the same acks.
//
// The cluster and its topic are made before the timed loop; every iteration
// appends to the same partition. The seed is fixed, so every run does the
// same events in the same order. The process's first repetition also pays
// for its first touch of memory: run it with --benchmark_repetitions=5
// --benchmark_report_aggregates_only=true (after `bazel run -c opt
// //chapters/04_replication:replication_benchmark --`) and read the medians.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <string>
#include <vector>

#include "chapters/04_replication/replication_cluster.h"

namespace kafka {
namespace {

constexpr uint64_t kSeed = 42;
constexpr int kBrokers = 3;
constexpr int kBatches = 100;
constexpr int kRecordsPerBatch = 100;
constexpr size_t kValueSize = 100;
constexpr int64_t kIterations = 10;
const TopicPartition kBench{"bench", 0};

constexpr int64_t kPayloadBytesPerIteration =
    int64_t{kBatches} * kRecordsPerBatch * int64_t{kValueSize};

// The bytes of `partition` in the logs of all its replicas.
uint64_t LogBytesOnAllReplicas(ReplicationCluster& cluster,
                               const TopicPartition& partition) {
  uint64_t bytes = 0;
  for (NodeId id : cluster.brokers()) {
    const ReplicatedPartition* replica = cluster.replica(id, partition);
    if (replica != nullptr) bytes += replica->log().size_in_bytes();
  }
  return bytes;
}

// Runs until the leader's high watermark reaches its log end.
bool RunUntilCommitted(ReplicationCluster& cluster, NodeId leader) {
  return cluster.RunUntil(
      [&] {
        const ReplicatedPartition* replica = cluster.replica(leader, kBench);
        return replica != nullptr &&
               replica->high_watermark() == replica->log_end_offset();
      },
      10'000);
}

// Sends the workload's batches to `leader`; with acks=-1 each waits for its
// commit. Returns false if a Produce failed or a commit did not come.
bool ProduceWorkload(ReplicationCluster& cluster, NodeId leader, int16_t acks,
                     const std::vector<std::string>& values) {
  for (int batch = 0; batch < kBatches; ++batch) {
    if (cluster.Produce(leader, kBench, values, acks) != ErrorCode::kNone) {
      return false;
    }
    if (acks == -1 && !RunUntilCommitted(cluster, leader)) return false;
  }
  return true;
}

// Arguments: the replication factor, then acks.
void ProduceAndReplicate(benchmark::State& state) {
  const auto replication_factor = int16_t(state.range(0));
  const auto acks = int16_t(state.range(1));
  ReplicationCluster cluster(kSeed, kBrokers);
  cluster.sim().set_keep_trace(false);
  if (!cluster.CreateTopic(kBench.topic, 1, replication_factor).ok()) {
    state.SkipWithError("the topic was not created");
    return;
  }
  const NodeId leader = cluster.controller().state(kBench)->leader;
  const std::vector<std::string> values(kRecordsPerBatch,
                                        std::string(kValueSize, 'x'));

  int64_t committed_ms = 0, replicated_ms = 0;
  uint64_t sim_events = 0;
  for (auto _ : state) {
    const int64_t start_ms = cluster.sim().now_ms();
    const uint64_t start_events = cluster.sim().events_run();
    if (!ProduceWorkload(cluster, leader, acks, values) ||
        !RunUntilCommitted(cluster, leader)) {
      state.SkipWithError("the workload was not committed");
      return;
    }
    committed_ms += cluster.sim().now_ms() - start_ms;
    if (!cluster.RunUntilReplicated(kBench)) {
      state.SkipWithError("the workload was not replicated");
      return;
    }
    replicated_ms += cluster.sim().now_ms() - start_ms;
    sim_events += cluster.sim().events_run() - start_events;
  }

  const double payload_bytes =
      double(kPayloadBytesPerIteration) * double(state.iterations());
  state.SetBytesProcessed(int64_t(payload_bytes));
  // A rate is a count per CPU second; inverted, CPU seconds per count.
  state.counters["cpu_per_GB"] =
      benchmark::Counter(payload_bytes / 1e9, benchmark::Counter::kIsRate |
                                                  benchmark::Counter::kInvert);
  state.counters["log_bytes_per_produced_byte"] =
      double(LogBytesOnAllReplicas(cluster, kBench)) / payload_bytes;
  state.counters["sim_ms_until_committed"] = benchmark::Counter(
      double(committed_ms), benchmark::Counter::kAvgIterations);
  state.counters["sim_ms_until_replicated"] = benchmark::Counter(
      double(replicated_ms), benchmark::Counter::kAvgIterations);
  state.counters["sim_events"] = benchmark::Counter(
      double(sim_events), benchmark::Counter::kAvgIterations);
}

BENCHMARK(ProduceAndReplicate)
    ->ArgNames({"replication_factor", "acks"})
    ->Args({1, 1})
    ->Args({3, 1})
    ->Args({1, -1})
    ->Args({3, -1})
    ->Iterations(kIterations)
    ->Unit(benchmark::kMillisecond);

// The brokers' logs are in memory (MemoryStorage), and grow by megabytes.
// glibc's malloc maps a big buffer afresh, and gives freed memory back to
// the kernel, until some large free raises its thresholds; a benchmark run
// before that pays page faults that one run after it does not. Fixed
// thresholds keep freed memory for reuse, so the order of the benchmarks
// does not change what they measure.
void KeepFreedMemoryForReuse() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

}  // namespace
}  // namespace kafka

int main(int argc, char** argv) {
  kafka::KeepFreedMemoryForReuse();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
