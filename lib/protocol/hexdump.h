/// \file
/// Annotated hexdumps: bytes on the wire, one field per line.
///
/// When a test's bytes differ from what a client sends, a plain hexdump is
/// hard to read. These print each field beside its bytes, as far as decoding
/// got, and the decoding error if there was one:
///
///     0000  00 12                     api_key
///     0002  00 03                     api_version
///     0004  00 00 00 07               correlation_id
///     0008  00 07 72 64 6b 61 66 6b   client_id
///     0010  61
///     0011  00                        tagged fields count
#pragma once

#include <string>
#include <vector>

#include "lib/bytes.h"

namespace kafka {

/// Prints `bytes` with the fields a reader logged (ByteReader::LogFieldsTo);
/// bytes no field covers are marked "(not decoded)".
std::string AnnotatedHexdump(ByteView bytes,
                             const std::vector<FieldSpan>& fields);

/// Decodes a request frame (without its size prefix) as far as it can, header
/// and body, and returns its annotated hexdump.
std::string DumpRequest(ByteView frame);

}  // namespace kafka
