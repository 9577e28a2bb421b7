#include "chapters/05_controller/raft/raft_config.h"

#include <charconv>
#include <string>

namespace kafka {
namespace {

Error BadVoters(std::string_view entry, const std::string& why) {
  return Error{ErrorCode::kInvalidConfig, "controller.quorum.voters: \"" +
                                              std::string(entry) + "\" " + why};
}

// One "id@host:port".
Status AddVoter(std::string_view entry, QuorumVoters& voters) {
  const size_t at = entry.find('@');
  if (at == std::string_view::npos) {
    return BadVoters(entry, "is not id@host:port");
  }
  const std::string_view id_text = entry.substr(0, at);
  NodeId id = -1;
  const auto [end, error] =
      std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  if (error != std::errc() || end != id_text.data() + id_text.size() ||
      id < 0) {
    return BadVoters(entry, "has no node id");
  }
  Result<HostPort> address = ParseHostPort(entry.substr(at + 1));
  if (!address.ok()) return BadVoters(entry, address.error().message);
  if (!voters.emplace(id, *address).second) {
    return BadVoters(entry, "names a voter twice");
  }
  return {};
}

}  // namespace

Result<QuorumVoters> ParseQuorumVoters(std::string_view text) {
  QuorumVoters voters;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string_view entry = text.substr(0, comma);
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    if (Status added = AddVoter(entry, voters); !added.ok()) {
      return added.error();
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  if (voters.empty()) return BadVoters(text, "names no voter");
  return voters;
}

}  // namespace kafka
