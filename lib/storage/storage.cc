#include "lib/storage/storage.h"

namespace kafka {

Bytes ReadWholeFile(Storage& storage, const std::string& path) {
  std::unique_ptr<File> file = storage.Open(path);
  Bytes contents(file->Size());
  contents.resize(file->ReadAt(0, contents));
  return contents;
}

void WriteFileAtomically(Storage& storage, const std::string& path,
                         ByteView contents) {
  const std::string temporary = path + ".tmp";
  {
    std::unique_ptr<File> file = storage.Open(temporary);
    file->Truncate(0);
    file->Append(contents);
    file->Sync();
  }
  storage.Rename(temporary, path);
  storage.SyncDirectory(ParentDirectory(path));
}

std::string ParentDirectory(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

void CreateDirectoriesDurably(Storage& storage, const std::string& dir) {
  if (dir.empty() || storage.Exists(dir)) return;
  const std::string parent = ParentDirectory(dir);
  CreateDirectoriesDurably(storage, parent);
  storage.CreateDirectories(dir);
  storage.SyncDirectory(parent);
}

}  // namespace kafka
