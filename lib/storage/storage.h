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
/// crash. A file's data is not all there is: its name is an entry in its
/// directory, and a new, renamed or removed entry survives a power failure only
/// once the directory itself is synced (SyncDirectory, an fsync of the
/// directory). Kafka does this (Utils.flushDir) whenever it creates segment
/// files, a partition directory, or renames a checkpoint into place.
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
  /// Makes everything written so far durable (fsync). The file's name in its
  /// directory is another matter: see Storage::SyncDirectory.
  virtual void Sync() = 0;
  /// When the file was last written or truncated, in milliseconds since the
  /// epoch (its mtime). Kafka falls back on it for a segment whose batches
  /// carry no timestamp.
  virtual int64_t LastModifiedMs() const = 0;
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
  /// Renames a directory and everything in it (a rename of one entry in its
  /// parent: durable once the parent is synced). Kafka renames a deleted
  /// partition's directory this way before removing it.
  virtual void RenameDirectory(const std::string& from,
                               const std::string& to) = 0;
  /// Removes a directory and everything in it (Kafka's Utils.delete); gone
  /// for good once its parent is synced.
  virtual void RemoveDirectory(const std::string& dir) = 0;
  /// Makes the entries of `dir` durable (fsync of the directory): files and
  /// directories created, renamed or removed in it survive a crash only after
  /// this.
  virtual void SyncDirectory(const std::string& dir) = 0;
};

/// The directory that holds `path`: "a/b" for "a/b/c", "." for "c", "/" for
/// "/c".
std::string ParentDirectory(const std::string& path);

/// Creates `dir` (and any missing parents) so that it survives a crash: each
/// new directory's entry is synced in its parent, as Kafka does when it
/// creates a partition's directory.
void CreateDirectoriesDurably(Storage& storage, const std::string& dir);

/// Reads a whole file.
Bytes ReadWholeFile(Storage& storage, const std::string& path);

/// Replaces the file at `path` with `contents` so that a crash leaves either
/// the old or the new contents, never a mix: write a temporary file, sync it,
/// rename it over the old one, sync the directory so that the rename itself
/// survives. Kafka writes its checkpoint files this way
/// (Utils.atomicMoveWithFallback). Syncing the directory also makes every
/// other entry created in it so far durable, such as a new segment's files.
void WriteFileAtomically(Storage& storage, const std::string& path,
                         ByteView contents);

}  // namespace kafka
