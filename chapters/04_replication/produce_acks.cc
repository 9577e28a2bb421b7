#include "chapters/04_replication/produce_acks.h"

namespace kafka {

std::vector<PartitionAppendResult> ResultsOf(
    const std::vector<LeaderAppend>& appends) {
  std::vector<PartitionAppendResult> results;
  results.reserve(appends.size());
  for (const LeaderAppend& append : appends) results.push_back(append.result);
  return results;
}

void AnswerAfterLeaderAppend::AnswerWhenAcknowledged(
    int16_t, int32_t, std::vector<LeaderAppend> appends,
    ReplicaManager::AppendCallback on_done) {
  on_done(ResultsOf(appends));
}

}  // namespace kafka
