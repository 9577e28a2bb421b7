#include "tests/reliability/reliability_run.h"

#include <algorithm>
#include <map>
#include <memory>
#include <random>

#include "chapters/02_partitions/consumer.h"
#include "chapters/02_partitions/producer.h"
#include "chapters/05_controller/kraft_cluster.h"
#include "chapters/07_idempotence/idempotent_broker.h"
#include "lib/sim/trace_msc.h"

namespace kafka {
namespace {

const std::string kTopic = "jepsen";
constexpr int32_t kPartitions = 2;
constexpr int kProducers = 2;
constexpr int kConsumers = 2;
constexpr int64_t kFaultWindowMs = 20'000;
constexpr int64_t kStepMs = 10;
constexpr int64_t kHealingMs = 90'000;

std::vector<TopicPartition> AllPartitions() {
  std::vector<TopicPartition> partitions;
  for (int32_t i = 0; i < kPartitions; ++i) partitions.push_back({kTopic, i});
  return partitions;
}

// Kafka's settings, but a follower leaves the ISR and a silent broker is
// fenced sooner, so that faults of a few seconds change the ISR.
KRaftClusterConfig HarnessClusterConfig() {
  KRaftClusterConfig config = DefaultKRaftClusterConfig();
  AddIdempotence(config.broker);
  config.broker.replication.replication.replica_lag_time_max_ms = 5'000;
  config.broker.lifecycle.broker_heartbeat_interval_ms = 500;
  config.broker.lifecycle.broker_session_timeout_ms = 4'000;
  config.controller.broker_session_timeout_ms = 4'000;
  return config;
}

std::vector<CreateTopicsRequest::Config> TopicConfigs(
    const ReliabilityConfig& config) {
  CreateTopicsRequest::Config min_insync;
  min_insync.name = "min.insync.replicas";
  min_insync.value = std::to_string(config.min_insync_replicas);
  CreateTopicsRequest::Config unclean;
  unclean.name = "unclean.leader.election.enable";
  unclean.value = config.unclean_leader_election ? "true" : "false";
  return {min_insync, unclean};
}

ReadRecord ReadOf(const ConsumerRecord& record) {
  return {record.offset, record.value ? AsString(*record.value) : ""};
}

class ReliabilityRun {
 public:
  ReliabilityRun(const ReliabilityConfig& config, uint64_t seed,
                 bool keep_trace)
      : config_(config),
        seed_(seed),
        cluster_(seed, 3, HarnessClusterConfig()),
        workload_random_(seed) {
    cluster_.sim().set_keep_trace(keep_trace);
  }

  RunOutcome Run() {
    RunOutcome outcome;
    outcome.faults = MakeFaultSchedule(seed_, Plan());
    if (!StartCluster()) return outcome;
    AddClients();
    RunWorkloadWithFaults(outcome.faults);
    outcome.healed = Heal() && ReadEverything();
    outcome.history = std::move(history_);
    // Without the final read every acknowledged send would count as lost:
    // an unhealed run is one anomaly, "unavailable" (soak.cc).
    if (outcome.healed) outcome.anomalies = CheckHistory(outcome.history);
    outcome.trace = cluster_.sim().trace();
    outcome.chart_names = ChartNames();
    return outcome;
  }

 private:
  // The client that node `id` hosts (KRaftCluster's client() is its own
  // client node).
  template <typename Client>
  Client& Hosted(NodeId id) {
    return cluster_.sim().node<ClientHost<Client>>(id).client();
  }

  std::map<NodeId, std::string> ChartNames() const {
    std::map<NodeId, std::string> names;
    for (NodeId broker : cluster_.brokers()) {
      names[broker] = "broker " + std::to_string(broker);
    }
    for (size_t i = 0; i < producers_.size(); ++i) {
      names[producers_[i]] = "producer " + std::to_string(i);
    }
    return names;
  }

  FaultPlan Plan() const {
    FaultPlan plan;
    plan.targets = cluster_.nodes();
    plan.window_ms = kFaultWindowMs;
    return plan;
  }

