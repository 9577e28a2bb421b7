/// \file
/// DeleteRecords (api_key 21): an admin moves partitions' log start offsets
/// up, deleting the records below (kafka-delete-records.sh). An offset of -1
/// means "up to the high watermark"; the answer gives each partition's new
/// log start offset, its "low watermark". Versions 0 to 2 (v2 is flexible).
///
/// The structs and their codec are generated from the schemas in
/// `messages/` (Appendix B, "How messages are described").
#pragma once

#include "lib/protocol/messages/delete_records_request.h"
#include "lib/protocol/messages/delete_records_response.h"
