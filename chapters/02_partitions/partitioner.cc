#include "chapters/02_partitions/partitioner.h"

#include <array>

#include "lib/lab.h"

namespace kafka {
namespace {

// MurmurHash2's constants, as Kafka's Utils.murmur2 fixes them. The arithmetic
// below is on uint32_t, which wraps like Java's int and shifts right like
// Java's >>>.
constexpr uint32_t kMurmur2Seed = 0x9747b28c;
constexpr uint32_t kMurmur2Multiplier = 0x5bd1e995;
constexpr int kMurmur2Shift = 24;

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

//! [murmur2 partition]
// Where a keyed record goes under Java's partitioner and murmur2_random.
int32_t Murmur2Partition(ByteView key, int32_t num_partitions) {
  return ToPositive(Murmur2(key)) % num_partitions;
}
//! [murmur2 partition]

}  // namespace

int32_t Murmur2(ByteView key) {
  // BEGIN LAB lab02_partitions Murmur2
  // HINT: Java's Utils.murmur2, bit for bit, in uint32_t (see above).
  // HINT: Start: the hash is kMurmur2Seed xor the key's length.
  // HINT: Main loop, per whole 4-byte word, read little-endian (the
  // HINT: first byte is the lowest): scramble the word (multiply by
  // HINT: kMurmur2Multiplier, xor in itself shifted right by
  // HINT: kMurmur2Shift, multiply again), then multiply the hash by
  // HINT: kMurmur2Multiplier and xor the scrambled word into it.
  // HINT: Tail, the 1 to 3 bytes left: xor byte i into the hash at bit
  // HINT: 8 * i, then multiply the hash once (no tail: no multiply).
  // HINT: Final mix: xor in hash >> 13, multiply by kMurmur2Multiplier,
  // HINT: xor in hash >> 15. Return the bits as an int32_t.
  // Java hashes the length as an int, so keys past 2 GiB wrap the same way.
  uint32_t hash = kMurmur2Seed ^ static_cast<uint32_t>(key.size());
  const size_t whole_words = key.size() / 4;
  for (size_t i = 0; i < whole_words; ++i) {
    // A little-endian word: the first of its bytes is the lowest.
    const size_t at = 4 * i;
    uint32_t word = uint32_t{key[at]} | uint32_t{key[at + 1]} << 8 |
                    uint32_t{key[at + 2]} << 16 | uint32_t{key[at + 3]} << 24;
    word *= kMurmur2Multiplier;
    word ^= word >> kMurmur2Shift;
    word *= kMurmur2Multiplier;
    hash = (hash * kMurmur2Multiplier) ^ word;
  }
  // The tail after the whole words: byte i goes to bits 8i..8i+7, then one
  // multiplication.
  const ByteView tail = key.subspan(4 * whole_words);
  if (!tail.empty()) {
    for (size_t i = 0; i < tail.size(); ++i) {
      hash ^= uint32_t{tail[i]} << (8 * i);
    }
    hash *= kMurmur2Multiplier;
  }
  // The final mix spreads the last bits mixed in across the whole word.
  hash ^= hash >> 13;
  hash *= kMurmur2Multiplier;
  hash ^= hash >> 15;
  return static_cast<int32_t>(hash);
  // END LAB
}

int32_t ToPositive(int32_t value) { return value & 0x7fffffff; }

uint32_t Crc32(ByteView data) {
  uint32_t crc = 0xFFFFFFFF;
  for (uint8_t byte : data) crc = kCrc32Table[(crc ^ byte) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFF;
}

//! [java partitioner]
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
//! [java partitioner]

//! [consistent random]
int32_t ConsistentRandomPartitioner::Partition(const std::optional<Bytes>& key,
                                               int32_t num_partitions) {
  if (!key.has_value() || key->empty()) {
    return UniformPartition(random_, num_partitions);
  }
  return static_cast<int32_t>(Crc32(*key) %
                              static_cast<uint32_t>(num_partitions));
}
//! [consistent random]

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
