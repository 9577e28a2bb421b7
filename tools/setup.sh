#!/usr/bin/env bash
# Installs every Debian package this project needs, then a current librdkafka
# from the npm registry, and nothing when all are there. Safe to run again
# and again; works as root or through sudo.
#
#   tools/setup.sh
set -euo pipefail

PACKAGES=(
  bazel-bootstrap   # Bazel 4.2.3, the build (offline-capable, classic WORKSPACE)
  bazel-rules-java  # rules_java, which Bazel's toolchain resolution loads
  build-essential   # gcc 12, the C++20 compiler
  clang             # libFuzzer (tools/fuzz.sh), which gcc does not have
  clang-format      # the code style check in .ci/run
  libclang-rt-14-dev  # clang's sanitizer and fuzzer runtimes
  libgtest-dev      # GoogleTest
  libgmock-dev      # GoogleMock
  libbenchmark-dev  # Google Benchmark
  libasio-dev       # the event loop and sockets of the real runtime
  libcli11-dev      # command-line flags for the demos and tools
  zlib1g-dev        # gzip, one of the record batch codecs (lib/compression)
  libsnappy-dev     # snappy, a record batch codec
  liblz4-dev        # lz4 (frame format), a record batch codec
  libzstd-dev       # zstd, a record batch codec
  doxygen           # the book
  graphviz          # the book's diagrams
  kcat              # librdkafka's command-line client, for interop tests
  python3           # /usr/bin/python3, for the lab generator and client tests
  python3-kafka     # kafka-python: an independent Kafka client and format reader
  python3-confluent-kafka  # confluent-kafka (librdkafka), for interop tests
  python3-snappy    # kafka-python's snappy codec
  python3-lz4       # kafka-python's lz4 codec
  python3-zstandard # kafka-python's zstd codec
)

missing=()
for package in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$package")
done

if [[ ${#missing[@]} -gt 0 ]]; then
  if [[ $(id -u) -eq 0 ]]; then
    as_root=()
  elif command -v sudo >/dev/null; then
    as_root=(sudo)
  else
    echo "setup: these packages are missing: ${missing[*]}" >&2
    echo "setup: run tools/setup.sh as root, or install sudo" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  "${as_root[@]}" apt-get update -q
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q "${missing[@]}"
fi

# A current librdkafka from the npm registry, for today's protocol versions.
"$(dirname "$0")/install_current_librdkafka.sh"
