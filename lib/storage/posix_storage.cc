#include "lib/storage/posix_storage.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <system_error>

namespace kafka {
namespace {

[[noreturn]] void ThrowErrno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

class PosixFile : public File {
 public:
  PosixFile(int fd, std::string path, uint64_t size)
      : fd_(fd), path_(std::move(path)), size_(size) {}
  ~PosixFile() override { ::close(fd_); }

  uint64_t Size() const override { return size_; }

  void Append(ByteView data) override {
    size_t written = 0;
    while (written < data.size()) {
      ssize_t n = ::pwrite(fd_, data.data() + written, data.size() - written,
                           static_cast<off_t>(size_ + written));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) ThrowErrno("write " + path_);
      written += static_cast<size_t>(n);
    }
    size_ += written;
  }

  size_t ReadAt(uint64_t position, std::span<uint8_t> out) const override {
    size_t done = 0;
    while (done < out.size()) {
      ssize_t n = ::pread(fd_, out.data() + done, out.size() - done,
                          static_cast<off_t>(position + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) ThrowErrno("read " + path_);
      if (n == 0) break;  // end of file
      done += static_cast<size_t>(n);
    }
    return done;
  }

  void Truncate(uint64_t size) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
      ThrowErrno("truncate " + path_);
    }
    size_ = std::min(size_, size);
  }

  void Sync() override {
    if (::fsync(fd_) != 0) ThrowErrno("fsync " + path_);
  }

  int64_t LastModifiedMs() const override {
    struct stat info;
    if (::fstat(fd_, &info) != 0) ThrowErrno("stat " + path_);
    return int64_t(info.st_mtim.tv_sec) * 1000 + info.st_mtim.tv_nsec / 1000000;
  }

 private:
  int fd_;
  std::string path_;
  uint64_t size_;
};

}  // namespace

std::unique_ptr<File> PosixStorage::Open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) ThrowErrno("open " + path);
  off_t size = ::lseek(fd, 0, SEEK_END);
  if (size < 0) {
    ::close(fd);
    ThrowErrno("seek " + path);
  }
  return std::make_unique<PosixFile>(fd, path, static_cast<uint64_t>(size));
}

bool PosixStorage::Exists(const std::string& path) const {
  return std::filesystem::exists(path);
}

std::vector<std::string> PosixStorage::List(const std::string& dir) const {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_regular_file()) names.push_back(entry.path().filename());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> PosixStorage::ListDirectories(
    const std::string& dir) const {
  std::vector<std::string> names;
  if (!std::filesystem::is_directory(dir)) return names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.is_directory()) names.push_back(entry.path().filename());
  }
  std::sort(names.begin(), names.end());
  return names;
}

void PosixStorage::Remove(const std::string& path) {
  std::filesystem::remove(path);
}

void PosixStorage::Rename(const std::string& from, const std::string& to) {
  std::filesystem::rename(from, to);
}

void PosixStorage::CreateDirectories(const std::string& dir) {
  std::filesystem::create_directories(dir);
}

void PosixStorage::RenameDirectory(const std::string& from,
                                   const std::string& to) {
  std::filesystem::rename(from, to);
}

void PosixStorage::RemoveDirectory(const std::string& dir) {
  std::filesystem::remove_all(dir);
}

void PosixStorage::SyncDirectory(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) ThrowErrno("open directory " + dir);
  int error = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  if (error != 0) {
    throw std::system_error(error, std::generic_category(),
                            "fsync directory " + dir);
  }
}

}  // namespace kafka
