#include "lib/storage/storage.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <random>

#include "lib/storage/memory_storage.h"
#include "lib/storage/posix_storage.h"

namespace kafka {
namespace {

// Both implementations behave alike for everything but crashes.
class StorageContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "posix") {
      dir_ = std::string(::testing::TempDir()) + "/storage_test_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name();
      std::filesystem::remove_all(dir_);
      storage_ = std::make_unique<PosixStorage>();
    } else {
      dir_ = "disk";
      storage_ = std::make_unique<MemoryStorage>();
    }
    storage_->CreateDirectories(dir_);
  }

  std::string dir_;
  std::unique_ptr<Storage> storage_;
};

TEST_P(StorageContractTest, AppendReadTruncate) {
  auto file = storage_->Open(dir_ + "/a.log");
  file->Append(AsBytes("hello "));
  file->Append(AsBytes("world"));
  EXPECT_EQ(file->Size(), 11u);

  Bytes buffer(5);
  EXPECT_EQ(file->ReadAt(6, buffer), 5u);
  EXPECT_EQ(AsString(buffer), "world");
  EXPECT_EQ(file->ReadAt(9, buffer), 2u) << "a read past the end is short";

  file->Truncate(5);
  EXPECT_EQ(AsString(ReadWholeFile(*storage_, dir_ + "/a.log")), "hello");
}

TEST_P(StorageContractTest, ListRenameRemove) {
  storage_->Open(dir_ + "/b");
  storage_->Open(dir_ + "/a");
  EXPECT_EQ(storage_->List(dir_), (std::vector<std::string>{"a", "b"}));
  storage_->Rename(dir_ + "/a", dir_ + "/c");
  storage_->Remove(dir_ + "/b");
  EXPECT_EQ(storage_->List(dir_), (std::vector<std::string>{"c"}));
  EXPECT_TRUE(storage_->Exists(dir_ + "/c"));
  EXPECT_FALSE(storage_->Exists(dir_ + "/a"));
}

TEST_P(StorageContractTest, ListDirectories) {
  storage_->CreateDirectories(dir_ + "/t-0");
  storage_->CreateDirectories(dir_ + "/t-1");
  storage_->Open(dir_ + "/t-0/a.log");
  storage_->Open(dir_ + "/t-1/a.log");
  storage_->Open(dir_ + "/file");
  EXPECT_EQ(storage_->ListDirectories(dir_),
            (std::vector<std::string>{"t-0", "t-1"}));
  EXPECT_TRUE(storage_->ListDirectories(dir_ + "/missing").empty());
}

TEST_P(StorageContractTest, WriteFileAtomicallyReplacesContents) {
  WriteFileAtomically(*storage_, dir_ + "/checkpoint", AsBytes("old"));
  WriteFileAtomically(*storage_, dir_ + "/checkpoint", AsBytes("new"));
  EXPECT_EQ(AsString(ReadWholeFile(*storage_, dir_ + "/checkpoint")), "new");
  EXPECT_EQ(storage_->List(dir_), (std::vector<std::string>{"checkpoint"}));
}

TEST_P(StorageContractTest, SyncDirectoryOfADirectoryWithFiles) {
  storage_->Open(dir_ + "/a.log")->Append(AsBytes("x"));
  storage_->SyncDirectory(dir_);
  EXPECT_EQ(storage_->List(dir_), (std::vector<std::string>{"a.log"}));
}

// Rule: a real file's modification time is the wall clock's, in milliseconds
// since the epoch, as record timestamps are (retention compares the two).
TEST(PosixStorageTest, ModificationTimeIsWallClockMilliseconds) {
  auto now_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  const std::string dir = std::string(::testing::TempDir()) + "/mtime_test";
  std::filesystem::remove_all(dir);
  PosixStorage storage;
  storage.CreateDirectories(dir);
  const int64_t before = now_ms();
  auto file = storage.Open(dir + "/a.log");
  file->Append(AsBytes("x"));
  // File systems keep times coarser than the clock: allow a second.
  EXPECT_GE(file->LastModifiedMs(), before - 1000);
  EXPECT_LE(file->LastModifiedMs(), now_ms() + 1000);
}

TEST_P(StorageContractTest, ExistsForDirectories) {
  EXPECT_TRUE(storage_->Exists(dir_));
  EXPECT_FALSE(storage_->Exists(dir_ + "/t-0"));
  CreateDirectoriesDurably(*storage_, dir_ + "/t-0/nested");
  EXPECT_TRUE(storage_->Exists(dir_ + "/t-0"));
  EXPECT_EQ(storage_->ListDirectories(dir_ + "/t-0"),
            (std::vector<std::string>{"nested"}));
}

