#include "chapters/05_controller/broker_lifecycle_manager.h"

#include <algorithm>
#include <utility>

#include "chapters/05_controller/controller/metadata_records.h"
#include "lib/protocol/broker_lifecycle.h"
#include "lib/protocol/message.h"

namespace kafka {
namespace {

const char kClientId[] = "broker-lifecycle-manager";

// The oldest metadata.version a broker of this project can replay (Kafka's
// MetadataVersion.MINIMUM_KRAFT_VERSION, 3.0-IV1).
constexpr int16_t kMinimumMetadataVersion = 1;

// After the first controlled-shutdown answer that does not yet let the
// broker go, the next heartbeat goes sooner than the interval (Kafka's).
constexpr int64_t kFirstShutdownRecheckMs = 50;

}  // namespace

std::string_view BrokerStateName(BrokerState state) {
  switch (state) {
    case BrokerState::kNotRunning:
      return "NOT_RUNNING";
    case BrokerState::kStarting:
      return "STARTING";
    case BrokerState::kRecovery:
      return "RECOVERY";
    case BrokerState::kRunning:
      return "RUNNING";
    case BrokerState::kPendingControlledShutdown:
      return "PENDING_CONTROLLED_SHUTDOWN";
    case BrokerState::kShuttingDown:
      return "SHUTTING_DOWN";
  }
  return "UNKNOWN";
}

BrokerLifecycleManager::BrokerLifecycleManager(
    Environment& env, const BrokerConfig& broker, BrokerLifecycleConfig config,
    ControllerNodeProvider controller, std::function<int64_t()> metadata_offset)
    : env_(env),
      broker_(broker),
      config_(std::move(config)),
      controller_(std::move(controller)),
      metadata_offset_(std::move(metadata_offset)) {}

void BrokerLifecycleManager::Start() {
  state_ = BrokerState::kStarting;
  incarnation_id_ = Uuid::Random(env_.random());
  Communicate();
}

void BrokerLifecycleManager::BeginControlledShutdown(
    std::function<void()> on_shut_down) {
  on_shut_down_ = std::move(on_shut_down);
  if (!registered_) {
    // Nothing to hand over: the controller never let it lead.
    state_ = BrokerState::kShuttingDown;
    if (next_timer_) env_.CancelTimer(*next_timer_);
    next_timer_.reset();
    on_shut_down_();
    return;
  }
  state_ = BrokerState::kPendingControlledShutdown;
  if (!in_flight_) ScheduleNext(0);
}

void BrokerLifecycleManager::Communicate() {
  if (in_flight_ || state_ == BrokerState::kShuttingDown) return;
  const std::optional<NodeId> controller = controller_();
  if (!controller) {
    // An election is on; look again shortly, without counting a failure.
    return ScheduleNext(kInitialRetryBackoffMs);
  }
  in_flight_ = true;
  if (!registered_) {
    SendRegistration(*controller);
  } else {
    SendHeartbeat(*controller);
  }
}

void BrokerLifecycleManager::SendRegistration(NodeId controller) {
  BrokerRegistrationRequest request{
      .broker_id = broker_.node_id,
      .cluster_id = broker_.cluster_id,
      .incarnation_id = incarnation_id_,
      .listeners = {{.name = config_.listener_name,
                     .host = broker_.advertised_host,
                     .port = uint16_t(broker_.advertised_port),
                     .security_protocol = kPlaintextSecurityProtocol}},
      .features = {{.name = std::string(kMetadataVersionFeature),
                    .min_supported_version = kMinimumMetadataVersion,
                    .max_supported_version = kMetadataVersionLevel}},
      .rack = config_.rack};
  env_.Send(
      controller,
      {int16_t(ApiKey::kBrokerRegistration), kRegistrationVersion, 0,
       kClientId},
      EncodeMessage(request, ApiKey::kBrokerRegistration, kRegistrationVersion),
      config_.request_timeout_ms,
      [this](Result<Bytes> body) {
        HandleRegistrationResponse(std::move(body));
      },
      Connection::kController);
}

void BrokerLifecycleManager::SendHeartbeat(NodeId controller) {
  BrokerHeartbeatRequest request{
      .broker_id = broker_.node_id,
      .broker_epoch = broker_epoch_,
      .current_metadata_offset = metadata_offset_(),
      .want_fence = state_ == BrokerState::kStarting,
      .want_shut_down = state_ == BrokerState::kPendingControlledShutdown};
  env_.Send(
      controller,
      {int16_t(ApiKey::kBrokerHeartbeat), kHeartbeatVersion, 0, kClientId},
      EncodeMessage(request, ApiKey::kBrokerHeartbeat, kHeartbeatVersion),
      config_.request_timeout_ms,
      [this](Result<Bytes> body) { HandleHeartbeatResponse(std::move(body)); },
      Connection::kController);
}

void BrokerLifecycleManager::HandleRegistrationResponse(Result<Bytes> body) {
  in_flight_ = false;
  Result<BrokerRegistrationResponse> response =
      body.ok() ? DecodeMessage<BrokerRegistrationResponse>(
                      *body, ApiKey::kBrokerRegistration, kRegistrationVersion,
                      0, "BrokerRegistrationResponse")
                : Result<BrokerRegistrationResponse>(body.error());
  if (!response.ok()) return ScheduleAfterFailure(response.error());
  if (response->error_code != ErrorCode::kNone) {
    return ScheduleAfterFailure(
        Error{response->error_code, "the controller refused the registration"});
  }
  registered_ = true;
  broker_epoch_ = response->broker_epoch;
  failed_attempts_ = 0;
  ScheduleNext(0);  // the first heartbeat at once
}

void BrokerLifecycleManager::HandleHeartbeatResponse(Result<Bytes> body) {
  in_flight_ = false;
  Result<BrokerHeartbeatResponse> response =
      body.ok() ? DecodeMessage<BrokerHeartbeatResponse>(
                      *body, ApiKey::kBrokerHeartbeat, kHeartbeatVersion, 0,
                      "BrokerHeartbeatResponse")
                : Result<BrokerHeartbeatResponse>(body.error());
  if (!response.ok()) return ScheduleAfterFailure(response.error());
  if (response->error_code != ErrorCode::kNone) {
    return ScheduleAfterFailure(
        Error{response->error_code, "the controller refused the heartbeat"});
  }
  failed_attempts_ = 0;
  fenced_ = response->is_fenced;
  ApplyHeartbeat(response->is_caught_up, response->is_fenced,
                 response->should_shut_down);
}

void BrokerLifecycleManager::ApplyHeartbeat(bool is_caught_up, bool is_fenced,
                                            bool should_shut_down) {
  switch (state_) {
    case BrokerState::kStarting:
      // Its components have the log's state up to the offset it sent (the
      // listener publishes before it reports), so it is ready at once.
      if (is_caught_up) state_ = BrokerState::kRecovery;
      return ScheduleAfterSuccess();
    case BrokerState::kRecovery:
      if (!is_fenced) state_ = BrokerState::kRunning;
      return ScheduleAfterSuccess();
    case BrokerState::kRunning:
      return ScheduleAfterSuccess();
    case BrokerState::kPendingControlledShutdown:
      if (!should_shut_down) {
        const bool first = !got_shutdown_answer_;
        got_shutdown_answer_ = true;
        return first ? ScheduleNext(kFirstShutdownRecheckMs)
                     : ScheduleAfterSuccess();
      }
      state_ = BrokerState::kShuttingDown;
      if (on_shut_down_) on_shut_down_();
      return;
    case BrokerState::kNotRunning:
    case BrokerState::kShuttingDown:
      return;
  }
}

void BrokerLifecycleManager::ScheduleNext(int64_t delay_ms) {
  if (next_timer_) env_.CancelTimer(*next_timer_);
  next_timer_ = env_.StartTimer(delay_ms, [this] {
    next_timer_.reset();
    Communicate();
  });
}

void BrokerLifecycleManager::ScheduleAfterSuccess() {
  ScheduleNext(config_.broker_heartbeat_interval_ms);
}

void BrokerLifecycleManager::ScheduleAfterFailure(Error error) {
  last_error_ = std::move(error);
  const int64_t max_backoff_ms = config_.broker_session_timeout_ms / 2;
  int64_t backoff_ms = kInitialRetryBackoffMs;
  for (int i = 0; i < failed_attempts_ && backoff_ms < max_backoff_ms; ++i) {
    backoff_ms *= 2;
  }
  ++failed_attempts_;
  ScheduleNext(std::min(backoff_ms, max_backoff_ms));
}

}  // namespace kafka
