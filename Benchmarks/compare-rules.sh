#!/usr/bin/env bash
# Rule sets against one filter, measured in one run on the generated capture (see compare-pcap.sh):
#
#   Benchmarks/compare-rules.sh [PACKETS]        (default 200000)
#
#   one filter      netfilter run --pcap F 'net.dport = 53 and net.dip = 8.8.8.8'
#   one DNS filter  netfilter run --pcap F "dns.name icontains 'zz'"   (decodes every DNS payload, as
#                   the rule set's DNS-name rules make it do)
#   1000 rules      netfilter run --pcap F --rules R   (generate-rules.py mixed: 70% port, address,
#                   CIDR and comm equalities, 20% dns.name suffix/substring tests, 9% pairs, 1% regexes)
#   1000 or-ed      the same 1,000 conditions OR-ed into one filter
# then, on JSON lines:
#   1000 unprunable rules (ps.name icontains '…') over 200,000 socket-like events: events per second
#   100 sequence rules by ps.pid over 1,000,000 Connect/Send events of 50,000 processes to 120 ports:
#   time, peak RSS, findings and evictions (state stays at its caps)
# Prints each time and the ratios to one filter. Exit status 1 if 1000 rules or the OR-ed filter take
# more than 3x one filter, or fewer than 50,000 unprunable events/s are processed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
packets="${1:-200000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 "$root/Benchmarks/generate-capture.py" "$work/capture.pcap" "$packets"
python3 "$root/Benchmarks/generate-rules.py" mixed 1000 "$work/mixed.yml" "$work/or.nf"
python3 "$root/Benchmarks/generate-rules.py" unprunable 1000 "$work/unprunable.yml"
python3 "$root/Benchmarks/generate-rules.py" sequences 100 "$work/sequences.yml"
python3 - "$work" <<'PY'
import random, sys
work = sys.argv[1]
rng = random.Random(3)
with open(work + "/names.jsonl", "w") as f:
    for i in range(200000):
        name = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(10))
        f.write('{"evt.name":"Send","evt.time.ns":%d,"ps.pid":%d,"ps.name":"%s","net.dport":443}\n' % (i * 1000, i % 5000, name))
with open(work + "/stream.jsonl", "w") as f:
    for i in range(1000000):
        pid = rng.randrange(50000)
        name = "Connect" if rng.random() < 0.5 else "Send"
        f.write('{"evt.name":"%s","evt.time.ns":%d,"ps.pid":%d,"net.dport":%d}\n' % (name, i * 100000, pid, 1000 + rng.randrange(120)))
PY

if [[ -z "${NETFILTER:-}" ]]; then
  (cd "$root" && swift build -c release --product netfilter >&2)
  NETFILTER="$(cd "$root" && swift build -c release --show-bin-path)/netfilter"
fi

# Best of 5 runs of user+system CPU seconds (the machines are noisy; CPU time is steadier than wall).
cpu() {
  local best=""
  for _ in 1 2 3 4 5; do
    /usr/bin/time -o "$work/time" -f "%U %S %M" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
    local t
    t="$(awk '{ printf "%.3f", $1 + $2 }' "$work/time")"
    if [[ -z "$best" ]] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best="$t"; awk '{ print $3 }' "$work/time" >"$work/rss"; fi
  done
  echo "$best"
}

one="$(cpu "$NETFILTER" run --pcap "$work/capture.pcap" --output json 'net.dport = 53 and net.dip = 8.8.8.8')"
dns="$(cpu "$NETFILTER" run --pcap "$work/capture.pcap" --output json "dns.name icontains 'zz'")"
rules="$(cpu "$NETFILTER" run --pcap "$work/capture.pcap" --output json --rules "$work/mixed.yml")"
or="$(cpu "$NETFILTER" run --pcap "$work/capture.pcap" --output json --file "$work/or.nf")"
unprunable="$(cpu "$NETFILTER" run --input "$work/names.jsonl" --output json --rules "$work/unprunable.yml")"
sequences="$(cpu "$NETFILTER" run --input "$work/stream.jsonl" --output json --rules "$work/sequences.yml" --stats)"
sequence_rss="$(cat "$work/rss")"
sequence_stats="$(tail -n 1 "$work/stderr" | python3 -c 'import json,sys; s=json.load(sys.stdin); print("findings %d, instances %d, evicted %d, expired %d" % (s["findings"], s["sequences"]["instances"], s["sequences"]["evicted"], s["sequences"]["expired"]))')"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", a / b }'; }
echo "compare-rules.sh: CPU seconds, best of 5, $packets packets"
echo "  one filter          $one"
echo "  one DNS filter      $dns   ($(ratio "$dns" "$one") one filter)"
echo "  1000 rules          $rules   ($(ratio "$rules" "$one") one filter, $(ratio "$rules" "$dns") one DNS filter)"
echo "  1000 or-ed          $or   ($(ratio "$or" "$one") one filter, $(ratio "$or" "$dns") one DNS filter)"
rate="$(awk -v t="$unprunable" 'BEGIN { printf "%d", 200000 / t }')"
echo "  1000 unprunable     $unprunable   ($rate events/s over 200,000 JSON lines)"
echo "  100 sequences       $sequences   (1,000,000 JSON lines, peak RSS ${sequence_rss} KB; $sequence_stats)"
status=0
awk -v a="$rules" -v b="$one" 'BEGIN { exit !(a <= 3 * b) }' || { echo "compare-rules.sh: 1000 rules take more than 3x one filter" >&2; status=1; }
awk -v a="$or" -v b="$one" 'BEGIN { exit !(a <= 3 * b) }' || { echo "compare-rules.sh: the OR-ed filter takes more than 3x one filter" >&2; status=1; }
[[ "$rate" -ge 50000 ]] || { echo "compare-rules.sh: fewer than 50,000 unprunable events/s" >&2; status=1; }
exit "$status"
