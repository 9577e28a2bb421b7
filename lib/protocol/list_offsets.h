/// \file
/// ListOffsets (api_key 2): find an offset by timestamp, or the log's ends.
///
/// A consumer with no committed offset asks for the earliest (timestamp -2) or
/// latest (-1) offset of a partition, as auto.offset.reset says; a timestamp
/// asks for the first offset whose record is at least that recent (Chapter 1's
/// Log::FetchOffsetByTimestamp). Versions 1 to 8 are implemented: v1 is the
/// first with one timestamp and offset per partition; v2 adds isolation_level
/// and throttle_time_ms; v4 the leader epoch the client knows (checked) and
/// the epoch of the offset found; v6 is flexible; v7 allows timestamp -3, the
/// record with the largest timestamp (KIP-734); v8 allows -4, the earliest
/// offset kept locally (KIP-405): a log without tiered storage keeps all of
/// it, so that is the earliest. v3 and v5 change only what errors a client
/// may expect. v9's -5 and v10's timeout concern tiered storage.
///
/// The structs and their codec are generated from the schemas in
/// `messages/` (Appendix B, "How messages are described").
#pragma once

#include "lib/protocol/messages/list_offsets_request.h"
#include "lib/protocol/messages/list_offsets_response.h"
