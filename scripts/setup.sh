#!/usr/bin/env bash
# Installs what netfilter needs on Debian 12, builds it, and runs the main job on something real.
# Usage: bash scripts/setup.sh        (as root, or with sudo available)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(pkg-config libpcre2-dev libbpf-dev libelf-dev zlib1g-dev bpftool libpcap-dev)
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

echo "== netfilter run: HTTP and DNS replies in the bundled loopback capture"
.build/release/netfilter run --pcap examples/captures/loopback-http-dns.pcap --output table --stats \
  "net_packet_http_request or net_packet_http_response or ReplyDns"
