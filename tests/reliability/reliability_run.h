/// \file
/// One seed of the reliability harness: a Chapter 7 cluster in the
/// simulator (three KRaft controllers, three brokers), a workload of
/// producers and consumers, the seed's faults (faults.h), a healing period,
/// a final read, and the checker's verdict (checker.h).
///
/// The workload: two producers send keyed records whose values are unique
/// across the run ("p1-17" is producer 1's 18th record) to a topic of two
/// partitions, one record every 10 to 30 ms each, for the fault window;
/// two consumers, assigned both partitions, read them from the start the
/// whole time and every record they get goes into the history. After the
/// window every fault is undone; the run waits until every broker is back,
/// each partition has a leader and an in-sync ISR, and every send has its
/// answer, and then a reader reads each partition from its start to its
/// high watermark.
///
/// The configuration under test sets what Kafka lets an operator choose:
/// acks, min.insync.replicas, unclean.leader.election.enable and
/// enable.idempotence (replication factor 3 throughout). Kafka documents
/// some choices as unsafe, and the harness must find anomalies with them;
/// a harness that finds nothing there proves nothing about the safe one.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lib/sim/simulation.h"
#include "tests/reliability/checker.h"
#include "tests/reliability/faults.h"
#include "tests/reliability/history.h"

namespace kafka {

struct ReliabilityConfig {
  std::string name;
  int16_t acks = -1;
  int min_insync_replicas = 2;
  bool unclean_leader_election = false;
  /// enable.idempotence; unset: Kafka's default (on, unless acks conflicts).
  std::optional<bool> enable_idempotence;
  /// Whether Kafka documents it as safe: no anomaly is expected.
  bool safe = false;
  std::string why;  ///< what the configuration shows
};

/// safe, acks1, unclean, min-isr-1, no-idempotence.
const std::vector<ReliabilityConfig>& ReliabilityConfigs();
const ReliabilityConfig* FindReliabilityConfig(const std::string& name);

struct RunOutcome {
  std::vector<FaultEpisode> faults;
  History history;
  std::vector<Anomaly> anomalies;
  /// False if the cluster did not recover after the faults healed: no
  /// leader, an ISR not caught up, or a send never answered.
  bool healed = false;
  std::vector<TraceEvent> trace;              ///< only if asked for
  std::map<NodeId, std::string> chart_names;  ///< brokers and producers
};

/// Runs `seed` under `config`; the same seed gives the same run.
RunOutcome RunReliabilitySeed(const ReliabilityConfig& config, uint64_t seed,
                              bool keep_trace = false);

/// A message sequence chart of the run's brokers and producers, in the
/// seconds before `anomaly` showed (the run must have kept its trace).
std::string AnomalyChart(const RunOutcome& outcome, const Anomaly& anomaly);

}  // namespace kafka
