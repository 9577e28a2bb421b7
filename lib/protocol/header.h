/// \file
/// Request and response headers, and the frames they travel in.
///
/// On a Kafka connection every message is a frame: a 4-byte big-endian size,
/// then that many bytes. A request frame holds a request header and the body:
///
///     size          int32   bytes after this field
///     api_key       int16   which API (ApiVersions = 18, ...)
///     api_version   int16   which version of its schema the body uses
///     correlation_id int32  chosen by the client, echoed in the response
///     client_id     nullable STRING (header v1 and later)
///     tagged fields         (header v2: flexible request versions only)
///     body ...
///
/// A response frame holds the correlation_id, a tagged-field section for
/// flexible versions (header v1), and the body. The response does not repeat
/// the api_key or version: the client matches it to its request by
/// correlation_id. One exception matters to every client: an ApiVersions
/// response always has header v0, without tagged fields, because a client
/// must be able to read it before it knows which versions the broker speaks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lib/bytes.h"
#include "lib/error.h"

namespace kafka {

/// The 4-byte size in front of every frame.
inline constexpr size_t kFrameSizeBytes = 4;
/// socket.request.max.bytes: the largest request frame a broker accepts.
inline constexpr int32_t kDefaultSocketRequestMaxBytes = 100 * 1024 * 1024;

struct RequestHeader {
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::optional<std::string> client_id;
};

/// A request as it arrives: its header, and its body still encoded.
struct Request {
  RequestHeader header;
  ByteView body;         ///< a view into the frame it was parsed from
  size_t body_position;  ///< where the body starts in the frame
};

/// Whether a request header is v2 (with tagged fields) rather than v1.
bool RequestHeaderIsFlexible(int16_t api_key, int16_t api_version);
/// Whether a response header is v1 (with tagged fields) rather than v0.
bool ResponseHeaderIsFlexible(int16_t api_key, int16_t api_version);

/// A whole request frame, size prefix included.
Bytes EncodeRequestFrame(const RequestHeader& header, ByteView body);

/// A whole response frame, size prefix included, for the request `to`.
Bytes EncodeResponseFrame(const RequestHeader& to, ByteView body);

/// Parses a request frame (without its size prefix). A request for an API or
/// version this project does not implement is parsed as far as its header, and
/// the caller decides: Kafka answers an ApiVersions request of a newer version
/// with UNSUPPORTED_VERSION (KIP-511) and closes the connection for anything
/// else it cannot parse. Errors are INVALID_REQUEST, saying what and where.
/// With `field_log`, notes which bytes were read as which field (for
/// DumpRequest).
Result<Request> ParseRequest(ByteView frame,
                             std::vector<FieldSpan>* field_log = nullptr);

/// Parses a response frame (without its size prefix) to a request of the given
/// API and version: returns its correlation_id and leaves `body` pointing at
/// the body.
Result<int32_t> ParseResponseHeader(ByteView frame, int16_t api_key,
                                    int16_t api_version, ByteView& body);

}  // namespace kafka
