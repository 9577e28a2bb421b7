// The broker with consumer groups (Chapter 3) as a program; //:broker runs it:
//
//   bazel run //:broker -- config/server.properties --override node.id=2
//   bazel run //:broker -- --data-dir /tmp/kafka-data --port 9092
//
// Besides Chapter 2's settings it takes the group coordinator's, by Kafka's
// names.
#include "chapters/02_partitions/broker_program.h"
#include "chapters/03_consumer_groups/group_broker.h"

namespace {

// The group coordinator's settings, with Kafka's types and bounds
// (GroupCoordinatorConfig.java); where Kafka checks no bound, a negative time
// or size is refused here.
std::vector<kafka::ServerSetting> GroupSettings(
    kafka::GroupCoordinatorConfig& groups) {
  return {
      kafka::IntSetting("offsets.topic.num.partitions",
                        groups.offsets_topic_num_partitions, 1),
      // Kafka checks at least 1, then fails to create __consumer_offsets
      // below segment.bytes' own minimum; refused here at start-up instead.
      kafka::IntSetting("offsets.topic.segment.bytes",
                        groups.offsets_topic_segment_bytes, 14),
      kafka::IntSetting("offset.metadata.max.bytes",
                        groups.offset_metadata_max_bytes, 0),
      kafka::IntSetting("group.initial.rebalance.delay.ms",
                        groups.group_initial_rebalance_delay_ms, 0),
      kafka::IntSetting("group.min.session.timeout.ms",
                        groups.group_min_session_timeout_ms, 0),
      kafka::IntSetting("group.max.session.timeout.ms",
                        groups.group_max_session_timeout_ms, 0),
  };
}

}  // namespace

int main(int argc, char** argv) {
  kafka::GroupCoordinatorConfig groups;
  return kafka::RunBrokerProgram(
      argc, argv, "A Kafka broker with a group coordinator (Chapter 3).",
      GroupSettings(groups), [&groups](const kafka::BrokerConfig& config) {
        return std::make_unique<kafka::GroupBroker>(config, groups);
      });
}
