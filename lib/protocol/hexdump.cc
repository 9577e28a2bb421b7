#include "lib/protocol/hexdump.h"

#include <cstdio>

#include "lib/protocol/api_keys.h"
#include "lib/protocol/api_versions.h"
#include "lib/protocol/header.h"
#include "lib/protocol/message.h"

namespace kafka {
namespace {

constexpr size_t kBytesPerLine = 8;

// "0008  00 07 72 64 6b 61 66 6b   name" for up to 8 bytes.
std::string Line(ByteView bytes, size_t position, size_t length,
                 const std::string& name) {
  char offset[16];
  std::snprintf(offset, sizeof offset, "%04zx  ", position);
  std::string line = offset;
  for (size_t i = 0; i < kBytesPerLine; ++i) {
    char hex[4] = "   ";
    if (i < length)
      std::snprintf(hex, sizeof hex, "%02x ", bytes[position + i]);
    line += hex;
  }
  return line + "  " + name + "\n";
}

// One field, wrapped over as many lines as its bytes need.
std::string FieldLines(ByteView bytes, size_t position, size_t length,
                       const std::string& name) {
  std::string out;
  for (size_t done = 0; done < length; done += kBytesPerLine) {
    out += Line(bytes, position + done, std::min(kBytesPerLine, length - done),
                done == 0 ? name : "");
  }
  return out;
}

}  // namespace

std::string AnnotatedHexdump(ByteView bytes,
                             const std::vector<FieldSpan>& fields) {
  // Consecutive reads of one field (a length, then its bytes) print as one.
  std::vector<FieldSpan> merged;
  for (const FieldSpan& f : fields) {
    if (!merged.empty() && merged.back().field == f.field &&
        merged.back().position + merged.back().length == f.position) {
      merged.back().length += f.length;
    } else {
      merged.push_back(f);
    }
  }
  std::string out;
  size_t position = 0;
  for (const FieldSpan& f : merged) {
    if (f.position < position || f.position + f.length > bytes.size()) continue;
    if (f.position > position) {
      out +=
          FieldLines(bytes, position, f.position - position, "(not decoded)");
    }
    out += FieldLines(bytes, f.position, f.length, f.field);
    position = f.position + f.length;
  }
  if (position < bytes.size()) {
    out +=
        FieldLines(bytes, position, bytes.size() - position, "(not decoded)");
  }
  return out;
}

std::string DumpRequest(ByteView frame) {
  std::vector<FieldSpan> fields;
  Result<Request> request = ParseRequest(frame, &fields);
  std::string error;
  if (!request.ok()) {
    error = request.error().ToString();
  } else if (request->header.api_key ==
                 static_cast<int16_t>(ApiKey::kApiVersions) &&
             FindApi(request->header.api_key)
                 ->Supports(request->header.api_version)) {
    Result<ApiVersionsRequest> body = DecodeMessage<ApiVersionsRequest>(
        request->body, ApiKey::kApiVersions, request->header.api_version,
        request->body_position, "ApiVersionsRequest", &fields);
    if (!body.ok()) error = body.error().ToString();
  }
  std::string out = AnnotatedHexdump(frame, fields);
  return error.empty() ? out : out + "error: " + error + "\n";
}

}  // namespace kafka
