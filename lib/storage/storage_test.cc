#include "lib/storage/storage.h"

#include <gtest/gtest.h>

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

INSTANTIATE_TEST_SUITE_P(BothImplementations, StorageContractTest,
                         ::testing::Values("posix", "memory"));

// Rule: a crash keeps synced bytes and loses every unsynced byte at worst.
TEST(MemoryStorageTest, CrashLosesOnlyUnsyncedBytes) {
  MemoryStorage disk;
  auto file = disk.Open("d/f");
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
  file->Append(AsBytes("a"));
  file->Sync();
  disk.CrashLosingUnsynced();
  file->Append(AsBytes("zombie"));
  EXPECT_EQ(AsString(ReadWholeFile(disk, "d/f")), "a");
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
