#!/usr/bin/env bash
# Checks that every lab is a fair exercise. CI runs it from the workspace root:
#
#   tools/check_labs.sh
#
# A lab is a directory labs/labNN_topic/ with a lab.conf, for example
#
#   LAB=lab01_log                          # the name in the BEGIN LAB markers
#   CHAPTER=chapters/01_log                # where the reference code lives
#   REFERENCE_TESTS="//chapters/01_log:all"  # the chapter's tests
#   LAB_TESTS="//labs/lab01_log"           # the same tests, built on the skeleton
#
# (Name the lab's tests explicitly in LAB_TESTS: they are tagged manual, so
# that `bazel test //...` passes on a fresh clone, and `:all` skips them.)
#
# For each lab it checks, in order:
#   1. the checked-in skeleton is what tools/labgen.py generates now;
#   2. the chapter's tests pass on the reference;
#   3. the lab's tests pass when the lab's files are the reference code
#      (so the lab's BUILD is right, and a failure below is the stub's doing);
#   4. the lab's tests fail on the skeleton, because tests fail, not the build;
#   5. each region alone, stubbed while the others stay reference code, makes
#      some test fail: no region is left uncovered by the tests.
# Steps 3 and 5 overwrite the skeleton; it is restored afterwards, also when
# the script is interrupted.
#
# Environment: BAZEL (default bazel), PYTHON (default python3).
# Exit status: 0 if every lab passes every check, 1 otherwise.

set -u -o pipefail
cd "$(dirname "$0")/.." || exit 1

BAZEL=${BAZEL:-bazel}
PYTHON=${PYTHON:-python3}
LOGS=$(mktemp -d)

labgen() { "$PYTHON" tools/labgen.py "$@"; }

# bazel_test LOG ARGS...: runs `bazel test ARGS...` with its output in LOG;
# returns Bazel's exit code: 0 tests passed, 1 build failed, 3 tests failed,
# 4 no tests to run.
bazel_test() {
  local log=$1
  shift
  "$BAZEL" test --noshow_progress "$@" </dev/null >"$log" 2>&1
}

# explain CODE: what a `bazel test` exit code means.
explain() {
  case $1 in
    0) echo "tests passed" ;;
    1) echo "build failed" ;;
    3) echo "tests failed" ;;
    4) echo "no tests ran (are they tagged manual and matched by a wildcard?)" ;;
    *) echo "bazel exited with $1" ;;
  esac
}

# The lab whose skeleton is overwritten right now, as "LAB CHAPTER DIR".
overwritten=""

# restore_skeleton: generates that lab's skeleton again and checks it; going
# on without the checked-in skeleton would be wrong, so a failure ends the run.
restore_skeleton() {
  local lab chapter dir
  read -r lab chapter dir <<<"$overwritten"
  overwritten=""
  if ! labgen generate --lab "$lab" --chapter "$chapter" --out "$dir" >/dev/null ||
    ! labgen check --lab "$lab" --chapter "$chapter" --out "$dir" >/dev/null; then
    echo "$lab: FAIL could not restore the skeleton in $dir; run tools/labgen.py generate" >&2
    exit 1
  fi
}

