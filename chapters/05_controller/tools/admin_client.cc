#include "chapters/05_controller/tools/admin_client.h"

#include <memory>

#include "lib/net/tcp_runtime.h"

namespace kafka {
namespace {

// default.api.timeout.ms: how long a tool waits for all its answers.
constexpr int64_t kDefaultApiTimeoutMs = 60'000;

}  // namespace

Result<std::vector<std::string>> ParseBootstrapServers(std::string_view text) {
  std::vector<std::string> servers;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view server = text.substr(start, comma - start);
    if (Result<HostPort> address = ParseHostPort(server); !address.ok()) {
      return address.error();
    }
    servers.emplace_back(server);
    start = comma + 1;
  }
  return servers;
}

void AdminClient::Start(Environment& env) {
  env_ = &env;
  bootstrap_ids_ = LearnBootstrapServers(env, bootstrap_servers_);
  AskApiVersions(0);
}

void AdminClient::AskApiVersions(size_t index) {
  // Version 3, as current clients send it, naming the tool.
  constexpr int16_t kApiVersionsVersion = 3;
  bootstrap_ = index;
  Send<ApiVersionsRequest, ApiVersionsResponse>(
      ApiKey::kApiVersions, kApiVersionsVersion,
      {.client_software_name = client_id_, .client_software_version = "1.0"},
      [this](ApiVersionsResponse versions) {
        if (versions.error_code != ErrorCode::kNone) {
          return FailWith({versions.error_code, "ApiVersions refused"});
        }
        served_ = std::move(versions.api_keys);
        first_request_(*this);
      },
      [this, index](const Error& error) {
        if (index + 1 < bootstrap_ids_.size()) return AskApiVersions(index + 1);
        FailWith(error);
      });
}

Status AdminClient::CheckServed(ApiKey api, int16_t version) const {
  for (const auto& range : served_) {
    if (range.api_key == int16_t(api) && version >= range.min_version &&
        version <= range.max_version) {
      return {};
    }
  }
  std::optional<ApiInfo> info = FindApi(int16_t(api));
  return Error{ErrorCode::kUnsupportedVersion,
               "the broker at " + bootstrap_servers_[bootstrap_] +
                   " does not support " +
                   std::string(info ? info->name : "this API") + " version " +
                   std::to_string(version)};
}

int RunAdminClient(std::vector<std::string> bootstrap_servers,
                   std::string client_id,
                   std::function<void(AdminClient&)> first_request) {
  const std::string first_server = bootstrap_servers.front();
  TcpRuntime runtime({}, std::make_unique<AdminClient>(
                             std::move(bootstrap_servers), std::move(client_id),
                             std::move(first_request)));
  auto& client = dynamic_cast<AdminClient&>(runtime.node());
  if (!runtime.RunUntil([&] { return client.done(); }, kDefaultApiTimeoutMs)) {
    std::cerr << "Error: no answer from " << first_server << " within "
              << kDefaultApiTimeoutMs << " ms\n";
    return 1;
  }
  return client.exit_code();
}

}  // namespace kafka
