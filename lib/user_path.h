/// \file
/// Paths given on the command line of a program started by `bazel run`.
///
/// `bazel run` starts a program inside its runfiles tree, not in the directory
/// the user typed the command in. Bazel passes that directory in the
/// BUILD_WORKING_DIRECTORY environment variable; relative paths from the user
/// are resolved against it, so `--data-dir demo` means what the user expects.
#pragma once

#include <cstdlib>
#include <string>

namespace kafka {

inline std::string FromUserDirectory(const std::string& path) {
  const char* user_dir = std::getenv("BUILD_WORKING_DIRECTORY");
  if (path.empty() || path[0] == '/' || user_dir == nullptr) return path;
  return std::string(user_dir) + "/" + path;
}

}  // namespace kafka
