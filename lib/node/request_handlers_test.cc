#include "lib/node/request_handlers.h"

#include <gtest/gtest.h>

#include "lib/protocol/api_versions.h"
#include "lib/protocol/message.h"

namespace kafka {
namespace {

// A request of `api` at `version` with an empty body: enough for handlers
// that do not decode it.
Request RequestOf(ApiKey api, int16_t version, const Bytes& body = {}) {
  return Request{RequestHeader{int16_t(api), version, 7, "test"}, body, 0};
}

// Registers Metadata, answering with one byte, and counts its calls.
class RequestHandlersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    handlers_.Register(ApiKey::kMetadata, [this](const Request&, Responder r) {
      ++metadata_calls_;
      r(Bytes{1});
      return Status();
    });
  }

  ApiVersionsResponse AskApiVersions() {
    const int16_t version = 3;
    Bytes body = EncodeMessage(ApiVersionsRequest{"test", "1"},
                               ApiKey::kApiVersions, version);
    std::optional<Bytes> answer;
    EXPECT_TRUE(handlers_
                    .Handle(RequestOf(ApiKey::kApiVersions, version, body),
                            [&](std::optional<Bytes> b) { answer = b; })
                    .ok());
    return DecodeMessage<ApiVersionsResponse>(*answer, ApiKey::kApiVersions,
                                              version, 0, "ApiVersionsResponse")
        .value();
  }

  RequestHandlers handlers_;
  int metadata_calls_ = 0;
};

TEST_F(RequestHandlersTest, HandsARequestToItsApisHandler) {
  std::optional<Bytes> answer;
  ASSERT_TRUE(handlers_
                  .Handle(RequestOf(ApiKey::kMetadata, 1),
                          [&](std::optional<Bytes> b) { answer = b; })
                  .ok());
  EXPECT_EQ(metadata_calls_, 1);
  EXPECT_EQ(answer, Bytes{1});
}

TEST_F(RequestHandlersTest, ApiVersionsAdvertisesExactlyWhatIsRegistered) {
  const ApiInfo metadata = *FindApi(int16_t(ApiKey::kMetadata));
  const ApiInfo api_versions = *FindApi(int16_t(ApiKey::kApiVersions));
  using V = ApiVersionsResponse::ApiVersion;
  EXPECT_EQ(AskApiVersions().api_keys,
            (std::vector<V>{
                {int16_t(ApiKey::kMetadata), metadata.min_version,
                 metadata.max_version},
                {int16_t(ApiKey::kApiVersions), api_versions.min_version,
                 api_versions.max_version},
            }));
  handlers_.Register(ApiKey::kFetch, VersionRange{4, 5},
                     [](const Request&, Responder) { return Status(); });
  EXPECT_EQ(AskApiVersions().api_keys[0], (V{int16_t(ApiKey::kFetch), 4, 5}));
}

TEST_F(RequestHandlersTest, ServedApisListsApiVersionsAndTheRegistered) {
  EXPECT_EQ(std::vector<ApiKey>(handlers_.ServedApis().begin(),
                                handlers_.ServedApis().end()),
            (std::vector<ApiKey>{ApiKey::kApiVersions, ApiKey::kMetadata}));
}

TEST_F(RequestHandlersTest, AnUnregisteredApiIsRefused) {
  Status handled = handlers_.Handle(RequestOf(ApiKey::kProduce, 7),
                                    [](std::optional<Bytes>) { FAIL(); });
  EXPECT_EQ(handled.error().code, ErrorCode::kUnsupportedVersion);
}

TEST_F(RequestHandlersTest, AVersionOutsideTheRegisteredRangeIsRefused) {
  handlers_.Register(ApiKey::kFetch, VersionRange{4, 5},
                     [](const Request&, Responder) { return Status(); });
  Status handled = handlers_.Handle(RequestOf(ApiKey::kFetch, 6),
                                    [](std::optional<Bytes>) { FAIL(); });
  EXPECT_FALSE(handled.ok());
  EXPECT_TRUE(
      handlers_
          .Handle(RequestOf(ApiKey::kFetch, 5), [](std::optional<Bytes>) {})
          .ok());
}

}  // namespace
}  // namespace kafka
