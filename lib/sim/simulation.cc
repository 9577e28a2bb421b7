#include "lib/sim/simulation.h"

#include <algorithm>
#include <cassert>
#include <deque>

#include "lib/protocol/api_keys.h"

namespace kafka {
namespace {

TracedMessage Traced(const RequestHeader& header, bool is_response) {
  return {header.api_key, header.api_version, header.correlation_id,
          is_response};
}

int32_t CorrelationIdOf(const Bytes& response_frame) {
  ByteReader reader(ByteView(response_frame).subspan(kFrameSizeBytes, 4));
  return reader.ReadInt32("correlation_id");
}

}  // namespace

std::string TracedMessage::Describe() const {
  if (api_key < 0) return "connection closed";
  std::optional<ApiInfo> api = FindApi(api_key);
  std::string name =
      api ? std::string(api->name) : "api " + std::to_string(api_key);
  return name + " v" + std::to_string(api_version) +
         (is_response ? " response #" : " request #") +
         std::to_string(correlation_id);
}

std::string_view KindName(TraceEvent::Kind kind) {
  switch (kind) {
    case TraceEvent::Kind::kSend:
      return "send";
    case TraceEvent::Kind::kDeliver:
      return "deliver";
    case TraceEvent::Kind::kDrop:
      return "drop";
    case TraceEvent::Kind::kTimeout:
      return "timeout";
    case TraceEvent::Kind::kTimer:
      return "timer";
    case TraceEvent::Kind::kCrash:
      return "crash";
    case TraceEvent::Kind::kStop:
      return "stop";
    case TraceEvent::Kind::kRestart:
      return "restart";
    case TraceEvent::Kind::kPause:
      return "pause";
    case TraceEvent::Kind::kResume:
      return "resume";
  }
  return "?";
}

// A request a node received and has not yet answered, in arrival order.
struct Answer {
  RequestHeader header;
  enum class State { kWaiting, kReady, kNoAnswer } state = State::kWaiting;
  Bytes frame;
};

// A request a node sent and awaits the answer to.
struct Simulation::PendingRequest {
  NodeId to;  // the node it reached, whatever id the sender named it by
  ConnectionKey connection;
  RequestHeader header;
  ResponseHandler handler;
};

struct Simulation::Slot {
  NodeId id;
  HostPort address;
  NodeFactory factory;
  MemoryStorage disk;
  std::mt19937_64 random;
  std::unique_ptr<SimEnvironment> env;
  std::unique_ptr<Node> node;
  // Bumped by every crash or stop: events of an older incarnation are
  // ignored.
  uint64_t incarnation = 0;
  bool down = false;  // crashed or stopped, until restarted
  bool paused = false;
  std::vector<std::function<void()>> deferred;  // what came while paused
  std::set<TimerId> active_timers;
  std::map<int32_t, PendingRequest> pending;  // by correlation id
  int32_t next_correlation_id = 0;
  // The addresses this incarnation learned (Environment::LearnAddress).
  std::map<NodeId, HostPort> learned;
  // Per connection: the answers owed, in the order the requests arrived.
  std::map<ConnectionKey, std::deque<std::shared_ptr<Answer>>> answers;
};

class Simulation::SimEnvironment : public Environment {
 public:
  SimEnvironment(Simulation& sim, NodeId id) : sim_(sim), id_(id) {}

  int64_t NowMs() const override { return sim_.now_ms_; }

  TimerId StartTimer(int64_t delay_ms,
                     std::function<void()> callback) override {
    TimerId timer = ++next_timer_;
    sim_.slot(id_).active_timers.insert(timer);
    sim_.Schedule(delay_ms, sim_.ForNode(id_, [this, timer, callback] {
      if (sim_.slot(id_).active_timers.erase(timer) == 0) return;  // cancelled
      sim_.Trace(TraceEvent::Kind::kTimer, id_, id_);
      callback();
    }));
    return timer;
  }

  void CancelTimer(TimerId timer) override {
    sim_.slot(id_).active_timers.erase(timer);
  }

  void LearnAddress(NodeId node, const std::string& host,
                    int32_t port) override {
    sim_.slot(id_).learned[node] = {host, port};
  }

  Storage& storage() override { return sim_.slot(id_).disk; }
  std::mt19937_64& random() override { return sim_.slot(id_).random; }

 protected:
  void SendRequest(NodeId to, Connection connection, RequestHeader header,
                   Bytes body, int64_t timeout_ms,
                   ResponseHandler on_response) override {
    sim_.SendRequest(id_, to, connection, std::move(header), std::move(body),
                     timeout_ms, std::move(on_response));
  }

