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
}

}  // namespace kafka
