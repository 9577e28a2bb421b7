#include "lib/storage/memory_storage.h"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <string>

namespace kafka {
namespace {

class MemoryFile : public File {
 public:
  MemoryFile(std::shared_ptr<MemoryStorage::FileState> state,
             std::function<int64_t()> now_ms)
      : state_(std::move(state)), now_ms_(std::move(now_ms)) {}

  uint64_t Size() const override { return state_->contents.size(); }

  void Append(ByteView data) override {
    state_->contents.insert(state_->contents.end(), data.begin(), data.end());
    state_->modified_ms = now_ms_();
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
    state_->modified_ms = now_ms_();
  }

  void Sync() override { state_->synced_size = state_->contents.size(); }

  int64_t LastModifiedMs() const override { return state_->modified_ms; }

 private:
  std::shared_ptr<MemoryStorage::FileState> state_;
  std::function<int64_t()> now_ms_;
};

bool IsInside(const std::string& path, const std::string& dir) {
  return path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 &&
         path[dir.size()] == '/';
}

bool IsRoot(const std::string& dir) { return dir == "." || dir == "/"; }

// Where `path` is once directory `from` is renamed `to`; nullopt if it is
// not `from` or inside it.
std::optional<std::string> Moved(const std::string& path,
                                 const std::string& from,
                                 const std::string& to) {
  if (path == from) return to;
  if (IsInside(path, from)) return to + path.substr(from.size());
  return std::nullopt;
}

const std::string& PathOf(const std::string& entry) { return entry; }
template <typename State>
const std::string& PathOf(const std::pair<const std::string, State>& entry) {
  return entry.first;
}
std::string WithPath(const std::string&, std::string path) { return path; }
template <typename State>
std::pair<const std::string, State> WithPath(
    const std::pair<const std::string, State>& entry, std::string path) {
  return {std::move(path), entry.second};
}

// Renames the entries (paths, or paths and their files) at or inside `from`.
template <typename Entries>
void MoveEntries(Entries& entries, const std::string& from,
                 const std::string& to) {
  std::vector<typename Entries::value_type> moved;
  std::erase_if(entries, [&](const auto& entry) {
    std::optional<std::string> path = Moved(PathOf(entry), from, to);
    if (path) moved.push_back(WithPath(entry, std::move(*path)));
    return path.has_value();
  });
  entries.insert(moved.begin(), moved.end());
}

}  // namespace

std::unique_ptr<File> MemoryStorage::Open(const std::string& path) {
  auto& state = files_[path];
  if (!state) {
    state = std::make_shared<FileState>();
    state->modified_ms = now_ms_();
  }
  return std::make_unique<MemoryFile>(state, now_ms_);
}

bool MemoryStorage::Exists(const std::string& path) const {
  return files_.contains(path) || IsDirectory(path);
}

bool MemoryStorage::IsDirectory(const std::string& path) const {
  if (IsRoot(path) || directories_.contains(path)) return true;
  // Paths inside `path` sort together, right from path + "/" on.
  auto first_inside = files_.lower_bound(path + "/");
  return first_inside != files_.end() && IsInside(first_inside->first, path);
}

std::vector<std::string> MemoryStorage::List(const std::string& dir) const {
  std::vector<std::string> names;
  for (const auto& [path, state] : files_) {
    if (ParentDirectory(path) == dir) {
      names.push_back(path.substr(dir.size() + 1));
    }
  }
  return names;  // std::map keeps them sorted
}

// Directories exist as prefixes of file paths ("dir/sub/file" makes "sub"),
// and as made by CreateDirectories.
std::vector<std::string> MemoryStorage::ListDirectories(
    const std::string& dir) const {
  std::set<std::string> names;
  auto add_child_of_dir = [&](const std::string& path) {
    if (!IsInside(path, dir)) return;
    size_t slash = path.find('/', dir.size() + 1);
    if (slash != std::string::npos) {
      names.insert(path.substr(dir.size() + 1, slash - dir.size() - 1));
    }
  };
  for (const auto& [path, state] : files_) add_child_of_dir(path);
  for (const std::string& directory : directories_) {
    add_child_of_dir(directory + "/");
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

void MemoryStorage::CreateDirectories(const std::string& dir) {
  for (std::string d = dir; !IsRoot(d) && !Exists(d); d = ParentDirectory(d)) {
    directories_.insert(d);
    unsynced_directories_.insert(d);
  }
}

void MemoryStorage::RenameDirectory(const std::string& from,
                                    const std::string& to) {
  if (!IsDirectory(from)) {
    throw std::runtime_error("rename: no directory " + from);
  }
  MoveEntries(files_, from, to);
  MoveEntries(durable_files_, from, to);
  MoveEntries(directories_, from, to);
  MoveEntries(unsynced_directories_, from, to);
  unsynced_directory_renames_.emplace_back(from, to);
}

// The files go at once for readers; a crash before the parent's sync brings
// back those that were durable (unsynced_directory_removals_).
void MemoryStorage::RemoveDirectory(const std::string& dir) {
  auto at_or_inside = [&](const std::string& path) {
    return path == dir || IsInside(path, dir);
  };
  std::erase_if(files_,
                [&](const auto& entry) { return at_or_inside(entry.first); });
  std::erase_if(directories_, at_or_inside);
  unsynced_directory_removals_.insert(dir);
}

void MemoryStorage::SyncDirectory(const std::string& dir) {
  std::erase_if(unsynced_directory_removals_, [&](const std::string& removed) {
    if (ParentDirectory(removed) != dir) return false;
    std::erase_if(durable_files_, [&](const auto& entry) {
      return IsInside(entry.first, removed);
    });
    return true;
  });
  std::erase_if(unsynced_directory_renames_, [&](const auto& rename) {
    return ParentDirectory(rename.second) == dir;
  });
  std::erase_if(durable_files_, [&](const auto& entry) {
    return ParentDirectory(entry.first) == dir;
  });
  for (const auto& [path, state] : files_) {
    if (ParentDirectory(path) == dir) durable_files_[path] = state;
  }
  std::erase_if(unsynced_directories_, [&](const std::string& directory) {
    return ParentDirectory(directory) == dir;
  });
}

std::vector<std::pair<std::string, std::shared_ptr<MemoryStorage::FileState>>>
MemoryStorage::SurvivingEntries() const {
  std::vector<std::pair<std::string, std::shared_ptr<FileState>>> survivors;
  for (const auto& [path, state] : durable_files_) {
    bool in_new_directory = std::any_of(
        unsynced_directories_.begin(), unsynced_directories_.end(),
        [&](const std::string& dir) { return IsInside(path, dir); });
    if (!in_new_directory) survivors.emplace_back(path, state);
  }
  return survivors;
}

void MemoryStorage::UndoUnsyncedDirectoryRenames() {
  for (auto rename = unsynced_directory_renames_.rbegin();
       rename != unsynced_directory_renames_.rend(); ++rename) {
    const auto& [from, to] = *rename;
    MoveEntries(durable_files_, to, from);
    MoveEntries(directories_, to, from);
    MoveEntries(unsynced_directories_, to, from);
  }
  unsynced_directory_renames_.clear();
}

void MemoryStorage::CrashKeeping(
    const std::function<uint64_t(const FileState&)>& kept) {
  UndoUnsyncedDirectoryRenames();
  unsynced_directory_removals_.clear();
  files_.clear();
  for (const auto& [path, state] : SurvivingEntries()) {
    files_[path] = SurvivorOf(*state, kept(*state));
  }
  durable_files_ = files_;
  for (const std::string& dir : unsynced_directories_) directories_.erase(dir);
  unsynced_directories_.clear();
}

void MemoryStorage::Crash(std::mt19937_64& random) {
  CrashKeeping([&](const FileState& state) {
    std::uniform_int_distribution<uint64_t> kept(
        0, state.contents.size() - state.synced_size);
    return kept(random);
  });
}

void MemoryStorage::CrashLosingUnsynced() {
  CrashKeeping([](const FileState&) { return uint64_t{0}; });
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
  survivor->modified_ms = state.modified_ms;
  return survivor;
}

void MemoryStorage::FlipByte(const std::string& path, uint64_t position) {
  auto file = files_.find(path);
  if (file == files_.end()) {
    throw std::out_of_range("FlipByte: no file " + path);
  }
  Bytes& contents = file->second->contents;
  if (position >= contents.size()) {
    throw std::out_of_range("FlipByte: byte " + std::to_string(position) +
                            " is past the end of " + path + " (" +
                            std::to_string(contents.size()) + " bytes)");
  }
  contents[position] ^= 0xFF;
}

uint64_t MemoryStorage::UnsyncedBytes() const {
  uint64_t total = 0;
  for (const auto& [path, state] : files_) {
    total += state->contents.size() - state->synced_size;
  }
  return total;
}

}  // namespace kafka
