#!/usr/bin/env bash
# Fuzzes what a node decodes from the network (request frames, record batches)
# with clang's libFuzzer, AddressSanitizer and UBSan, for a fixed time.
#
#   tools/fuzz.sh            # 30 seconds
#   tools/fuzz.sh 600        # ten minutes
#
# Bazel builds everything else with gcc, which has no libFuzzer, so this
# script compiles the target and the decoders it reaches with clang directly.
# A crash leaves its input in the work directory; rerun it with
#   /tmp/kafka-fuzz/network_input_fuzzer crash-<hash>
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
work=${FUZZ_WORK_DIR:-/tmp/kafka-fuzz}
mkdir -p "$work/corpus"
cp tests/fuzz/corpus/* "$work/corpus/"

# The message headers that lib/protocol generates from its schemas come
# from Bazel; the codec libraries that record batches need are Debian's.
bazel build //lib/protocol:protocol >/dev/null 2>&1 ||
  bazel build //lib/protocol:protocol
generated=$(bazel info bazel-bin 2>/dev/null)
sources=(
  tests/fuzz/network_input_fuzzer.cc
  chapters/01_log/record_batch.cc
  lib/bytes.cc lib/crc32c.cc lib/error.cc
  lib/compression/compression.cc lib/compression/gzip.cc
  lib/compression/lz4.cc lib/compression/snappy.cc lib/compression/zstd.cc
  lib/protocol/api_keys.cc lib/protocol/api_versions.cc
  lib/protocol/header.cc lib/protocol/wire.cc
)
clang++ -std=c++20 -O1 -g -I. -I"$generated" \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  "${sources[@]}" -lz -lsnappy -llz4 -lzstd -o "$work/network_input_fuzzer"

# A fixed seed, so a run is reproducible; -max_len covers large batches.
cd "$work"
./network_input_fuzzer -seed=1 -max_total_time="$seconds" -max_len=4096 \
  -print_final_stats=1 corpus
