#include "chapters/03_consumer_groups/assignor.h"

#include <algorithm>

#include "lib/lab.h"
#include "lib/protocol/wire.h"

namespace kafka {
namespace {

constexpr int16_t kConsumerProtocolVersion = 0;

bool Subscribes(const Subscription& subscription, const std::string& topic) {
  return std::find(subscription.topics.begin(), subscription.topics.end(),
                   topic) != subscription.topics.end();
}

Error Corrupt(const std::string& what, const std::string& problem) {
  return Error{ErrorCode::kInconsistentGroupProtocol, what + ": " + problem};
}

}  // namespace

Bytes EncodeSubscription(const Subscription& subscription) {
  Bytes out;
  WireWriter writer(out, false);
  writer.WriteInt16(kConsumerProtocolVersion);
  WriteArray(writer, subscription.topics,
             [&](const std::string& topic) { writer.WriteString(topic); });
  writer.WriteNullableBytes(std::nullopt);  // user_data
  return out;
}

Result<Subscription> DecodeSubscription(ByteView bytes) {
  WireReader reader(bytes, false);
  Subscription subscription;
  reader.ReadInt16("version");
  subscription.topics = ReadArray<std::string>(
      reader, "topics", 2, [&] { return reader.ReadString("topic"); });
  if (!reader.ok()) return Corrupt("subscription", reader.error());
  return subscription;
}

Bytes EncodeAssignment(const std::vector<TopicPartition>& partitions) {
  std::map<std::string, std::vector<int32_t>> by_topic;
  for (const TopicPartition& p : partitions)
    by_topic[p.topic].push_back(p.partition);
  Bytes out;
  WireWriter writer(out, false);
  writer.WriteInt16(kConsumerProtocolVersion);
  writer.WriteArrayLength(int32_t(by_topic.size()));
  for (const auto& [topic, indexes] : by_topic) {
    writer.WriteString(topic);
    WriteArray(writer, indexes, [&](int32_t p) { writer.WriteInt32(p); });
  }
  writer.WriteNullableBytes(std::nullopt);  // user_data
  return out;
}

Result<std::vector<TopicPartition>> DecodeAssignment(ByteView bytes) {
  std::vector<TopicPartition> partitions;
  if (bytes.empty()) return partitions;  // a member left out of the assignment
  WireReader reader(bytes, false);
  reader.ReadInt16("version");
  int32_t topics = reader.ReadArrayLength("assigned_partitions", 6);
  for (int32_t t = 0; t < topics && reader.ok(); ++t) {
    std::string topic = reader.ReadString("topic");
    for (int32_t p : ReadArray<int32_t>(reader, "partitions", 4, [&] {
           return reader.ReadInt32("partition");
         })) {
      partitions.push_back({topic, p});
    }
  }
  if (!reader.ok()) return Corrupt("assignment", reader.error());
  return partitions;
}

//! [range]
Assignment AssignRange(const std::map<std::string, Subscription>& members,
                       const std::map<std::string, int32_t>& partition_counts) {
  // BEGIN LAB lab03_groups AssignRange
  // HINT: Every member gets an entry in the assignment, even an empty one.
  // HINT: Then topic by topic, in name order (the map's order): the members
  // HINT: that subscribe to it (Subscribes), in member-id order, take the
  // HINT: topic's partitions in ranges of consecutive partitions, from 0:
  // HINT: with n of them, count / n each, and the first count % n one more.
  Assignment assignment;
  for (const auto& [id, subscription] : members) assignment[id];
  for (const auto& [topic, count] : partition_counts) {
    std::vector<std::string> subscribed;  // in member-id order (map order)
    for (const auto& [id, subscription] : members) {
      if (Subscribes(subscription, topic)) subscribed.push_back(id);
    }
    if (subscribed.empty()) continue;
    const int32_t each = count / int32_t(subscribed.size());
    const int32_t extra = count % int32_t(subscribed.size());
    int32_t next = 0;
    for (int32_t i = 0; i < int32_t(subscribed.size()); ++i) {
      int32_t share = each + (i < extra ? 1 : 0);
      for (int32_t p = next; p < next + share; ++p) {
        assignment[subscribed[i]].push_back({topic, p});
      }
      next += share;
    }
  }
  return assignment;
  // END LAB
}
//! [range]

Assignment AssignRoundRobin(
    const std::map<std::string, Subscription>& members,
    const std::map<std::string, int32_t>& partition_counts) {
  Assignment assignment;
  std::vector<std::string> ids;
  for (const auto& [id, subscription] : members) {
    assignment[id];
    ids.push_back(id);
  }
  if (ids.empty()) return assignment;
  size_t turn = 0;
  for (const auto& [topic, count] : partition_counts) {
    for (int32_t p = 0; p < count; ++p) {
      // The next member, in turn, that subscribes to this topic.
      for (size_t tried = 0; tried < ids.size(); ++tried) {
        const std::string& id = ids[turn++ % ids.size()];
        if (Subscribes(members.at(id), topic)) {
          assignment[id].push_back({topic, p});
          break;
        }
      }
    }
  }
  return assignment;
}

}  // namespace kafka
