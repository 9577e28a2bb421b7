#!/usr/bin/env bash
# Runs the demo: installs what is missing, then the Chapter 2 demo: a broker on
# a free loopback port, our producer sending keyed records to three partitions,
# where the keys land under Java's and librdkafka's partitioners, and our
# consumer reading everything back. Its files stay in ./kafka-demo-data (or the
# --data-dir you pass); --stay keeps the broker up for kcat.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
exec bazel run //:demo -- "$@"
