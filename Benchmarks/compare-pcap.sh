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
python3 - "$capture" "$packets" <<'PY'
import random, struct, sys

path, count = sys.argv[1], int(sys.argv[2])
rng = random.Random(1)

def checksum(data):
    if len(data) % 2: data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16: total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF

def mac(): return bytes([2, 0] + [rng.randrange(256) for _ in range(4)])
MACS = [mac() for _ in range(16)]

def ether(payload, kind):
    return rng.choice(MACS) + rng.choice(MACS) + struct.pack("!H", kind) + payload

def ipv4(src, dst, proto, payload):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), rng.randrange(65536), 0x4000,
                         rng.choice((52, 63, 64, 128)), proto, 0, src, dst)
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return ether(header + payload, 0x0800)

def ipv6(src, dst, proto, payload):
    header = struct.pack("!IHBB16s16s", 0x60000000 | rng.randrange(1 << 20), len(payload), proto, 64, src, dst)
    return ether(header + payload, 0x86DD)

def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload

def tcp(sport, dport, flags, payload=b""):
    return struct.pack("!HHIIBBHHH", sport, dport, rng.randrange(1 << 32), rng.randrange(1 << 32), 0x50, flags,
                       rng.choice((502, 29200, 65535)), 0, 0) + payload

def v4(a, b, c, d): return bytes((a, b, c, d))
def client4(): return v4(10, rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))
def server4(): return v4(rng.choice((93, 104, 142, 151, 172, 185)), rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))
def client6(): return bytes.fromhex("fd000000000000000000") + bytes(rng.randrange(256) for _ in range(6))
def eph(): return rng.randrange(32768, 61000)

RESOLVERS = [v4(8, 8, 8, 8), v4(1, 1, 1, 1), v4(9, 9, 9, 9)]
GOOGLE6 = bytes.fromhex("20014860486000000000000000008888")
NAMES = [b"www.example.com", b"api.github.com", b"mail.google.com", b"cdn.jsdelivr.net", b"updates.debian.org",
         b"x.domain", b"ntp.ubuntu.com", b"login.microsoftonline.com"]

def qname(name): return b"".join(bytes([len(p)]) + p for p in name.split(b".")) + b"\0"
def dns_query(name, qtype):
    return struct.pack("!HHHHHH", rng.randrange(65536), 0x0100, 1, 0, 0, 0) + qname(name) + struct.pack("!HH", qtype, 1)
def dns_answer(name, qtype):
    answers = rng.randrange(1, 4)
    body = struct.pack("!HHHHHH", rng.randrange(65536), 0x8180, 1, answers, 0, 0) + qname(name) + struct.pack("!HH", qtype, 1)
    for _ in range(answers):
        if qtype == 28:
            body += struct.pack("!HHHIH", 0xC00C, 28, 1, rng.randrange(60, 3600), 16) + bytes(rng.randrange(256) for _ in range(16))
        else:
            body += struct.pack("!HHHIH", 0xC00C, 1, 1, rng.randrange(60, 3600), 4) + server4()
    return body

HTTP_REQ = b"GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n"
HTTP_RESP = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 512\r\n\r\n" + b"x" * 512

def packet():
    r = rng.random()
    if r < 0.30:   # DNS query over IPv4
        return ipv4(client4(), rng.choice(RESOLVERS), 17, udp(eph(), 53, dns_query(rng.choice(NAMES), rng.choice((1, 1, 28)))))
    if r < 0.45:   # DNS answer over IPv4
        return ipv4(rng.choice(RESOLVERS), client4(), 17, udp(53, eph(), dns_answer(rng.choice(NAMES), rng.choice((1, 28)))))
    if r < 0.50:   # DNS over IPv6
        return ipv6(client6(), GOOGLE6, 17, udp(eph(), 53, dns_query(rng.choice(NAMES), 28)))
    if r < 0.58:   # other UDP, a quarter of it to 8.8.8.8 on another port
        dst = v4(8, 8, 8, 8) if rng.random() < 0.25 else server4()
        return ipv4(client4(), dst, 17, udp(eph(), rng.choice((123, 443, 5353, 1900, rng.randrange(1024, 65536))), bytes(rng.randrange(20, 200))))
    if r < 0.70:   # HTTP requests and responses
        if rng.random() < 0.5:
            return ipv4(client4(), server4(), 6, tcp(eph(), 80, 0x18, HTTP_REQ))
        return ipv4(server4(), client4(), 6, tcp(80, eph(), 0x18, HTTP_RESP))
    if r < 0.85:   # TLS-sized segments
        return ipv4(client4(), server4(), 6, tcp(eph(), 443, 0x18, bytes(rng.choice((60, 517, 1200, 1400)))))
    if r < 0.88:   # DNS over TLS to 8.8.8.8
        return ipv4(client4(), v4(8, 8, 8, 8), 6, tcp(eph(), 853, 0x18, bytes(120)))
    if r < 0.97:   # SYNs to random ports
        return ipv4(client4(), server4(), 6, tcp(eph(), rng.randrange(1, 65536), 0x02))
    if r < 0.99:   # ICMP echo
        body = struct.pack("!BBHHH", 8, 0, 0, rng.randrange(65536), rng.randrange(65536)) + bytes(56)
        return ipv4(client4(), rng.choice(RESOLVERS), 1, body[:2] + struct.pack("!H", checksum(body)) + body[4:])
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + mac() + client4() + bytes(6) + client4()
    return ether(arp, 0x0806)

with open(path, "wb") as out:
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
    seconds = 1_790_000_000
    for index in range(count):
        data = packet()
        out.write(struct.pack("<IIII", seconds + index // 10000, (index % 10000) * 100, len(data), len(data)))
        out.write(data)
PY
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
