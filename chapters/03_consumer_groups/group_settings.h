/// \file
/// The group coordinator's settings in server.properties, by Kafka's names
/// (GroupCoordinatorConfig.java), for every broker program that has a group
/// coordinator: Chapter 3's and the chapters' after it.
#pragma once

#include <vector>

#include "chapters/02_partitions/server_properties.h"
#include "chapters/03_consumer_groups/group_coordinator.h"

namespace kafka {

/// offsets.topic.num.partitions, offsets.topic.segment.bytes,
/// offset.metadata.max.bytes and the group.* settings, stored in `groups`
/// (which outlives them).
std::vector<ServerSetting> GroupCoordinatorSettings(
    GroupCoordinatorConfig& groups);

}  // namespace kafka
