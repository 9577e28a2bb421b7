#include "chapters/02_partitions/partitioner.h"

#include <array>

namespace kafka {
namespace {

// MurmurHash2's constants, as Kafka's Utils.murmur2 fixes them. The arithmetic
// below is on uint32_t, which wraps like Java's int and shifts right like
// Java's >>>.
constexpr uint32_t kMurmur2Seed = 0x9747b28c;
constexpr uint32_t kMurmur2Multiplier = 0x5bd1e995;
constexpr int kMurmur2Shift = 24;

uint32_t LittleEndianWord(ByteView four_bytes) {
  return uint32_t{four_bytes[0]} | uint32_t{four_bytes[1]} << 8 |
         uint32_t{four_bytes[2]} << 16 | uint32_t{four_bytes[3]} << 24;
}

// Folds one 4-byte word into the running hash.
uint32_t MixWord(uint32_t hash, uint32_t word) {
  word *= kMurmur2Multiplier;
  word ^= word >> kMurmur2Shift;
  word *= kMurmur2Multiplier;
  return (hash * kMurmur2Multiplier) ^ word;
}

// Folds the last 1 to 3 bytes (the tail after the whole words) into the hash:
// byte i goes to bits 8i..8i+7, then one multiplication.
uint32_t MixTail(uint32_t hash, ByteView tail) {
  if (tail.empty()) return hash;
  for (size_t i = 0; i < tail.size(); ++i) hash ^= uint32_t{tail[i]} << (8 * i);
  return hash * kMurmur2Multiplier;
}

// Spreads the last bits mixed in across the whole word.
uint32_t Finalize(uint32_t hash) {
  hash ^= hash >> 13;
  hash *= kMurmur2Multiplier;
  return hash ^ (hash >> 15);
}

// zlib's CRC-32 polynomial, bit-reversed (the CRC processes bits LSB first).
constexpr uint32_t kCrc32Polynomial = 0xEDB88320;

constexpr std::array<uint32_t, 256> MakeCrc32Table() {
  std::array<uint32_t, 256> table{};
  for (uint32_t byte = 0; byte < 256; ++byte) {
    uint32_t crc = byte;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 1) ? (crc >> 1) ^ kCrc32Polynomial : crc >> 1;
    }
    table[byte] = crc;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kCrc32Table = MakeCrc32Table();

int32_t UniformPartition(std::mt19937_64& random, int32_t num_partitions) {
  return std::uniform_int_distribution<int32_t>(0, num_partitions - 1)(random);
}

// A uniform choice among the partitions other than `previous`: draw from one
// fewer, then skip over `previous`.
int32_t Murmur2Partition(ByteView key, int32_t num_partitions) {
  return ToPositive(Murmur2(key)) % num_partitions;
}

}  // namespace

int32_t Murmur2(ByteView key) {
  // Java hashes the length as an int, so keys past 2 GiB wrap the same way.
  uint32_t hash = kMurmur2Seed ^ static_cast<uint32_t>(key.size());
  size_t whole_words = key.size() / 4;
  for (size_t word = 0; word < whole_words; ++word) {
    hash = MixWord(hash, LittleEndianWord(key.subspan(4 * word, 4)));
  }
  hash = MixTail(hash, key.subspan(4 * whole_words));
  return static_cast<int32_t>(Finalize(hash));
}

int32_t ToPositive(int32_t value) { return value & 0x7fffffff; }

uint32_t Crc32(ByteView data) {
  uint32_t crc = 0xFFFFFFFF;
  for (uint8_t byte : data) crc = kCrc32Table[(crc ^ byte) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFF;
}

int32_t JavaDefaultPartitioner::Partition(const std::optional<Bytes>& key,
                                          int32_t num_partitions) {
  if (key.has_value()) return Murmur2Partition(*key, num_partitions);
  return StickyPartition(num_partitions);
}

int32_t JavaDefaultPartitioner::StickyPartition(int32_t num_partitions) {
  // A new draw among all partitions, the current one included, as
  // BuiltInPartitioner.nextPartition does.
  if (!sticky_partition_.has_value() || batch_full_ ||
      *sticky_partition_ >= num_partitions) {
    sticky_partition_ = UniformPartition(random_, num_partitions);
  }
  batch_full_ = false;
  return *sticky_partition_;
}

int32_t ConsistentRandomPartitioner::Partition(const std::optional<Bytes>& key,
                                               int32_t num_partitions) {
  if (!key.has_value() || key->empty()) {
    return UniformPartition(random_, num_partitions);
  }
  return static_cast<int32_t>(Crc32(*key) %
                              static_cast<uint32_t>(num_partitions));
}

int32_t Murmur2RandomPartitioner::Partition(const std::optional<Bytes>& key,
                                            int32_t num_partitions) {
  if (!key.has_value()) return UniformPartition(random_, num_partitions);
  return Murmur2Partition(*key, num_partitions);
}

std::unique_ptr<Partitioner> MakePartitioner(std::string_view name,
                                             std::mt19937_64& random) {
  if (name == "java_default") {
    return std::make_unique<JavaDefaultPartitioner>(random);
  }
  if (name == "consistent_random") {
    return std::make_unique<ConsistentRandomPartitioner>(random);
  }
  if (name == "murmur2_random") {
    return std::make_unique<Murmur2RandomPartitioner>(random);
  }
  return nullptr;
}

}  // namespace kafka
