// Chapter 1 demo: a log on real files, a crash in the middle of an append, and
// what recovery keeps.
//
//   bazel run //chapters/01_log:demo -- --data-dir /tmp/kafka-demo
//
// --compression.type gzip (snappy, lz4, zstd) compresses each batch, as a
// producer with that setting would; the log stores it as sent.
//
// The segment files stay in DIR/demo-0 afterwards; print them with
//   bazel run //chapters/01_log:dump_log -- DIR/demo-0/00000000000000000000.log
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "chapters/01_log/dump.h"
#include "chapters/01_log/log.h"
#include "lib/compression/compression.h"
#include "lib/storage/posix_storage.h"
#include "lib/user_path.h"

namespace kafka {
namespace {

constexpr int64_t kStartTime = 1'700'000'000'000;  // Nov 2023, in ms

// A batch of `count` keyed records, as a producer would send it.
Bytes KeyedBatch(int first_record, int count, CompressionType codec) {
  std::vector<SimpleRecord> records;
  for (int i = first_record; i < first_record + count; ++i) {
    records.push_back({.timestamp = kStartTime + i * 1000,
                       .key = ToBytes("user-" + std::to_string(i % 4)),
                       .value = ToBytes("page view #" + std::to_string(i))});
  }
  RecordBatch batch = MakeBatch(records);
  batch.header.attributes = static_cast<int16_t>(codec);
  return EncodeRecordBatch(batch);
}

void Heading(const std::string& text) {
  std::cout << "\n== " << text << " ==\n";
}

void ListSegments(Storage& storage, const std::string& dir, const Log& log) {
  for (const std::string& name : storage.List(dir)) {
    uint64_t size = ReadWholeFile(storage, dir + "/" + name).size();
    std::cout << "  " << name << "  (" << size << " bytes)\n";
  }
  std::cout << "  log start offset " << log.log_start_offset()
            << ", log end offset " << log.log_end_offset() << "\n";
}

void ShowIndexes(const Log& log) {
  for (const auto& [base, segment] : log.segments()) {
    std::cout << "  segment " << base << ": offset index";
    for (const OffsetPosition& e : segment->offset_index().entries()) {
      std::cout << " [" << e.offset << " -> byte " << e.position << "]";
    }
    std::cout << "; time index";
    for (const TimestampOffset& e : segment->time_index().entries()) {
      std::cout << " [" << e.timestamp - kStartTime << " ms -> " << e.offset
                << "]";
    }
    std::cout << "\n";
  }
}

int Run(const std::string& data_dir, int records, int batch_size,
        CompressionType codec) {
  PosixStorage storage;
  const std::string dir = data_dir + "/demo-0";
  std::filesystem::remove_all(dir);  // a fresh log on every run
  LogConfig config;
  config.segment_bytes = 1024;        // tiny, to see several segments
  config.index_interval_bytes = 256;  // and several index entries

  Heading("1. Append " + std::to_string(records) +
          " keyed records in batches of " + std::to_string(batch_size));
  auto log = Log::Open(storage, dir, config, kStartTime);
  for (int i = 0; i < records; i += batch_size) {
    Bytes batch = KeyedBatch(i, std::min(batch_size, records - i), codec);
    LogAppendInfo info = log->Append(batch, kStartTime).value();
    std::cout << "  appended offsets " << info.first_offset << ".."
              << info.last_offset
              << (info.rolled ? "  (rolled a new segment)" : "") << "\n";
  }

  Heading("2. The segment files in " + dir);
  ListSegments(storage, dir, *log);
  Heading("3. The sparse indexes (an entry every index.interval.bytes)");
  ShowIndexes(*log);

  Heading(
      "4. Read from offset 7: whole batches, starting with the one holding 7");
  Bytes fetched;
  if (!log->Read(7, 200, fetched).ok()) return 1;
  for (const BatchSlice& slice : SplitAndValidateBatches(fetched).value()) {
    std::cout << "  batch with offsets " << slice.header.base_offset << ".."
              << slice.header.LastOffset() << " (" << slice.header.SizeInBytes()
              << " bytes)\n";
  }
  std::optional<TimestampOffset> found =
      log->FetchOffsetByTimestamp(kStartTime + 12'500);
  std::cout << "  the first record at or after t=12500 ms has offset "
            << found->offset << "\n";

  Heading("5. Crash in the middle of an append");
  const int64_t end_before_crash = log->log_end_offset();
  const std::string active =
      dir + "/" + SegmentFileName(log->segments().rbegin()->first, ".log");
  log.reset();  // the process dies: no Close(), no clean-shutdown marker
  Bytes next_batch = KeyedBatch(records, batch_size, codec);
  storage.Open(active)->Append(
      ByteView(next_batch).first(next_batch.size() / 2));
  std::cout << "  the broker died after writing " << next_batch.size() / 2
            << " of the " << next_batch.size() << " bytes of its next batch\n";

  Heading("6. Restart: recovery");
  log = Log::Open(storage, dir, config, kStartTime);
  const RecoveryReport& report = log->recovery_report();
  std::cout << "  clean shutdown marker found: "
            << (report.clean_shutdown ? "yes" : "no") << "\n"
            << "  recovery point (everything below was fsynced): "
            << report.recovery_point << "\n"
            << "  segments validated batch by batch: "
            << report.segments_recovered << "\n"
            << "  torn bytes cut off: " << report.bytes_truncated << "\n"
            << "  log end offset before the crash " << end_before_crash
            << ", after recovery " << log->log_end_offset() << "\n"
            << "  every acknowledged record is still there; the half-written "
               "batch, never acknowledged, is gone.\n";

  Heading("7. Clean shutdown");
  log->Close();
  ListSegments(storage, dir, *log);
  std::cout << "\nThe files stay in " << dir << ". Look inside one with:\n"
            << "  bazel run //chapters/01_log:dump_log -- " << active << "\n";
  DumpSegmentFile(storage, active, /*print_records=*/true, std::cout);
  return 0;
}

}  // namespace
}  // namespace kafka

int main(int argc, char** argv) {
  CLI::App app{"Chapter 1 demo: the log, a crash, and recovery."};
  std::string data_dir = "kafka-demo-data";
  int records = 30;
  int batch_size = 3;
  app.add_option("--data-dir", data_dir, "where to keep the log's files")
      ->capture_default_str();
  app.add_option("--records", records, "how many records to append")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app.add_option("--batch-size", batch_size, "records per batch")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  std::string compression = "none";
  app.add_option("--compression.type", compression,
                 "the codec of each batch, as a producer's compression.type")
      ->check(CLI::IsMember({"none", "gzip", "snappy", "lz4", "zstd"}))
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  return kafka::Run(kafka::FromUserDirectory(data_dir), records, batch_size,
                    *kafka::CompressionTypeFromName(compression));
}
