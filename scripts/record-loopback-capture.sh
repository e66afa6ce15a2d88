#!/usr/bin/env bash
# Records a small real capture on loopback: HTTP (curl against python's http.server) and DNS (dig
# against a local dnsmasq serving A, AAAA, MX, NS, TXT, SRV and PTR records), then ICMP (ping).
# Usage: scripts/record-loopback-capture.sh OUT.pcap     (root; only loopback traffic)
set -euo pipefail
out="${1:?usage: $0 OUT.pcap}"
work="$(mktemp -d)"
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
pids=()
trap cleanup EXIT

http_port="${HTTP_PORT:-18080}"
dns_port="${DNS_PORT:-53}"
echo "hello from netfilter" > "$work/index.html"
(cd "$work" && exec python3 -m http.server "$http_port" --bind 127.0.0.1 >/dev/null 2>&1) & pids+=($!)
dnsmasq --no-daemon --no-resolv --no-hosts --port="$dns_port" --listen-address=127.0.0.1 --bind-interfaces \
  --host-record=www.example.test,10.1.2.3 --host-record=v6.example.test,fd00::53 \
  --mx-host=example.test,mail.example.test,10 --txt-record=example.test,"v=spf1 -all" \
  --srv-host=_sip._udp.example.test,sip.example.test,5060,10,20 --ptr-record=3.2.1.10.in-addr.arpa,www.example.test \
  --auth-zone=example.test --auth-server=ns1.example.test --pid-file="$work/dnsmasq.pid" >/dev/null 2>&1 & pids+=($!)
tcpdump -i lo -U -w "$out" "host 127.0.0.1 or host ::1" >/dev/null 2>&1 & capture=$!
sleep 1.5
for _ in 1 2; do curl -s -o /dev/null "http://127.0.0.1:$http_port/index.html"; done
curl -s -o /dev/null "http://127.0.0.1:$http_port/missing"
for query in "www.example.test A" "v6.example.test AAAA" "example.test MX" "example.test TXT" "_sip._udp.example.test SRV" "example.test NS" "-x 10.1.2.3"; do
  # shellcheck disable=SC2086
  dig +time=2 +tries=1 @127.0.0.1 -p "$dns_port" $query >/dev/null || true
done
dig +tcp +time=2 +tries=1 @127.0.0.1 -p "$dns_port" example.test MX >/dev/null || true
ping -c 2 -i 0.2 127.0.0.1 >/dev/null
sleep 1
kill -INT "$capture"; wait "$capture" 2>/dev/null || true
echo "recorded $(tcpdump -r "$out" 2>/dev/null | wc -l) packets to $out"
