#include "lib/net/tcp_runtime.h"

#include <algorithm>
#include <array>
#include <asio.hpp>
#include <chrono>
#include <deque>
#include <random>

#include "lib/protocol/api_keys.h"
#include "lib/storage/posix_storage.h"

namespace kafka {
namespace {

using asio::ip::tcp;

int32_t ReadInt32At(const uint8_t* bytes) {
  ByteReader reader(ByteView(bytes, 4));
  return reader.ReadInt32("int32");
}

// A request received and not yet answered, in arrival order.
struct Answer {
  RequestHeader header;
  enum class State { kWaiting, kReady, kNoAnswer } state = State::kWaiting;
  Bytes frame;
  int64_t request_bytes = 0;  ///< what it counts in queued.max.request.bytes
};

// How much of a frame is read at a time: memory follows the bytes that arrive,
// never the size a peer announces.
constexpr size_t kReadChunkBytes = 64 * 1024;

}  // namespace

class TcpRuntime::Impl : public Environment {
 public:
  Impl(Options options, std::unique_ptr<Node> node)
      : options_(std::move(options)),
        node_(std::move(node)),
        random_(options_.seed != 0 ? options_.seed : std::random_device()()),
        acceptor_(io_, tcp::endpoint(asio::ip::make_address(options_.host),
                                     options_.port)),
        signals_(io_) {}

  // The environment the node sees.
  int64_t NowMs() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  TimerId StartTimer(int64_t delay_ms, std::function<void()> callback) override;
  void CancelTimer(TimerId timer) override { timers_.erase(timer); }
  void SendRequest(NodeId to, Connection connection, RequestHeader header,
                   Bytes body, int64_t timeout_ms,
                   ResponseHandler on_response) override;
  void LearnAddress(NodeId node, const std::string& host,
                    int32_t port) override {
    learned_[node] = {host, port};
  }
  /// Where `node` listens: as learned, else as Options::peers says.
  std::optional<HostPort> AddressOf(NodeId node) const;
  Storage& storage() override { return storage_; }
  std::mt19937_64& random() override { return random_; }

  void StartOnce();
  void Accept();
  bool RunUntil(const std::function<bool()>& done, int64_t timeout_ms);

  class Incoming;
  class Outgoing;

  // queued.max.request.bytes: the bytes of requests received (or being
  // received) and not yet answered, over all connections.
  bool QueueIsFull() const;
  void PauseReading(std::shared_ptr<Incoming> connection);
  void ReleaseQueued(int64_t bytes);

