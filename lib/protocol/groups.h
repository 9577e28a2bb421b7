/// \file
/// The consumer-group APIs (Chapter 3): finding a group's coordinator,
/// joining and leaving, heartbeats, and committed offsets.
///
///   FindCoordinator (10)  v0-4  which broker coordinates this group (v4:
///                               several groups at once)
///   JoinGroup       (11)  v0-9  join (or rejoin) and get a generation id;
///                               the leader also gets every member's
///                               subscription
///   SyncGroup       (14)  v0-5  the leader hands out assignments; everyone
///                               gets theirs
///   Heartbeat       (12)  v0-4  "still here"; REBALANCE_IN_PROGRESS means
///                               rejoin
///   LeaveGroup      (13)  v0-5  leave at once instead of timing out
///   OffsetCommit    (8)   v2-8  the next offset to read, per partition
///   OffsetFetch     (9)   v1-8  what the group committed (v8: several
///                               groups at once)
///   ListGroups      (16)  v0-4  the groups this coordinator has, and their
///                               states
///   DescribeGroups  (15)  v0-5  a group's state, protocol and members
///   DeleteGroups    (42)  v0-2  delete Empty groups and their offsets
///   OffsetDelete    (47)  v0    delete some of a group's offsets
///
/// The ranges start where WIRE_PROTOCOL.md says: librdkafka's balanced
/// consumer needs version 0 of each in the range, kafka-python wants
/// JoinGroup 2; they end at today's versions (Appendix B's table).
///
/// The structs and their codec are generated from the schemas in
/// `messages/` (Appendix B, "How messages are described").
#pragma once

#include "lib/protocol/messages/delete_groups_request.h"
#include "lib/protocol/messages/delete_groups_response.h"
#include "lib/protocol/messages/describe_groups_request.h"
#include "lib/protocol/messages/describe_groups_response.h"
#include "lib/protocol/messages/find_coordinator_request.h"
#include "lib/protocol/messages/find_coordinator_response.h"
#include "lib/protocol/messages/group_error_response.h"
#include "lib/protocol/messages/heartbeat_request.h"
#include "lib/protocol/messages/join_group_request.h"
#include "lib/protocol/messages/join_group_response.h"
#include "lib/protocol/messages/leave_group_request.h"
#include "lib/protocol/messages/leave_group_response.h"
#include "lib/protocol/messages/list_groups_request.h"
#include "lib/protocol/messages/list_groups_response.h"
#include "lib/protocol/messages/offset_commit_request.h"
#include "lib/protocol/messages/offset_commit_response.h"
#include "lib/protocol/messages/offset_delete_request.h"
#include "lib/protocol/messages/offset_delete_response.h"
#include "lib/protocol/messages/offset_fetch_request.h"
#include "lib/protocol/messages/offset_fetch_response.h"
#include "lib/protocol/messages/sync_group_request.h"
#include "lib/protocol/messages/sync_group_response.h"
