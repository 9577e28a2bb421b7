#include "lib/protocol/header.h"

#include <gtest/gtest.h>

#include <random>

#include "lib/protocol/api_keys.h"

namespace kafka {
namespace {

// The frame without its 4-byte size, as ParseRequest takes it.
ByteView WithoutSize(const Bytes& frame) {
  return ByteView(frame).subspan(kFrameSizeBytes);
}

// Rule: a flexible request version has header v2 (client_id, then tagged
// fields); client_id stays a classic int16-length string.
TEST(HeaderTest, RequestHeaderV2Bytes) {
  RequestHeader header{18, 3, 7, "rdkafka"};
  Bytes frame = EncodeRequestFrame(header, Bytes{0xAB});
  EXPECT_EQ(frame,
            (Bytes{0,    0,  0,   19,                     // size
                   0,    18, 0,   3,   0,   0,   0,   7,  // key, version, id
                   0,    7,  'r', 'd', 'k', 'a', 'f', 'k', 'a',
                   0x00,     // no tagged fields
                   0xAB}));  // body
  Result<Request> parsed = ParseRequest(WithoutSize(frame));
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(parsed->header.client_id, "rdkafka");
  EXPECT_EQ(parsed->header.correlation_id, 7);
  EXPECT_EQ(parsed->body_position, 18u);
  EXPECT_EQ(Bytes(parsed->body.begin(), parsed->body.end()), Bytes{0xAB});
}

// Rule: a non-flexible version has header v1: no tagged-field section.
TEST(HeaderTest, RequestHeaderV1HasNoTags) {
  Bytes frame = EncodeRequestFrame({18, 0, 1, std::nullopt}, Bytes{});
  EXPECT_EQ(frame, (Bytes{0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0xFF, 0xFF}));
}

// Rule: the ApiVersions response header is always v0, with no tagged fields,
// even for flexible versions.
TEST(HeaderTest, ApiVersionsResponseHeaderHasNoTags) {
  Bytes frame = EncodeResponseFrame({18, 3, 9, "c"}, Bytes{0xCD});
  EXPECT_EQ(frame, (Bytes{0, 0, 0, 5, 0, 0, 0, 9, 0xCD}));
  ByteView body;
  Result<int32_t> id = ParseResponseHeader(WithoutSize(frame), 18, 3, body);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, 9);
  EXPECT_EQ(body.size(), 1u);
}

// Rule: a request for an unknown API still yields its header (so the node can
// log it and close the connection, as Kafka does), read as header v1.
TEST(HeaderTest, UnknownApiParsesAsHeaderV1) {
  Bytes frame = EncodeRequestFrame({999, 5, 3, "x"}, Bytes{1, 2});
  Result<Request> parsed = ParseRequest(WithoutSize(frame));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->header.api_key, 999);
  EXPECT_FALSE(FindApi(999).has_value());
}

// Rule: a truncated header is INVALID_REQUEST naming the field and byte.
TEST(HeaderTest, TruncatedHeaderIsInvalidRequest) {
  Bytes frame = EncodeRequestFrame({18, 3, 7, "rdkafka"}, Bytes{});
  for (size_t length = 0; length < frame.size() - kFrameSizeBytes; ++length) {
    Result<Request> parsed = ParseRequest(WithoutSize(frame).first(length));
    ASSERT_FALSE(parsed.ok()) << length;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidRequest);
  }
  EXPECT_EQ(ParseRequest(WithoutSize(frame).first(6)).error().message,
            "request header: field 'correlation_id' at byte 4: needs 4 "
            "bytes, 2 left");
}

// Property: random bytes never crash the parser (seeded, reproducible).
TEST(HeaderTest, GarbageNeverCrashes) {
  std::mt19937_64 random(2024);
  for (int trial = 0; trial < 20000; ++trial) {
    Bytes garbage(random() % 40);
    for (auto& byte : garbage) byte = static_cast<uint8_t>(random());
    if (garbage.size() >= 4 && trial % 2 == 0) {  // often a known API
      garbage[0] = 0;
      garbage[1] = 18;
    }
    Result<Request> parsed = ParseRequest(garbage);
    if (parsed.ok()) {
      ASSERT_LE(parsed->body_position, garbage.size());
    }
  }
}

}  // namespace
}  // namespace kafka
