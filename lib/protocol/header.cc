#include "lib/protocol/header.h"

#include "lib/protocol/api_keys.h"
#include "lib/protocol/wire.h"

namespace kafka {
namespace {

// The size prefix, patched in once the frame is complete.
void PatchFrameSize(Bytes& frame) {
  ByteWriter(frame).PatchInt32(
      0, static_cast<int32_t>(frame.size() - kFrameSizeBytes));
}

Error InvalidRequest(const std::string& problem) {
  return Error{ErrorCode::kInvalidRequest, "request header: " + problem};
}

}  // namespace

bool RequestHeaderIsFlexible(int16_t api_key, int16_t api_version) {
  // An unknown API is read as header v1, enough to find its correlation_id.
  // A version newer than we implement is past the API's first flexible
  // version, so an ApiVersions request of a future version parses correctly
  // and can be answered with UNSUPPORTED_VERSION (KIP-511).
  std::optional<ApiInfo> api = FindApi(api_key);
  return api && api->IsFlexible(api_version);
}

bool ResponseHeaderIsFlexible(int16_t api_key, int16_t api_version) {
  if (api_key == static_cast<int16_t>(ApiKey::kApiVersions)) return false;
  return RequestHeaderIsFlexible(api_key, api_version);
}

Bytes EncodeRequestFrame(const RequestHeader& header, ByteView body) {
  Bytes frame;
  bool flexible = RequestHeaderIsFlexible(header.api_key, header.api_version);
  WireWriter writer(frame, /*flexible=*/false);  // client_id is never compact
  writer.WriteInt32(0);                          // size, patched below
  writer.WriteInt16(header.api_key);
  writer.WriteInt16(header.api_version);
  writer.WriteInt32(header.correlation_id);
  writer.WriteNullableString(header.client_id);
  if (flexible) writer.WriteUnsignedVarint(0);  // no tagged fields
  writer.WriteRaw(body);
  PatchFrameSize(frame);
  return frame;
}

Bytes EncodeResponseFrame(const RequestHeader& to, ByteView body) {
  Bytes frame;
  ByteWriter writer(frame);
  writer.WriteInt32(0);  // size, patched below
  writer.WriteInt32(to.correlation_id);
  if (ResponseHeaderIsFlexible(to.api_key, to.api_version)) {
    writer.WriteUnsignedVarint(0);  // no tagged fields
  }
  writer.WriteRaw(body);
  PatchFrameSize(frame);
  return frame;
}

Result<Request> ParseRequest(ByteView frame,
                             std::vector<FieldSpan>* field_log) {
  // client_id stays a classic nullable STRING even in header v2.
  WireReader reader(frame, /*flexible=*/false);
  reader.LogFieldsTo(field_log);
  Request request;
  RequestHeader& h = request.header;
  h.api_key = reader.ReadInt16("api_key");
  h.api_version = reader.ReadInt16("api_version");
  h.correlation_id = reader.ReadInt32("correlation_id");
  h.client_id = reader.ReadNullableString("client_id");
  if (reader.ok() && RequestHeaderIsFlexible(h.api_key, h.api_version)) {
    WireReader tags(frame.subspan(reader.position()), /*flexible=*/true,
                    reader.position());
    tags.LogFieldsTo(field_log);
    tags.SkipTaggedFields();
    if (!tags.ok()) return InvalidRequest(tags.error());
    reader.LogFieldsTo(nullptr);  // `tags` logged these bytes already
    reader.ReadRaw(tags.position() - reader.position(), "tagged fields");
  }
  if (!reader.ok()) return InvalidRequest(reader.error());
  request.body_position = reader.position();
  request.body = frame.subspan(request.body_position);
  return request;
}

Result<int32_t> ParseResponseHeader(ByteView frame, int16_t api_key,
                                    int16_t api_version, ByteView& body) {
  WireReader reader(frame, ResponseHeaderIsFlexible(api_key, api_version));
  int32_t correlation_id = reader.ReadInt32("correlation_id");
  reader.SkipTaggedFields();
  if (!reader.ok()) {
    return Error{ErrorCode::kCorruptMessage,
                 "response header: " + reader.error()};
  }
  body = frame.subspan(reader.position());
  return correlation_id;
}

}  // namespace kafka
