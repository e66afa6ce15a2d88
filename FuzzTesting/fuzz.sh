#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each for a share of a bounded time:
#   FuzzCheck    lexer + parser + checker, with a round-trip oracle    (seeds: Corpus/Check)
#   FuzzPackets  the packet event: fields and Tracee JSON, with a text-versus-tree oracle
#                                                                       (seeds: Corpus/Packets)
#   FuzzDecoders the decoders alone (links only NetFilterDecoders)      (seeds: Corpus/Packets)
#   FuzzREPL     the REPL's command parser, completer and typing status (seeds: Corpus/REPL)
#   FuzzPcap     the capture reader (pcap, pcapng), with a write-and-read-back oracle (seeds: Corpus/Pcap)
#
#   ./fuzz.sh [SECONDS] [--merge] [--no-build] [--only Check|Packets|Decoders|REPL|Pcap] [-- LIBFUZZER-ARGS...]
#
#   SECONDS     the whole time (-max_total_time), split evenly between the targets; default 60.
#               0 with --merge: merge only.
#   --merge     afterwards, merge the inputs found (Corpus/New/<target>, git-ignored) that add
#               coverage into Corpus/<target> (-merge=1), so the committed corpus grows only when asked.
#   --no-build  reuse the fuzzer binaries from an earlier run.
#   --only T    run one target (Check, Packets, Decoders, REPL or Pcap) for all the time.
#   FUZZ_SCRATCH=DIR  build in DIR instead of .build (a private scratch path).
#
# Exit status: 0 when the time ran out without a finding; non-zero when libFuzzer found a crash, a
# trap (an oracle), a timeout or an out-of-memory. Findings are written to Crashes/.
# Reproduce one with: .build/release/FuzzCheck -detect_leaks=0 Crashes/crash-<sha1>
#                 or: .build/release/FuzzPackets -detect_leaks=0 Crashes/crash-<sha1>
set -euo pipefail

cd "$(dirname "$0")"

seconds=60
merge=false
build=true
only=""
extra=()
while (($#)); do
  case "$1" in
    --merge) merge=true ;;
    --no-build) build=false ;;
    --only) shift; only="${1:-}" ;;
    --) shift; extra=("$@"); break ;;
    -h | --help) sed -n '2,23p' "$0"; exit 0 ;;
    *[!0-9]* | '') echo "fuzz.sh: unknown argument '$1'" >&2; exit 64 ;;
    *) seconds="$1" ;;
  esac
  shift
done

targets=(Check Packets Decoders REPL Pcap)
if [[ -n "$only" ]]; then
  case "$only" in
    Check | Packets | Decoders | REPL | Pcap) targets=("$only") ;;
    *) echo "fuzz.sh: --only takes Check, Packets, Decoders, REPL or Pcap, not '$only'" >&2; exit 64 ;;
  esac
fi

scratch="${FUZZ_SCRATCH:-.build}"
sanitizers=(-sanitize=fuzzer,address)

if $build; then
  for target in "${targets[@]}"; do
    product="Fuzz$target"
    # 1. Compile the target and every netfilter module it uses with coverage and ASan instrumentation.
    swift build -c release --scratch-path "$scratch" --product "$product" -Xswiftc "${sanitizers[0]}" -Xswiftc -g
    # 2. Link the static library against libFuzzer's main (see Package.swift for why it is a library).
    pcre2_libs=$(pkg-config --libs libpcre2-8 2>/dev/null || echo -lpcre2-8)
    # shellcheck disable=SC2086
    swiftc "${sanitizers[@]}" -g "$scratch/release/lib$product.a" $pcre2_libs -o "$scratch/release/$product" \
      2> >(grep -v 'Cannot export local symbol' >&2)
    echo "fuzz.sh: built $scratch/release/$product"
  done
fi

mkdir -p Crashes
for target in "${targets[@]}"; do mkdir -p "Corpus/New/$target"; done
# The decoders share the packet seeds.
corpus() { if [[ "$1" == Decoders ]]; then echo Corpus/Packets; else echo "Corpus/$1"; fi; }

export SWIFT_BACKTRACE=enable=off    # let ASan/libFuzzer print the stack
export SWIFT_DETERMINISTIC_HASHING=1 # so a finding replays the same way
# Swift's lazily initialized globals (the schema tables) look leaked to LeakSanitizer, per input and at
# exit: leak checking is off in both places.
export ASAN_OPTIONS="detect_leaks=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"

# Options of each target: a dictionary for the filter language; packets need none; a capture file
# holds several packets.
options() {
  case "$1" in
    Check | REPL) echo "-dict=netfilter.dict -max_len=4096" ;;
    Packets | Decoders) echo "-max_len=2048" ;;
    Pcap) echo "-max_len=16384" ;;
  esac
}

status=0
if ((seconds > 0)); then
  remaining=$seconds
  left=${#targets[@]}
  for target in "${targets[@]}"; do
    share=$((remaining / left))
    ((share > 0)) || share=1
    remaining=$((remaining - share))
    left=$((left - 1))
    echo "fuzz.sh: fuzzing Fuzz$target for ${share}s (new inputs go to Corpus/New/$target, findings to Crashes/)"
    start=$(date +%s)
    target_status=0
    # The first directory receives the new inputs; Corpus/<target> is only read.
    # shellcheck disable=SC2046
    "$scratch/release/Fuzz$target" "Corpus/New/$target" "$(corpus "$target")" -detect_leaks=0 -rss_limit_mb=4096 \
      $(options "$target") -max_total_time="$share" -timeout=10 -artifact_prefix=Crashes/ -print_final_stats=1 \
      "${extra[@]}" || target_status=$?
    echo "fuzz.sh: Fuzz$target ran $(($(date +%s) - start))s, exit status $target_status," \
      "$(find "Corpus/New/$target" -type f | wc -l) inputs in Corpus/New/$target"
    if ((target_status != 0)); then
      echo "fuzz.sh: Fuzz$target found a problem; the input is in Crashes/ (see the stack above)" >&2
      status=$target_status
    fi
  done
fi

if $merge && ((status == 0)); then
  for target in "${targets[@]}"; do
    before=$(find "$(corpus "$target")" -type f | wc -l)
    # shellcheck disable=SC2046
    "$scratch/release/Fuzz$target" -merge=1 "$(corpus "$target")" "Corpus/New/$target" -detect_leaks=0 -rss_limit_mb=4096 \
      $(options "$target") -timeout=10
    echo "fuzz.sh: merged $(($(find "$(corpus "$target")" -type f | wc -l) - before)) new inputs into $(corpus "$target")"
  done
fi
exit "$status"
