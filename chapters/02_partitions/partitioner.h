/// \file
/// Partitioners: which partition of a topic a record goes to.
///
/// A topic is split into partitions, and Kafka orders records only within a
/// partition. The producer, not the broker, picks the partition: it hashes the
/// record's key, so that every record with the same key lands on the same
/// partition and is read back in the order it was written. A record without a
/// key has no order to keep, and the producer may put it anywhere.
///
/// The catch is that "hash the key" is the client's choice, and the two
/// families of clients chose differently:
///
///     client and setting         keyed record         null key  empty key
///     -------------------------  -------------------  --------  ---------
///     Java (built-in)            murmur2 (positive)   sticky    hashed
///     librdkafka                 crc32                random    random
///       consistent_random
///     librdkafka                 murmur2 (positive)   random    hashed
///       murmur2_random
///
/// A hash h picks partition h % N; "murmur2 (positive)" is
/// ToPositive(Murmur2(key)).
///
/// consistent_random is librdkafka's default, and so the default of every
/// client built on it (confluent-kafka-python, -go, -dotnet, kcat). A Java
/// producer and a librdkafka producer writing the same key to the same topic
/// therefore put it on different partitions, and a consumer that relies on
/// "all records for this key are in one partition" silently sees two streams.
/// Setting librdkafka's `partitioner=murmur2_random` is the fix.
///
/// A partitioner's answer also depends on the partition count, so adding
/// partitions to a topic moves keys: records written before and after the
/// change are no longer ordered with respect to each other.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string_view>

#include "lib/bytes.h"

namespace kafka {

/// Java's Utils.murmur2: 32-bit MurmurHash2 with seed 0x9747b28c, reading the
/// input as little-endian 4-byte words. Returns the hash as Java's signed int.
int32_t Murmur2(ByteView key);

/// Java's Utils.toPositive: clears the sign bit. Unlike Math.abs it maps
/// Integer.MIN_VALUE to 0 rather than to itself, so the result is never
/// negative.
int32_t ToPositive(int32_t value);

/// zlib's CRC-32 (reflected polynomial 0xEDB88320, initial value and final xor
/// 0xFFFFFFFF), the hash of librdkafka's consistent partitioners. Not the
/// CRC-32C that protects record batches (lib/crc32c.h).
uint32_t Crc32(ByteView data);

/// Chooses a partition for each record a producer sends to one topic. A
/// producer keeps one partitioner per topic, because the sticky state of
/// JavaDefaultPartitioner belongs to a topic (as Java's BuiltInPartitioner
/// does).
class Partitioner {
 public:
  virtual ~Partitioner() = default;

  /// The partition, in [0, num_partitions), for a record with `key`
  /// (nullopt = a null key, distinct from an empty one). `num_partitions` is
  /// at least 1.
  virtual int32_t Partition(const std::optional<Bytes>& key,
                            int32_t num_partitions) = 0;

  /// The producer calls this when the batch that null-key records have been
  /// going into is full. Only a sticky partitioner cares; the others ignore
  /// it.
  virtual void OnBatchFull() {}
};

/// The Java producer's built-in partitioner (no `partitioner.class` set;
/// BuiltInPartitioner since Kafka 3.3):
/// - a record with a key goes to ToPositive(Murmur2(key)) % N, an empty key
///   included;
/// - records with a null key stick to one random partition until OnBatchFull,
///   then draw a new random one, possibly the same (the uniform sticky
///   partitioner, KIP-794), so that they fill one batch at a time rather than
///   many small batches at once.
///
/// Simplified: Java switches after batch.size bytes have gone to the
/// partition, and by default favours partitions with shorter queues
/// (partitioner.adaptive.partitioning.enable); here the producer says when a
/// batch is full, and every draw is uniform.
class JavaDefaultPartitioner : public Partitioner {
 public:
  explicit JavaDefaultPartitioner(std::mt19937_64& random) : random_(random) {}

  int32_t Partition(const std::optional<Bytes>& key,
                    int32_t num_partitions) override;
  void OnBatchFull() override { batch_full_ = true; }

 private:
  int32_t StickyPartition(int32_t num_partitions);

  std::mt19937_64& random_;
  std::optional<int32_t> sticky_partition_;  ///< none before the first record
  bool batch_full_ = false;
};

/// librdkafka's default, `partitioner=consistent_random`: Crc32(key) % N for a
/// key of one byte or more; a random partition for a null or empty key (both
/// have length 0 to librdkafka).
class ConsistentRandomPartitioner : public Partitioner {
 public:
  explicit ConsistentRandomPartitioner(std::mt19937_64& random)
      : random_(random) {}

  int32_t Partition(const std::optional<Bytes>& key,
                    int32_t num_partitions) override;

 private:
  std::mt19937_64& random_;
};

/// librdkafka's `partitioner=murmur2_random`, the Java-compatible choice:
/// ToPositive(Murmur2(key)) % N for any non-null key, an empty one included,
/// so keyed records land where a Java producer puts them; a random partition
/// (not sticky) for a null key.
class Murmur2RandomPartitioner : public Partitioner {
 public:
  explicit Murmur2RandomPartitioner(std::mt19937_64& random)
      : random_(random) {}

  int32_t Partition(const std::optional<Bytes>& key,
                    int32_t num_partitions) override;

 private:
  std::mt19937_64& random_;
};

/// Makes a partitioner by name: librdkafka's `partitioner` config values
/// "consistent_random" and "murmur2_random", and "java_default" for the Java
/// producer's built-in partitioner. ("default" is not accepted: it means
/// consistent_random to a librdkafka user and murmur2 to a Java user.) Returns
/// nullptr for any other name. `random` must outlive the partitioner.
std::unique_ptr<Partitioner> MakePartitioner(std::string_view name,
                                             std::mt19937_64& random);

}  // namespace kafka
