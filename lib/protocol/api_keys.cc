#include "lib/protocol/api_keys.h"

#include <algorithm>
#include <array>

namespace kafka {
namespace {

constexpr std::array kKnownApis = {
    // librdkafka asks with v3 first; kafka-python asks with v0.
    ApiInfo{ApiKey::kApiVersions, "ApiVersions", 0, 3, 3},
};

}  // namespace

std::span<const ApiInfo> KnownApis() { return kKnownApis; }

std::optional<ApiInfo> FindApi(int16_t api_key) {
  for (const ApiInfo& api : kKnownApis) {
    if (static_cast<int16_t>(api.key) == api_key) return api;
  }
  return std::nullopt;
}

bool CanServe(ApiSet served, int16_t api_key, int16_t api_version) {
  std::optional<ApiInfo> api = FindApi(api_key);
  if (!api ||
      std::find(served.begin(), served.end(), api->key) == served.end()) {
    return false;
  }
  return api->Supports(api_version) || api->key == ApiKey::kApiVersions;
}

}  // namespace kafka