  bool StartCluster() {
    if (!cluster_.RunUntilActiveController() ||
        !cluster_.RunUntilBrokersUnfenced() ||
        !cluster_.CreateTopic(kTopic, kPartitions, 3, TopicConfigs(config_))
             .ok()) {
      return false;
    }
    for (const TopicPartition& partition : AllPartitions()) {
      if (!cluster_.RunUntilReplicated(partition)) return false;
    }
    return true;
  }

  void AddClients() {
    for (int i = 0; i < kProducers; ++i) {
      ProducerConfig producer{.bootstrap_servers = cluster_.bootstrap_servers(),
                              .acks = config_.acks,
                              .request_timeout_ms = 3'000,
                              .delivery_timeout_ms = 30'000,
                              .enable_idempotence = config_.enable_idempotence,
                              .client_id = "producer-" + std::to_string(i)};
      producers_.push_back(
          cluster_.AddClient<Producer>([producer](Environment& env) {
            return std::make_unique<Producer>(env, producer);
          }));
    }
    for (int i = 0; i < kConsumers; ++i) {
      consumers_.push_back(AddReader(i, &history_.polls));
    }
  }

  // A consumer assigned every partition from its start; what it gets goes
  // to `polls` as consumer `number`'s.
  NodeId AddReader(int number, std::vector<PollOp>* polls) {
    ConsumerConfig consumer{.bootstrap_servers = cluster_.bootstrap_servers(),
                            .auto_offset_reset = "earliest",
                            .request_timeout_ms = 3'000,
                            .client_id = "consumer-" + std::to_string(number)};
    Simulation& sim = cluster_.sim();
    const NodeId node = cluster_.AddClient<Consumer>(
        [consumer, number, polls, &sim](Environment& env) {
          return std::make_unique<Consumer>(
              env, consumer,
              [number, polls, &sim](std::vector<ConsumerRecord> records) {
                RecordPolls(number, sim.now_ms(), records, *polls);
              });
        });
    Hosted<Consumer>(node).Assign(AllPartitions());
    return node;
  }

  static void RecordPolls(int consumer, int64_t now_ms,
                          const std::vector<ConsumerRecord>& records,
                          std::vector<PollOp>& polls) {
    std::map<int32_t, PollOp> by_partition;
    for (const ConsumerRecord& record : records) {
      PollOp& poll = by_partition[record.partition.partition];
      poll.consumer = consumer;
      poll.time_ms = now_ms;
      poll.partition = record.partition.partition;
      poll.records.push_back(ReadOf(record));
    }
    for (auto& [partition, poll] : by_partition) {
      polls.push_back(std::move(poll));
    }
  }

  // Every kStepMs: the faults that start or end, and each producer sends
  // a record with a chance that makes one every 20 ms on average.
  void RunWorkloadWithFaults(const std::vector<FaultEpisode>& faults) {
    const int64_t start = cluster_.sim().now_ms();
    for (int64_t t = 0; t < kFaultWindowMs; t += kStepMs) {
      ApplyFaults(faults, t);
      for (int i = 0; i < kProducers; ++i) {
        if (std::bernoulli_distribution(0.5)(workload_random_)) Send(i);
      }
      cluster_.sim().RunFor(start + t + kStepMs - cluster_.sim().now_ms());
    }
  }

  void Send(int producer) {
    const size_t index = history_.sends.size();
    SendOp send;
    send.producer = producer;
    send.value =
        "p" + std::to_string(producer) + "-" + std::to_string(sent_[producer]);
    send.invoked_ms = cluster_.sim().now_ms();
    const std::string key = "k" + std::to_string(sent_[producer]++ % 10);
    history_.sends.push_back(send);
    Hosted<Producer>(producers_[producer])
        .Send(kTopic, ToBytes(key), ToBytes(send.value),
              [this, index](Result<RecordMetadata> delivered) {
                Completed(history_.sends[index], delivered);
              });
  }

  void Completed(SendOp& send, const Result<RecordMetadata>& delivered) {
    send.completed_ms = cluster_.sim().now_ms();
    if (!delivered.ok()) {
      send.outcome = SendOp::Outcome::kFailed;
      send.error = std::string(ErrorName(delivered.error().code));
      return;
    }
    send.outcome = SendOp::Outcome::kAcknowledged;
    send.partition = delivered->partition.partition;
    send.offset = delivered->offset;
  }

