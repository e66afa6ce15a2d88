#!/usr/bin/env bash
# Installs what netfilter needs on Debian 12, builds it, and runs the main job on something real: a
# live eBPF capture of this host's traffic (as root), or the bundled capture when BPF cannot load.
# Usage: bash scripts/setup.sh        (as root, or with sudo available)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(pkg-config libpcre2-dev libbpf-dev libelf-dev zlib1g-dev bpftool libc-ares-dev curl python3 libedit-dev tmux libcurl4-openssl-dev)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

swift build -c release --product netfilter

echo "== netfilter check: every example filter in examples/filters"
for file in examples/filters/*.nf; do
  printf '%-40s ' "$(basename "$file")"
  .build/release/netfilter check --file "$file" | tail -n 1
done

echo "== netfilter run: live capture for 5 seconds of curl against a local web server: HTTP packets and Connect/Accept"
port=18473
python3 -m http.server "$port" --bind 127.0.0.1 >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
( sleep 1.5; for _ in 1 2 3; do curl -s -o /dev/null "http://127.0.0.1:$port/" || true; sleep 0.3; done ) &
status=0
.build/release/netfilter run --duration 5 --output table --stats \
  "(net.dport = $port or net.sport = $port) and (net_packet_http or evt.name in ('Connect', 'Accept'))" || status=$?
if [ "$status" -eq 77 ]; then
  echo "== live capture is not possible here (see above); replaying the bundled loopback capture instead"
  .build/release/netfilter run --pcap examples/captures/loopback-http-dns.pcap --output table --stats \
    "net_packet_http_request or net_packet_http_response or ReplyDns"
elif [ "$status" -ne 0 ]; then
  exit "$status"
fi
