#include "chapters/05_controller/kraft_broker.h"

#include <algorithm>
#include <utility>

#include "lib/protocol/fetch.h"

namespace kafka {
namespace {

// The Raft layer's settings for this node: its node id, and the metadata
// log in metadata.log.dir, or else in log.dirs.
RaftConfig RaftConfigOf(const KRaftBrokerConfig& config) {
  RaftConfig raft = config.raft;
  raft.node_id = config.broker.node_id;
  if (raft.data_dir.empty()) raft.data_dir = config.broker.data_dir;
  if (raft.cluster_id.empty()) raft.cluster_id = config.broker.cluster_id;
  return raft;
}

bool Serves(ApiSet served, ApiKey api) {
  return std::find(served.begin(), served.end(), api) != served.end();
}

// A Fetch of the metadata log: by name (before v13) or by its fixed id.
bool IsMetadataFetch(const Request& request) {
  Result<FetchRequest> fetch = DecodeRequestBody<FetchRequest>(request);
  if (!fetch.ok()) return false;
  for (const FetchRequest::Topic& topic : fetch->topics) {
    if (topic.topic == kMetadataTopicName ||
        topic.topic_id == MetadataTopicId()) {
      return true;
    }
  }
  return false;
}

}  // namespace

KRaftBroker::KRaftBroker(KRaftBrokerConfig config)
    : config_(std::move(config)) {}

KRaftBroker::KRaftBroker(KRaftBrokerConfig config,
                         ControllerServerConfig controller)
    : config_(std::move(config)), controller_config_(std::move(controller)) {}

ControllerNodeProvider KRaftBroker::ActiveController() const {
  return [raft = raft_.get()] { return raft->leader_and_epoch().leader; };
}

void KRaftBroker::Start(Environment& env) {
  raft_ = std::make_unique<KafkaRaftClient>(env, RaftConfigOf(config_));
  metadata_listener_ = std::make_unique<BrokerMetadataListener>(
      env, *raft_,
      [this](const MetadataUpdate& update) { components_->Publish(update); });
  if (controller_config_) {
    StartControllerHalf(env);
  } else {
    raft_->Register(metadata_listener_.get());
  }
  StartBrokerHalf(loopback_ ? *loopback_ : env);
  if (controller_config_) RegisterControllerOnlyApis();
  // Last: starting replays the metadata log into the components above.
  raft_->Start();
  lifecycle_->Start();
}

//! [wiring]
void KRaftBroker::StartBrokerHalf(Environment& env) {
  metadata_ = std::make_unique<KRaftMetadataCache>(metadata_listener_->image(),
                                                   config_.broker.cluster_id);
  // The lifecycle manager (below) holds the broker epoch of this
  // incarnation once it has registered; -1 before.
  components_ = std::make_unique<ReplicatedBrokerComponents>(
      env, config_.broker, config_.replication, *metadata_, ActiveController(),
      [this] { return lifecycle_ ? lifecycle_->broker_epoch() : -1; },
      config_.seams);
  components_->RegisterWith(handlers());
  broker_apis_ = std::make_unique<BrokerApis>(components_->api_components(),
                                              config_.broker);
  broker_apis_->RegisterWith(handlers());
  groups_ = std::make_unique<GroupComponents>(
      env, components_->api_components(), config_.groups);
  groups_->RegisterWith(handlers());
  controller_apis_ =
      std::make_unique<ControllerApiForwarder>(env, ActiveController());
  controller_apis_->RegisterWith(handlers());
  lifecycle_ = std::make_unique<BrokerLifecycleManager>(
      env, config_.broker, config_.lifecycle, ActiveController(),
      [listener = metadata_listener_.get()] {
        return listener->published_offset();
      });
  StartAddedComponents(env);
}
//! [wiring]

void KRaftBroker::StartAddedComponents(Environment& env) {
  const BrokerServices services{
      .env = env,
      .broker_id = config_.broker.node_id,
      .active_controller = ActiveController(),
      .broker_epoch = [this] { return lifecycle_->broker_epoch(); },
      .components = components_->api_components()};
  for (const AddedComponentFactory& make : config_.added_components) {
    added_components_.push_back(make(services));
    added_components_.back()->RegisterWith(handlers());
  }
}

void KRaftBroker::StartControllerHalf(Environment& env) {
  QuorumControllerConfig controller = controller_config_->controller;
  controller.node_id = config_.broker.node_id;
  controller.cluster_id = raft_->config().cluster_id;
  quorum_controller_ =
      std::make_unique<QuorumController>(env, controller, *raft_);
  raft_listeners_ = std::make_unique<RaftListeners>(std::vector<RaftListener*>{
      quorum_controller_.get(), metadata_listener_.get()});
  raft_->Register(raft_listeners_.get());
  raft_->RegisterWith(controller_handlers_);
  quorum_controller_->RegisterWith(controller_handlers_);
  loopback_ = std::make_unique<LoopbackEnvironment>(env, config_.broker.node_id,
                                                    controller_handlers_);
}

void KRaftBroker::RegisterControllerOnlyApis() {
  const std::vector<ApiKey> broker(ServingNode::ServedApis().begin(),
                                   ServingNode::ServedApis().end());
  for (ApiKey api : controller_handlers_.ServedApis()) {
    if (api == ApiKey::kApiVersions || Serves(broker, api)) continue;
    handlers().Register(api, [this](const Request& request, Responder respond) {
      return controller_handlers_.Handle(request, std::move(respond));
    });
  }
}

Status KRaftBroker::OnRequest(const Request& request, Responder respond) {
  const bool metadata_fetch =
      request.header.api_key == int16_t(ApiKey::kFetch) && quorum_controller_ &&
      IsMetadataFetch(request);
  if (metadata_fetch) {
    return controller_handlers_.Handle(request, std::move(respond));
  }
  return ServingNode::OnRequest(request, std::move(respond));
}

void KRaftBroker::Stop() { components_->Shutdown(); }

void KRaftBroker::AdvertisePort(int32_t port) {
  // The registration, sent once the controller is known, carries it.
  config_.broker.advertised_port = port;
}

void KRaftBroker::BeginControlledShutdown(std::function<void()> on_done) {
  lifecycle_->BeginControlledShutdown(std::move(on_done));
}

bool KRaftBroker::is_unfenced() const {
  return lifecycle_ != nullptr && !lifecycle_->fenced();
}

}  // namespace kafka