  // The network as the faults active at `t` make it, and the nodes' state
  // changes of the faults that start or end at `t`.
  void ApplyFaults(const std::vector<FaultEpisode>& faults, int64_t t) {
    bool network_changed = false;
    for (const FaultEpisode& fault : faults) {
      if (fault.start_ms >= t && fault.start_ms < t + kStepMs) {
        Begin(fault);
        network_changed = true;
      } else if (fault.end_ms >= t && fault.end_ms < t + kStepMs) {
        End(fault);
        network_changed = true;
      }
    }
    if (network_changed) ApplyNetwork(faults, t);
  }

  void Begin(const FaultEpisode& fault) {
    Simulation& sim = cluster_.sim();
    switch (fault.kind) {
      case FaultEpisode::Kind::kProcessCrash:
        return sim.Crash(fault.node, Simulation::CrashKind::kProcessCrash);
      case FaultEpisode::Kind::kPowerFailure:
        return sim.Crash(fault.node, Simulation::CrashKind::kPowerFailure);
      case FaultEpisode::Kind::kPause:
        return sim.Pause(fault.node);
      default:
        return;  // a network fault: ApplyNetwork
    }
  }

  void End(const FaultEpisode& fault) {
    Simulation& sim = cluster_.sim();
    switch (fault.kind) {
      case FaultEpisode::Kind::kProcessCrash:
      case FaultEpisode::Kind::kPowerFailure:
        return sim.Restart(fault.node);
      case FaultEpisode::Kind::kPause:
        return sim.Resume(fault.node);
      default:
        return;
    }
  }

  // Heals everything, then cuts and degrades again what is still active.
  void ApplyNetwork(const std::vector<FaultEpisode>& faults, int64_t t) {
    Simulation& sim = cluster_.sim();
    sim.Heal();
    for (NodeId a : Everyone()) {
      for (NodeId b : Everyone()) sim.SetLink(a, b, LinkFaults{});
    }
    for (const FaultEpisode& fault : faults) {
      const bool active =
          fault.start_ms < t + kStepMs && fault.end_ms >= t + kStepMs;
      if (active) DegradeNetwork(fault);
    }
  }

  void DegradeNetwork(const FaultEpisode& fault) {
    Simulation& sim = cluster_.sim();
    for (NodeId other : Everyone()) {
      if (other == fault.node) continue;
      switch (fault.kind) {
        case FaultEpisode::Kind::kIsolate:
          sim.Partition({fault.node}, {other});
          break;
        case FaultEpisode::Kind::kOneWay:
          sim.CutOneWay(fault.node, other);
          break;
        case FaultEpisode::Kind::kFlakyLinks:
          sim.SetLink(fault.node, other, FlakyLink());
          sim.SetLink(other, fault.node, FlakyLink());
          break;
        default:
          break;
      }
    }
  }

  static LinkFaults FlakyLink() {
    return {.min_latency_ms = 1,
            .max_latency_ms = 200,
            .drop_probability = 0.1,
            .duplicate_probability = 0.05};
  }

  std::vector<NodeId> Everyone() const {
    std::vector<NodeId> nodes = cluster_.nodes();
    nodes.insert(nodes.end(), producers_.begin(), producers_.end());
    nodes.insert(nodes.end(), consumers_.begin(), consumers_.end());
    nodes.push_back(cluster_.client());
    return nodes;
  }

  // Every fault undone; true once the cluster is whole again and every
  // send has its answer.
  bool Heal() {
    Simulation& sim = cluster_.sim();
    ApplyNetwork({}, 0);
    for (NodeId node : cluster_.nodes()) {
      if (!sim.is_up(node)) sim.Restart(node);
      sim.Resume(node);
    }
    const int64_t deadline = sim.now_ms() + kHealingMs;
    auto left = [&] { return std::max<int64_t>(1, deadline - sim.now_ms()); };
    if (!cluster_.RunUntilActiveController(left()) ||
        !cluster_.RunUntilBrokersUnfenced(left())) {
      return false;
    }
    for (const TopicPartition& partition : AllPartitions()) {
      if (!cluster_.RunUntilLeaderElected(partition, left()) ||
          !cluster_.RunUntilReplicated(partition, left())) {
        return false;
      }
    }
    return cluster_.RunUntil([&] { return AllSendsAnswered(); }, left());
  }

