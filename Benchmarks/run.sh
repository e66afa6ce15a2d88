#!/usr/bin/env bash
# Runs the netfilter benchmarks with package-benchmark (ordo-one, 1.38.1).
#
#   ./run.sh                           build in release and run every benchmark, print the tables
#   ./run.sh --filter 'Check/.*'       run some of them (any `swift package benchmark` arguments pass through)
#   ./run.sh baseline update           store a baseline in .benchmarkBaselines/ (git-ignored)
#   ./run.sh thresholds update         write Thresholds/ (p90 of each metric)
#
# No jemalloc is needed: package-benchmark 1.38 counts allocations with its malloc interposer (the
# "MallocInterposer" trait in Package.swift). BENCHMARK_DISABLE_JEMALLOC must NOT be set: since 1.38 it is
# an alias that turns the interposer off, and mallocCountTotal would then read 0.
set -euo pipefail
cd "$(dirname "$0")"

unset BENCHMARK_DISABLE_JEMALLOC BENCHMARK_DISABLE_MALLOC_INTERPOSER

progress=()
[[ -t 1 ]] || progress=(--no-progress)

exec swift package --disable-sandbox --allow-writing-to-package-directory benchmark "$@" "${progress[@]}"