TEST_P(StorageContractTest, RenameAndRemoveDirectories) {
  CreateDirectoriesDurably(*storage_, dir_ + "/t-0/nested");
  storage_->Open(dir_ + "/t-0/a.log")->Append(AsBytes("x"));
  storage_->Open(dir_ + "/t-0/nested/b");
  storage_->Open(dir_ + "/t-00.log");  // a name that only starts alike
  storage_->RenameDirectory(dir_ + "/t-0", dir_ + "/t-0.abc-delete");
  EXPECT_EQ(storage_->ListDirectories(dir_),
            (std::vector<std::string>{"t-0.abc-delete"}));
  EXPECT_EQ(AsString(ReadWholeFile(*storage_, dir_ + "/t-0.abc-delete/a.log")),
            "x");
  EXPECT_TRUE(storage_->Exists(dir_ + "/t-0.abc-delete/nested/b"));
  EXPECT_TRUE(storage_->Exists(dir_ + "/t-00.log"));
  storage_->RemoveDirectory(dir_ + "/t-0.abc-delete");
  EXPECT_TRUE(storage_->ListDirectories(dir_).empty());
  EXPECT_FALSE(storage_->Exists(dir_ + "/t-0.abc-delete/a.log"));
  EXPECT_EQ(storage_->List(dir_), (std::vector<std::string>{"t-00.log"}));
}

TEST(ParentDirectoryTest, Paths) {
  EXPECT_EQ(ParentDirectory("a/b/c"), "a/b");
  EXPECT_EQ(ParentDirectory("c"), ".");
  EXPECT_EQ(ParentDirectory("/c"), "/");
}

INSTANTIATE_TEST_SUITE_P(BothImplementations, StorageContractTest,
                         ::testing::Values("posix", "memory"));

// Rule: a crash keeps synced bytes and loses every unsynced byte at worst.
TEST(MemoryStorageTest, CrashLosesOnlyUnsyncedBytes) {
  MemoryStorage disk;
  auto file = disk.Open("d/f");
  disk.SyncDirectory("d");
  file->Append(AsBytes("durable"));
  file->Sync();
  file->Append(AsBytes("volatile"));
  EXPECT_EQ(disk.UnsyncedBytes(), 8u);

  disk.CrashLosingUnsynced();
  EXPECT_EQ(AsString(ReadWholeFile(disk, "d/f")), "durable");
}

// Rule: a crash may tear the last write: any prefix of the unsynced tail
// survives.
TEST(MemoryStorageTest, RandomCrashKeepsAPrefixOfTheUnsyncedTail) {
  std::mt19937_64 random(7);
  std::set<size_t> sizes_seen;
  for (int trial = 0; trial < 50; ++trial) {
    MemoryStorage disk;
    auto file = disk.Open("d/f");
    disk.SyncDirectory("d");
    file->Append(AsBytes("durable"));
    file->Sync();
    file->Append(AsBytes("volatile"));
    disk.Crash(random);
    std::string after = AsString(ReadWholeFile(disk, "d/f"));
    ASSERT_EQ(std::string("durablevolatile").substr(0, after.size()), after);
    ASSERT_GE(after.size(), 7u);
    sizes_seen.insert(after.size());
  }
  EXPECT_GT(sizes_seen.size(), 3u) << "torn writes of several lengths";
}

// Rule: a handle opened before a crash cannot change the disk after it.
TEST(MemoryStorageTest, StaleHandleCannotWriteAfterCrash) {
  MemoryStorage disk;
  auto file = disk.Open("d/f");
  disk.SyncDirectory("d");
  file->Append(AsBytes("a"));
  file->Sync();
  disk.CrashLosingUnsynced();
  file->Append(AsBytes("zombie"));
  EXPECT_EQ(AsString(ReadWholeFile(disk, "d/f")), "a");
}

// Rule: a new file's name survives a crash only once its directory is synced,
// however much of the file itself was synced.
TEST(MemoryStorageTest, CrashForgetsAFileCreatedSinceTheDirectorySync) {
  MemoryStorage disk;
  auto file = disk.Open("d/new.log");
  file->Append(AsBytes("synced"));
  file->Sync();
  disk.CrashLosingUnsynced();
  EXPECT_FALSE(disk.Exists("d/new.log"));

  disk.Open("d/new.log")->Sync();
  disk.SyncDirectory("d");
  disk.CrashLosingUnsynced();
  EXPECT_TRUE(disk.Exists("d/new.log"));
}

// Rule: syncing one directory says nothing about another.
TEST(MemoryStorageTest, SyncDirectoryCoversOnlyThatDirectory) {
  MemoryStorage disk;
  disk.Open("a/f");
  disk.Open("b/f");
  disk.SyncDirectory("a");
  disk.CrashLosingUnsynced();
  EXPECT_TRUE(disk.Exists("a/f"));
  EXPECT_FALSE(disk.Exists("b/f"));
}

// Rule: a rename or a removal not yet synced in the directory is undone by a
// crash (the old name, and the removed file, come back).
TEST(MemoryStorageTest, CrashUndoesUnsyncedRenamesAndRemovals) {
  MemoryStorage disk;
  disk.Open("d/old")->Append(AsBytes("x"));
  disk.Open("d/removed");
  disk.SyncDirectory("d");
  disk.Rename("d/old", "d/new");
  disk.Remove("d/removed");
  disk.CrashLosingUnsynced();
  EXPECT_EQ(disk.List("d"), (std::vector<std::string>{"old", "removed"}));
}