  bool AllSendsAnswered() {
    for (NodeId producer : producers_) {
      if (Hosted<Producer>(producer).in_flight_records() > 0) {
        return false;
      }
    }
    return true;
  }

  // A new consumer reads every partition from its start to the high
  // watermark its leader reports.
  bool ReadEverything() {
    std::vector<PollOp>& reads = final_reads_;
    AddReader(kConsumers, &reads);
    std::map<int32_t, int64_t> ends;
    for (const TopicPartition& partition : AllPartitions()) {
      const NodeId leader = cluster_.state(partition)->leader;
      ends[partition.partition] =
          cluster_.Fetch(leader, partition, 0).high_watermark;
    }
    auto read_to_the_ends = [&] {
      for (const auto& [partition, end] : ends) {
        int64_t next = 0;
        for (const PollOp& read : reads) {
          if (read.partition == partition && !read.records.empty()) {
            next = read.records.back().offset + 1;
          }
        }
        if (next < end) return false;
      }
      return true;
    };
    if (!cluster_.RunUntil(read_to_the_ends, 30'000)) return false;
    for (const PollOp& read : reads) {
      std::vector<ReadRecord>& records = history_.final_read[read.partition];
      records.insert(records.end(), read.records.begin(), read.records.end());
    }
    return true;
  }

  const ReliabilityConfig& config_;
  uint64_t seed_;
  KRaftCluster cluster_;
  std::mt19937_64 workload_random_;
  std::vector<NodeId> producers_;
  std::vector<NodeId> consumers_;
  std::map<int, int64_t> sent_;  ///< records sent, by producer
  History history_;
  std::vector<PollOp> final_reads_;  ///< the final reader's, as it reads
};

}  // namespace

const std::vector<ReliabilityConfig>& ReliabilityConfigs() {
  static const std::vector<ReliabilityConfig> configs = {
      {.name = "safe",
       .enable_idempotence = true,
       .safe = true,
       .why = "acks=all, min.insync.replicas=2, clean elections, "
              "idempotence: Kafka's durable settings"},
      {.name = "acks1",
       .acks = 1,
       .why = "acks=1: the leader answers before its followers have the "
              "record, and a failover loses it"},
      {.name = "unclean",
       .unclean_leader_election = true,
       .why = "unclean.leader.election.enable=true: a replica outside the "
              "ISR may lead, without the records it lacks"},
      {.name = "min-isr-1",
       .min_insync_replicas = 1,
       .enable_idempotence = true,
       .why = "min.insync.replicas=1: acks=all is answered by a leader "
              "alone in its ISR, and lost with it"},
      {.name = "no-idempotence",
       .enable_idempotence = false,
       .why = "enable.idempotence=false: a retry after a lost answer "
              "writes the record again"},
  };
  return configs;
}

const ReliabilityConfig* FindReliabilityConfig(const std::string& name) {
  for (const ReliabilityConfig& config : ReliabilityConfigs()) {
    if (config.name == name) return &config;
  }
  return nullptr;
}

RunOutcome RunReliabilitySeed(const ReliabilityConfig& config, uint64_t seed,
                              bool keep_trace) {
  return ReliabilityRun(config, seed, keep_trace).Run();
}

std::string AnomalyChart(const RunOutcome& outcome, const Anomaly& anomaly) {
  std::vector<TraceEvent> around;
  for (const TraceEvent& event : outcome.trace) {
    if (event.time_ms > anomaly.time_ms - 3'000 &&
        event.time_ms <= anomaly.time_ms) {
      around.push_back(event);
    }
  }
  // The last few hundred rows are what a reader can follow.
  constexpr size_t kMaxRows = 300;
  if (around.size() > kMaxRows) {
    around.erase(around.begin(), around.end() - kMaxRows);
  }
  return TraceToMsc(around, outcome.chart_names);
}

}  // namespace kafka
