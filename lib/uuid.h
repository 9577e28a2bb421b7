/// \file
/// Kafka's Uuid: the 128-bit ids of topics (KIP-516) and, later, of
/// clusters and directories.
///
/// A topic's name can be reused (delete "orders", create "orders" again), so
/// from Kafka 2.8 each topic also gets an id at creation that is never
/// reused. Brokers keep it beside each partition's log, in the file
/// `partition.metadata`, and newer requests (Metadata v10+, Fetch v13+) name
/// topics by id. Kafka writes an id as 22 characters of URL-safe base64
/// without padding ("xyWMLfmYQJ6MvrqWjLRUqA"), and never hands out the
/// all-zero id (no topic) or ids whose text starts with '-', which a
/// command line would read as an option.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace kafka {

class Uuid {
 public:
  /// The all-zero id, Kafka's Uuid.ZERO_UUID: "no topic id".
  Uuid() = default;
  explicit Uuid(std::array<uint8_t, 16> bytes) : bytes_(bytes) {}

  /// A random (version 4) id, as Kafka's Uuid.randomUuid draws one: never
  /// zero, never Kafka's reserved id 1 (the metadata topic's), never one
  /// whose text starts with '-'.
  static Uuid Random(std::mt19937_64& random);
  /// Reads the 22-character text form; nullopt if it is not one.
  static std::optional<Uuid> Parse(std::string_view text);

  /// The 22-character URL-safe base64 form, without padding.
  std::string ToString() const;
  bool IsZero() const { return *this == Uuid(); }
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }

  auto operator<=>(const Uuid&) const = default;

 private:
  std::array<uint8_t, 16> bytes_{};
};

}  // namespace kafka
