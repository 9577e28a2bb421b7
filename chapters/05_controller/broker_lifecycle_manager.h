/// \file
/// A KRaft broker's life with the controller: registration, heartbeats,
/// fencing and controlled shutdown (Kafka's BrokerLifecycleManager, KIP-631).
///
/// A broker joins the cluster by registering with the active controller
/// (BrokerRegistration: its id, an incarnation id new at each start, its
/// listener, the features it supports, its rack). The controller writes a
/// RegisterBrokerRecord; its offset in the metadata log is the broker epoch,
/// which the answer carries and every later request names. From then on the
/// broker heartbeats every broker.heartbeat.interval.ms (BrokerHeartbeat),
/// saying how far it has replayed the metadata log. The controller keeps it
/// fenced (it may not lead, nor be in an ISR) until it has replayed up to
/// its own registration, and fences it again if its heartbeats stop for
/// broker.session.timeout.ms.
///
/// The broker's states are Kafka's BrokerState:
///
///   STARTING                     registering; heartbeats say want_fence
///   RECOVERY                     the controller says it caught up; it now
///                                asks to be unfenced
///   RUNNING                      the controller unfenced it
///   PENDING_CONTROLLED_SHUTDOWN  it asked to stop (want_shut_down); the
///                                controller moves its leaderships away and
///                                says should_shut_down when it leads none
///   SHUTTING_DOWN                it may stop now
///
/// One request is in flight at a time. A failed one (no controller known,
/// NOT_CONTROLLER, no answer) is sent again after a backoff that doubles
/// from 100 ms up to half the session timeout, as Kafka's; a successful
/// heartbeat is followed by the next one an interval later.
///
/// What real Kafka does differently: the broker gives up and exits if no
/// registration succeeds within initial.broker.registration.timeout.ms
/// (60 s); here it keeps trying, and the program reports it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "chapters/02_partitions/broker.h"
#include "chapters/04_replication/controller_node_provider.h"
#include "lib/error.h"
#include "lib/node/node.h"
#include "lib/uuid.h"

namespace kafka {

/// Kafka's BrokerState (the values it reports in its metrics).
enum class BrokerState : int8_t {
  kNotRunning = 0,
  kStarting = 1,
  kRecovery = 2,
  kRunning = 3,
  kPendingControlledShutdown = 6,
  kShuttingDown = 7,
};

std::string_view BrokerStateName(BrokerState state);

/// The lifecycle's settings, with Kafka's names and defaults.
struct BrokerLifecycleConfig {
  /// broker.heartbeat.interval.ms
  int64_t broker_heartbeat_interval_ms = 2000;
  /// broker.session.timeout.ms: the controller's, known to the broker for
  /// its retry backoff.
  int64_t broker_session_timeout_ms = 9000;
  /// How long one registration or heartbeat may take.
  int64_t request_timeout_ms = 2000;
  /// broker.rack
  std::optional<std::string> rack;
  /// The listener the broker registers (listeners' name).
  std::string listener_name = "PLAINTEXT";
};

class BrokerLifecycleManager {
 public:
  /// The first retry backoff, doubled after each failure in a row.
  static constexpr int64_t kInitialRetryBackoffMs = 100;
  /// The versions sent.
  static constexpr int16_t kRegistrationVersion = 1;
  static constexpr int16_t kHeartbeatVersion = 0;

  /// `broker` is read at each registration (its advertised port may be
  /// learned after start). `metadata_offset` is how far the broker's
  /// components have the metadata log (BrokerMetadataListener's
  /// published_offset).
  BrokerLifecycleManager(Environment& env, const BrokerConfig& broker,
                         BrokerLifecycleConfig config,
                         ControllerNodeProvider controller,
                         std::function<int64_t()> metadata_offset);

  /// STARTING: registers with a new incarnation id.
  void Start();
  /// PENDING_CONTROLLED_SHUTDOWN: the next heartbeat (at once) asks to shut
  /// down; `on_shut_down` is called when the controller lets it.
  void BeginControlledShutdown(std::function<void()> on_shut_down);

  BrokerState state() const { return state_; }
  /// The broker epoch the controller gave; -1 before the registration.
  int64_t broker_epoch() const { return broker_epoch_; }
  const Uuid& incarnation_id() const { return incarnation_id_; }
  /// Whether the controller's last heartbeat answer said fenced.
  bool fenced() const { return fenced_; }
  /// The error of the last failed request, for a person watching.
  const Status& last_error() const { return last_error_; }

 private:
  /// Sends the next request now: a registration until one succeeded, then
  /// a heartbeat.
  void Communicate();
  void SendRegistration(NodeId controller);
  void SendHeartbeat(NodeId controller);
  void HandleRegistrationResponse(Result<Bytes> body);
  void HandleHeartbeatResponse(Result<Bytes> body);
  /// Moves the state on by a successful heartbeat answer's flags.
  void ApplyHeartbeat(bool is_caught_up, bool is_fenced, bool should_shut_down);
  void ScheduleNext(int64_t delay_ms);
  void ScheduleAfterSuccess();
  void ScheduleAfterFailure(Error error);

  Environment& env_;
  const BrokerConfig& broker_;
  BrokerLifecycleConfig config_;
  ControllerNodeProvider controller_;
  std::function<int64_t()> metadata_offset_;

  BrokerState state_ = BrokerState::kNotRunning;
  Uuid incarnation_id_;
  int64_t broker_epoch_ = -1;
  bool registered_ = false;
  bool fenced_ = true;
  bool in_flight_ = false;
  std::optional<TimerId> next_timer_;
  int failed_attempts_ = 0;
  Status last_error_;
  bool got_shutdown_answer_ = false;
  std::function<void()> on_shut_down_;
};

}  // namespace kafka
