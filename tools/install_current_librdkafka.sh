#!/usr/bin/env bash
# Installs a current librdkafka for the interop tests of today's protocol
# versions: Debian 12's librdkafka (kcat, confluent-kafka) is 2.0.2 of 2023,
# while @confluentinc/kafka-javascript on the npm registry builds the
# librdkafka it bundles (2.15 in 1.10.1). With CKJS_LINKING=dynamic it
# builds from that source against Debian's libraries (OpenSSL, zlib, zstd,
# lz4) instead of downloading anything but the package; --nodedir makes
# node-gyp use the installed Node headers rather than fetch them. Takes a few
# minutes once; does nothing when the right version is there.
#
#   tools/install_current_librdkafka.sh   (tools/setup.sh runs it)
set -euo pipefail

CKJS_VERSION=1.10.1
# tests/current_librdkafka_test.sh looks here too.
CKJS_DIR=${CKJS_DIR:-/opt/literate-kafka/node}
package_json=$CKJS_DIR/node_modules/@confluentinc/kafka-javascript/package.json

if [[ -f $package_json ]] &&
  grep -q "\"version\": \"$CKJS_VERSION\"" "$package_json"; then
  exit 0
fi

as_root=()
if [[ $(id -u) -ne 0 ]]; then as_root=(sudo); fi

# Node, npm and Node's headers for node-gyp: Debian's packages, unless a Node
# with npm is installed already.
if ! command -v npm >/dev/null || [[ ! -f /usr/include/node/common.gypi ]]; then
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q nodejs npm libnode-dev libssl-dev
fi

echo "setup: building @confluentinc/kafka-javascript $CKJS_VERSION in $CKJS_DIR"
"${as_root[@]}" mkdir -p "$CKJS_DIR"
cd "$CKJS_DIR"
[[ -f package.json ]] ||
  echo '{"name": "literate-kafka-node-clients", "private": true}' |
  "${as_root[@]}" tee package.json >/dev/null
"${as_root[@]}" env CKJS_LINKING=dynamic npm install --no-audit --no-fund \
  --nodedir=/usr "@confluentinc/kafka-javascript@$CKJS_VERSION"
