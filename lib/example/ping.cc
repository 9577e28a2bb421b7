#include "lib/example/ping.h"

#include "lib/protocol/api_keys.h"
#include "lib/protocol/api_versions.h"
#include "lib/protocol/message.h"

namespace kafka {

void PingServer::Start(Environment&) {}

ApiSet PingServer::ServedApis() const {
  static constexpr ApiKey kServed[] = {ApiKey::kApiVersions};
  return kServed;
}

Status PingServer::OnRequest(const Request& request, Responder respond) {
  // The runtime passes only the APIs we serve: ApiVersions.
  Result<Bytes> answer = AnswerApiVersionsRequest(request, ServedApis());
  if (!answer.ok()) return answer.status();
  ++requests_answered_;
  respond(std::move(answer).value());
  return Status();
}

void PingClient::Start(Environment& env) {
  env_ = &env;
  if (options_.server_address) {
    env.LearnAddress(options_.server, options_.server_address->host,
                     options_.server_address->port);
  }
  for (int i = 0; i < options_.in_flight && sent_ < options_.total; ++i) {
    ++sent_;
    SendOne();
  }
}

void PingClient::SendOne() {
  RequestHeader header{static_cast<int16_t>(ApiKey::kApiVersions), 3, 0,
                       "ping-client"};
  ApiVersionsRequest request{"ping-client", "1.0"};
  env_->Send(options_.server, header,
             EncodeMessage(request, ApiKey::kApiVersions, 3),
             options_.request_timeout_ms,
             [this](Result<Bytes> body) { OnAnswer(std::move(body)); });
}

void PingClient::OnAnswer(Result<Bytes> body) {
  if (!body.ok()) {
    // Try the same request again after a pause, as Kafka's clients do.
    ++failures_;
    env_->StartTimer(options_.retry_backoff_ms, [this] { SendOne(); });
    return;
  }
  ++answered_;
  answer_times_.push_back(env_->NowMs());
  if (sent_ < options_.total) {
    ++sent_;
    SendOne();
  }
}

}  // namespace kafka
