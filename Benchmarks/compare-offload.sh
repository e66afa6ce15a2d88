#!/usr/bin/env bash
# CPU time of netfilter with the kernel plan, without it (--no-offload), and tcpdump with the
# equivalent filter, all three attached at once to the same bounded loopback load: NOISE datagrams
# to a port nobody filters for and MATCHING datagrams to 19999 (Benchmarks/udp-load.py).
#
#   sudo Benchmarks/compare-offload.sh [NOISE] [MATCHING]     (defaults 200000 100)
#
# Needs root, a release build (built if missing), tcpdump and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
NOISE=${1:-200000}
MATCHING=${2:-100}
[ -x .build/release/netfilter ] || swift build -c release --product netfilter >/dev/null
command -v tcpdump >/dev/null || { echo "tcpdump is not installed" >&2; exit 1; }
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

# Each measured process runs under /usr/bin/time, which prints its CPU seconds on exit.
measure() { # NAME COMMAND...
  local name=$1; shift
  /usr/bin/time -f "%U %S" -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err" &
}
measure offload .build/release/netfilter run --output json --stats --duration 60 "net.dport = 19999"
measure no-offload .build/release/netfilter run --no-offload --output json --stats --duration 60 "net.dport = 19999"
measure tcpdump tcpdump -i lo -n -w "$work/tcpdump.pcap" 'udp dst port 19999'
# Wait until both captures have attached their programs and tcpdump is listening.
for _ in $(seq 100); do
  [ "$(bpftool prog show 2>/dev/null | grep -c 'name nf_skb_egress')" -ge 2 ] && grep -q listening "$work/tcpdump.err" && break
  sleep 0.1
done
python3 Benchmarks/udp-load.py "$NOISE" "$MATCHING" 19998 19999
sleep 1
pkill -INT -f "netfilter run.*--duration 60" || true
pkill -INT -x tcpdump || true
wait || true

cpu() { awk '{ printf "%.2f", $1 + $2 }' "$work/$1.time"; }
stats() { tail -n 1 "$work/$1.err"; }
printf '%-12s %8s  %s\n' "" "CPU s" "events"
printf '%-12s %8s  %s\n' "offload" "$(cpu offload)" "$(stats offload)"
printf '%-12s %8s  %s\n' "no-offload" "$(cpu no-offload)" "$(stats no-offload)"
printf '%-12s %8s  %s\n' "tcpdump" "$(cpu tcpdump)" "$(grep -h 'captured' "$work/tcpdump.err" | head -1)"
awk -v a="$(cpu offload)" -v b="$(cpu no-offload)" -v t="$(cpu tcpdump)" 'BEGIN {
  if (a > 0) printf "no-offload / offload CPU: %.1fx\n", b / a
  if (t > 0) printf "offload / tcpdump CPU: %.2fx\n", a / t
}'
