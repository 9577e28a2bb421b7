/// \file
/// A deterministic simulator: many nodes, one thread, virtual time.
///
/// The simulator runs nodes (lib/node) in one process, with one random source
/// and a virtual clock that jumps from event to event. Everything that can
/// happen is an event in one queue, ordered by (time, sequence number): a
/// message arriving, a timer firing, a crash. Because the order of events
/// depends only on the seed, the same seed gives the same run, event for event,
/// and a failure found by a randomized test replays exactly. FoundationDB and
/// TigerBeetle test their databases this way; Jepsen does it on real machines,
/// with real clocks, and so cannot replay what it finds.
///
/// Faults a test controls:
///
///   - network, per directed link: latency (uniform between a minimum and a
///     maximum), dropped and duplicated messages, reordering, and cuts
///     (partitions, symmetric or one way) until healed. Without reordering a
///     link delivers in the order it was sent, as a TCP connection does;
///   - nodes: crash (the node object is destroyed, its timers and pending
///     requests vanish; after a power failure its disk, a MemoryStorage, keeps
///     only synced bytes and maybe a torn part of the rest, after a process
///     crash everything written), a clean stop (the node's Stop runs first,
///     as on SIGTERM, then it goes down as in a crash that keeps the disk),
///     restart (a new node object on the same disk), pause (like SIGSTOP:
///     nothing runs until resume; messages and timers wait). A node that
///     goes down resets its connections, as a dead process's TCP connections
///     are reset: the requests other nodes were waiting on it for fail with
///     NETWORK_EXCEPTION one link latency later, and the answers it had on
///     the wire are lost. What it sent before it went down still arrives.
///
/// Connections: each (client, server, Environment::Connection) is one
/// ordered connection, with its own answer order and its own FIFO link.
///
/// Addresses: every node listens at a host and port, "node-<id>":9092 unless
/// AddNode names another. A node finds a peer as a real one does: by the
/// address it learned for the peer's id (Environment::LearnAddress), and
/// otherwise, as a table fixed at the start (TcpRuntime::Options::peers),
/// by the peer's node id in the simulation. Client nodes get ids from
/// AddClient, above any a broker can have, so the two never collide.
///
/// Every send, delivery, drop, timeout, timer and crash goes into a trace,
/// which tests compare by hash and tools turn into message sequence charts.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "lib/node/node.h"
#include "lib/storage/memory_storage.h"

namespace kafka {

/// How one directed link treats the messages on it.
struct LinkFaults {
  int64_t min_latency_ms = 1;
  int64_t max_latency_ms = 1;
  double drop_probability = 0;
  double duplicate_probability = 0;
  bool reorder = false;  ///< false: delivered in the order sent, as TCP
};

/// A message on the network, as the trace records it.
struct TracedMessage {
  int16_t api_key = -1;  ///< -1: not a Kafka message (a connection closing)
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  bool is_response = false;

  /// "ApiVersions v3 request #7".
  std::string Describe() const;
  bool operator==(const TracedMessage&) const = default;
};

/// One thing that happened, for the trace.
struct TraceEvent {
  enum class Kind {
    kSend,     ///< a message left `from` for `to`
    kDeliver,  ///< it arrived at `to`
    kDrop,     ///< the network lost it, or a node refused it (see `note`)
    kTimeout,  ///< a request of `from` got no answer in time
    kTimer,    ///< a timer of `from` fired
    kCrash,
    kStop,  ///< a clean shutdown (Simulation::Stop)
    kRestart,
    kPause,
    kResume,
  };
  int64_t time_ms;
  Kind kind;
  NodeId from;
  NodeId to;
  TracedMessage message;
  std::string note;  ///< why, for drops

  bool operator==(const TraceEvent&) const = default;
};

std::string_view KindName(TraceEvent::Kind kind);

class Simulation {
 public:
  using NodeFactory = std::function<std::unique_ptr<Node>()>;

  explicit Simulation(uint64_t seed);
  ~Simulation();

  /// The ids AddClient hands out start here; brokers' ids stay below.
  static constexpr NodeId kFirstClientId = 1'000'000;

  /// Where node `id` listens unless AddNode says otherwise: "node-<id>",
  /// port 9092 (Kafka's default port).
  static HostPort DefaultAddress(NodeId id);

  /// Adds a node and starts it now. `factory` makes a new node object at the
  /// start and at every restart. `id` is below kFirstClientId.
  void AddNode(NodeId id, NodeFactory factory);
  /// The same, listening at `address` (unique in the simulation).
  void AddNode(NodeId id, HostPort address, NodeFactory factory);
  /// Adds a client node with the next free id from kFirstClientId on, and
  /// returns that id.
  NodeId AddClient(NodeFactory factory);
  /// Where node `id` listens.
  const HostPort& address(NodeId id);
  /// The running node object, to inspect in tests.
  template <typename T>
  T& node(NodeId id) {
    return dynamic_cast<T&>(running_node(id));
  }
  Node& running_node(NodeId id);
  /// Whether node `id` is up: started, and not crashed or stopped since (a
  /// paused node is up).
  bool is_up(NodeId id);
  /// A node's environment, for a test that acts on the node's behalf.
  Environment& env(NodeId id);
  MemoryStorage& disk(NodeId id);

  void SetDefaultLink(const LinkFaults& faults) { default_link_ = faults; }
  void SetLink(NodeId from, NodeId to, const LinkFaults& faults);
  /// Cuts every link between the two sides, both ways, until Heal.
  void Partition(const std::vector<NodeId>& side_a,
                 const std::vector<NodeId>& side_b);
  void CutOneWay(NodeId from, NodeId to);
  void Heal();

