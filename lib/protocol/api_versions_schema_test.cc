// ApiVersions twice: the hand-written codec (api_versions.cc) and the one
// generated from messages/ApiVersions*.json must write the same bytes and
// read each other's, at every version, so the generator's flexible versions
// (compact forms, tagged fields) are checked against a codec written from
// Kafka's protocol guide.
#include <gtest/gtest.h>

#include "lib/protocol/api_versions.h"
#include "lib/protocol/message.h"
#include "lib/protocol/messages/api_versions_request.h"
#include "lib/protocol/messages/api_versions_response.h"

namespace kafka {
namespace {

constexpr ApiKey kApi = ApiKey::kApiVersions;

ApiVersionsResponse HandWritten() {
  ApiVersionsResponse response;
  response.error_code = ErrorCode::kUnsupportedVersion;
  response.api_keys = {{18, 0, 3}, {3, 0, 4}};
  response.throttle_time_ms = 7;
  return response;
}

from_schema::ApiVersionsResponse Generated() {
  from_schema::ApiVersionsResponse response;
  response.error_code = ErrorCode::kUnsupportedVersion;
  response.api_keys = {{18, 0, 3}, {3, 0, 4}};
  response.throttle_time_ms = 7;
  return response;
}

// Rule: with no tagged field set, both codecs write the same bytes at every
// version, and each reads the other's.
TEST(ApiVersionsSchemaTest, BothCodecsWriteTheSameBytes) {
  for (int16_t version = 0; version <= 3; ++version) {
    Bytes hand = EncodeMessage(HandWritten(), kApi, version);
    EXPECT_EQ(EncodeMessage(Generated(), kApi, version), hand) << version;
    Result<from_schema::ApiVersionsResponse> read =
        DecodeMessage<from_schema::ApiVersionsResponse>(hand, kApi, version, 0,
                                                        "ApiVersionsResponse");
    ASSERT_TRUE(read.ok()) << read.error().ToString();
    from_schema::ApiVersionsResponse expected = Generated();
    if (version == 0) expected.throttle_time_ms = 0;  // v1+
    EXPECT_TRUE(read.value() == expected) << version;

    ApiVersionsRequest request{"librdkafka", "2.0.2"};
    from_schema::ApiVersionsRequest generated{"librdkafka", "2.0.2"};
    EXPECT_EQ(EncodeMessage(generated, kApi, version),
              EncodeMessage(request, kApi, version))
        << version;
  }
}

// Rule (KIP-482): a tagged field is written only when it differs from its
// default, after the count, as tag, size and value; a reader that does not
// know the tag (the hand-written codec) skips it.
TEST(ApiVersionsSchemaTest, TaggedFieldLayoutAndSkipping) {
  from_schema::ApiVersionsResponse response = Generated();
  response.finalized_features_epoch = 5;
  Bytes body = EncodeMessage(response, kApi, 3);
  Bytes without = EncodeMessage(Generated(), kApi, 3);
  // The last byte of `without` is its empty tagged section (count 0).
  Bytes expected(without.begin(), without.end() - 1);
  Bytes tail{0x01,                        // one tagged field
             0x01,                        // tag 1: finalized_features_epoch
             0x08,                        // 8 bytes
             0,    0, 0, 0, 0, 0, 0, 5};  // int64 5
  expected.insert(expected.end(), tail.begin(), tail.end());
  EXPECT_EQ(body, expected);

  Result<ApiVersionsResponse> hand = DecodeMessage<ApiVersionsResponse>(
      body, kApi, 3, 0, "ApiVersionsResponse");
  ASSERT_TRUE(hand.ok()) << hand.error().ToString();
  EXPECT_EQ(hand->api_keys, HandWritten().api_keys);
  EXPECT_EQ(hand->throttle_time_ms, 7);
}

// Rule: the generated reader reads the tagged fields it knows, structs
// included, and a tagged field whose value does not fill its announced size
// is an error that names it.
TEST(ApiVersionsSchemaTest, TaggedFieldsReadBack) {
  from_schema::ApiVersionsResponse response = Generated();
  response.supported_features = {{"metadata.version", 1, 20}};
  response.finalized_features_epoch = 9;
  Bytes body = EncodeMessage(response, kApi, 3);
  Result<from_schema::ApiVersionsResponse> back =
      DecodeMessage<from_schema::ApiVersionsResponse>(body, kApi, 3, 0,
                                                      "ApiVersionsResponse");
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_TRUE(back.value() == response);

  from_schema::ApiVersionsResponse epoch_only = Generated();
  epoch_only.finalized_features_epoch = 9;
  Bytes bad = EncodeMessage(epoch_only, kApi, 3);
  bad[bad.size() - 9] = 0x09;  // announce 9 bytes for an int64
  bad.push_back(0);            // where the value's ninth byte would be
  Result<from_schema::ApiVersionsResponse> error =
      DecodeMessage<from_schema::ApiVersionsResponse>(bad, kApi, 3, 0,
                                                      "ApiVersionsResponse");
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.error().message,
            "ApiVersionsResponse v3: field 'tagged field' at byte " +
                std::to_string(bad.size() - 1) +
                ": tag 1 announces 9 bytes, its value took 8");
}

}  // namespace
}  // namespace kafka
