#!/usr/bin/env python3
"""The deterministic benchmark capture: generate-capture.py OUT.pcap PACKETS (see compare-pcap.sh)."""
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
