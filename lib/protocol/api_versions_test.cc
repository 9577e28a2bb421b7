#include "lib/protocol/api_versions.h"

#include <gtest/gtest.h>

#include "lib/protocol/api_keys.h"
#include "lib/protocol/message.h"

namespace kafka {
namespace {

constexpr ApiKey kServed[] = {ApiKey::kApiVersions};

// An answer's body, decoded at `version`.
ApiVersionsResponse DecodeAnswer(const Bytes& body, int16_t version) {
  return DecodeMessage<ApiVersionsResponse>(body, ApiKey::kApiVersions, version,
                                            0, "ApiVersionsResponse")
      .value();
}

// Rule: librdkafka's first request is ApiVersions v3, with its software name
// and version as compact strings; we decode it.
TEST(ApiVersionsTest, DecodesLibrdkafkasV3Request) {
  Bytes body{0x0B, 'l', 'i',  'b', 'r', 'd', 'k', 'a', 'f',
             'k',  'a', 0x06, '2', '.', '0', '.', '2', 0x00};
  Result<ApiVersionsRequest> request = DecodeMessage<ApiVersionsRequest>(
      body, ApiKey::kApiVersions, 3, 0, "ApiVersionsRequest");
  ASSERT_TRUE(request.ok()) << request.error().ToString();
  EXPECT_EQ(request->client_software_name, "librdkafka");
  EXPECT_EQ(request->client_software_version, "2.0.2");
}

// Rule: the v3 answer is header v0 (no tags), then a compact array of
// (api_key, min, max, tags), throttle_time_ms and tags, byte for byte.
TEST(ApiVersionsTest, V3AnswerBytes) {
  RequestHeader request{18, 3, 42, "rdkafka"};
  Bytes frame =
      EncodeResponseFrame(request, AnswerApiVersions(request, kServed));
  Bytes expected{0,    0,  0, 0,               // size, patched below
                 0,    0,  0, 42,              // correlation_id; no header tags
                 0,    0,                      // error_code NONE
                 0x02,                         // one API (compact: count + 1)
                 0,    18, 0, 0,  0, 3, 0x00,  // ApiVersions 0..3, no tags
                 0,    0,  0, 0,               // throttle_time_ms
                 0x00};                        // no tags
  ByteWriter(expected).PatchInt32(0, int32_t(expected.size()) - 4);
  EXPECT_EQ(frame, expected);
}

// Rule: kafka-python's v0 request gets a v0 answer: int32 array count and no
// throttle time.
TEST(ApiVersionsTest, V0AnswerIsClassic) {
  Bytes body = AnswerApiVersions({18, 0, 1, "kafka-python"}, kServed);
  EXPECT_EQ(body.size(), 2u + 4 + 6);
  ApiVersionsResponse response = DecodeAnswer(body, 0);
  EXPECT_EQ(response.error_code, ErrorCode::kNone);
  EXPECT_EQ(response.api_keys.size(), 1u);
}

// Rule (KIP-511): a version the broker does not know gets UNSUPPORTED_VERSION
// in a v0 body that still lists the supported APIs, so the client can retry.
TEST(ApiVersionsTest, UnknownVersionGetsUnsupportedVersionInV0) {
  Bytes body = AnswerApiVersions({18, 9, 5, "future-client"}, kServed);
  ApiVersionsResponse response = DecodeAnswer(body, 0);
  EXPECT_EQ(response.error_code, ErrorCode::kUnsupportedVersion);
  ASSERT_FALSE(response.api_keys.empty());
  EXPECT_EQ(response.api_keys[0], (ApiVersionsResponse::ApiVersion{18, 0, 3}));
}

// Rule: every version we advertise round-trips.
TEST(ApiVersionsTest, EveryVersionRoundTrips) {
  for (int16_t version = 0; version <= 3; ++version) {
    ApiVersionsRequest request{"our-client", "1.0"};
    Bytes body = EncodeMessage(request, ApiKey::kApiVersions, version);
    ApiVersionsRequest back =
        DecodeMessage<ApiVersionsRequest>(body, ApiKey::kApiVersions, version,
                                          0, "ApiVersionsRequest")
            .value();
    EXPECT_EQ(back.client_software_name, version >= 3 ? "our-client" : "");
    ApiVersionsResponse response = DecodeAnswer(
        AnswerApiVersions({18, version, 1, std::nullopt}, kServed), version);
    EXPECT_EQ(response.error_code, ErrorCode::kNone) << version;
  }
}

// Rule: a malformed body is INVALID_REQUEST naming message, version and field.
TEST(ApiVersionsTest, MalformedBodyNamesTheField) {
  Bytes body{0x0B, 'l', 'i'};
  Result<ApiVersionsRequest> request = DecodeMessage<ApiVersionsRequest>(
      body, ApiKey::kApiVersions, 3, 20, "ApiVersionsRequest");
  ASSERT_FALSE(request.ok());
  EXPECT_EQ(request.error().code, ErrorCode::kInvalidRequest);
  EXPECT_EQ(request.error().message,
            "ApiVersionsRequest v3: field 'client_software_name' at byte 21: "
            "needs 10 bytes, 2 left");
}

}  // namespace
}  // namespace kafka
