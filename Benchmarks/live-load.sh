#!/usr/bin/env bash
# Live capture under load: events/s delivered, CPU used by netfilter and lost events while iperf3
# floods loopback.
#
#   sudo Benchmarks/live-load.sh      (SCRATCH=DIR builds with --scratch-path DIR; NETFILTER=PATH skips
#                                      the build and uses that binary)
#
# Each run is `netfilter run --stats --duration 12 FILTER` while iperf3 (server and client on
# 127.0.0.1, the client bounded by -t 10) sends TCP, or UDP at -b 1G in 1400-byte datagrams:
#   baseline      iperf3 alone, no capture (the throughput the others are compared with)
#   none-kernel   'net.dport = 1': matches nothing, and the kernel decides it (offload: nothing is
#                 delivered)
#   none-user     'net_packet_ipv4.data.proto_ipv4.TTL = 1': matches nothing, but only user space can
#                 tell, so every packet is delivered, decoded and tested
#   all           'net.l4.proto in ('TCP', 'UDP')' with --output json > /dev/null: every packet (and
#                 socket event) delivered, decoded and printed
# and prints: iperf3 throughput, events received and events/s delivered (received / 12 s), matched,
# lost (ring buffer full), and the CPU seconds netfilter used (user + system, /usr/bin/time) with its
# share of one core over the 12 s.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
duration=12
traffic_seconds=10
filter_kernel="net.dport = 1"
filter_user="net_packet_ipv4.data.proto_ipv4.TTL = 1"
filter_all="net.l4.proto in ('TCP', 'UDP')"

[[ "$(id -u)" == 0 ]] || { echo "live-load.sh: run as root (live capture loads BPF programs)" >&2; exit 2; }
if ! command -v iperf3 >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iperf3 >/dev/null
fi
[[ -x /usr/bin/time ]] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null

if [[ -z "${NETFILTER:-}" ]]; then
  scratch=()
  [[ -n "${SCRATCH:-}" ]] && scratch=(--scratch-path "$SCRATCH")
  (cd "$root" && swift build -c release "${scratch[@]}" --product netfilter >&2)
  NETFILTER="$(cd "$root" && swift build -c release "${scratch[@]}" --show-bin-path)/netfilter"
fi

work="$(mktemp -d)"
children=()
cleanup() {
  for pid in "${children[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# iperf3 on 127.0.0.1 for $traffic_seconds seconds; prints "GBIT_PER_S PACKETS" (packets: UDP only).
iperf() {
  local protocol="$1" port=$((20000 + RANDOM % 20000))
  iperf3 -s -1 -B 127.0.0.1 -p "$port" >/dev/null 2>&1 &
  local server=$!
  children+=("$server")
  sleep 0.3
  local udp=()
  [[ "$protocol" == udp ]] && udp=(-u -b 1G -l 1400)
  timeout $((traffic_seconds + 10)) iperf3 -c 127.0.0.1 -p "$port" -t "$traffic_seconds" "${udp[@]}" -J > "$work/iperf.json"
  wait "$server" 2>/dev/null || true
  python3 - "$work/iperf.json" <<'PY'
import json, sys
end = json.load(open(sys.argv[1]))["end"]
summary = end.get("sum_received") or end.get("sum")
packets = end.get("sum", {}).get("packets", "")
print("%.2f %s" % (summary["bits_per_second"] / 1e9, packets))
PY
}

# One capture: netfilter under /usr/bin/time while iperf3 runs; prints one table row.
measure() {
  local protocol="$1" label="$2" filter="$3" output="$4"
  local err="$work/err" times="$work/time"
  /usr/bin/time -f "%U %S" -o "$times" "$NETFILTER" run --stats --duration "$duration" --output "$output" \
    "$filter" > /dev/null 2> "$err" &
  local capture=$!
  children+=("$capture")
  sleep 1.5  # loading and attaching take well under a second
  local traffic
  traffic="$(iperf "$protocol")"
  wait "$capture"
  python3 - "$protocol" "$label" "$traffic" "$err" "$times" "$duration" <<'PY'
import json, sys
protocol, label, traffic, err, times, duration = sys.argv[1:7]
stats = json.loads(open(err).read().strip().splitlines()[-1])
user, system = (float(x) for x in open(times).read().split()[-2:])
gbit = traffic.split()[0]
cpu = user + system
print("%-4s %-11s %8s %11d %10.0f %11d %9d %8.2f %6.0f%%" % (
    protocol, label, gbit, stats["received"], stats["received"] / float(duration), stats["matched"],
    stats["lost"], cpu, 100 * cpu / float(duration)))
PY
}

echo "netfilter: $NETFILTER; $(nproc) CPUs; kernel $(uname -r)"
printf '%-4s %-11s %8s %11s %10s %11s %9s %8s %7s\n' \
  proto run Gbit/s received events/s matched lost "CPU s" "CPU"
for protocol in tcp udp; do
  read -r gbit packets <<< "$(iperf "$protocol")"
  printf '%-4s %-11s %8s %11s\n' "$protocol" baseline "$gbit" "${packets:+$packets pkts}"
  measure "$protocol" none-kernel "$filter_kernel" json
  measure "$protocol" none-user "$filter_user" json
  measure "$protocol" all "$filter_all" json
done