 private:
  Simulation& sim_;
  NodeId id_;
  TimerId next_timer_ = 0;
};

Simulation::Simulation(uint64_t seed) : random_(seed) {}
// Nodes go first, while the simulation is whole: a node's destructor may
// still use its environment (cancel its timers).
Simulation::~Simulation() {
  for (auto& [id, s] : slots_) s->node.reset();
}

Simulation::Slot& Simulation::slot(NodeId id) {
  auto it = slots_.find(id);
  assert(it != slots_.end() && "no such node");
  return *it->second;
}

Environment& Simulation::env(NodeId id) { return *slot(id).env; }

Node& Simulation::running_node(NodeId id) {
  assert(!slot(id).down && "the node is down");
  return *slot(id).node;
}
bool Simulation::is_up(NodeId id) { return !slot(id).down; }
MemoryStorage& Simulation::disk(NodeId id) { return slot(id).disk; }
const HostPort& Simulation::address(NodeId id) { return slot(id).address; }

HostPort Simulation::DefaultAddress(NodeId id) {
  return {"node-" + std::to_string(id), 9092};
}

void Simulation::AddNode(NodeId id, NodeFactory factory) {
  AddNode(id, DefaultAddress(id), std::move(factory));
}

NodeId Simulation::AddClient(NodeFactory factory) {
  const NodeId id = next_client_id_++;
  AddNode(id, std::move(factory));
  return id;
}

void Simulation::AddNode(NodeId id, HostPort address, NodeFactory factory) {
  assert(!slots_.contains(id) && "a node with this id exists");
  assert((id < kFirstClientId || id < next_client_id_) &&
         "ids from kFirstClientId on are AddClient's");
  const bool address_free =
      listeners_.emplace(std::pair(address.host, address.port), id).second;
  assert(address_free && "another node listens at this address");
  (void)address_free;
  auto added = std::make_unique<Slot>();
  added->id = id;
  added->address = std::move(address);
  added->factory = std::move(factory);
  added->random.seed(random_());
  added->disk.set_clock([this] { return now_ms_; });
  added->env = std::make_unique<SimEnvironment>(*this, id);
  Slot& s = *added;
  slots_[id] = std::move(added);
  StartNode(s);
}

void Simulation::StartNode(Slot& s) {
  s.down = false;
  s.paused = false;
  s.node = s.factory();
  s.node->Start(*s.env);
}

void Simulation::Schedule(int64_t delay_ms, std::function<void()> action) {
  events_.push_back(
      Event{now_ms_ + delay_ms, next_sequence_++, std::move(action)});
  std::push_heap(events_.begin(), events_.end(), std::greater<Event>());
}

bool Simulation::RunNextEventBefore(int64_t end) {
  if (events_.empty() || events_.front().time_ms > end) return false;
  std::pop_heap(events_.begin(), events_.end(), std::greater<Event>());
  Event event = std::move(events_.back());
  events_.pop_back();
  now_ms_ = event.time_ms;
  ++events_run_;
  event.action();
  return true;
}

std::function<void()> Simulation::ForNode(NodeId id,
                                          std::function<void()> action) {
  return [this, id, incarnation = slot(id).incarnation,
          action = std::move(action)]() mutable {
    Slot& s = slot(id);
    if (s.down || s.incarnation != incarnation) return;
    if (s.paused) {
      s.deferred.push_back(std::move(action));
      return;
    }
    action();
  };
}

void Simulation::Trace(TraceEvent::Kind kind, NodeId from, NodeId to,
                       const TracedMessage& message, std::string note) {
  // A running hash of every event, word by word, to compare whole runs.
  auto mix = [this](uint64_t word) {
    trace_hash_ = (trace_hash_ ^ word) * 0x9E3779B97F4A7C15ull;
    trace_hash_ ^= trace_hash_ >> 29;
  };
  mix(uint64_t(now_ms_));
  mix(uint64_t(kind) | uint64_t(uint32_t(from)) << 8 |
      uint64_t(uint16_t(to)) << 40);
  mix(uint64_t(uint16_t(message.api_key)) |
      uint64_t(uint16_t(message.api_version)) << 16 |
      uint64_t(uint32_t(message.correlation_id)) << 32);
  mix(message.is_response);
  if (!note.empty()) mix(std::hash<std::string>()(note));
  if (keep_trace_) {
    trace_.push_back({now_ms_, kind, from, to, message, std::move(note)});
  }
}

const LinkFaults& Simulation::link(NodeId from, NodeId to) const {
  auto it = links_.find({from, to});
  return it == links_.end() ? default_link_ : it->second;
}

void Simulation::SetLink(NodeId from, NodeId to, const LinkFaults& faults) {
  links_[{from, to}] = faults;
}

void Simulation::Partition(const std::vector<NodeId>& side_a,
                           const std::vector<NodeId>& side_b) {
  for (NodeId a : side_a) {
    for (NodeId b : side_b) {
      cut_links_.insert({a, b});
      cut_links_.insert({b, a});
    }
  }
}

void Simulation::CutOneWay(NodeId from, NodeId to) {
  cut_links_.insert({from, to});
}

void Simulation::Heal() { cut_links_.clear(); }

//! [transmit]
void Simulation::Transmit(NodeId from, NodeId to,
                          const ConnectionKey& connection,
                          const TracedMessage& message,
                          std::function<void()> arrive) {
  Trace(TraceEvent::Kind::kSend, from, to, message);
  const LinkFaults& faults = link(from, to);
  auto chance = [this](double p) {
    return p > 0 && std::uniform_real_distribution<double>(0, 1)(random_) < p;
  };
  if (chance(faults.drop_probability)) {
    Trace(TraceEvent::Kind::kDrop, from, to, message, "lost");
    return;
  }
  int copies = chance(faults.duplicate_probability) ? 2 : 1;
  for (int copy = 0; copy < copies; ++copy) {
    int64_t latency = std::uniform_int_distribution<int64_t>(
        faults.min_latency_ms, faults.max_latency_ms)(random_);
    int64_t arrival = now_ms_ + latency;
    if (!faults.reorder) {  // FIFO, as a TCP connection
      int64_t& last = link_last_arrival_[{from, to, connection}];
      arrival = std::max(arrival, last);
      last = arrival;
    }
    Schedule(arrival - now_ms_, [this, from, to, message, arrive] {
      if (cut_links_.contains({from, to})) {
        Trace(TraceEvent::Kind::kDrop, from, to, message, "link cut");
        return;
      }
      Trace(TraceEvent::Kind::kDeliver, from, to, message);
      arrive();
    });
  }
}
//! [transmit]

std::optional<NodeId> Simulation::Resolve(NodeId from, NodeId to) {
  const std::map<NodeId, HostPort>& learned = slot(from).learned;
  auto address = learned.find(to);
  if (address == learned.end()) {
    if (!slots_.contains(to)) return std::nullopt;
    return to;
  }
  auto listener = listeners_.find({address->second.host, address->second.port});
  if (listener == listeners_.end()) return std::nullopt;
  return listener->second;
}

void Simulation::SendRequest(NodeId from, NodeId to, Connection connection,
                             RequestHeader header, Bytes body,
                             int64_t timeout_ms, ResponseHandler on_response) {
  Slot& client = slot(from);
  header.correlation_id = ++client.next_correlation_id;
  const int32_t id = header.correlation_id;
  const TracedMessage message = Traced(header, /*is_response=*/false);
  std::optional<NodeId> server = Resolve(from, to);
  const ConnectionKey key{from, client.incarnation, to, connection};
  if (on_response) {
    client.pending[id] = {server.value_or(to), key, header,
                          std::move(on_response)};
  }
  if (!server) return RefuseUnreachable(from, to, id, message);
  if (client.pending.contains(id)) {
    Schedule(timeout_ms, ForNode(from, [this, from, to = *server, id, message] {
               if (!slot(from).pending.contains(id)) return;  // answered
               Trace(TraceEvent::Kind::kTimeout, from, to, message);
               FailRequest(from, id,
                           {ErrorCode::kRequestTimedOut,
                            message.Describe() + " timed out"});
             }));
  }
  Transmit(from, *server, key, message,
           [this, key, to = *server, incarnation = slot(*server).incarnation,
            frame = EncodeRequestFrame(header, body)] {
             DeliverRequest(key, to, incarnation, frame);
           });
}

// As a connection refused: nothing listens where `from` thinks `to` is.
void Simulation::RefuseUnreachable(NodeId from, NodeId to,
                                   int32_t correlation_id,
                                   const TracedMessage& message) {
  const std::map<NodeId, HostPort>& learned = slot(from).learned;
  auto address = learned.find(to);
  const std::string why = address == learned.end()
                              ? "no address for node " + std::to_string(to)
                              : "nothing listens at " + address->second.host +
                                    ":" + std::to_string(address->second.port) +
                                    " (node " + std::to_string(to) + ")";
  Trace(TraceEvent::Kind::kDrop, from, to, message, why);
  Schedule(
      link(from, to).min_latency_ms,
      ForNode(from, [this, from, correlation_id, why] {
        FailRequest(from, correlation_id, {ErrorCode::kNetworkException, why});
      }));
}

void Simulation::FailRequest(NodeId client, int32_t correlation_id,
                             Error error) {
  Slot& s = slot(client);
  auto it = s.pending.find(correlation_id);
  if (it == s.pending.end()) return;
  ResponseHandler handler = std::move(it->second.handler);
  s.pending.erase(it);
  handler(std::move(error));
}

// The client learns that the server's end of the connection is gone, one
// link latency later (a connection refused or reset). A request sent to an
// incarnation that has gone down since is lost with its connection: the
// client was told when the server went down.
void Simulation::DeliverRequest(const ConnectionKey& key, NodeId to,
                                uint64_t server_incarnation, Bytes frame) {
  Slot& server = slot(to);
  const NodeId from = key.client;
  Result<Request> request =
      ParseRequest(ByteView(frame).subspan(kFrameSizeBytes));
  const TracedMessage message =
      request.ok() ? Traced(request->header, /*is_response=*/false)
                   : TracedMessage{};
  auto refuse = [this, key, to, message](const std::string& why) {
    Trace(TraceEvent::Kind::kDrop, key.client, to, message, why);
    CloseConnection(key, to, why);
  };
  if (server.down) return refuse("node " + std::to_string(to) + " is down");
  if (server.incarnation != server_incarnation) {
    Trace(TraceEvent::Kind::kDrop, from, to, message, "connection reset");
    return;
  }
  if (server.paused) {
    server.deferred.push_back([this, key, to, server_incarnation, frame] {
      DeliverRequest(key, to, server_incarnation, frame);
    });
    return;
  }
  if (!request.ok()) return refuse(request.error().ToString());
  const RequestHeader& header = request->header;
  if (!CanServe(server.node->ServedApis(), header.api_key,
                header.api_version)) {
    return refuse("cannot serve " + Traced(header, false).Describe());
  }
  auto answer = std::make_shared<Answer>();
  answer->header = header;
  server.answers[key].push_back(answer);
  Responder respond = [this, key, to, incarnation = server.incarnation,
                       answer](std::optional<Bytes> body) {
    Slot& s = slot(to);
    if (s.incarnation != incarnation ||
        answer->state != Answer::State::kWaiting) {
      return;
    }
    if (body) {
      answer->frame = EncodeResponseFrame(answer->header, *body);
      answer->state = Answer::State::kReady;
    } else {
      answer->state = Answer::State::kNoAnswer;
    }
    SendReadyResponses(to, key);
  };
  Status accepted = server.node->OnRequest(request.value(), std::move(respond));
  if (!accepted.ok()) refuse(accepted.error().ToString());
}

void Simulation::ResetConnections(
    NodeId client, NodeId server,
    std::function<bool(const ConnectionKey&)> closed, const std::string& why) {
  Transmit(server, client,
           {client, slot(client).incarnation, server, Connection::kDefault}, {},
           ForNode(client, [this, client, server, closed, why] {
             std::vector<int32_t> waiting;
             for (const auto& [id, pending] : slot(client).pending) {
               if (pending.to == server && closed(pending.connection)) {
                 waiting.push_back(id);
               }
             }
             for (int32_t id : waiting) {
               FailRequest(client, id, {ErrorCode::kNetworkException, why});
             }
           }));
}

// As a TCP connection closing: the answers the server owed on it are lost,
// and the client learns, one link latency later, that every request it had
// waiting on this connection failed.
void Simulation::CloseConnection(const ConnectionKey& key, NodeId server,
                                 const std::string& why) {
  if (!slot(server).down) slot(server).answers.erase(key);
  ResetConnections(
      key.client, server,
      [key](const ConnectionKey& connection) { return connection == key; },
      why);
}

void Simulation::SendReadyResponses(NodeId server, const ConnectionKey& key) {
  auto connection = slot(server).answers.find(key);
  if (connection == slot(server).answers.end()) return;  // closed meanwhile
  auto& owed = connection->second;
  while (!owed.empty() && owed.front()->state != Answer::State::kWaiting) {
    std::shared_ptr<Answer> answer = std::move(owed.front());
    owed.pop_front();
    if (answer->state == Answer::State::kNoAnswer) continue;
    Transmit(server, key.client, key,
             Traced(answer->header, /*is_response=*/true),
             [this, server, incarnation = slot(server).incarnation, key,
              frame = std::move(answer->frame)] {
               DeliverResponse(server, incarnation, key, frame);
             });
  }
  if (owed.empty()) slot(server).answers.erase(connection);
}

void Simulation::DeliverResponse(NodeId server, uint64_t server_incarnation,
                                 const ConnectionKey& key, Bytes frame) {
  Slot& s = slot(key.client);
  if (s.down) return;
  if (s.paused) {
    s.deferred.push_back([this, server, server_incarnation, key, frame] {
      DeliverResponse(server, server_incarnation, key, frame);
    });
    return;
  }
  const std::string correlation =
      "response #" + std::to_string(CorrelationIdOf(frame));
  // The connection it travelled on was reset by either end going down.
  if (slot(server).incarnation != server_incarnation ||
      s.incarnation != key.client_incarnation) {
    Trace(TraceEvent::Kind::kDrop, server, key.client, {},
          correlation + ": connection reset");
    return;
  }
  auto it = s.pending.find(CorrelationIdOf(frame));
  if (it == s.pending.end()) {
    Trace(TraceEvent::Kind::kDrop, server, key.client, {},
          correlation + " has no request waiting (late or duplicate)");
    return;
  }
  PendingRequest pending = std::move(it->second);
  s.pending.erase(it);
  ByteView body;
  Result<int32_t> header = ParseResponseHeader(
      ByteView(frame).subspan(kFrameSizeBytes), pending.header.api_key,
      pending.header.api_version, body);
  if (!header.ok()) return pending.handler(header.error());
  pending.handler(Bytes(body.begin(), body.end()));
}

void Simulation::Crash(NodeId id, CrashKind kind) {
  Slot& s = slot(id);
  if (s.down) return;
  Trace(TraceEvent::Kind::kCrash, id, id);
  TakeDown(s);
  if (kind == CrashKind::kPowerFailure) s.disk.Crash(random_);
}

void Simulation::Stop(NodeId id) {
  Slot& s = slot(id);
  if (s.down) return;
  Trace(TraceEvent::Kind::kStop, id, id);
  s.node->Stop();
  TakeDown(s);
}

// Every connection to and from the node resets: the nodes waiting on it
// learn so, the answers it owed are gone, and the connections it had opened
// close at their servers.
void Simulation::TakeDown(Slot& s) {
  const NodeId id = s.id;
  for (auto& [other_id, other] : slots_) {
    if (other_id == id || other->down) continue;
    const bool waiting_on_it =
        std::any_of(other->pending.begin(), other->pending.end(),
                    [id](const auto& entry) { return entry.second.to == id; });
    if (waiting_on_it) {
      ResetConnections(
          other_id, id, [](const ConnectionKey&) { return true; },
          "connection reset");
    }
    std::erase_if(other->answers,
                  [id](const auto& entry) { return entry.first.client == id; });
  }
  s.down = true;
  s.paused = false;
  s.incarnation++;
  s.node.reset();
  s.deferred.clear();
  s.active_timers.clear();
  s.pending.clear();
  s.answers.clear();
  s.learned.clear();
}

void Simulation::Restart(NodeId id) {
  Slot& s = slot(id);
  assert(s.down && "restart a crashed or stopped node");
  Trace(TraceEvent::Kind::kRestart, id, id);
  StartNode(s);
}

void Simulation::Pause(NodeId id) {
  Trace(TraceEvent::Kind::kPause, id, id);
  slot(id).paused = true;
}

void Simulation::Resume(NodeId id) {
  Slot& s = slot(id);
  Trace(TraceEvent::Kind::kResume, id, id);
  s.paused = false;
  for (auto& action : s.deferred) Schedule(0, ForNode(id, std::move(action)));
  s.deferred.clear();
}

void Simulation::RunFor(int64_t duration_ms) {
  const int64_t end = now_ms_ + duration_ms;
  while (RunNextEventBefore(end)) {
  }
  now_ms_ = end;
}

bool Simulation::RunUntil(const std::function<bool()>& done, int64_t max_ms) {
  const int64_t end = now_ms_ + max_ms;
  while (!done()) {
    if (!RunNextEventBefore(end)) {
      now_ms_ = end;
      return done();
    }
  }
  return true;
}

}  // namespace kafka
