#include "lib/protocol/api_keys.h"

#include <array>

namespace kafka {
namespace {

constexpr std::array kSupportedApis = {
    // librdkafka asks with v3 first; kafka-python asks with v0.
    ApiInfo{ApiKey::kApiVersions, "ApiVersions", 0, 3, 3},
};

}  // namespace

std::span<const ApiInfo> SupportedApis() { return kSupportedApis; }

std::optional<ApiInfo> FindApi(int16_t api_key) {
  for (const ApiInfo& api : kSupportedApis) {
    if (static_cast<int16_t>(api.key) == api_key) return api;
  }
  return std::nullopt;
}

bool CanServe(int16_t api_key, int16_t api_version) {
  std::optional<ApiInfo> api = FindApi(api_key);
  return api &&
         (api->Supports(api_version) || api->key == ApiKey::kApiVersions);
}

}  // namespace kafka
