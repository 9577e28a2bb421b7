/// \file
/// An in-memory disk that can crash, for tests and the simulator.
///
/// Each file remembers how much of it has been synced. A crash keeps the synced
/// bytes of every file and a random-length prefix of the unsynced bytes after
/// them: the unsynced tail may be lost entirely, kept entirely, or cut in the
/// middle of a write (a "torn" write), as after a power failure.
///
/// Simplification: creating, removing, renaming and truncating files are
/// durable at once. A real file system needs an fsync of the directory for the
/// first three; Kafka does that, and this model assumes it.
#pragma once

#include <map>
#include <memory>
#include <random>

#include "lib/storage/storage.h"

namespace kafka {

/// Storage in memory, with a crash that loses unsynced bytes.
class MemoryStorage : public Storage {
 public:
  std::unique_ptr<File> Open(const std::string& path) override;
  bool Exists(const std::string& path) const override;
  std::vector<std::string> List(const std::string& dir) const override;
  std::vector<std::string> ListDirectories(
      const std::string& dir) const override;
  void Remove(const std::string& path) override;
  void Rename(const std::string& from, const std::string& to) override;
  void CreateDirectories(const std::string& dir) override;

  /// Power failure: every file keeps its synced bytes plus a random prefix
  /// (possibly empty, possibly all) of its unsynced bytes. Files opened before
  /// the crash must not be used after it.
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
  };

 private:
  static std::shared_ptr<FileState> SurvivorOf(const FileState& state,
                                               uint64_t unsynced_bytes_kept);

  std::map<std::string, std::shared_ptr<FileState>> files_;
};

}  // namespace kafka
