#include "chapters/02_partitions/delayed_fetch.h"

namespace kafka {

bool AnyPartitionFailed(const FetchResponse& response) {
  for (const auto& topic : response.responses) {
    for (const auto& partition : topic.partitions) {
      if (partition.error_code != ErrorCode::kNone) return true;
    }
  }
  return false;
}

std::vector<TopicPartition> PartitionsOf(const FetchRequest& request) {
  std::vector<TopicPartition> partitions;
  for (const FetchRequest::Topic& topic : request.topics) {
    for (const FetchRequest::Partition& wanted : topic.partitions) {
      partitions.push_back({topic.topic, wanted.partition});
    }
  }
  return partitions;
}

//! [delayed fetch]
bool DelayedFetch::CanComplete() {
  int64_t bytes = 0;
  FetchResponse read = reader_.ReadFromLocalLog(request_, bytes);
  // A partition that fails now (one deleted meanwhile, or led elsewhere)
  // fails at once, as in Kafka's DelayedFetch.
  return bytes >= request_.min_bytes || AnyPartitionFailed(read);
}

void DelayedFetch::OnComplete(bool /*expired*/) {
  int64_t bytes = 0;
  on_done_(reader_.ReadFromLocalLog(request_, bytes));
}
//! [delayed fetch]

}  // namespace kafka