  /// What a crash does to the node's disk.
  enum class CrashKind {
    kPowerFailure,  ///< unsynced writes are lost, the last maybe torn
    kProcessCrash,  ///< kill -9: the page cache survives, the disk is intact
  };
  void Crash(NodeId id, CrashKind kind = CrashKind::kPowerFailure);
  /// A clean shutdown (SIGTERM): the node's Stop runs, and what it sends
  /// there still leaves; then the node goes down with its disk intact.
  void Stop(NodeId id);
  /// Starts a new node object for a crashed or stopped node.
  void Restart(NodeId id);
  void Pause(NodeId id);
  void Resume(NodeId id);

  int64_t now_ms() const { return now_ms_; }
  /// Runs every event up to now + duration, then sets the clock there.
  void RunFor(int64_t duration_ms);
  /// Runs until `done()` holds (checked after each event) or `max_ms` pass.
  bool RunUntil(const std::function<bool()>& done, int64_t max_ms);

  uint64_t events_run() const { return events_run_; }
  /// Keeps the trace's events (on by default); the hash is kept either way.
  void set_keep_trace(bool keep) { keep_trace_ = keep; }
  const std::vector<TraceEvent>& trace() const { return trace_; }
  /// A hash of every traced event, for comparing runs.
  uint64_t trace_hash() const { return trace_hash_; }

 private:
  class SimEnvironment;
  struct PendingRequest;
  struct Slot;
  struct Event {
    int64_t time_ms;
    uint64_t sequence;  ///< ties at one time run in the order scheduled
    std::function<void()> action;
    bool operator>(const Event& other) const {
      return time_ms != other.time_ms ? time_ms > other.time_ms
                                      : sequence > other.sequence;
    }
  };

  /// One ordered connection: who opened it, which of the client's
  /// incarnations, the id it knows the server by (a bootstrap server's -1
  /// and the broker's own id are two connections, as in a Kafka client and
  /// in the TCP runtime), and for what.
  struct ConnectionKey {
    NodeId client;
    uint64_t client_incarnation;
    NodeId server_as;
    Connection connection;
    auto operator<=>(const ConnectionKey&) const = default;
  };

  Slot& slot(NodeId id);
  /// The node that `from` reaches when it sends to `to`, if any listens.
  std::optional<NodeId> Resolve(NodeId from, NodeId to);
  void Schedule(int64_t delay_ms, std::function<void()> action);
  /// Runs the earliest event if it is due by `end`; false if none is.
  bool RunNextEventBefore(int64_t end);
  /// Runs `action` for node `id` if the node is still the same incarnation
  /// and running; defers it while the node is paused.
  std::function<void()> ForNode(NodeId id, std::function<void()> action);
  void Trace(TraceEvent::Kind kind, NodeId from, NodeId to,
             const TracedMessage& message = {}, std::string note = "");
  const LinkFaults& link(NodeId from, NodeId to) const;
  /// Puts a message on connection `connection` of the link from `from` to
  /// `to`; `arrive` runs on arrival.
  void Transmit(NodeId from, NodeId to, const ConnectionKey& connection,
                const TracedMessage& message, std::function<void()> arrive);
  void SendRequest(NodeId from, NodeId to, Connection connection,
                   RequestHeader header, Bytes body, int64_t timeout_ms,
                   ResponseHandler on_response);
  /// Fails a request that found no node at its peer's address.
  void RefuseUnreachable(NodeId from, NodeId to, int32_t correlation_id,
                         const TracedMessage& message);
  void DeliverRequest(const ConnectionKey& key, NodeId to,
                      uint64_t server_incarnation, Bytes frame);
  void SendReadyResponses(NodeId server, const ConnectionKey& key);
  void DeliverResponse(NodeId server, uint64_t server_incarnation,
                       const ConnectionKey& key, Bytes frame);
  void FailRequest(NodeId client, int32_t correlation_id, Error error);
  /// Fails, one link latency later, the requests `client` waits for on the
  /// connections to `server` that `closed` selects.
  void ResetConnections(NodeId client, NodeId server,
                        std::function<bool(const ConnectionKey&)> closed,
                        const std::string& why);
  void CloseConnection(const ConnectionKey& key, NodeId server,
                       const std::string& why);
  /// Takes a node down (after a crash or a stop): its connections reset.
  void TakeDown(Slot& slot);
  void StartNode(Slot& slot);

  std::mt19937_64 random_;
  int64_t now_ms_ = 0;
  uint64_t next_sequence_ = 0;
  uint64_t events_run_ = 0;
  /// The pending events, a min-heap on (time, sequence).
  std::vector<Event> events_;
  std::map<NodeId, std::unique_ptr<Slot>> slots_;
  /// Which node listens at each (host, port).
  std::map<std::pair<std::string, int32_t>, NodeId> listeners_;
  NodeId next_client_id_ = kFirstClientId;
  LinkFaults default_link_;
  std::map<std::pair<NodeId, NodeId>, LinkFaults> links_;
  std::set<std::pair<NodeId, NodeId>> cut_links_;
  /// When the last message on each link's connection arrives: later sends on
  /// it arrive after it.
  std::map<std::tuple<NodeId, NodeId, ConnectionKey>, int64_t>
      link_last_arrival_;
  bool keep_trace_ = true;
  std::vector<TraceEvent> trace_;
  uint64_t trace_hash_ = 0;
};

}  // namespace kafka
