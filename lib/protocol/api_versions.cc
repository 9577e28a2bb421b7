#include "lib/protocol/api_versions.h"

#include <algorithm>

#include "lib/protocol/api_keys.h"
#include "lib/protocol/message.h"

namespace kafka {

void ApiVersionsRequest::Write(WireWriter& writer, int16_t version) const {
  if (version >= 3) {
    writer.WriteString(client_software_name);
    writer.WriteString(client_software_version);
  }
  writer.WriteTaggedFields();
}

ApiVersionsRequest ApiVersionsRequest::Read(WireReader& reader,
                                            int16_t version) {
  ApiVersionsRequest request;
  if (version >= 3) {
    request.client_software_name = reader.ReadString("client_software_name");
    request.client_software_version =
        reader.ReadString("client_software_version");
  }
  reader.SkipTaggedFields();
  return request;
}

void ApiVersionsResponse::Write(WireWriter& writer, int16_t version) const {
  writer.WriteInt16(static_cast<int16_t>(error_code));
  writer.WriteArrayLength(static_cast<int32_t>(api_keys.size()));
  for (const ApiVersion& api : api_keys) {
    writer.WriteInt16(api.api_key);
    writer.WriteInt16(api.min_version);
    writer.WriteInt16(api.max_version);
    writer.WriteTaggedFields();
  }
  if (version >= 1) writer.WriteInt32(throttle_time_ms);
  writer.WriteTaggedFields();
}

ApiVersionsResponse ApiVersionsResponse::Read(WireReader& reader,
                                              int16_t version) {
  ApiVersionsResponse response;
  response.error_code = static_cast<ErrorCode>(reader.ReadInt16("error_code"));
  int32_t count = reader.ReadArrayLength("api_keys", 6);
  for (int32_t i = 0; i < count && reader.ok(); ++i) {
    ApiVersion api;
    api.api_key = reader.ReadInt16("api_key");
    api.min_version = reader.ReadInt16("min_version");
    api.max_version = reader.ReadInt16("max_version");
    reader.SkipTaggedFields();
    response.api_keys.push_back(api);
  }
  if (version >= 1)
    response.throttle_time_ms = reader.ReadInt32("throttle_time_ms");
  reader.SkipTaggedFields();
  return response;
}

namespace {

// The codec's versions of each API in `served`, in api_key order.
std::vector<ApiVersionsResponse::ApiVersion> CodecVersionsOf(ApiSet served) {
  std::vector<ApiVersionsResponse::ApiVersion> versions;
  for (const ApiInfo& api : KnownApis()) {
    if (std::find(served.begin(), served.end(), api.key) != served.end()) {
      versions.push_back(
          {static_cast<int16_t>(api.key), api.min_version, api.max_version});
    }
  }
  return versions;
}

Bytes AnswerApiVersionsWith(
    const RequestHeader& header,
    std::vector<ApiVersionsResponse::ApiVersion> advertised) {
  ApiVersionsResponse response;
  response.api_keys = std::move(advertised);
  int16_t version = header.api_version;
  if (!FindApi(header.api_key)->Supports(version)) {
    response.error_code = ErrorCode::kUnsupportedVersion;
    version = 0;
  }
  Bytes body;
  WireWriter writer(body, FindApi(header.api_key)->IsFlexible(version));
  response.Write(writer, version);
  return body;
}

}  // namespace

Bytes AnswerApiVersions(const RequestHeader& header, ApiSet served) {
  return AnswerApiVersionsWith(header, CodecVersionsOf(served));
}

Result<Bytes> AnswerApiVersionsRequest(const Request& request, ApiSet served) {
  return AnswerApiVersionsRequest(request, CodecVersionsOf(served));
}

Result<Bytes> AnswerApiVersionsRequest(
    const Request& request,
    const std::vector<ApiVersionsResponse::ApiVersion>& advertised) {
  const RequestHeader& header = request.header;
  if (FindApi(header.api_key)->Supports(header.api_version)) {
    Result<ApiVersionsRequest> body = DecodeMessage<ApiVersionsRequest>(
        request.body, ApiKey::kApiVersions, header.api_version,
        request.body_position, "ApiVersionsRequest");
    if (!body.ok()) return body.error();
  }
  return AnswerApiVersionsWith(header, advertised);
}

}  // namespace kafka