  Options options_;
  std::unique_ptr<Node> node_;
  PosixStorage storage_;
  std::mt19937_64 random_;
  asio::io_context io_;
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
  bool started_ = false;
  TimerId next_timer_ = 0;
  std::map<TimerId, std::unique_ptr<asio::steady_timer>> timers_;
  std::map<NodeId, HostPort> learned_;
  /// This node's connections, one per peer and purpose.
  std::map<std::pair<NodeId, Connection>, std::shared_ptr<Outgoing>> outgoing_;
  int64_t queued_request_bytes_ = 0;
  /// Connections waiting for room in the queue, in the order they paused.
  std::deque<std::shared_ptr<Incoming>> paused_;
  /// Where every connection reads its next chunk (one thread reads at a time).
  std::array<uint8_t, kReadChunkBytes> read_chunk_;
};

// One connection a client (or another node) opened to this node.
class TcpRuntime::Impl::Incoming
    : public std::enable_shared_from_this<Incoming> {
 public:
  Incoming(Impl& runtime, tcp::socket socket)
      : runtime_(runtime),
        socket_(std::move(socket)),
        idle_timer_(runtime.io_) {
    // Frames are read as their bytes arrive (see ReadChunk), without blocking.
    asio::error_code ignored;
    socket_.non_blocking(true, ignored);
  }

  void Start() {
    Touch();
    WatchIdle();
    ReadSize();
  }

  /// There is room in the queue again: go on with the frame that waited.
  void Resume() {
    paused_ = false;
    if (!socket_.is_open()) return;  // closed while it waited
    Touch();  // waiting for room was this node's doing, not the peer's
    Admit();
  }

 private:
  void ReadSize() {
    asio::async_read(
        socket_, asio::buffer(size_, 4),
        [self = shared_from_this()](asio::error_code error, size_t) {
          if (error) return self->Close();
          self->Touch();
          self->StartFrame(ReadInt32At(self->size_));
        });
  }

  void StartFrame(int32_t size) {
    // socket.request.max.bytes: Kafka closes the connection rather than
    // accept whatever a bad or hostile size says.
    if (size < 0 || size > runtime_.options_.socket_request_max_bytes) {
      return Close();
    }
    frame_size_ = size_t(size);
    Admit();
  }

  // queued.max.request.bytes: a frame is read only while the queue has room;
  // it then counts with its announced size until it is answered, so that the
  // frames being read can always finish (none waits for another's room).
  void Admit() {
    if (runtime_.QueueIsFull()) {
      paused_ = true;
      return runtime_.PauseReading(shared_from_this());
    }
    Hold(int64_t(frame_size_));
    ReadFrameBytes();
  }

  void ReadFrameBytes() {
    if (frame_.size() == frame_size_) return Handle();
    socket_.async_wait(tcp::socket::wait_read,
                       [self = shared_from_this()](asio::error_code error) {
                         if (error) return self->Close();
                         self->ReadChunk();
                       });
  }

  // Reads what has arrived, up to one chunk, and appends it to the frame: the
  // frame grows with the bytes a peer really sent.
  void ReadChunk() {
    size_t wanted = std::min(frame_size_ - frame_.size(), kReadChunkBytes);
    asio::error_code error;
    size_t got = socket_.read_some(
        asio::buffer(runtime_.read_chunk_.data(), wanted), error);
    if (error == asio::error::would_block) return ReadFrameBytes();
    if (error) return Close();  // end of stream or a reset
    frame_.insert(frame_.end(), runtime_.read_chunk_.begin(),
                  runtime_.read_chunk_.begin() + got);
    Touch();
    ReadFrameBytes();
  }

  void Handle() {
    Bytes frame = std::move(frame_);  // frees the buffer once handled
    frame_.clear();
    Result<Request> request = ParseRequest(frame);
    if (!request.ok() ||
        !CanServe(runtime_.node_->ServedApis(), request->header.api_key,
                  request->header.api_version)) {
      return Close();
    }
    auto answer = std::make_shared<Answer>();
    answer->header = request->header;
    answer->request_bytes = int64_t(frame_size_);
    answers_.push_back(answer);
    std::weak_ptr<Incoming> weak = shared_from_this();
    Status accepted = runtime_.node_->OnRequest(
        request.value(), [weak, answer](std::optional<Bytes> body) {
          std::shared_ptr<Incoming> self = weak.lock();
          if (!self || !self->socket_.is_open() ||
              answer->state != Answer::State::kWaiting) {
            return;  // a closed connection gave its queued bytes back already
          }
          self->Release(answer->request_bytes);
          if (body) {
            answer->frame = EncodeResponseFrame(answer->header, *body);
            answer->state = Answer::State::kReady;
          } else {
            answer->state = Answer::State::kNoAnswer;
          }
          self->WriteReadyAnswers();
        });
    if (!accepted.ok()) return Close();  // a body the node cannot decode
    ReadSize();
  }

  // Answers leave in request order, whatever order the node gave them in.
  void WriteReadyAnswers() {
    while (!answers_.empty() &&
           answers_.front()->state != Answer::State::kWaiting) {
      if (answers_.front()->state == Answer::State::kReady) {
        to_write_.push_back(std::move(answers_.front()->frame));
      }
      answers_.pop_front();
    }
    WriteNext();
  }

  void WriteNext() {
    if (writing_ || to_write_.empty() || !socket_.is_open()) return;
    writing_ = true;
    asio::async_write(
        socket_, asio::buffer(to_write_.front()),
        [self = shared_from_this()](asio::error_code error, size_t) {
          self->writing_ = false;
          self->to_write_.pop_front();
          if (error) return self->Close();
          self->Touch();
          self->WriteNext();
        });
  }

  // connections.max.idle.ms: a connection on which no bytes moved for that
  // long is closed, also one that stopped in the middle of a frame (it holds
  // queue room). One that waits for room in the queue is not idle: this node
  // stopped reading it, so its clock restarts.
  void WatchIdle() {
    idle_timer_.expires_at(last_active_ + IdleLimit());
    idle_timer_.async_wait([weak = weak_from_this()](asio::error_code error) {
      std::shared_ptr<Incoming> self = weak.lock();
      if (error || !self || !self->socket_.is_open()) return;
      self->CheckIdle();
    });
  }

  void CheckIdle() {
    if (paused_) {
      Touch();
    } else if (std::chrono::steady_clock::now() >= last_active_ + IdleLimit()) {
      return Close();
    }
    WatchIdle();
  }

  std::chrono::milliseconds IdleLimit() const {
    return std::chrono::milliseconds(runtime_.options_.connections_max_idle_ms);
  }

  void Touch() { last_active_ = std::chrono::steady_clock::now(); }

  // The queued bytes this connection holds: the frame it reads and the
  // requests it waits answers for.
  void Hold(int64_t bytes) {
    held_bytes_ += bytes;
    runtime_.queued_request_bytes_ += bytes;
  }

  void Release(int64_t bytes) {
    held_bytes_ -= bytes;
    runtime_.ReleaseQueued(bytes);
  }

  void Close() {
    if (!socket_.is_open()) return;
    asio::error_code ignored;
    socket_.close(ignored);
    idle_timer_.cancel();
    Release(held_bytes_);
  }

  Impl& runtime_;
  tcp::socket socket_;
  uint8_t size_[4];
  size_t frame_size_ = 0;  ///< the size the frame being read announced
  Bytes frame_;
  std::deque<std::shared_ptr<Answer>> answers_;
  std::deque<Bytes> to_write_;
  bool writing_ = false;
  int64_t held_bytes_ = 0;
  bool paused_ = false;  ///< waiting for room in the queue
  asio::steady_timer idle_timer_;
  std::chrono::steady_clock::time_point last_active_;
};

bool TcpRuntime::Impl::QueueIsFull() const {
  // Kafka's default, -1 (any value not above 0), means no limit.
  return options_.queued_max_request_bytes > 0 &&
         queued_request_bytes_ >= options_.queued_max_request_bytes;
}

// Reading stops rather than anything being dropped: the peer's bytes wait in
// the kernel, and TCP's flow control slows the peer down.
void TcpRuntime::Impl::PauseReading(std::shared_ptr<Incoming> connection) {
  paused_.push_back(std::move(connection));
}

void TcpRuntime::Impl::ReleaseQueued(int64_t bytes) {
  queued_request_bytes_ -= bytes;
  while (!paused_.empty() && !QueueIsFull()) {
    std::shared_ptr<Incoming> next = std::move(paused_.front());
    paused_.pop_front();
    next->Resume();
  }
}

// A connection this node opened to a peer, for its own requests.
class TcpRuntime::Impl::Outgoing
    : public std::enable_shared_from_this<Outgoing> {
 public:
  Outgoing(Impl& runtime, NodeId peer, Connection connection)
      : runtime_(runtime),
        key_(peer, connection),
        socket_(runtime.io_),
        resolver_(runtime.io_) {}

  // A host may be a name ("localhost", a broker's advertised host): it is
  // resolved, and each of its addresses tried in turn.
  void Connect() {
    std::optional<HostPort> address = runtime_.AddressOf(key_.first);
    if (!address) {
      return Fail("no address for node " + std::to_string(key_.first));
    }
    resolver_.async_resolve(
        address->host, std::to_string(address->port),
        [self = shared_from_this()](asio::error_code error,
                                    tcp::resolver::results_type endpoints) {
          if (error) return self->Fail(error.message());
          asio::async_connect(
              self->socket_, endpoints,
              [self](asio::error_code error, const tcp::endpoint&) {
                if (error) return self->Fail(error.message());
                self->socket_.set_option(tcp::no_delay(true), error);
                self->connected_ = true;
                self->WriteNext();
                self->ReadSize();
              });
        });
  }

  void Send(RequestHeader header, const Bytes& body, int64_t timeout_ms,
            ResponseHandler on_response) {
    if (failed_) {
      if (!on_response) return;
      // Answer from the loop, never from inside the node's own Send call.
      asio::post(runtime_.io_, [on_response, why = failure_] {
        on_response(Error{ErrorCode::kNetworkException, why});
      });
      return;
    }
    header.correlation_id = ++next_correlation_id_;
    const int32_t id = header.correlation_id;
    to_write_.push_back(EncodeRequestFrame(header, body));
    WriteNext();
    if (!on_response) return;  // no answer will come (a Produce, acks=0)
    auto timer = std::make_shared<asio::steady_timer>(
        runtime_.io_, std::chrono::milliseconds(timeout_ms));
    pending_[id] = {header, std::move(on_response), timer};
    timer->async_wait([weak = weak_from_this(), id](asio::error_code error) {
      std::shared_ptr<Outgoing> self = weak.lock();
      if (error || !self) return;  // cancelled: the answer came
      self->Finish(id, Error{ErrorCode::kRequestTimedOut,
                             "no answer within request.timeout.ms"});
    });
  }

 private:
  struct Pending {
    RequestHeader header;
    ResponseHandler handler;
    std::shared_ptr<asio::steady_timer> timer;
  };

  void WriteNext() {
    if (!connected_ || writing_ || to_write_.empty()) return;
    writing_ = true;
    asio::async_write(
        socket_, asio::buffer(to_write_.front()),
        [self = shared_from_this()](asio::error_code error, size_t) {
          self->writing_ = false;
          self->to_write_.pop_front();
          if (error) return self->Fail(error.message());
          self->WriteNext();
        });
  }

  void ReadSize() {
    asio::async_read(
        socket_, asio::buffer(size_, 4),
        [self = shared_from_this()](asio::error_code error, size_t) {
          if (error) return self->Fail(error.message());
          int32_t size = ReadInt32At(self->size_);
          if (size < 4 ||
              size > self->runtime_.options_.socket_request_max_bytes) {
            return self->Fail("bad response size " + std::to_string(size));
          }
          self->frame_.resize(size_t(size));
          asio::async_read(self->socket_, asio::buffer(self->frame_),
                           [self](asio::error_code error, size_t) {
                             if (error) return self->Fail(error.message());
                             self->HandleResponse();
                             self->ReadSize();
                           });
        });
  }

  void HandleResponse() {
    auto it = pending_.find(ReadInt32At(frame_.data()));
    if (it == pending_.end()) return;  // timed out already
    ByteView body;
    Result<int32_t> header = ParseResponseHeader(
        frame_, it->second.header.api_key, it->second.header.api_version, body);
    if (!header.ok()) return Finish(it->first, header.error());
    Finish(it->first, Bytes(body.begin(), body.end()));
  }

  void Finish(int32_t id, Result<Bytes> result) {
    auto it = pending_.find(id);
    if (it == pending_.end()) return;
    Pending pending = std::move(it->second);
    pending_.erase(it);
    pending.timer->cancel();
    pending.handler(std::move(result));
  }

  // The connection is unusable: every waiting request fails, and the next
  // Send to this peer opens a new connection.
  void Fail(const std::string& why) {
    if (failed_) return;
    failed_ = true;
    failure_ = "connection to node " + std::to_string(key_.first) + ": " + why;
    asio::error_code ignored;
    socket_.close(ignored);
    auto it = runtime_.outgoing_.find(key_);
    if (it != runtime_.outgoing_.end() && it->second.get() == this) {
      runtime_.outgoing_.erase(it);
    }
    std::map<int32_t, Pending> failed = std::move(pending_);
    pending_.clear();
    for (auto& [id, pending] : failed) {
      pending.timer->cancel();
      pending.handler(Error{ErrorCode::kNetworkException, failure_});
    }
  }

  Impl& runtime_;
  std::pair<NodeId, Connection> key_;  ///< the peer, and what for
  tcp::socket socket_;
  tcp::resolver resolver_;
  bool connected_ = false;
  bool failed_ = false;
  std::string failure_;  ///< why it failed, for the requests that meet it
  bool writing_ = false;
  int32_t next_correlation_id_ = 0;
  std::map<int32_t, Pending> pending_;
  std::deque<Bytes> to_write_;
  uint8_t size_[4];
  Bytes frame_;
};

TimerId TcpRuntime::Impl::StartTimer(int64_t delay_ms,
                                     std::function<void()> callback) {
  TimerId id = ++next_timer_;
  auto timer = std::make_unique<asio::steady_timer>(
      io_, std::chrono::milliseconds(delay_ms));
  timer->async_wait([this, id, callback](asio::error_code error) {
    if (error || timers_.erase(id) == 0) return;  // cancelled
    callback();
  });
  timers_[id] = std::move(timer);
  return id;
}

std::optional<HostPort> TcpRuntime::Impl::AddressOf(NodeId node) const {
  if (auto learned = learned_.find(node); learned != learned_.end()) {
    return learned->second;
  }
  if (auto peer = options_.peers.find(node); peer != options_.peers.end()) {
    return HostPort{peer->second.first, peer->second.second};
  }
  return std::nullopt;
}

void TcpRuntime::Impl::SendRequest(NodeId to, Connection purpose,
                                   RequestHeader header, Bytes body,
                                   int64_t timeout_ms,
                                   ResponseHandler on_response) {
  // Hold our own reference: a failing connection removes itself from
  // outgoing_, possibly while Connect or Send runs.
  std::shared_ptr<Outgoing>& slot = outgoing_[{to, purpose}];
  std::shared_ptr<Outgoing> connection = slot;
  if (!connection) {
    connection = std::make_shared<Outgoing>(*this, to, purpose);
    slot = connection;
    connection->Connect();
  }
  connection->Send(std::move(header), body, timeout_ms, std::move(on_response));
}

void TcpRuntime::Impl::Accept() {
  acceptor_.async_accept([this](asio::error_code error, tcp::socket socket) {
    if (error) return;  // the acceptor closed: the runtime is stopping
    // Small frames go out at once (Kafka sets TCP_NODELAY too): Nagle's
    // algorithm would hold a pipelined answer back for the peer's ACK.
    socket.set_option(tcp::no_delay(true), error);
    std::make_shared<Incoming>(*this, std::move(socket))->Start();
    Accept();
  });
}

void TcpRuntime::Impl::StartOnce() {
  if (started_) return;
  started_ = true;
  if (options_.handle_signals) {
    signals_.add(SIGINT);
    signals_.add(SIGTERM);
    signals_.async_wait([this](asio::error_code error, int) {
      if (error) return;
      node_->Stop();
      io_.stop();
    });
  }
  Accept();
  node_->Start(*this);
}

bool TcpRuntime::Impl::RunUntil(const std::function<bool()>& done,
                                int64_t timeout_ms) {
  StartOnce();
  auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io_.run_one_for(std::chrono::milliseconds(10));
    if (io_.stopped()) break;
  }
  return done();
}

TcpRuntime::TcpRuntime(Options options, std::unique_ptr<Node> node)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(node))) {}

TcpRuntime::~TcpRuntime() = default;

uint16_t TcpRuntime::port() const {
  return impl_->acceptor_.local_endpoint().port();
}

void TcpRuntime::Run() {
  impl_->StartOnce();
  impl_->io_.run();
}

bool TcpRuntime::RunUntil(const std::function<bool()>& done,
                          int64_t timeout_ms) {
  return impl_->RunUntil(done, timeout_ms);
}

void TcpRuntime::Stop() {
  asio::post(impl_->io_, [impl = impl_.get()] {
    impl->node_->Stop();
    impl->io_.stop();
  });
}

Node& TcpRuntime::node() { return *impl_->node_; }

}  // namespace kafka