// Rule: a directory rename is one entry in the parent: a crash before the
// parent's sync undoes it, and after it keeps it, files and all.
TEST(MemoryStorageTest, DirectoryRenameIsDurableOnceTheParentIsSynced) {
  for (bool synced : {false, true}) {
    MemoryStorage disk;
    CreateDirectoriesDurably(disk, "data/t-0");
    disk.Open("data/t-0/f")->Sync();
    disk.SyncDirectory("data/t-0");
    disk.RenameDirectory("data/t-0", "data/t-0.abc-delete");
    if (synced) disk.SyncDirectory("data");
    disk.CrashLosingUnsynced();
    const std::string kept = synced ? "t-0.abc-delete" : "t-0";
    EXPECT_EQ(disk.ListDirectories("data"), (std::vector<std::string>{kept}))
        << synced;
    EXPECT_TRUE(disk.Exists("data/" + kept + "/f")) << synced;
  }
}

// Rule: a removed directory comes back in a crash before its parent's sync,
// with the files that were durable in it; after the sync it is gone.
TEST(MemoryStorageTest, DirectoryRemovalIsDurableOnceTheParentIsSynced) {
  for (bool synced : {false, true}) {
    MemoryStorage disk;
    CreateDirectoriesDurably(disk, "data/t-0.abc-delete");
    disk.Open("data/t-0.abc-delete/f")->Sync();
    disk.SyncDirectory("data/t-0.abc-delete");
    disk.RemoveDirectory("data/t-0.abc-delete");
    EXPECT_FALSE(disk.Exists("data/t-0.abc-delete/f"));
    if (synced) disk.SyncDirectory("data");
    disk.CrashLosingUnsynced();
    EXPECT_EQ(disk.Exists("data/t-0.abc-delete/f"), !synced) << synced;
  }
}

// Rule: a directory created since its parent was last synced vanishes in a
// crash, with every file in it, even files synced in it.
TEST(MemoryStorageTest, CrashForgetsADirectoryNotSyncedInItsParent) {
  MemoryStorage disk;
  disk.CreateDirectories("data/t-0");
  disk.Open("data/t-0/f")->Sync();
  disk.SyncDirectory("data/t-0");
  disk.CrashLosingUnsynced();
  EXPECT_FALSE(disk.Exists("data/t-0"));
  EXPECT_FALSE(disk.Exists("data/t-0/f"));
}

// Rule: CreateDirectoriesDurably syncs each new directory into its parent.
TEST(MemoryStorageTest, DurablyCreatedDirectoriesSurviveACrash) {
  MemoryStorage disk;
  CreateDirectoriesDurably(disk, "data/t-0");
  disk.Open("data/t-0/f")->Sync();
  disk.SyncDirectory("data/t-0");
  disk.CrashLosingUnsynced();
  EXPECT_TRUE(disk.Exists("data/t-0/f"));
  EXPECT_EQ(disk.ListDirectories("data"), (std::vector<std::string>{"t-0"}));
}

// Rule: WriteFileAtomically's rename survives a crash.
TEST(MemoryStorageTest, AtomicWriteSurvivesACrash) {
  MemoryStorage disk;
  WriteFileAtomically(disk, "d/checkpoint", AsBytes("0\n42\n"));
  disk.CrashLosingUnsynced();
  EXPECT_EQ(AsString(ReadWholeFile(disk, "d/checkpoint")), "0\n42\n");
}

// Rule: a file's modification time is the storage clock's time of its last
// write, and it survives a crash.
TEST(MemoryStorageTest, ModificationTimeFollowsWrites) {
  MemoryStorage disk;
  int64_t now_ms = 100;
  disk.set_clock([&] { return now_ms; });
  auto file = disk.Open("d/f");
  disk.SyncDirectory("d");
  now_ms = 200;
  file->Append(AsBytes("x"));
  file->Sync();
  now_ms = 300;
  EXPECT_EQ(file->LastModifiedMs(), 200);
  disk.CrashLosingUnsynced();
  EXPECT_EQ(disk.Open("d/f")->LastModifiedMs(), 200);
}

// A test that damages a file that is not there, or a byte past its end, is
// told which, not just "map::at".
TEST(MemoryStorageTest, FlipByteSaysWhatIsMissing) {
  MemoryStorage disk;
  disk.Open("d/f")->Append(AsBytes("abc"));
  try {
    disk.FlipByte("d/g", 0);
    FAIL() << "no exception";
  } catch (const std::out_of_range& e) {
    EXPECT_STREQ(e.what(), "FlipByte: no file d/g");
  }
  try {
    disk.FlipByte("d/f", 3);
    FAIL() << "no exception";
  } catch (const std::out_of_range& e) {
    EXPECT_STREQ(e.what(), "FlipByte: byte 3 is past the end of d/f (3 bytes)");
  }
}

TEST(MemoryStorageTest, FlipByteCorruptsOneByte) {
  MemoryStorage disk;
  disk.Open("d/f")->Append(AsBytes("abc"));
  disk.FlipByte("d/f", 1);
  Bytes contents = ReadWholeFile(disk, "d/f");
  EXPECT_EQ(contents[1], static_cast<uint8_t>('b' ^ 0xFF));
}

}  // namespace
}  // namespace kafka
