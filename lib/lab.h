/// \file
/// What a lab skeleton throws where the student's code goes.
///
/// tools/labgen.py turns each marked region of a chapter's reference code into
/// `throw kafka::LabNotImplemented("lab01_log", "Log::Append");`, so a skeleton
/// compiles, and each test that reaches unwritten code fails with a message
/// naming the lab and the function.
#pragma once

#include <stdexcept>
#include <string>

namespace kafka {

/// Thrown by a lab skeleton where the student's code goes.
class LabNotImplemented : public std::logic_error {
 public:
  LabNotImplemented(const std::string& lab, const std::string& function)
      : std::logic_error(lab + ": " + function + " is not implemented yet") {}
};

}  // namespace kafka
