/// \file
/// CRC-32C (Castagnoli), the checksum of Kafka's record batch v2.
///
/// Kafka protects each record batch with a CRC-32C computed over everything
/// from the `attributes` field to the end of the batch (see
/// DefaultRecordBatch.java). CRC-32C, unlike the zlib CRC-32 of older message
/// formats, has a dedicated instruction on x86 (SSE4.2), so brokers and clients
/// can check it at memory speed.
#pragma once

#include <cstdint>
#include <span>

namespace kafka {

/// Returns the CRC-32C of `data`. Uses the SSE4.2 instruction where the CPU has
/// it and a table-driven loop elsewhere; both give the same result.
uint32_t Crc32c(std::span<const uint8_t> data);

/// The portable table-driven version, exposed so tests can compare both paths.
uint32_t Crc32cPortable(std::span<const uint8_t> data);

}  // namespace kafka
