/// \file
/// ApiVersions (api_key 18): how a client learns which versions a broker
/// speaks.
///
/// It is the first request on every connection of a modern client. The answer
/// lists, for each API the broker implements, the lowest and highest version it
/// accepts (the table in api_keys.h). The client then uses, per API, the
/// highest version both sides know.
///
/// The trap is the first round trip: the client does not yet know which
/// ApiVersions version the broker speaks. librdkafka sends v3 (flexible);
/// kafka-python sends v0. A broker that does not know the version a client
/// sent answers with error UNSUPPORTED_VERSION and a v0 body that still lists
/// its APIs (KIP-511), and the client retries with a version from that list.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lib/bytes.h"
#include "lib/error.h"
#include "lib/protocol/api_keys.h"
#include "lib/protocol/header.h"
#include "lib/protocol/wire.h"

namespace kafka {

struct ApiVersionsRequest {
  std::string client_software_name;     ///< v3+
  std::string client_software_version;  ///< v3+

  void Write(WireWriter& writer, int16_t version) const;
  static ApiVersionsRequest Read(WireReader& reader, int16_t version);
};

struct ApiVersionsResponse {
  struct ApiVersion {
    int16_t api_key;
    int16_t min_version;
    int16_t max_version;

    bool operator==(const ApiVersion&) const = default;
  };

  ErrorCode error_code = ErrorCode::kNone;
  std::vector<ApiVersion> api_keys;
  int32_t throttle_time_ms = 0;  ///< v1+

  void Write(WireWriter& writer, int16_t version) const;
  static ApiVersionsResponse Read(WireReader& reader, int16_t version);
};

/// The response body a node serving `served` sends to an ApiVersions request:
/// those APIs with the versions the codec implements, or, for an ApiVersions
/// version it does not know, UNSUPPORTED_VERSION in a v0 body.
Bytes AnswerApiVersions(const RequestHeader& header, ApiSet served);

/// The same for a whole request: for a version the codec implements, the body
/// must decode first (its error, INVALID_REQUEST, closes the connection).
Result<Bytes> AnswerApiVersionsRequest(const Request& request, ApiSet served);

/// The same for a node that serves its own version ranges (RequestHandlers):
/// `advertised` is the list the answer carries, in api_key order.
Result<Bytes> AnswerApiVersionsRequest(
    const Request& request,
    const std::vector<ApiVersionsResponse::ApiVersion>& advertised);

}  // namespace kafka
