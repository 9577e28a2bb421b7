#!/bin/sh
echo "coverage reports need Bazel's downloaded tools, which are unavailable offline" >&2
exit 1
