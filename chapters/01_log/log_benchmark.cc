// Chapter 1 benchmark: the log against the raw file system, in the same run.
//
// Append: 1 KiB records in 16 KiB batches through Log::Append (validation, CRC,
// offset assignment, index upkeep) against plain write(2) of the same bytes in
// the same chunks. Read: sequential Log::Read of one batch at a time, and of
// 1 MiB fetches (the consumer's default max.partition.fetch.bytes), against
// plain pread(2) of the same bytes in the same chunks: whole batches.
// The number to look at is the ratio log / raw of bytes_per_second.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>

#include "chapters/01_log/log.h"
#include "lib/crc32c.h"
#include "lib/storage/posix_storage.h"

namespace kafka {
namespace {

constexpr int kRecordsPerBatch = 16;
constexpr size_t kRecordSize = 1024;
constexpr int64_t kBatchesPerRun = 4096;  // about 66 MiB per run

std::string FreshDir(const std::string& name) {
  std::string dir =
      std::filesystem::temp_directory_path() / ("kafka_log_benchmark_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

const Bytes& SixteenKibBatch() {
  static const Bytes batch = [] {
    std::vector<SimpleRecord> records;
    for (int i = 0; i < kRecordsPerBatch; ++i) {
      records.push_back({.timestamp = 1'700'000'000'000,
                         .key = ToBytes("key-" + std::to_string(i)),
                         .value = Bytes(kRecordSize, uint8_t('x'))});
    }
    return EncodeRecordBatch(MakeBatch(records));
  }();
  return batch;
}

// Both write benchmarks delete their files when done, so that neither pays
// for the write-back of the other's dirty pages.
void RawWrite(benchmark::State& state) {
  std::string dir = FreshDir("raw_write");
  std::string path = dir + "/raw.log";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  Bytes batch = SixteenKibBatch();
  for (auto _ : state) {
    if (::write(fd, batch.data(), batch.size()) != ssize_t(batch.size())) {
      state.SkipWithError("write failed");
    }
  }
  ::close(fd);
  std::filesystem::remove_all(dir);
  state.SetBytesProcessed(state.iterations() * int64_t(batch.size()));
}

void LogAppend(benchmark::State& state) {
  PosixStorage storage;
  std::string dir = FreshDir("log_append");
  auto log = Log::Open(storage, dir + "/t-0", LogConfig{}, 0);
  Bytes batch = SixteenKibBatch();
  for (auto _ : state) {
    Result<LogAppendInfo> info = log->Append(batch, 0);
    if (!info.ok()) state.SkipWithError(info.error().ToString().c_str());
  }
  log.reset();
  std::filesystem::remove_all(dir);
  state.SetBytesProcessed(state.iterations() * int64_t(batch.size()));
}

// Where an append's time goes besides the write: the leader validates every
// batch (CRC-32C over the batch, then a walk over its records).
void ValidateBatch(benchmark::State& state) {
  Bytes batch = SixteenKibBatch();
  for (auto _ : state) {
    benchmark::DoNotOptimize(SplitAndValidateBatches(batch).ok());
  }
  state.SetBytesProcessed(state.iterations() * int64_t(batch.size()));
}

void Crc32cOfBatch(benchmark::State& state) {
  Bytes batch = SixteenKibBatch();
  for (auto _ : state) benchmark::DoNotOptimize(Crc32c(batch));
  state.SetBytesProcessed(state.iterations() * int64_t(batch.size()));
}

// Writes the file both read benchmarks read: a log of kBatchesPerRun batches.
const std::string& PreparedLogDir() {
  static const std::string dir = [] {
    std::string dir = FreshDir("read") + "/t-0";
    PosixStorage storage;
    auto log = Log::Open(storage, dir, LogConfig{}, 0);
    Bytes batch = SixteenKibBatch();
    for (int64_t i = 0; i < kBatchesPerRun; ++i) {
      if (!log->Append(batch, 0).ok()) std::abort();
    }
    log->Close();
    return dir;
  }();
  return dir;
}

// Reads the bytes LogRead returns, in the same chunks: whole batches, as many
// as fit in the argument (at least one).
void RawRead(benchmark::State& state) {
  const size_t batch = SixteenKibBatch().size();
  const size_t chunk =
      std::max<size_t>(1, size_t(state.range(0)) / batch) * batch;
  std::string path = PreparedLogDir() + "/" + SegmentFileName(0, ".log");
  int fd = ::open(path.c_str(), O_RDONLY);
  Bytes buffer(chunk);
  off_t position = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    ssize_t n = ::pread(fd, buffer.data(), chunk, position);
    if (n <= 0) {  // wrapped around: start again at the beginning
      position = 0;
      continue;
    }
    position += n;
    bytes += n;
  }
  ::close(fd);
  state.SetBytesProcessed(bytes);
}

void LogRead(benchmark::State& state) {
  const int32_t max_bytes = state.range(0) == 0
                                ? int32_t(SixteenKibBatch().size())
                                : int32_t(state.range(0));
  PosixStorage storage;
  auto log = Log::Open(storage, PreparedLogDir(), LogConfig{}, 0);
  int64_t offset = 0;
  int64_t bytes = 0;
  Bytes batches;  // one buffer for every read, as RawRead has
  for (auto _ : state) {
    if (!log->Read(offset, max_bytes, batches).ok()) {
      state.SkipWithError("read failed");
    }
    if (batches.empty()) {
      offset = 0;
      continue;
    }
    // The next offset follows the last batch returned, as a consumer's would.
    offset +=
        int64_t(batches.size() / SixteenKibBatch().size()) * kRecordsPerBatch;
    bytes += int64_t(batches.size());
    benchmark::DoNotOptimize(batches.data());
  }
  state.SetBytesProcessed(bytes);
}

BENCHMARK(RawWrite)
    ->Iterations(kBatchesPerRun)
    ->Repetitions(5)
    ->ReportAggregatesOnly();
BENCHMARK(LogAppend)
    ->Iterations(kBatchesPerRun)
    ->Repetitions(5)
    ->ReportAggregatesOnly();
BENCHMARK(ValidateBatch)->Repetitions(5)->ReportAggregatesOnly();
BENCHMARK(Crc32cOfBatch)->Repetitions(5)->ReportAggregatesOnly();
// Argument: max bytes per read (a consumer's fetch size); 0 means one batch.
BENCHMARK(RawRead)
    ->Arg(0)
    ->Arg(1 << 20)
    ->Repetitions(5)
    ->ReportAggregatesOnly();
BENCHMARK(LogRead)
    ->Arg(0)
    ->Arg(1 << 20)
    ->Repetitions(5)
    ->ReportAggregatesOnly();

}  // namespace
}  // namespace kafka

BENCHMARK_MAIN();
