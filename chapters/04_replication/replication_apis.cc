#include "chapters/04_replication/replication_apis.h"

namespace kafka {

void ReplicationApis::RegisterWith(RequestHandlers& handlers) {
  handlers.Register(
      ApiKey::kOffsetForLeaderEpoch,
      HandlerOf(this, &ReplicationApis::HandleOffsetForLeaderEpoch));
}

//! [offset for leader epoch]
Status ReplicationApis::HandleOffsetForLeaderEpoch(const Request& request,
                                                   Responder respond) {
  Result<OffsetForLeaderEpochRequest> decoded =
      DecodeRequestBody<OffsetForLeaderEpochRequest>(request);
  if (!decoded.ok()) return decoded.status();
  OffsetForLeaderEpochResponse response;
  for (const OffsetForLeaderEpochRequest::Topic& topic : decoded->topics) {
    OffsetForLeaderEpochResponse::Topic& answer =
        response.topics.emplace_back();
    answer.topic = topic.topic;
    for (const OffsetForLeaderEpochRequest::Partition& asked :
         topic.partitions) {
      OffsetForLeaderEpochResponse::Partition& out =
          answer.partitions.emplace_back();
      out.partition = asked.partition;
      Result<EpochEndOffset> end = replicas_.LastOffsetForLeaderEpoch(
          {topic.topic, asked.partition}, asked.current_leader_epoch,
          asked.leader_epoch);
      if (!end.ok()) {
        out.error_code = end.error().code;
        continue;
      }
      out.leader_epoch = end->epoch;
      out.end_offset = end->end_offset;
    }
  }
  respond(EncodeResponseBody(response, request.header));
  return Status();
}
//! [offset for leader epoch]

}  // namespace kafka
