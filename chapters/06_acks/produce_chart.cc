#include "chapters/06_acks/produce_chart.h"

#include <fstream>
#include <iostream>
#include <utility>

#include "lib/protocol/produce.h"

namespace kafka {
namespace {

constexpr int16_t kProduceVersion = 9;
constexpr int64_t kRequestTimeoutMs = 5'000;

std::string Quoted(const std::string& text) { return "\"" + text + "\""; }

}  // namespace

bool StartOrdersCluster(KRaftCluster& cluster) {
  if (!cluster.RunUntilActiveController() ||
      !cluster.RunUntilBrokersUnfenced()) {
    return false;
  }
  CreateTopicsRequest::Config min_insync_replicas;
  min_insync_replicas.name = "min.insync.replicas";
  min_insync_replicas.value = "2";
  const TopicPartition orders{"orders", 0};
  return cluster.CreateTopic("orders", 1, 3, {min_insync_replicas}, {{1, 2, 3}})
             .ok() &&
         cluster.RunUntilLeaderElected(orders) &&
         cluster.RunUntilReplicated(orders);
}

bool WriteChart(const std::string& path,
                const std::optional<std::string>& msc) {
  if (!msc) {
    std::cerr << "the run for " << path << " did not finish\n";
    return false;
  }
  std::ofstream out(path);
  out << *msc;
  if (!out) std::cerr << "could not write " << path << "\n";
  return bool(out);
}

std::string ProduceAnswerLabel(const Bytes& body) {
  Result<ProduceResponse> response = DecodeMessage<ProduceResponse>(
      body, ApiKey::kProduce, kProduceVersion, 0, "ProduceResponse");
  if (!response.ok()) return "undecodable";
  const auto& partition = response->responses.at(0).partition_responses.at(0);
  if (partition.error_code != ErrorCode::kNone) {
    return std::string(ErrorName(partition.error_code));
  }
  return "base_offset " + std::to_string(partition.base_offset);
}

ProduceChart::ProduceChart(KRaftCluster& cluster, std::string program,
                           Columns columns)
    : cluster_(cluster),
      program_(std::move(program)),
      columns_(columns),
      producer_(cluster.AddIdleClient()) {
  seen_ = cluster_.sim().trace().size();
  Snapshot(drawn_);
}

void ProduceChart::Produce(const std::string& label, const RecordBatch& batch,
                           int16_t acks) {
  ProduceRequest request;
  request.acks = acks;
  request.timeout_ms = int32_t(kRequestTimeoutMs);
  request.topic_data = {{"orders", {{0, EncodeRecordBatch(batch)}}}};
  Bytes body = EncodeMessage(request, ApiKey::kProduce, kProduceVersion);
  // acks=0: nobody answers, so nothing waits for an answer.
  Send(label, ApiKey::kProduce, kProduceVersion, std::move(body),
       acks == 0 ? AnswerLabel() : ProduceAnswerLabel);
}

void ProduceChart::Send(const std::string& label, ApiKey api_key,
                        int16_t version, Bytes body, AnswerLabel answer_label) {
  // The simulator numbers each client's requests from 1.
  sent_[++requests_sent_] = label;
  RequestHeader header{int16_t(api_key), version, 0, "producer"};
  Environment& env = cluster_.sim().env(producer_);
  if (!answer_label) {
    env.Send(kLeader, header, std::move(body), kRequestTimeoutMs, {});
    return;
  }
  env.Send(kLeader, header, std::move(body), kRequestTimeoutMs,
           [this, label, answer_label](Result<Bytes> answer) {
             ++answers_;
             if (answer.ok()) {
               Row("L >> P", answer_label(*answer));
             } else {
               Row("P box P", "no answer to " + label + " (" +
                                  std::string(ErrorName(answer.error().code)) +
                                  ")");
             }
           });
}

bool ProduceChart::RunUntil(const std::function<bool()>& done, int64_t max_ms) {
  return cluster_.RunUntil(
      [&] {
        Draw();
        return done();
      },
      max_ms);
}

void ProduceChart::RunFor(int64_t ms) {
  RunUntil([] { return false; }, ms);
}

void ProduceChart::Note(const std::string& text) {
  Row(columns_ == Columns::kAllReplicas ? "P box F3" : "P box L", text);
}

std::string ProduceChart::Msc(const std::string& comment) const {
  std::string msc = "# Drawn by " + program_ +
                    " from a seeded simulator run: " + comment +
                    "\nmsc {\n  width = \"728\", arcgradient = \"0\";\n\n"
                    "  P [label=\"Producer\"], L [label=\"Broker 1 (leader)\"]";
  if (columns_ == Columns::kAllReplicas) {
    msc += ",\n  F2 [label=\"Broker 2\"], F3 [label=\"Broker 3\"]";
  }
  msc += ";\n\n";
  for (const std::string& row : rows_) msc += "  " + row + "\n";
  return msc + "}\n";
}

void ProduceChart::Snapshot(State& state) const {
  for (NodeId broker : {1, 2, 3}) {
    const ReplicatedPartition* replica =
        cluster_.replica(broker, {"orders", 0});
    if (replica == nullptr) continue;
    state.log_end[broker] = replica->log_end_offset();
    if (broker == kLeader) {
      state.high_watermark = replica->high_watermark();
      for (const auto& [follower, seen] : replica->followers()) {
        state.leader_view[follower] = seen.log_end_offset;
      }
    }
  }
}

// The rows of what happened since the last call.
void ProduceChart::Draw() {
  DrawTrace();
  State now;
  Snapshot(now);
  DrawReplicas(now);
  drawn_ = now;
}

void ProduceChart::DrawReplicas(const State& now) {
  const int64_t appended_at = drawn_.log_end.at(kLeader);
  if (now.log_end.at(kLeader) > appended_at) {
    Row("L box L", "append at offset " + std::to_string(appended_at));
  }
  if (columns_ != Columns::kAllReplicas) return;
  DrawFollowers(now);
  if (now.high_watermark > drawn_.high_watermark) {
    Row("L box L", "HW " + std::to_string(now.high_watermark));
  }
}

void ProduceChart::DrawFollowers(const State& now) {
  for (NodeId follower : {2, 3}) {
    const std::string column = "F" + std::to_string(follower);
    const int64_t copied_from = drawn_.log_end.at(follower);
    if (now.log_end.at(follower) > copied_from) {
      Row("L => " + column,
          "Fetch answer: offset " + std::to_string(copied_from));
    }
    const int64_t reported = now.leader_view.at(follower);
    if (reported > drawn_.leader_view.at(follower)) {
      Row(column + " => L", "Fetch from " + std::to_string(reported));
    }
  }
}

// The chart's requests as they arrive or are lost, and its answers that
// are lost (the ones that arrive are drawn by their callbacks).
void ProduceChart::DrawTrace() {
  const std::vector<TraceEvent>& trace = cluster_.sim().trace();
  for (; seen_ < trace.size(); ++seen_) {
    const TraceEvent& event = trace[seen_];
    const bool request = !event.message.is_response && event.from == producer_;
    const bool answer = event.message.is_response && event.to == producer_;
    auto sent = sent_.find(event.message.correlation_id);
    if ((!request && !answer) || sent == sent_.end()) continue;
    if (request && event.kind == TraceEvent::Kind::kDeliver) {
      Row("P => L", sent->second);
    } else if (request && event.kind == TraceEvent::Kind::kDrop) {
      Row("P -x L", sent->second + ", lost");
    } else if (answer && event.kind == TraceEvent::Kind::kDrop) {
      Row("L -x P", "its answer, lost");
    }
  }
}

void ProduceChart::Row(const std::string& arc, const std::string& label) {
  rows_.push_back(arc + " [label=" + Quoted(label) + "];");
}

}  // namespace kafka
