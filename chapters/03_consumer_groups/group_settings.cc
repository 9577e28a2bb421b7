#include "chapters/03_consumer_groups/group_settings.h"

namespace kafka {

// Kafka's types and bounds; where Kafka checks no bound, a negative time or
// size is refused here.
std::vector<ServerSetting> GroupCoordinatorSettings(
    GroupCoordinatorConfig& groups) {
  return {
      IntSetting("offsets.topic.num.partitions",
                 groups.offsets_topic_num_partitions, 1),
      // Kafka checks at least 1, then fails to create __consumer_offsets
      // below segment.bytes' own minimum; refused here at start-up instead.
      IntSetting("offsets.topic.segment.bytes",
                 groups.offsets_topic_segment_bytes, 14),
      IntSetting("offset.metadata.max.bytes", groups.offset_metadata_max_bytes,
                 0),
      IntSetting("group.initial.rebalance.delay.ms",
                 groups.group_initial_rebalance_delay_ms, 0),
      IntSetting("group.min.session.timeout.ms",
                 groups.group_min_session_timeout_ms, 0),
      IntSetting("group.max.session.timeout.ms",
                 groups.group_max_session_timeout_ms, 0),
  };
}

}  // namespace kafka
