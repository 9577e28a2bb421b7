/// \file
/// Storage on the machine's real file system (POSIX calls).
///
/// This is what the cluster and the demos use. Append is write(2) into the page
/// cache; Sync is fsync(2); SyncDirectory is fsync(2) of the directory.
#pragma once

#include "lib/storage/storage.h"

namespace kafka {

/// Storage on real files through POSIX calls.
class PosixStorage : public Storage {
 public:
  std::unique_ptr<File> Open(const std::string& path) override;
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
};

}  // namespace kafka
