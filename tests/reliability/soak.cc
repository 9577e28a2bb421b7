// The reliability harness's command: runs seeds of one configuration
// (reliability_run.h) and says whether the result is the expected one.
//
//   bazel run -c opt //tests/reliability:soak -- --config NAME --seeds N
//       [--first-seed S] [--chart-dir DIR]
//
// prints one line per anomaly (with its seed), the command that replays
// the first failing seed, and at the end one line
//
//   config=NAME seeds=N faults=F anomalies=A
//
// It exits 0 when that is what Kafka documents for the configuration: no
// anomaly for a safe one, at least one over the seeds for an unsafe one;
// 1 otherwise (2 for a wrong flag). A failing seed's run is replayed with
// its trace kept, and a message sequence chart of the seconds before its
// first anomaly is written to DIR (soak-NAME-SEED.msc).
#include <CLI/CLI.hpp>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

#include "tests/reliability/reliability_run.h"

namespace kafka {
namespace {

struct SoakFlags {
  std::string config;
  int64_t seeds = 0;
  uint64_t first_seed = 1;
  std::string chart_dir;
};

void PrintAnomaly(uint64_t seed, const Anomaly& anomaly) {
  std::cout << "seed=" << seed << " anomaly=" << AnomalyName(anomaly.kind)
            << " partition=" << anomaly.partition
            << " time_ms=" << anomaly.time_ms << ": " << anomaly.detail << "\n";
}

void PrintReplay(const ReliabilityConfig& config, uint64_t seed) {
  std::cout << "replay: bazel run -c opt //tests/reliability:soak -- "
               "--config "
            << config.name << " --seeds 1 --first-seed " << seed << "\n";
}

// Runs `seed` again with its trace and writes the chart of its first
// anomaly.
void WriteChart(const ReliabilityConfig& config, uint64_t seed,
                const std::string& dir) {
  const RunOutcome replay = RunReliabilitySeed(config, seed, true);
  if (replay.anomalies.empty()) return;
  const std::string path =
      dir + "/soak-" + config.name + "-" + std::to_string(seed) + ".msc";
  std::ofstream out(path);
  out << "# " << AnomalyName(replay.anomalies.front().kind) << ": "
      << replay.anomalies.front().detail << "\n"
      << AnomalyChart(replay, replay.anomalies.front());
  std::cout << "chart: " << path << "\n";
}

// What a seed found: its anomalies, and one more if the cluster did not
// recover (the acknowledged records could not all be read).
int64_t ReportSeed(uint64_t seed, const RunOutcome& outcome) {
  for (const Anomaly& anomaly : outcome.anomalies) PrintAnomaly(seed, anomaly);
  if (outcome.healed) return int64_t(outcome.anomalies.size());
  std::cout << "seed=" << seed
            << " anomaly=unavailable: the cluster did not recover after the "
               "faults healed\n";
  return int64_t(outcome.anomalies.size()) + 1;
}

int Soak(const ReliabilityConfig& config, const SoakFlags& flags) {
  int64_t faults = 0;
  int64_t anomalies = 0;
  bool charted = false;
  for (int64_t i = 0; i < flags.seeds; ++i) {
    const uint64_t seed = flags.first_seed + uint64_t(i);
    const RunOutcome outcome = RunReliabilitySeed(config, seed);
    faults += int64_t(outcome.faults.size());
    const int64_t found = ReportSeed(seed, outcome);
    anomalies += found;
    if (found > 0 && !charted) {
      PrintReplay(config, seed);
      WriteChart(config, seed, flags.chart_dir);
      charted = true;
    }
  }
  std::cout << "config=" << config.name << " seeds=" << flags.seeds
            << " faults=" << faults << " anomalies=" << anomalies << "\n";
  const bool expected = config.safe ? anomalies == 0 : anomalies > 0;
  if (!expected) {
    std::cout << (config.safe ? "unexpected: a safe configuration showed "
                                "anomalies"
                              : "unexpected: an unsafe configuration showed "
                                "none; the checker may be blind")
              << "\n";
  }
  return expected ? 0 : 1;
}

std::string DefaultChartDir() {
  const char* workspace = std::getenv("BUILD_WORKING_DIRECTORY");
  return workspace != nullptr ? workspace : ".";
}

}  // namespace
}  // namespace kafka

int main(int argc, char** argv) {
  kafka::SoakFlags flags;
  flags.chart_dir = kafka::DefaultChartDir();
  CLI::App app{"Random fault runs of a simulated Kafka cluster, checked"};
  std::string names;
  for (const kafka::ReliabilityConfig& config : kafka::ReliabilityConfigs()) {
    names += (names.empty() ? "" : ", ") + config.name;
  }
  app.add_option("--config", flags.config, "one of: " + names)->required();
  app.add_option("--seeds", flags.seeds, "how many seeds to run")
      ->required()
      ->check(CLI::PositiveNumber);
  app.add_option("--first-seed", flags.first_seed, "the first seed (1)");
  app.add_option("--chart-dir", flags.chart_dir,
                 "where a failing seed's chart goes");
  CLI11_PARSE(app, argc, argv);
  const kafka::ReliabilityConfig* config =
      kafka::FindReliabilityConfig(flags.config);
  if (config == nullptr) {
    std::cerr << "--config: unknown configuration " << flags.config
              << "; one of: " << names << "\n";
    return 2;
  }
  return kafka::Soak(*config, flags);
}
