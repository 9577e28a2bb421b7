#include "lib/storage/memory_storage.h"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace kafka {
namespace {

class MemoryFile : public File {
 public:
  explicit MemoryFile(std::shared_ptr<MemoryStorage::FileState> state)
      : state_(std::move(state)) {}

  uint64_t Size() const override { return state_->contents.size(); }

  void Append(ByteView data) override {
    state_->contents.insert(state_->contents.end(), data.begin(), data.end());
  }

  size_t ReadAt(uint64_t position, std::span<uint8_t> out) const override {
    const Bytes& contents = state_->contents;
    if (position >= contents.size()) return 0;
    size_t n = std::min<size_t>(out.size(), contents.size() - position);
    std::copy_n(contents.begin() + static_cast<ptrdiff_t>(position), n,
                out.begin());
    return n;
  }

  void Truncate(uint64_t size) override {
    if (size < state_->contents.size()) state_->contents.resize(size);
    state_->synced_size = std::min(state_->synced_size, size);
  }

  void Sync() override { state_->synced_size = state_->contents.size(); }

 private:
  std::shared_ptr<MemoryStorage::FileState> state_;
};

// The directory part of "dir/name".
std::string Parent(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

}  // namespace

std::unique_ptr<File> MemoryStorage::Open(const std::string& path) {
  auto& state = files_[path];
  if (!state) state = std::make_shared<FileState>();
  return std::make_unique<MemoryFile>(state);
}

bool MemoryStorage::Exists(const std::string& path) const {
  return files_.contains(path);
}

std::vector<std::string> MemoryStorage::List(const std::string& dir) const {
  std::vector<std::string> names;
  for (const auto& [path, state] : files_) {
    if (Parent(path) == dir) names.push_back(path.substr(dir.size() + 1));
  }
  return names;  // std::map keeps them sorted
}

// Directories exist as prefixes of file paths: "dir/sub/file" makes "sub".
std::vector<std::string> MemoryStorage::ListDirectories(
    const std::string& dir) const {
  std::set<std::string> names;
  const std::string prefix = dir + "/";
  for (const auto& [path, state] : files_) {
    if (path.compare(0, prefix.size(), prefix) != 0) continue;
    size_t slash = path.find('/', prefix.size());
    if (slash != std::string::npos) {
      names.insert(path.substr(prefix.size(), slash - prefix.size()));
    }
  }
  return {names.begin(), names.end()};
}

void MemoryStorage::Remove(const std::string& path) { files_.erase(path); }

void MemoryStorage::Rename(const std::string& from, const std::string& to) {
  auto it = files_.find(from);
  if (it == files_.end()) throw std::runtime_error("rename: no file " + from);
  files_[to] = it->second;
  files_.erase(it);
}

void MemoryStorage::CreateDirectories(const std::string&) {
  // Directories exist implicitly, as prefixes of file paths.
}

void MemoryStorage::Crash(std::mt19937_64& random) {
  for (auto& [path, state] : files_) {
    uint64_t unsynced = state->contents.size() - state->synced_size;
    std::uniform_int_distribution<uint64_t> kept(0, unsynced);
    state = SurvivorOf(*state, kept(random));
  }
}

void MemoryStorage::CrashLosingUnsynced() {
  for (auto& [path, state] : files_) state = SurvivorOf(*state, 0);
}

// A fresh state object, so that handles opened before the crash cannot write
// into the disk as it is after the crash.
std::shared_ptr<MemoryStorage::FileState> MemoryStorage::SurvivorOf(
    const FileState& state, uint64_t unsynced_bytes_kept) {
  auto survivor = std::make_shared<FileState>();
  survivor->contents.assign(
      state.contents.begin(),
      state.contents.begin() +
          static_cast<ptrdiff_t>(state.synced_size + unsynced_bytes_kept));
  survivor->synced_size = survivor->contents.size();
  return survivor;
}

void MemoryStorage::FlipByte(const std::string& path, uint64_t position) {
  Bytes& contents = files_.at(path)->contents;
  contents.at(position) ^= 0xFF;
}

uint64_t MemoryStorage::UnsyncedBytes() const {
  uint64_t total = 0;
  for (const auto& [path, state] : files_) {
    total += state->contents.size() - state->synced_size;
  }
  return total;
}

}  // namespace kafka
