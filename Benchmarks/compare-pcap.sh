#!/usr/bin/env bash
# Offline throughput against the peers: netfilter, tshark -Y and tcpdump -r on one generated capture.
#
#   Benchmarks/compare-pcap.sh [PACKETS]      (default 200000)
#
# 1. Generates a deterministic Ethernet capture of PACKETS packets (python3, no dependencies): mostly
#    DNS-sized UDP (queries to 8.8.8.8, 1.1.1.1, 9.9.9.9 and 2001:4860:4860::8888, their answers, other
#    UDP, some of it to 8.8.8.8 on other ports) and TCP (HTTP, TLS, SYNs, DoT on 853) with varied
#    addresses and ports, plus ICMP and ARP.
# 2. Builds netfilter in release (SCRATCH=DIR builds with --scratch-path DIR; NETFILTER=PATH skips the
#    build and uses that binary).
# 3. Checks that the three tools select the same number of packets for the same predicate, then times
#    them in one hyperfine run (falls back to bash `time`, best of 3, without hyperfine):
#      netfilter run --pcap F --output json 'net.dport = 53 and net.dip = 8.8.8.8'
#      tshark -n -r F -Y 'udp.dstport == 53 && ip.dst == 8.8.8.8' -w /dev/null
#      tcpdump -r F -w /dev/null 'udp dst port 53 and dst host 8.8.8.8'
#    and prints the times and the ratios. Exit status 1 if the counts differ or the bar is missed
#    (netfilter at least 10x faster than tshark -Y, and no slower than 3x tcpdump -r).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
packets="${1:-200000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
capture="$work/compare-$packets.pcap"

for tool in python3 tshark tcpdump; do
  command -v "$tool" >/dev/null || { echo "compare-pcap.sh: $tool is not installed" >&2; exit 2; }
done

# ---- 1. the capture -------------------------------------------------------------------------------
python3 "$root/Benchmarks/generate-capture.py" "$capture" "$packets"
echo "compare-pcap.sh: wrote $packets packets ($(($(stat -c %s "$capture") / 1024)) KiB) to a temporary file"

# ---- 2. netfilter (release) -----------------------------------------------------------------------
if [[ -z "${NETFILTER:-}" ]]; then
  scratch=()
  [[ -n "${SCRATCH:-}" ]] && scratch=(--scratch-path "$SCRATCH")
  (cd "$root" && swift build -c release --product netfilter "${scratch[@]}" >&2)
  NETFILTER="$(cd "$root" && swift build -c release "${scratch[@]}" --show-bin-path)/netfilter"
fi

netfilter_filter='net.dport = 53 and net.dip = 8.8.8.8'
tshark_filter='udp.dstport == 53 && ip.dst == 8.8.8.8'
tcpdump_filter='udp dst port 53 and dst host 8.8.8.8'
netfilter_cmd=("$NETFILTER" run --pcap "$capture" --output json "$netfilter_filter")
tshark_cmd=(tshark -n -r "$capture" -Y "$tshark_filter" -w /dev/null)
tcpdump_cmd=(tcpdump -r "$capture" -w /dev/null "$tcpdump_filter")

# ---- 3. the same answer ---------------------------------------------------------------------------
n_netfilter=$("${netfilter_cmd[@]}" | wc -l)
n_tshark=$(tshark -n -r "$capture" -Y "$tshark_filter" -T fields -e frame.number 2>/dev/null | wc -l)
n_tcpdump=$(tcpdump -n -r "$capture" "$tcpdump_filter" 2>/dev/null | wc -l)
echo "matches: netfilter $n_netfilter, tshark $n_tshark, tcpdump $n_tcpdump"
if [[ "$n_netfilter" != "$n_tshark" || "$n_netfilter" != "$n_tcpdump" ]]; then
  echo "compare-pcap.sh: the tools disagree on the match count" >&2
  exit 1
fi

# ---- 4. the times ---------------------------------------------------------------------------------
quote() { printf '%q ' "$@"; }
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 1 --runs "${RUNS:-5}" --export-json "$work/times.json" \
    -n netfilter "$(quote "${netfilter_cmd[@]}")" \
    -n tshark "$(quote "${tshark_cmd[@]}")" \
    -n tcpdump "$(quote "${tcpdump_cmd[@]}")" >&2
  read -r t_netfilter t_tshark t_tcpdump < <(python3 -c '
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
print(*(results[name]["mean"] for name in ("netfilter", "tshark", "tcpdump")))' "$work/times.json")
  how="hyperfine mean"
else
  best() {
    local best="" start end took
    for _ in 1 2 3; do
      start=$(date +%s.%N); "$@" >/dev/null 2>&1; end=$(date +%s.%N)
      took=$(echo "$end - $start" | bc -l)
      if [[ -z "$best" ]] || (($(echo "$took < $best" | bc -l))); then best=$took; fi
    done
    echo "$best"
  }
  t_netfilter=$(best "${netfilter_cmd[@]}")
  t_tshark=$(best "${tshark_cmd[@]}")
  t_tcpdump=$(best "${tcpdump_cmd[@]}")
  how="best of 3"
fi

python3 - "$packets" "$t_netfilter" "$t_tshark" "$t_tcpdump" "$how" <<'PY'
import sys
packets = int(sys.argv[1]); nf, ts, td = map(float, sys.argv[2:5]); how = sys.argv[5]
def row(name, t): print(f"  {name:<10} {t * 1000:9.1f} ms  {packets / t / 1e6:6.2f} Mpkt/s")
print(f"{packets} packets ({how}):")
row("netfilter", nf); row("tshark -Y", ts); row("tcpdump -r", td)
print(f"  tshark / netfilter  = {ts / nf:6.1f}x   (bar: >= 10)")
print(f"  netfilter / tcpdump = {nf / td:6.2f}x   (bar: <= 3)")
ok = ts / nf >= 10 and nf / td <= 3
print("  bar met" if ok else "  bar MISSED")
sys.exit(0 if ok else 1)
PY
