/// \file
/// What Kafka's tools print for an error code in a response.
///
/// Kafka's Admin client turns each error code into an exception (Errors.java
/// maps code 36 to TopicExistsException, ...), whose message is the
/// response's error_message when the broker sent one and the exception's
/// default text otherwise. The tools print that message (TopicCommand) or
/// the exception itself, "<class>: <message>" (LeaderElectionCommand). These
/// functions give the same text for the codes the tools meet.
#pragma once

#include <optional>
#include <string>

#include "lib/error.h"

namespace kafka {

/// The exception's message: `message` if the broker sent a non-empty one,
/// else Kafka's default text for `code` (its name for a code without one).
std::string ExceptionMessage(ErrorCode code,
                             const std::optional<std::string>& message);

/// The exception as Java prints it: its full class name, ": ", its message,
/// e.g. "org.apache.kafka.common.errors.ElectionNotNeededException: ...".
std::string ExceptionText(ErrorCode code,
                          const std::optional<std::string>& message);

}  // namespace kafka
