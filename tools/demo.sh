#!/usr/bin/env bash
# Runs the demo: installs what is missing, then the Chapter 1 demo, which
# writes a log, crashes in the middle of an append, and recovers.
# Its files stay in ./kafka-demo-data (or the --data-dir you pass).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup.sh
exec bazel run //:demo -- "$@"
