// Writes the book's picture of LEO, HW and the ISR, drawn from a seeded
// simulator run: three brokers hold a partition; one follower is paused after
// six records, the other after eight, and the leader takes two more. All
// three are still in the ISR (30 s have not passed), so the high watermark
// is the smallest log end offset among them. The picture is each replica's
// log, cell by cell, as the run left it, with its LEO and HW.
// Usage: replica_logs_figure OUT.dot
#include <fstream>
#include <iostream>
#include <string>

#include "chapters/04_replication/replication_cluster.h"

namespace kafka {
namespace {

const TopicPartition kOrders{"orders", 0};

constexpr const char* kCommittedColour = "#DDF0DD";
constexpr const char* kUncommittedColour = "#F8E3D0";

std::string Cell(const std::string& attributes, const std::string& text) {
  return "<TD " + attributes + ">" + text + "</TD>";
}

std::string IdList(const std::vector<NodeId>& ids) {
  std::string list;
  for (NodeId id : ids) list += (list.empty() ? "" : ", ") + std::to_string(id);
  return list;
}

// One row of the table: the replica's name, one cell per offset up to
// `width` (shaded below its own HW, empty past its LEO), and its LEO and HW.
std::string ReplicaRow(NodeId broker, const ReplicatedPartition& replica,
                       int64_t width) {
  std::string row =
      "<TR>" +
      Cell("ALIGN=\"LEFT\" BORDER=\"0\"",
           "<B>broker " + std::to_string(broker) +
               (replica.is_leader() ? ", leader" : ", follower") + "</B>");
  for (int64_t offset = 0; offset < width; ++offset) {
    if (offset >= replica.log_end_offset()) {
      row += Cell("WIDTH=\"30\" BORDER=\"0\"", "");
    } else {
      const char* colour = offset < replica.high_watermark()
                               ? kCommittedColour
                               : kUncommittedColour;
      row += Cell("WIDTH=\"30\" BGCOLOR=\"" + std::string(colour) + "\"",
                  std::to_string(offset));
    }
  }
  row += Cell("BORDER=\"0\" ALIGN=\"LEFT\"",
              "LEO " + std::to_string(replica.log_end_offset()) + ", HW " +
                  std::to_string(replica.high_watermark()));
  return row + "</TR>\n";
}

// The leader's side of the story: what each follower's last fetch said.
std::string LeaderViewRow(const ReplicatedPartition& leader, int64_t width) {
  std::string view = "The leader's view, from the followers' last fetches:";
  for (const auto& [broker, follower] : leader.followers()) {
    view += " broker " + std::to_string(broker) + " at " +
            std::to_string(follower.log_end_offset) + ";";
  }
  view += "<BR ALIGN=\"LEFT\"/>ISR {" + IdList(leader.isr()) +
          "}: HW = the smallest LEO in the ISR = <B>" +
          std::to_string(leader.high_watermark()) +
          "</B>; consumers read below it.<BR ALIGN=\"LEFT\"/>";
  return "<TR>" +
         Cell("COLSPAN=\"" + std::to_string(width + 2) +
                  "\" BORDER=\"0\" ALIGN=\"LEFT\"",
              view) +
         "</TR>\n";
}

std::string Legend(int64_t width) {
  return "<TR>" + Cell("BORDER=\"0\"", "") +
         Cell("COLSPAN=\"" + std::to_string(width / 2) +
                  "\" BORDER=\"0\" BGCOLOR=\"" + kCommittedColour + "\"",
              "below the replica's HW") +
         Cell("COLSPAN=\"" + std::to_string(width - width / 2) +
                  "\" BORDER=\"0\" BGCOLOR=\"" + kUncommittedColour + "\"",
              "not yet") +
         Cell("BORDER=\"0\"", "") + "</TR>\n";
}

std::string ReplicaLogsDot(ReplicationCluster& cluster) {
  const PartitionState state = *cluster.controller().state(kOrders);
  const ReplicatedPartition& leader = *cluster.replica(state.leader, kOrders);
  const int64_t width = leader.log_end_offset();
  std::string table = ReplicaRow(state.leader, leader, width);
  for (NodeId broker : state.replicas) {
    if (broker == state.leader) continue;
    table += ReplicaRow(broker, *cluster.replica(broker, kOrders), width);
  }
  table += Legend(width) + LeaderViewRow(leader, width);
  return "// Drawn by replica_logs_figure.cc from a seeded simulator run.\n"
         "digraph replica_logs {\n"
         "  graph [fontname=\"Helvetica\", fontsize=10];\n"
         "  node [shape=plaintext, fontname=\"Helvetica\", fontsize=10];\n"
         "  logs [label=<\n"
         "<TABLE BORDER=\"0\" CELLBORDER=\"1\" CELLSPACING=\"0\" "
         "CELLPADDING=\"4\">\n" +
         table + "</TABLE>>];\n}\n";
}

// Produces `count` one-record batches to the leader.
void ProduceRecords(ReplicationCluster& cluster, NodeId leader, int count) {
  for (int i = 0; i < count; ++i) {
    cluster.Produce(leader, kOrders, {"record"});
  }
}

// Runs until the leader has seen `follower` fetch from `offset`.
void RunUntilLeaderSees(ReplicationCluster& cluster, NodeId leader,
                        NodeId follower, int64_t offset) {
  cluster.RunUntil(
      [&] {
        return cluster.replica(leader, kOrders)
                   ->followers()
                   .at(follower)
                   .log_end_offset == offset;
      },
      5'000);
}

}  // namespace
}  // namespace kafka

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: replica_logs_figure OUT.dot\n";
    return 2;
  }
  using namespace kafka;
  ReplicationCluster cluster(/*seed=*/4, /*brokers=*/3);
  if (!cluster.CreateTopic(kOrders.topic, 1, 3).ok()) return 1;
  const PartitionState state = *cluster.controller().state(kOrders);
  const NodeId leader = state.leader;
  std::vector<NodeId> followers;
  for (NodeId broker : state.replicas) {
    if (broker != leader) followers.push_back(broker);
  }

  ProduceRecords(cluster, leader, 6);
  cluster.RunUntilReplicated(kOrders);
  cluster.sim().Pause(followers[1]);
  ProduceRecords(cluster, leader, 2);
  RunUntilLeaderSees(cluster, leader, followers[0], 8);
  cluster.sim().Pause(followers[0]);
  ProduceRecords(cluster, leader, 2);
  cluster.RunFor(1'000);

  std::ofstream(argv[1]) << ReplicaLogsDot(cluster);
  return 0;
}
