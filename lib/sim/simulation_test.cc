#include "lib/sim/simulation.h"

#include <gtest/gtest.h>

#include "lib/example/ping.h"
#include "lib/protocol/api_keys.h"
#include "lib/protocol/api_versions.h"
#include "lib/protocol/message.h"
#include "lib/sim/trace_msc.h"

namespace kafka {
namespace {

constexpr NodeId kServer = 1;
constexpr NodeId kClient = 2;

// A server and a client that sends `total` pings; faults on both links.
void AddPingPair(Simulation& sim, int64_t total, int in_flight = 1) {
  sim.AddNode(kServer, [] { return std::make_unique<PingServer>(); });
  sim.AddNode(kClient, [total, in_flight] {
    return std::make_unique<PingClient>(
        PingClient::Options{.server = kServer,
                            .total = total,
                            .in_flight = in_flight,
                            .request_timeout_ms = 1000,
                            .retry_backoff_ms = 100});
  });
}

bool ClientDone(Simulation& sim) {
  return sim.node<PingClient>(kClient).done();
}

uint64_t RunPingsWithJitter(uint64_t seed) {
  Simulation sim(seed);
  sim.SetDefaultLink({.min_latency_ms = 1, .max_latency_ms = 50});
  AddPingPair(sim, 50, 5);
  EXPECT_TRUE(sim.RunUntil([&] { return ClientDone(sim); }, 60'000));
  return sim.trace_hash();
}

// Rule: the same seed gives the same run, event for event; another seed
// gives another run.
TEST(SimulationTest, SameSeedSameTraceOtherSeedOtherTrace) {
  EXPECT_EQ(RunPingsWithJitter(7), RunPingsWithJitter(7));
  EXPECT_NE(RunPingsWithJitter(7), RunPingsWithJitter(8));
}

TEST(SimulationTest, RequestsGetAnswers) {
  Simulation sim(1);
  AddPingPair(sim, 10);
  ASSERT_TRUE(sim.RunUntil([&] { return ClientDone(sim); }, 10'000));
  EXPECT_EQ(sim.node<PingServer>(kServer).requests_answered(), 10);
  // One ping is a request and a response, each 1 ms on the wire.
  EXPECT_EQ(sim.now_ms(), 20);
}

// Rule: time is virtual: an hour of waiting costs no real time, and timers
// fire at exactly their virtual deadline.
TEST(SimulationTest, TimersFireAtTheirVirtualTime) {
  Simulation sim(1);
  sim.AddNode(kServer, [] { return std::make_unique<PingServer>(); });
  std::vector<int64_t> fired;
  Environment& env = sim.env(kServer);
  env.StartTimer(3'600'000, [&] { fired.push_back(env.NowMs()); });
  TimerId cancelled = env.StartTimer(10, [&] { fired.push_back(-1); });
  env.CancelTimer(cancelled);
  sim.RunFor(4'000'000);
  EXPECT_EQ(fired, (std::vector<int64_t>{3'600'000}));
}

// Rule: dropped messages end in REQUEST_TIMED_OUT, and retries get through.
TEST(SimulationTest, DroppedMessagesTimeOutAndRetriesSucceed) {
  Simulation sim(3);
  sim.SetDefaultLink({.drop_probability = 0.3});
  AddPingPair(sim, 100);
  ASSERT_TRUE(sim.RunUntil([&] { return ClientDone(sim); }, 600'000));
  EXPECT_GT(sim.node<PingClient>(kClient).failures(), 10);
  int timeouts = 0;
  for (const TraceEvent& e : sim.trace()) {
    timeouts += e.kind == TraceEvent::Kind::kTimeout;
  }
  EXPECT_EQ(timeouts, sim.node<PingClient>(kClient).failures());
}

// Rule: duplicated requests are answered twice; the second answer finds no
// request waiting and is dropped, so the client counts each ping once.
TEST(SimulationTest, DuplicatesAreAnsweredAndTheExtraAnswerIgnored) {
  Simulation sim(5);
  sim.SetLink(kClient, kServer, {.duplicate_probability = 0.5});
  AddPingPair(sim, 40);
  ASSERT_TRUE(sim.RunUntil([&] { return ClientDone(sim); }, 60'000));
  EXPECT_GT(sim.node<PingServer>(kServer).requests_answered(), 45);
  EXPECT_EQ(sim.node<PingClient>(kClient).answered(), 40);
}

// Rule: without reordering a link is FIFO, as TCP; with it, jittered
// messages overtake each other.
TEST(SimulationTest, ReorderOnlyWhenAsked) {
  for (bool reorder : {false, true}) {
    Simulation sim(11);
    sim.SetDefaultLink(
        {.min_latency_ms = 1, .max_latency_ms = 100, .reorder = reorder});
    AddPingPair(sim, 50, 10);
    ASSERT_TRUE(sim.RunUntil([&] { return ClientDone(sim); }, 60'000));
    std::vector<std::string> sent, delivered;
    for (const TraceEvent& e : sim.trace()) {
      if (e.from != kClient || e.to != kServer) continue;
      if (e.kind == TraceEvent::Kind::kSend)
        sent.push_back(e.message.Describe());
      if (e.kind == TraceEvent::Kind::kDeliver) {
        delivered.push_back(e.message.Describe());
      }
    }
    EXPECT_EQ(sent == delivered, !reorder) << "reorder " << reorder;
  }
}

// Rule: a partition (both ways) stops every message until it heals; requests
// sent meanwhile time out and are retried after the heal.
TEST(SimulationTest, PartitionThenHeal) {
  Simulation sim(1);
  AddPingPair(sim, 1000);
  sim.RunFor(100);
  int64_t before = sim.node<PingClient>(kClient).answered();
  sim.Partition({kServer}, {kClient});
  sim.RunFor(5000);
  EXPECT_EQ(sim.node<PingClient>(kClient).answered(), before)
      << "the cut drops even the messages already on the wire";
  EXPECT_GT(sim.node<PingClient>(kClient).failures(), 3);
  sim.Heal();
  ASSERT_TRUE(sim.RunUntil([&] { return ClientDone(sim); }, 60'000));
}

// Rule: a one-way cut drops only one direction: requests arrive, answers
// do not.
TEST(SimulationTest, OneWayCut) {
  Simulation sim(1);
  sim.CutOneWay(kServer, kClient);
  AddPingPair(sim, 3);
  sim.RunFor(2500);
  EXPECT_GE(sim.node<PingServer>(kServer).requests_answered(), 2);
  EXPECT_EQ(sim.node<PingClient>(kClient).answered(), 0);
}

// Rule: a crashed node's clients see NETWORK_EXCEPTION (connection refused),
// not silence; after a restart the same address answers again.
TEST(SimulationTest, CrashRefusesConnectionsRestartServesAgain) {
  Simulation sim(1);
  AddPingPair(sim, 1000);
  sim.RunFor(50);
  sim.Crash(kServer);
  std::optional<Error> seen;
  sim.env(kClient).Send(kServer, {18, 0, 0, "test"}, Bytes{}, 1000,
                        [&](Result<Bytes> body) { seen = body.error(); });
  sim.RunFor(10);
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->code, ErrorCode::kNetworkException);
  sim.Restart(kServer);
  ASSERT_TRUE(sim.RunUntil([&] { return ClientDone(sim); }, 60'000));
  EXPECT_LT(sim.node<PingServer>(kServer).requests_answered(), 1000)
      << "a new node object: its counter started again at the restart";
}

// Rule: a crash loses the node's unsynced writes; synced ones survive.
TEST(SimulationTest, CrashLosesUnsyncedWrites) {
  Simulation sim(1);
  sim.AddNode(kServer, [] { return std::make_unique<PingServer>(); });
  auto file = sim.env(kServer).storage().Open("data/f");
  sim.env(kServer).storage().SyncDirectory("data");
  file->Append(AsBytes("synced"));
  file->Sync();
  file->Append(AsBytes("+unsynced"));
  sim.Crash(kServer);
  std::string after = AsString(ReadWholeFile(sim.disk(kServer), "data/f"));
  EXPECT_EQ(after.substr(0, 6), "synced");
  EXPECT_LE(after.size(), 15u);
}

// Rule: a paused node (SIGSTOP) runs nothing until resumed; messages wait
// for it, and then everything proceeds.
TEST(SimulationTest, PauseHoldsEverythingUntilResume) {
  Simulation sim(1);
  AddPingPair(sim, 5);
  sim.Pause(kServer);
  sim.RunFor(500);
  EXPECT_EQ(sim.node<PingServer>(kServer).requests_answered(), 0);
  sim.Resume(kServer);
  ASSERT_TRUE(sim.RunUntil([&] { return ClientDone(sim); }, 10'000));
}

// A server that answers its first request 100 ms late and the rest at once.
class SlowFirstAnswerServer : public Node {
 public:
  void Start(Environment& env) override { env_ = &env; }
  ApiSet ServedApis() const override { return ping_.ServedApis(); }
  Status OnRequest(const Request& request, Responder respond) override {
    Bytes body = AnswerApiVersions(request.header, ServedApis());
    if (seen_++ == 0) {
      env_->StartTimer(100, [respond, body] { respond(body); });
    } else {
      respond(body);
    }
    return Status();
  }

 private:
  Environment* env_ = nullptr;
  PingServer ping_;
  int seen_ = 0;
};

// Rule: answers on one connection go back in request order, even when the
// node answers out of order (clients pipeline requests and rely on it).
TEST(SimulationTest, AnswersLeaveInRequestOrder) {
  Simulation sim(1);
  sim.AddNode(kServer,
              [] { return std::make_unique<SlowFirstAnswerServer>(); });
  sim.AddNode(kClient, [] { return std::make_unique<PingServer>(); });
  std::vector<int> order;
  for (int i = 0; i < 3; ++i) {
    sim.env(kClient).Send(kServer, {18, 0, 0, "test"}, Bytes{}, 1000,
                          [&order, i](Result<Bytes> body) {
                            ASSERT_TRUE(body.ok());
                            order.push_back(i);
                          });
  }
  sim.RunFor(1000);
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2}));
}

// Rule: a request the node cannot serve (an unknown API) closes the
// connection, as Kafka does: the client sees NETWORK_EXCEPTION.
TEST(SimulationTest, UnknownApiClosesTheConnection) {
  Simulation sim(1);
  AddPingPair(sim, 1);
  std::optional<Error> seen;
  sim.env(kClient).Send(kServer, {999, 0, 0, "test"}, Bytes{1, 2, 3}, 1000,
                        [&](Result<Bytes> body) { seen = body.error(); });
  sim.RunFor(100);
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->code, ErrorCode::kNetworkException);
  EXPECT_TRUE(ClientDone(sim)) << "other requests are unaffected";
}

// Rule: a trace draws as a message sequence chart: an arrow per delivered
// message, a lost arrow per dropped one, a box per crash.
TEST(SimulationTest, TraceDrawsAsAMessageSequenceChart) {
  Simulation sim(1);
  AddPingPair(sim, 1);
  sim.RunFor(10);
  sim.Crash(kServer);
  sim.env(kClient).Send(kServer, {18, 0, 0, "t"}, Bytes{}, 100,
                        [](Result<Bytes>) {});
  sim.RunFor(10);
  std::string msc =
      TraceToMsc(sim.trace(), {{kServer, "server"}, {kClient, "client"}});
  EXPECT_NE(msc.find("n2=>n1 [label=\"1 ms: ApiVersions v3 request #1\"];"),
            std::string::npos)
      << msc;
  EXPECT_NE(msc.find("n1=>n2 [label=\"2 ms: ApiVersions v3 response #1\"];"),
            std::string::npos);
  EXPECT_NE(msc.find("n1 box n1 [label=\"10 ms: crash\"];"), std::string::npos);
  EXPECT_NE(msc.find("n2-xn1 [label=\"11 ms: ApiVersions v0 request #2 (node 1 "
                     "is down)\"];"),
            std::string::npos);
}

// Rule: a request whose body the node cannot decode closes the connection,
// as Kafka does: the client sees NETWORK_EXCEPTION for it and for every other
// request it had waiting on that connection.
TEST(SimulationTest, UndecodableBodyClosesTheConnection) {
  Simulation sim(1);
  sim.AddNode(kServer, [] { return std::make_unique<PingServer>(); });
  sim.AddNode(kClient, [] { return std::make_unique<PingServer>(); });
  std::vector<ErrorCode> seen;
  auto record = [&](Result<Bytes> body) {
    seen.push_back(body.ok() ? ErrorCode::kNone : body.error().code);
  };
  // Both requests leave before the first arrives: pipelined on one connection.
  sim.env(kClient).Send(kServer, {18, 3, 0, "t"}, Bytes{0x09, 'x'}, 1000,
                        record);
  sim.env(kClient).Send(kServer, {18, 0, 0, "t"}, Bytes{}, 1000, record);
  sim.RunFor(100);
  EXPECT_EQ(seen, (std::vector<ErrorCode>{ErrorCode::kNetworkException,
                                          ErrorCode::kNetworkException}));
}

// Sends one ApiVersions request from `from` to `to` on `connection`; the
// outcome lands in `seen` (kNone for an answer).
void Ping(Simulation& sim, NodeId from, NodeId to,
          std::optional<ErrorCode>& seen,
          Connection connection = Connection::kDefault,
          int64_t timeout_ms = 1000) {
  sim.env(from).Send(
      to, {18, 0, 0, "t"}, Bytes{}, timeout_ms,
      [&seen](Result<Bytes> body) {
        seen = body.ok() ? ErrorCode::kNone : body.error().code;
      },
      connection);
}

// Rule: every node listens at an address ("node-<id>":9092 unless AddNode
// names one); a node reaches a peer at the address it learned for it, under
// any id (a bootstrap server's -1), and learning an address where nothing
// listens fails at once with NETWORK_EXCEPTION, as a refused connection.
TEST(SimulationTest, NodesAreReachedAtTheAddressesLearned) {
  Simulation sim(1);
  sim.AddNode(kServer, {"broker-a", 9093},
              [] { return std::make_unique<PingServer>(); });
  sim.AddNode(kClient, [] { return std::make_unique<PingServer>(); });
  EXPECT_EQ(sim.address(kClient), (HostPort{"node-2", 9092}));
  sim.env(kClient).LearnAddress(-1, "broker-a", 9093);
  sim.env(kClient).LearnAddress(-2, "node-1", 9092);
  std::optional<ErrorCode> learned, nowhere;
  Ping(sim, kClient, -1, learned);
  Ping(sim, kClient, -2, nowhere);
  sim.RunFor(5);
  EXPECT_EQ(learned, ErrorCode::kNone);
  EXPECT_EQ(nowhere, ErrorCode::kNetworkException);
  EXPECT_EQ(sim.node<PingServer>(kServer).requests_answered(), 1);
}

// Rule: each (peer, purpose) is its own connection: a request on one is
// answered while a held request on another to the same peer waits.
TEST(SimulationTest, ConnectionsByPurposeDoNotWaitForEachOther) {
  Simulation sim(1);
  sim.AddNode(kServer,
              [] { return std::make_unique<SlowFirstAnswerServer>(); });
  sim.AddNode(kClient, [] { return std::make_unique<PingServer>(); });
  std::optional<ErrorCode> held, other;
  Ping(sim, kClient, kServer, held, Connection::kDefault);
  Ping(sim, kClient, kServer, other, Connection::kCoordinator);
  sim.RunFor(5);
  EXPECT_EQ(other, ErrorCode::kNone) << "answered on its own connection";
  EXPECT_FALSE(held.has_value()) << "still held";
  sim.RunFor(200);
  EXPECT_EQ(held, ErrorCode::kNone);
}

// Rule: a crash resets the node's connections: an answer it had on the wire
// never arrives, and a request on its way to it is lost even if it restarts
// before the request arrives; the senders learn NETWORK_EXCEPTION one link
// latency after the crash, well before request.timeout.ms.
TEST(SimulationTest, CrashResetsConnections) {
  for (int64_t crash_at : {5, 15}) {  // the request, then the answer, on wire
    Simulation sim(1);
    sim.SetDefaultLink({.min_latency_ms = 10, .max_latency_ms = 10});
    sim.AddNode(kServer, [] { return std::make_unique<PingServer>(); });
    sim.AddNode(kClient, [] { return std::make_unique<PingServer>(); });
    std::optional<ErrorCode> seen;
    Ping(sim, kClient, kServer, seen, Connection::kDefault, 10'000);
    sim.RunFor(crash_at);
    sim.Crash(kServer);
    sim.Restart(kServer);
    sim.RunFor(10);
    EXPECT_EQ(seen, ErrorCode::kNetworkException) << "crash at " << crash_at;
    sim.RunFor(100);
    EXPECT_EQ(sim.node<PingServer>(kServer).requests_answered(), 0)
        << "the new incarnation got nothing of the old connection";
  }
}

// A node whose clean shutdown sends a last request (as a group member's
// LeaveGroup), and that keeps an unsynced write.
class GoodbyeNode : public ClientNode {
 public:
  void Start(Environment& env) override {
    env_ = &env;
    env.storage().Open("data/f")->Append(AsBytes("unsynced"));
  }
  void Stop() override {
    env_->Send(kServer, {18, 0, 0, "bye"}, Bytes{}, 1000, {});
  }

 private:
  Environment* env_ = nullptr;
};

// Rule: Stop runs the node's Stop (a clean shutdown: what it sends there
// still leaves), then the node is down as after a crash, its disk intact;
// requests waiting on it fail with NETWORK_EXCEPTION; it restarts.
TEST(SimulationTest, StopRunsTheNodesShutdownThenTakesItDown) {
  Simulation sim(1);
  sim.AddNode(kServer, [] { return std::make_unique<PingServer>(); });
  sim.AddNode(kClient, [] { return std::make_unique<GoodbyeNode>(); });
  constexpr NodeId kHolder = 3;
  sim.AddNode(kHolder,
              [] { return std::make_unique<SlowFirstAnswerServer>(); });
  std::optional<ErrorCode> waiting;
  Ping(sim, kServer, kHolder, waiting);
  sim.RunFor(10);
  sim.Stop(kClient);
  sim.Stop(kHolder);
  sim.RunFor(5);
  EXPECT_EQ(sim.node<PingServer>(kServer).requests_answered(), 1)
      << "the goodbye arrived";
  EXPECT_EQ(waiting, ErrorCode::kNetworkException);
  EXPECT_EQ(AsString(ReadWholeFile(sim.disk(kClient), "data/f")), "unsynced");
  std::optional<ErrorCode> while_down;
  Ping(sim, kServer, kClient, while_down);
  sim.RunFor(5);
  EXPECT_EQ(while_down, ErrorCode::kNetworkException);
  sim.Restart(kHolder);
  std::optional<ErrorCode> after;
  Ping(sim, kServer, kHolder, after);
  sim.RunFor(200);
  EXPECT_EQ(after, ErrorCode::kNone);
  bool stop_traced = false;
  for (const TraceEvent& e : sim.trace()) {
    stop_traced |= e.kind == TraceEvent::Kind::kStop && e.from == kClient;
  }
  EXPECT_TRUE(stop_traced);
}

// Rule: client nodes get ids from AddClient, from kFirstClientId on, which
// no broker's id reaches.
TEST(SimulationTest, ClientIdsNeverCollideWithBrokers) {
  Simulation sim(1);
  sim.AddNode(kServer, [] { return std::make_unique<PingServer>(); });
  NodeId first = sim.AddClient([] { return std::make_unique<PingServer>(); });
  NodeId second = sim.AddClient([] { return std::make_unique<PingServer>(); });
  EXPECT_EQ(first, Simulation::kFirstClientId);
  EXPECT_EQ(second, Simulation::kFirstClientId + 1);
  EXPECT_DEATH(sim.AddNode(Simulation::kFirstClientId + 5,
                           [] { return std::make_unique<PingServer>(); }),
               "AddClient");
}

}  // namespace
}  // namespace kafka
