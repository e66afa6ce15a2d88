#!/usr/bin/env bash
# Builds the FuzzCheck libFuzzer target (lexer + parser + checker, with a round-trip oracle) and runs
# it for a bounded time over Corpus/Check.
#
#   ./fuzz.sh [SECONDS] [--merge] [--no-build] [-- LIBFUZZER-ARGS...]
#
#   SECONDS     how long to fuzz (-max_total_time); default 60. 0 with --merge: merge only.
#   --merge     afterwards, merge the inputs found (Corpus/New, git-ignored) that add coverage into
#               Corpus/Check (-merge=1), so the committed corpus grows only when asked.
#   --no-build  reuse the fuzzer binary from an earlier run.
#
# Exit status: 0 when the time ran out without a finding; non-zero when libFuzzer found a crash, a
# trap (the round-trip oracle), a timeout or an out-of-memory. Findings are written to Crashes/.
# Reproduce one with: .build/release/FuzzCheck -detect_leaks=0 Crashes/crash-<sha1>
set -euo pipefail

cd "$(dirname "$0")"

seconds=60
merge=false
build=true
extra=()
while (($#)); do
  case "$1" in
    --merge) merge=true ;;
    --no-build) build=false ;;
    --) shift; extra=("$@"); break ;;
    -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
    *[!0-9]* | '') echo "fuzz.sh: unknown argument '$1'" >&2; exit 64 ;;
    *) seconds="$1" ;;
  esac
  shift
done

fuzzer=.build/release/FuzzCheck
sanitizers=(-sanitize=fuzzer,address)

if $build; then
  # 1. Compile the target and every netfilter module it uses with coverage and ASan instrumentation.
  swift build -c release --product FuzzCheck -Xswiftc "${sanitizers[0]}" -Xswiftc -g
  # 2. Link the static library against libFuzzer's main (see Package.swift for why it is a library).
  pcre2_libs=$(pkg-config --libs libpcre2-8 2>/dev/null || echo -lpcre2-8)
  # shellcheck disable=SC2086
  swiftc "${sanitizers[@]}" -g .build/release/libFuzzCheck.a $pcre2_libs -o "$fuzzer" 2> >(grep -v 'Cannot export local symbol' >&2)
  echo "fuzz.sh: built $fuzzer"
fi

mkdir -p Corpus/Check Corpus/New Crashes

export SWIFT_BACKTRACE=enable=off    # let ASan/libFuzzer print the stack
export SWIFT_DETERMINISTIC_HASHING=1 # so a finding replays the same way
# Swift's lazily initialized globals (the schema tables) look leaked to LeakSanitizer, per input and at
# exit: leak checking is off in both places.
export ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
common=(-detect_leaks=0 -rss_limit_mb=4096 -dict=netfilter.dict)

status=0
if ((seconds > 0)); then
  echo "fuzz.sh: fuzzing for ${seconds}s (new inputs go to Corpus/New, findings to Crashes/)"
  start=$(date +%s)
  # The first directory receives the new inputs; Corpus/Check is only read.
  "$fuzzer" Corpus/New Corpus/Check "${common[@]}" \
    -max_total_time="$seconds" -timeout=10 -max_len=4096 \
    -artifact_prefix=Crashes/ -print_final_stats=1 "${extra[@]}" || status=$?
  echo "fuzz.sh: ran $(($(date +%s) - start))s, exit status $status, $(find Corpus/New -type f | wc -l) inputs in Corpus/New"
fi

if $merge && ((status == 0)); then
  before=$(find Corpus/Check -type f | wc -l)
  "$fuzzer" -merge=1 Corpus/Check Corpus/New "${common[@]}" -timeout=10 -max_len=4096
  echo "fuzz.sh: merged $(($(find Corpus/Check -type f | wc -l) - before)) new inputs into Corpus/Check"
fi

if ((status != 0)); then
  echo "fuzz.sh: libFuzzer found a problem; the input is in Crashes/ (see the stack above)" >&2
fi
exit "$status"
