// A fuzz target for everything a node decodes from the network: request
// frames (header, then every message body at every version we accept) and
// record batches. It must never crash, hang or trip a sanitizer, whatever the
// bytes. tools/fuzz.sh runs it under libFuzzer (clang); request_fuzzer_test
// runs it over a seed corpus and random inputs in every normal build.
#include <cstddef>
#include <cstdint>

#include "chapters/01_log/record_batch.h"
#include "lib/protocol/api_keys.h"
#include "lib/protocol/api_versions.h"
#include "lib/protocol/header.h"
#include "lib/protocol/message.h"

namespace kafka {
namespace {

void FuzzRequest(ByteView frame) {
  Result<Request> request = ParseRequest(frame);
  if (!request.ok()) return;
  const RequestHeader& header = request->header;
  if (header.api_key != static_cast<int16_t>(ApiKey::kApiVersions)) return;
  for (int16_t version = 0; version <= 3; ++version) {
    (void)DecodeMessage<ApiVersionsRequest>(request->body, ApiKey::kApiVersions,
                                            version, request->body_position,
                                            "ApiVersionsRequest");
    (void)DecodeMessage<ApiVersionsResponse>(
        request->body, ApiKey::kApiVersions, version, request->body_position,
        "ApiVersionsResponse");
  }
  static constexpr ApiKey kServed[] = {ApiKey::kApiVersions};
  (void)EncodeResponseFrame(header, AnswerApiVersions(header, kServed));
}

void FuzzRecordBatches(ByteView records) {
  (void)SplitAndValidateBatches(records);
  (void)DecodeRecordBatch(records);
}

}  // namespace
}  // namespace kafka

// The first byte chooses the decoder; the rest is its input.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  kafka::ByteView input(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    kafka::FuzzRequest(input);
  } else {
    kafka::FuzzRecordBatches(input);
  }
  return 0;
}
