/// \file
/// Printing segment files for people: what Kafka's kafka-dump-log.sh does.
///
/// Used by the dump_log tool and the chapter's demo, so a reader can look
/// inside the files the log writes: batches with their header fields and
/// records, and the entries of both indexes.
#pragma once

#include <ostream>
#include <string>

#include "lib/storage/storage.h"

namespace kafka {

/// Prints a .log, .index or .timeindex file (chosen by its suffix). Returns
/// false if the file is not one of those or holds invalid data (which it
/// reports and stops at).
bool DumpSegmentFile(Storage& storage, const std::string& path,
                     bool print_records, std::ostream& out);

}  // namespace kafka
