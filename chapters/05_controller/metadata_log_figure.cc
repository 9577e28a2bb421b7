// Writes the book's listing of a metadata log, from a seeded simulator run
// of three controllers and three brokers: the brokers register and are
// unfenced, a topic with three replicas is created, its leader's broker
// crashes and is fenced when its session ends (a new leader from the ISR),
// then it comes back, is unfenced, and rejoins the ISR.
//
// The listing is the active controller's __cluster_metadata-0, one line per
// record: its offset, the leader epoch that wrote it, and what it says.
// The quorum writes a NoOpRecord whenever it is idle for
// metadata.max.idle.interval.ms; runs of them are counted on one line.
// Usage: metadata_log_figure OUT.txt
#include <fstream>
#include <iostream>
#include <string>

#include "chapters/01_log/record_batch.h"
#include "chapters/05_controller/controller/metadata_records.h"
#include "chapters/05_controller/kraft_cluster.h"
#include "chapters/05_controller/raft/control_records.h"

namespace kafka {
namespace {

constexpr uint64_t kSeed = 5;
const TopicPartition kOrders{"orders", 0};

// Collects the lines, folding a run of NoOpRecords into one.
class Listing {
 public:
  void Add(int64_t offset, int32_t epoch, const std::string& text) {
    EndNoOps();
    text_ += Line(std::to_string(offset), epoch, text);
  }
  void AddNoOp(int64_t offset, int32_t epoch) {
    if (noops_ == 0) first_noop_ = offset;
    last_noop_ = offset;
    noop_epoch_ = epoch;
    ++noops_;
  }
  std::string Finish() {
    EndNoOps();
    return text_;
  }

 private:
  static std::string Line(const std::string& offsets, int32_t epoch,
                          const std::string& text) {
    std::string line = offsets;
    line.resize(std::max<size_t>(line.size() + 1, 10), ' ');
    std::string epoch_column = std::to_string(epoch);
    epoch_column.resize(6, ' ');
    return line + epoch_column + text + "\n";
  }
  void EndNoOps() {
    if (noops_ == 0) return;
    const std::string offsets =
        noops_ == 1
            ? std::to_string(first_noop_)
            : std::to_string(first_noop_) + "-" + std::to_string(last_noop_);
    text_ += Line(
        offsets, noop_epoch_,
        noops_ == 1 ? "NoOpRecord" : std::to_string(noops_) + " x NoOpRecord");
    noops_ = 0;
  }

  std::string text_ = "offset    epoch record\n";
  int noops_ = 0;
  int64_t first_noop_ = 0;
  int64_t last_noop_ = 0;
  int32_t noop_epoch_ = 0;
};

void ListBatch(const RecordBatch& batch, Listing& listing) {
  const RecordBatchHeader& h = batch.header;
  const int32_t epoch = h.partition_leader_epoch;
  if (IsControlBatch(h)) {
    Result<LeaderChangeMessage> change = DecodeLeaderChange(batch);
    listing.Add(
        h.base_offset, epoch,
        change.ok()
            ? "LeaderChange(leader=" + std::to_string(change->leader_id) + ")"
            : "a control record");
    return;
  }
  for (const Record& record : batch.records) {
    const int64_t offset = h.base_offset + record.offset_delta;
    Result<MetadataRecord> decoded =
        record.value ? DecodeMetadataRecord(*record.value)
                     : Result<MetadataRecord>(
                           Error{ErrorCode::kCorruptMessage, "no value"});
    if (!decoded.ok()) {
      listing.Add(offset, epoch, "undecodable: " + decoded.error().ToString());
    } else if (std::holds_alternative<NoOpRecord>(*decoded)) {
      listing.AddNoOp(offset, epoch);
    } else {
      listing.Add(offset, epoch, Describe(*decoded));
    }
  }
}

std::string ListLog(const RaftLog& log) {
  Bytes bytes;
  Listing listing;
  int64_t offset = log.start_offset();
  while (offset < log.end_offset()) {
    bytes.clear();
    if (!log.Read(offset, 1 << 20, bytes).ok() || bytes.empty()) break;
    size_t position = 0;
    while (position < bytes.size()) {
      ByteView rest = ByteView(bytes).subspan(position);
      Result<RecordBatchHeader> header = DecodeBatchHeader(rest, position);
      if (!header.ok() || size_t(header->SizeInBytes()) > rest.size()) break;
      Result<RecordBatch> batch =
          DecodeRecordBatch(rest.first(header->SizeInBytes()), position);
      if (!batch.ok()) break;
      ListBatch(*batch, listing);
      offset = batch->header.LastOffset() + 1;
      position += header->SizeInBytes();
    }
  }
  return listing.Finish();
}

bool Run(KRaftCluster& cluster) {
  if (!cluster.RunUntilActiveController() ||
      !cluster.RunUntilBrokersUnfenced() ||
      !cluster.CreateTopic(kOrders.topic, 1, 3).ok()) {
    return false;
  }
  const NodeId leader = cluster.state(kOrders)->leader;
  cluster.Crash(leader);
  if (!cluster.RunUntilState(
          kOrders, [&](const PartitionState& s) { return s.leader != leader; },
          20'000)) {
    return false;
  }
  cluster.Restart(leader);
  return cluster.RunUntilState(
      kOrders, [](const PartitionState& s) { return s.isr.size() == 3; },
      30'000);
}

int Main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: metadata_log_figure OUT.txt\n";
    return 2;
  }
  KRaftCluster cluster(kSeed, 3);
  if (!Run(cluster)) {
    std::cerr << "metadata_log_figure: the run did not go as planned\n";
    return 1;
  }
  const NodeId active = *cluster.active_controller();
  std::ofstream(argv[1]) << ListLog(cluster.controller(active).raft().log());
  return 0;
}

}  // namespace
}  // namespace kafka

int main(int argc, char** argv) { return kafka::Main(argc, argv); }
