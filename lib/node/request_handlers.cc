#include "lib/node/request_handlers.h"

#include <algorithm>
#include <cassert>
#include <string>

#include "lib/protocol/api_versions.h"

namespace kafka {

void RequestHandlers::Register(ApiKey api, RequestHandler handler) {
  const ApiInfo codec = *FindApi(int16_t(api));
  Register(api, {codec.min_version, codec.max_version}, std::move(handler));
}

void RequestHandlers::Register(ApiKey api, VersionRange versions,
                               RequestHandler handler) {
  const ApiInfo codec = *FindApi(int16_t(api));
  assert(api != ApiKey::kApiVersions && "the registry answers ApiVersions");
  assert(!handlers_.contains(api) && "one handler per API");
  assert(codec.Supports(versions.min_version) &&
         codec.Supports(versions.max_version) &&
         "a node serves only versions the codec implements");
  (void)codec;
  handlers_.emplace(api, Entry{versions, std::move(handler)});
  served_.push_back(api);
}

Status RequestHandlers::Handle(const Request& request,
                               Responder respond) const {
  const ApiKey api = static_cast<ApiKey>(request.header.api_key);
  if (api == ApiKey::kApiVersions) {
    return AnswerApiVersions(request, std::move(respond));
  }
  auto found = handlers_.find(api);
  const int16_t version = request.header.api_version;
  if (found == handlers_.end() ||
      version < found->second.versions.min_version ||
      version > found->second.versions.max_version) {
    return Error{ErrorCode::kUnsupportedVersion,
                 "api_key " + std::to_string(request.header.api_key) + " v" +
                     std::to_string(version) + " is not served here"};
  }
  return found->second.handler(request, std::move(respond));
}

Status RequestHandlers::AnswerApiVersions(const Request& request,
                                          Responder respond) const {
  std::vector<ApiVersionsResponse::ApiVersion> advertised;
  for (const ApiInfo& api : KnownApis()) {  // in api_key order
    if (api.key == ApiKey::kApiVersions) {
      advertised.push_back(
          {int16_t(api.key), api.min_version, api.max_version});
    } else if (auto found = handlers_.find(api.key); found != handlers_.end()) {
      advertised.push_back({int16_t(api.key),
                            found->second.versions.min_version,
                            found->second.versions.max_version});
    }
  }
  Result<Bytes> answer = AnswerApiVersionsRequest(request, advertised);
  if (!answer.ok()) return answer.status();
  respond(std::move(answer).value());
  return Status();
}

}  // namespace kafka
