/// \file
/// Java's .properties format, which Kafka's config files use.
///
/// kafka-server-start.sh reads config/server.properties with Java's
/// Properties.load, so a file copied from Kafka is one of these:
///
///   - a line whose first non-blank character is '#' or '!' is a comment,
///     and a line of blanks (spaces, tabs, form feeds) is skipped;
///   - a setting is `key=value`, `key: value` or `key value`: the key ends at
///     the first '=', ':' or blank that no backslash escapes, and the blanks
///     around that separator are skipped;
///   - a line that ends in an odd number of backslashes goes on in the next
///     line, whose leading blanks are dropped (a comment does not go on);
///   - a backslash escapes the character after it: `\t` `\n` `\r` `\f` are
///     those control characters, `\uXXXX` is the character U+XXXX (written
///     as UTF-8), and any other character stands for itself (`\\`, `\=`,
///     `\:`, `\#`, `\ `);
///   - blanks at the end of a value belong to it, as in Java (Kafka trims a
///     value when it reads it as a number, a boolean or a list);
///   - a key given twice keeps the last value;
///   - lines end in `\n`, `\r\n` or `\r`.
///
/// What Java does differently: it reads a file's bytes as ISO 8859-1, so a
/// UTF-8 file's non-ASCII characters come out garbled there; here the bytes
/// are kept as they are. A `\uXXXX` that is half of a UTF-16 surrogate pair
/// (a character above U+FFFF) is refused here, where Java would keep the
/// pair.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "lib/error.h"

namespace kafka {

/// Settings by name, as a properties file gives them.
using Properties = std::map<std::string, std::string>;

/// Parses the text of a properties file. INVALID_CONFIG, naming the line, for
/// a malformed `\uXXXX` escape or one that is half of a surrogate pair.
Result<Properties> ParseProperties(std::string_view text);

/// Reads and parses a properties file; INVALID_CONFIG, naming the file, if it
/// cannot be read or parsed.
Result<Properties> LoadPropertiesFile(const std::string& path);

}  // namespace kafka
