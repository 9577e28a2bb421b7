/// \file
/// The storage interface: the only way a node touches a disk.
///
/// Kafka keeps each partition as files in a directory: segments (.log), their
/// indexes (.index, .timeindex) and small checkpoint files. The log in Chapter
/// 1 reaches them only through this interface, so the same code runs on real
/// files (PosixStorage) and on an in-memory disk that can crash
/// (MemoryStorage), which is how tests show what a crash loses.
///
/// The interface draws the line that matters for durability: Append puts bytes
/// in the operating system's page cache, where every reader sees them at once
/// but a power failure loses them; Sync (fsync) is what makes them survive a
/// crash.
///
/// Errors from the operating system (disk full, permission denied) are not bad
/// input: Kafka takes the whole log directory offline on such an error
/// (KAFKA_STORAGE_ERROR). Here they throw std::system_error.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "lib/bytes.h"

namespace kafka {

/// An open file, written only at its end.
class File {
 public:
  virtual ~File() = default;

  virtual uint64_t Size() const = 0;
  /// Writes at the end of the file; visible to readers at once, durable only
  /// after Sync.
  virtual void Append(ByteView data) = 0;
  /// Reads up to out.size() bytes at `position`; returns how many were read
  /// (fewer at the end of the file).
  virtual size_t ReadAt(uint64_t position, std::span<uint8_t> out) const = 0;
  /// Cuts the file to `size` bytes.
  virtual void Truncate(uint64_t size) = 0;
  /// Makes everything written so far durable (fsync).
  virtual void Sync() = 0;
};

/// A file system: directories of named files.
class Storage {
 public:
  virtual ~Storage() = default;

  /// Opens a file for reading and appending, creating an empty one if missing.
  virtual std::unique_ptr<File> Open(const std::string& path) = 0;
  virtual bool Exists(const std::string& path) const = 0;
  /// The names (not paths) of the files in `dir`, sorted.
  virtual std::vector<std::string> List(const std::string& dir) const = 0;
  /// The names of the directories in `dir`, sorted; none if `dir` is missing.
  virtual std::vector<std::string> ListDirectories(
      const std::string& dir) const = 0;
  virtual void Remove(const std::string& path) = 0;
  /// Atomically replaces `to` with `from`.
  virtual void Rename(const std::string& from, const std::string& to) = 0;
  virtual void CreateDirectories(const std::string& dir) = 0;
};

/// Reads a whole file.
Bytes ReadWholeFile(Storage& storage, const std::string& path);

/// Replaces the file at `path` with `contents` so that a crash leaves either
/// the old or the new contents, never a mix: write a temporary file, sync it,
/// rename it over the old one. Kafka writes its checkpoint files this way.
void WriteFileAtomically(Storage& storage, const std::string& path,
                         ByteView contents);

}  // namespace kafka
