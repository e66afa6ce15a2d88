#!/usr/bin/env python3
"""Generated rule sets for the rule benchmarks (compare-rules.sh).

  generate-rules.py KIND COUNT OUT.yml [OR.nf]

KIND is `mixed` (70% equalities on ports, addresses, CIDRs or comm, 20% dns.name suffix or
substring tests, 9% two-field conjunctions, 1% regexes), `unprunable` (each rule a case-insensitive
substring test of ps.name, which no index can narrow) or `sequences` (two-step sequences by ps.pid: rule i is a Connect then a Send to port 1000+i).
Writes the rules as one YAML list to OUT.yml and, when given, the same conditions OR-ed into one
filter to OR.nf. Deterministic: the same arguments give the same files.
"""
import random, sys

kind, count, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(7)

def word(n=8): return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n))
def address(): return "%d.%d.%d.%d" % (rng.randrange(1, 224), rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))
def port(): return rng.randrange(1, 65536)

def equality():
    choice = rng.randrange(5)
    if choice == 0: return "net.dport = %d" % port()
    if choice == 1: return "net.sport = %d" % port()
    if choice == 2: return "net.dip = %s" % address()
    if choice == 3: return "net.sip in (%s/%d)" % (address(), rng.choice((16, 24, 28)))
    return "ps.name = '%s'" % word()

def mixed():
    roll = rng.random()
    if roll < 0.70: return equality()
    if roll < 0.90:
        return rng.choice(("dns.name iendswith '.%s.com.'", "dns.name icontains '%s'")) % word(6)
    if roll < 0.99: return "%s and %s" % (equality(), equality())
    return "regex(dns.name, '^%s[0-9]+\\\\.')" % word(5)

def condition():
    if kind == "mixed": return mixed()
    if kind == "unprunable": return "ps.name icontains '%s'" % word(6)
    if kind == "sequences":
        # Rule i waits for a Connect to port 1000+i and then a Send to it from the same process.
        index = len(conditions)
        return ("sequence maxspan 1m by ps.pid |evt.name = 'Connect' and net.dport = %d| "
                "|evt.name = 'Send' and net.dport = %d|") % (1000 + index, 1000 + index)
    raise SystemExit("unknown kind " + kind)

conditions = []
for _ in range(count):
    conditions.append(condition())
with open(out, "w") as f:
    for index, text in enumerate(conditions):
        f.write("- name: rule %d\n  id: r%d\n  version: 1.0.0\n  min-engine-version: 3.0.0\n" % (index, index))
        f.write("  condition: \"%s\"\n" % text.replace("\\", "\\\\").replace('"', '\\"'))
if len(sys.argv) > 4:
    with open(sys.argv[4], "w") as f:
        f.write(" or ".join("(%s)" % text for text in conditions) + "\n")
