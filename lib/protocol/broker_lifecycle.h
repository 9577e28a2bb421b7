/// \file
/// The APIs of a KRaft broker's life with the active controller (KIP-631;
/// Kafka's BrokerLifecycleManager sends them, the controller's
/// ClusterControlManager answers):
///
///   BrokerRegistration (62)  versions 0 to 1 (flexible): join the cluster,
///                            get a broker epoch
///   BrokerHeartbeat (63)     version 0 (flexible): stay alive, report the
///                            metadata offset replayed, ask to shut down
///
/// A broker is fenced (leads nothing, is in no ISR) from its registration
/// until a heartbeat shows it has replayed the metadata log up to its own
/// registration, and again if its heartbeats stop for
/// broker.session.timeout.ms.
///
/// The structs and their codec are generated from the schemas in
/// `messages/` (Appendix B, "How messages are described").
#pragma once

#include "lib/protocol/messages/broker_heartbeat_request.h"
#include "lib/protocol/messages/broker_heartbeat_response.h"
#include "lib/protocol/messages/broker_registration_request.h"
#include "lib/protocol/messages/broker_registration_response.h"
