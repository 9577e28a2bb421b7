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
struct PendingRequest {
  NodeId to;
  RequestHeader header;
  ResponseHandler handler;
};

struct Simulation::Slot {
  NodeId id;
  NodeFactory factory;
  MemoryStorage disk;
  std::mt19937_64 random;
  std::unique_ptr<SimEnvironment> env;
  std::unique_ptr<Node> node;
  // Bumped by every crash: events of an older incarnation are ignored.
  uint64_t incarnation = 0;
  bool crashed = false;
  bool paused = false;
  std::vector<std::function<void()>> deferred;  // what came while paused
  std::set<TimerId> active_timers;
  std::map<int32_t, PendingRequest> pending;  // by correlation id
  int32_t next_correlation_id = 0;
  // Per client: the answers owed, in the order the requests arrived.
  std::map<NodeId, std::deque<std::shared_ptr<Answer>>> answers;
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

  void Send(NodeId to, RequestHeader header, Bytes body, int64_t timeout_ms,
            ResponseHandler on_response) override {
    sim_.SendRequest(id_, to, std::move(header), std::move(body), timeout_ms,
                     std::move(on_response));
  }

  Storage& storage() override { return sim_.slot(id_).disk; }
  std::mt19937_64& random() override { return sim_.slot(id_).random; }

 private:
  Simulation& sim_;
  NodeId id_;
  TimerId next_timer_ = 0;
};

Simulation::Simulation(uint64_t seed) : random_(seed) {}
Simulation::~Simulation() = default;

Simulation::Slot& Simulation::slot(NodeId id) {
  auto it = slots_.find(id);
  assert(it != slots_.end() && "no such node");
  return *it->second;
}

Environment& Simulation::env(NodeId id) { return *slot(id).env; }

Node& Simulation::running_node(NodeId id) {
  assert(!slot(id).crashed && "the node is down");
  return *slot(id).node;
}
MemoryStorage& Simulation::disk(NodeId id) { return slot(id).disk; }

void Simulation::AddNode(NodeId id, NodeFactory factory) {
  auto added = std::make_unique<Slot>();
  added->id = id;
  added->factory = std::move(factory);
  added->random.seed(random_());
  added->disk.set_clock([this] { return now_ms_; });
  added->env = std::make_unique<SimEnvironment>(*this, id);
  Slot& s = *added;
  slots_[id] = std::move(added);
  StartNode(s);
}

void Simulation::StartNode(Slot& s) {
  s.crashed = false;
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
    if (s.crashed || s.incarnation != incarnation) return;
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
void Simulation::Transmit(NodeId from, NodeId to, const TracedMessage& message,
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
      int64_t& last = link_last_arrival_[{from, to}];
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

void Simulation::SendRequest(NodeId from, NodeId to, RequestHeader header,
                             Bytes body, int64_t timeout_ms,
                             ResponseHandler on_response) {
  Slot& client = slot(from);
  header.correlation_id = ++client.next_correlation_id;
  const int32_t id = header.correlation_id;
  Bytes frame = EncodeRequestFrame(header, body);
  const TracedMessage message = Traced(header, /*is_response=*/false);
  auto deliver = [this, from, to, frame = std::move(frame)] {
    DeliverRequest(from, to, frame);
  };
  if (!on_response) return Transmit(from, to, message, std::move(deliver));
  client.pending[id] = {to, header, std::move(on_response)};
  Schedule(timeout_ms, ForNode(from, [this, from, to, id, message] {
             if (!slot(from).pending.contains(id)) return;  // answered
             Trace(TraceEvent::Kind::kTimeout, from, to, message);
             FailRequest(from, id,
                         {ErrorCode::kRequestTimedOut,
                          message.Describe() + " timed out"});
           }));
  Transmit(from, to, message, std::move(deliver));
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
// link latency later (a connection refused or reset).
void Simulation::DeliverRequest(NodeId from, NodeId to, Bytes frame) {
  Slot& server = slot(to);
  Result<Request> request =
      ParseRequest(ByteView(frame).subspan(kFrameSizeBytes));
  const TracedMessage message =
      request.ok() ? Traced(request->header, /*is_response=*/false)
                   : TracedMessage{};
  auto refuse = [this, from, to, message](const std::string& why) {
    Trace(TraceEvent::Kind::kDrop, from, to, message, why);
    CloseConnection(from, to, why);
  };
  if (server.crashed) return refuse("node " + std::to_string(to) + " is down");
  if (server.paused) {
    server.deferred.push_back(
        [this, from, to, frame] { DeliverRequest(from, to, frame); });
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
  server.answers[from].push_back(answer);
  Responder respond = [this, from, to, incarnation = server.incarnation,
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
    SendReadyResponses(to, from);
  };
  Status accepted = server.node->OnRequest(request.value(), std::move(respond));
  if (!accepted.ok()) refuse(accepted.error().ToString());
}

// As a TCP connection closing: the answers the server owed on it are lost,
// and the client learns, one link latency later, that every request it had
// waiting on this server failed.
void Simulation::CloseConnection(NodeId client, NodeId server,
                                 const std::string& why) {
  if (!slot(server).crashed) slot(server).answers.erase(client);
  Transmit(server, client, {}, ForNode(client, [this, client, server, why] {
             std::vector<int32_t> waiting;
             for (const auto& [id, pending] : slot(client).pending) {
               if (pending.to == server) waiting.push_back(id);
             }
             for (int32_t id : waiting) {
               FailRequest(client, id, {ErrorCode::kNetworkException, why});
             }
           }));
}

void Simulation::SendReadyResponses(NodeId server, NodeId client) {
  auto& owed = slot(server).answers[client];
  while (!owed.empty() && owed.front()->state != Answer::State::kWaiting) {
    std::shared_ptr<Answer> answer = std::move(owed.front());
    owed.pop_front();
    if (answer->state == Answer::State::kNoAnswer) continue;
    Transmit(server, client, Traced(answer->header, /*is_response=*/true),
             [this, server, client, frame = std::move(answer->frame)] {
               DeliverResponse(server, client, frame);
             });
  }
}

void Simulation::DeliverResponse(NodeId server, NodeId client, Bytes frame) {
  Slot& s = slot(client);
  if (s.crashed) return;
  if (s.paused) {
    s.deferred.push_back([this, server, client, frame] {
      DeliverResponse(server, client, frame);
    });
    return;
  }
  auto it = s.pending.find(CorrelationIdOf(frame));
  if (it == s.pending.end()) {
    Trace(TraceEvent::Kind::kDrop, server, client, {},
          "response #" + std::to_string(CorrelationIdOf(frame)) +
              " has no request waiting (late or duplicate)");
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
  if (s.crashed) return;
  Trace(TraceEvent::Kind::kCrash, id, id);
  // Clients waiting on this node see their connections reset.
  for (auto& [client, owed] : s.answers) {
    for (const auto& answer : owed) {
      int32_t correlation_id = answer->header.correlation_id;
      Transmit(id, client, {}, ForNode(client, [this, client, correlation_id] {
                 FailRequest(
                     client, correlation_id,
                     {ErrorCode::kNetworkException, "connection reset"});
               }));
    }
  }
  s.crashed = true;
  s.paused = false;
  s.incarnation++;
  s.node.reset();
  s.deferred.clear();
  s.active_timers.clear();
  s.pending.clear();
  s.answers.clear();
  if (kind == CrashKind::kPowerFailure) s.disk.Crash(random_);
}

void Simulation::Restart(NodeId id) {
  Slot& s = slot(id);
  assert(s.crashed && "restart a crashed node");
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
