/// \file
/// ListOffsets (api_key 2): find an offset by timestamp, or the log's ends.
///
/// A consumer with no committed offset asks for the earliest (timestamp -2) or
/// latest (-1) offset of a partition, as auto.offset.reset says; a timestamp
/// asks for the first offset whose record is at least that recent (Chapter 1's
/// Log::FetchOffsetByTimestamp). Versions 1 and 2 are implemented: v1 is the
/// first with one timestamp and offset per partition; v2 adds isolation_level
/// and throttle_time_ms.
///
/// The structs and their codec are generated from the schemas in
/// `messages/` (Appendix B, "How messages are described").
#pragma once

#include "lib/protocol/messages/list_offsets_request.h"
#include "lib/protocol/messages/list_offsets_response.h"
