/// \file
/// Encoding and decoding a message body at a given version.
///
/// Each request and response struct (ApiVersionsRequest, ...) has a
/// `Write(WireWriter&, version)` and a static `Read(WireReader&, version)`
/// that follow Kafka's schema for that message field by field: generated from
/// the schemas in messages/ (message_codegen.py), or, for ApiVersions,
/// written by hand. These two
/// helpers add what every message shares: choosing the compact forms for
/// flexible versions, and turning a decoding failure into an error that names
/// the message, the version, the field and the byte.
#pragma once

#include <string>
#include <vector>

#include "lib/bytes.h"
#include "lib/error.h"
#include "lib/protocol/api_keys.h"
#include "lib/protocol/wire.h"

namespace kafka {

template <typename Message>
Bytes EncodeMessage(const Message& message, ApiKey api, int16_t version) {
  Bytes body;
  WireWriter writer(body,
                    FindApi(static_cast<int16_t>(api))->IsFlexible(version));
  message.Write(writer, version);
  return body;
}

/// `position` is where `body` starts in its frame, for error messages. With
/// `field_log`, notes which bytes were read as which field.
template <typename Message>
Result<Message> DecodeMessage(ByteView body, ApiKey api, int16_t version,
                              size_t position, const std::string& name,
                              std::vector<FieldSpan>* field_log = nullptr) {
  std::optional<ApiInfo> info = FindApi(static_cast<int16_t>(api));
  WireReader reader(body, info->IsFlexible(version), position);
  reader.LogFieldsTo(field_log);
  Message message = Message::Read(reader, version);
  if (!reader.ok()) {
    return Error{ErrorCode::kInvalidRequest,
                 name + " v" + std::to_string(version) + ": " + reader.error()};
  }
  return message;
}

}  // namespace kafka
