/// \file
/// An in-memory disk that can crash, for tests and the simulator.
///
/// Each file remembers how much of it has been synced. A crash keeps the synced
/// bytes of every file and a random-length prefix of the unsynced bytes after
/// them: the unsynced tail may be lost entirely, kept entirely, or cut in the
/// middle of a write (a "torn" write), as after a power failure.
///
/// Directories are modelled as a real file system has them: a file's name is
/// an entry in its directory, and a crash keeps the directory as it was at the
/// last SyncDirectory. A file created since then vanishes, whatever was synced
/// inside it; a rename since then is undone; a removed file comes back. A
/// directory created since its parent was last synced vanishes with all it
/// holds. Truncating a file is durable at once (it changes the file, not the
/// directory). A directory renamed or removed (RenameDirectory,
/// RemoveDirectory) is one entry in its parent: until the parent is synced, a
/// crash undoes the rename, or brings the directory back with what survives
/// in it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "lib/storage/storage.h"

namespace kafka {

/// Storage in memory, with a crash that loses unsynced bytes and unsynced
/// directory entries.
class MemoryStorage : public Storage {
 public:
  std::unique_ptr<File> Open(const std::string& path) override;
  /// True for files and directories.
  bool Exists(const std::string& path) const override;
  std::vector<std::string> List(const std::string& dir) const override;
  std::vector<std::string> ListDirectories(
      const std::string& dir) const override;
  void Remove(const std::string& path) override;
  void Rename(const std::string& from, const std::string& to) override;
  void CreateDirectories(const std::string& dir) override;
  void RenameDirectory(const std::string& from, const std::string& to) override;
  void RemoveDirectory(const std::string& dir) override;
  void SyncDirectory(const std::string& dir) override;

  /// The clock that stamps file modification times (File::LastModifiedMs):
  /// the simulator's virtual clock, or a test's. Without one, times are 0.
  void set_clock(std::function<int64_t()> now_ms) {
    now_ms_ = std::move(now_ms);
  }

  /// Power failure: every file that survives (see above) keeps its synced
  /// bytes plus a random prefix (possibly empty, possibly all) of its unsynced
  /// bytes. Files opened before the crash must not be used after it.
  void Crash(std::mt19937_64& random);
  /// Power failure that loses every unsynced byte.
  void CrashLosingUnsynced();
  /// Bit rot: flips the bits of one byte.
  void FlipByte(const std::string& path, uint64_t position);

  /// Bytes written but not yet synced, over all files.
  uint64_t UnsyncedBytes() const;

  struct FileState {
    Bytes contents;            ///< what readers see
    uint64_t synced_size = 0;  ///< contents[0, synced_size) survives a crash
    int64_t modified_ms = 0;   ///< the last write or truncation
  };

 private:
  /// The files a crash leaves: the durable entries outside new directories.
  std::vector<std::pair<std::string, std::shared_ptr<FileState>>>
  SurvivingEntries() const;
  void CrashKeeping(const std::function<uint64_t(const FileState&)>& kept);
  static std::shared_ptr<FileState> SurvivorOf(const FileState& state,
                                               uint64_t unsynced_bytes_kept);
  bool IsDirectory(const std::string& path) const;
  /// Crash: undoes the directory renames not yet synced in their parents.
  void UndoUnsyncedDirectoryRenames();

  std::function<int64_t()> now_ms_ = [] { return int64_t{0}; };
  /// What readers see now, by path.
  std::map<std::string, std::shared_ptr<FileState>> files_;
  /// What a crash keeps: the entries as of each directory's last sync.
  std::map<std::string, std::shared_ptr<FileState>> durable_files_;
  /// Directories made by CreateDirectories (others exist as path prefixes).
  std::set<std::string> directories_;
  /// Of those, the ones whose entry in their parent is not yet synced.
  std::set<std::string> unsynced_directories_;
  /// Directory renames (from, to), oldest first, not yet synced in the
  /// parent of `to`; durable_files_ already has the new names.
  std::vector<std::pair<std::string, std::string>> unsynced_directory_renames_;
  /// Directories removed but not yet synced in their parents; durable_files_
  /// still has their files.
  std::set<std::string> unsynced_directory_removals_;
};

}  // namespace kafka