on_exit() {
  if [[ -n $overwritten ]]; then
    echo "interrupted: restoring the skeleton" >&2
    restore_skeleton
  fi
  rm -rf "$LOGS"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# check_lab DIR: runs the checks for the lab in DIR; returns the number of
# failed checks (0 when the lab is fine).
check_lab() {
  local dir=$1
  local LAB="" CHAPTER="" REFERENCE_TESTS="" LAB_TESTS=""
  # shellcheck source=/dev/null
  source "$dir/lab.conf"
  if [[ -z $LAB || -z $CHAPTER || -z $REFERENCE_TESTS || -z $LAB_TESTS ]]; then
    echo "$dir: FAIL lab.conf must set LAB, CHAPTER, REFERENCE_TESTS and LAB_TESTS"
    return 1
  fi
  local reference_tests lab_tests
  read -ra reference_tests <<<"$REFERENCE_TESTS"
  read -ra lab_tests <<<"$LAB_TESTS"
  local failed=0 code log="$LOGS/$LAB.log"

  # 1. The skeleton is current.
  code=0
  labgen check --lab "$LAB" --chapter "$CHAPTER" --out "$dir" >"$log" 2>&1 || code=$?
  if [[ $code != 0 ]]; then
    cat "$log"
    if [[ $code == 1 ]]; then
      echo "$LAB: FAIL the skeleton in $dir is stale (see the diff above)"
    else
      echo "$LAB: FAIL tools/labgen.py check: see the error above"
    fi
    # The other checks would overwrite the skeleton: leave it as it is.
    return 1
  fi
  local regions
  mapfile -t regions < <(labgen list --lab "$LAB" --chapter "$CHAPTER")
  echo "$LAB: skeleton is current (${#regions[@]} regions)"

  # 2. The chapter's tests pass on the reference.
  code=0
  bazel_test "$log" "${reference_tests[@]}" || code=$?
  if [[ $code == 0 ]]; then
    echo "$LAB: reference tests pass"
  else
    cat "$log"
    echo "$LAB: FAIL reference tests $REFERENCE_TESTS: $(explain $code)"
    failed=$((failed + 1))
  fi

  # 3. The lab's tests pass when the lab holds the reference code.
  overwritten="$LAB $CHAPTER $dir"
  labgen generate --lab "$LAB" --chapter "$CHAPTER" --out "$dir" --no-stubs >/dev/null
  code=0
  bazel_test "$log" "${lab_tests[@]}" || code=$?
  if [[ $code == 0 ]]; then
    echo "$LAB: lab tests pass on the reference code"
  else
    cat "$log"
    echo "$LAB: FAIL lab tests $LAB_TESTS on the reference code: $(explain $code)"
    failed=$((failed + 1))
  fi
  restore_skeleton

  # 4. The lab's tests fail on the skeleton, and the build does not.
  code=0
  bazel_test "$log" --test_output=summary "${lab_tests[@]}" || code=$?
  if [[ $code == 3 ]]; then
    echo "$LAB: lab tests fail on the skeleton"
  else
    cat "$log"
    echo "$LAB: FAIL lab tests on the skeleton: $(explain $code), want tests failed"
    failed=$((failed + 1))
  fi

  # 5. Each region, stubbed alone, is caught by some test.
  local line index file function
  for line in "${regions[@]}"; do
    read -r index file function <<<"$line"
    overwritten="$LAB $CHAPTER $dir"
    labgen generate --lab "$LAB" --chapter "$CHAPTER" --out "$dir" --only "$index" >/dev/null
    code=0
    bazel_test "$log" --test_output=summary "${lab_tests[@]}" || code=$?
    restore_skeleton
    if [[ $code == 3 ]]; then
      echo "$LAB region $index $function: caught by tests"
    elif [[ $code == 0 ]]; then
      echo "$LAB region $index $function: FAIL not caught: tests pass with only this region ($file) stubbed"
      failed=$((failed + 1))
    else
      cat "$log"
      echo "$LAB region $index $function: FAIL $(explain $code) with only this region ($file) stubbed, want tests failed"
      failed=$((failed + 1))
    fi
  done
  return $((failed > 100 ? 100 : failed))
}

labs=0
failed_labs=0
for conf in labs/lab*/lab.conf; do
  [[ -f $conf ]] || continue
  dir=$(dirname "$conf")
  labs=$((labs + 1))
  failures=0
  check_lab "$dir" || failures=$?
  if [[ $failures == 0 ]]; then
    echo "$dir: OK"
  else
    echo "$dir: FAILED ($failures failed)"
    failed_labs=$((failed_labs + 1))
  fi
done

if [[ $labs == 0 ]]; then
  echo "check_labs: no labs/lab*/lab.conf found"
elif [[ $failed_labs == 0 ]]; then
  echo "check_labs: all $labs labs OK"
else
  echo "check_labs: $failed_labs of $labs labs FAILED"
  exit 1
fi
