#!/usr/bin/env bash
# bazel run //book:open: print where the built book is, and open it if a
# browser can be shown. The book is a data dependency, so `bazel run` builds it
# first. $1 is the book's folder relative to the runfiles root (book/html).
set -euo pipefail

book_dir="${1:-book/html}"
runfiles="${RUNFILES_DIR:-$0.runfiles}"

index=""
for candidate in \
    "${runfiles}/literate_kafka/${book_dir}/index.html" \
    "${PWD}/${book_dir}/index.html"; do
  if [[ -f "${candidate}" ]]; then
    index="${candidate}"
    break
  fi
done
if [[ -z "${index}" ]]; then
  echo "book/open: cannot find ${book_dir}/index.html; run 'bazel build //book'" >&2
  exit 1
fi

# The runfiles tree holds symlinks; find the file Bazel actually wrote, and
# name it by the workspace's bazel-bin link when that leads to the same file.
index="$(readlink -f "${index}")"
if [[ -n "${BUILD_WORKSPACE_DIRECTORY:-}" ]]; then
  short="${BUILD_WORKSPACE_DIRECTORY}/bazel-bin/${book_dir}/index.html"
  if [[ "$(readlink -f "${short}" 2>/dev/null)" == "${index}" ]]; then
    index="${short}"
  fi
fi
echo "The book is at file://${index}"

if [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]] && command -v xdg-open >/dev/null; then
  xdg-open "file://${index}" >/dev/null 2>&1 &
elif [[ "$(uname)" == Darwin ]]; then
  open "file://${index}"
fi
