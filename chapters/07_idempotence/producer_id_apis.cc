#include "chapters/07_idempotence/producer_id_apis.h"

#include <memory>
#include <utility>

#include "lib/protocol/init_producer_id.h"

namespace kafka {

ProducerIdApis::ProducerIdApis(const BrokerServices& services)
    : producer_ids_(services.env, services.broker_id,
                    services.active_controller, services.broker_epoch) {}

void ProducerIdApis::RegisterWith(RequestHandlers& handlers) {
  handlers.Register(ApiKey::kInitProducerId,
                    HandlerOf(this, &ProducerIdApis::HandleInitProducerId));
}

//! [init producer id]
Status ProducerIdApis::HandleInitProducerId(const Request& request,
                                            Responder respond) {
  Result<InitProducerIdRequest> decoded =
      DecodeRequestBody<InitProducerIdRequest>(request);
  if (!decoded.ok()) return decoded.status();
  InitProducerIdResponse response;
  if (decoded->transactional_id) {
    response.error_code = ErrorCode::kCoordinatorNotAvailable;
  } else if (Result<int64_t> id = producer_ids_.GenerateProducerId(); id.ok()) {
    response.producer_id = *id;
    response.producer_epoch = 0;
  } else {
    response.error_code = id.error().code;
  }
  respond(EncodeResponseBody(response, request.header));
  return Status();
}
//! [init producer id]

AddedComponentFactory MakeProducerIdApis() {
  return [](const BrokerServices& services) {
    return std::make_unique<ProducerIdApis>(services);
  };
}

}  // namespace kafka
