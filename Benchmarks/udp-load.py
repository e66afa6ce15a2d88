#!/usr/bin/env python3
"""Bounded UDP load on loopback for the offload measurements.

udp-load.py NOISE MATCHING [NOISE_PORT] [MATCH_PORT]: sends NOISE datagrams to 127.0.0.1:NOISE_PORT
(default 19998) with MATCHING datagrams to MATCH_PORT (default 19999) spread evenly among them.
Both ports have a bound socket that drains them, so the kernel answers no ICMP port-unreachable.
Stops after the datagrams or 60 seconds, whichever comes first; prints what it sent.
"""
import socket, sys, threading, time

noise, matching = int(sys.argv[1]), int(sys.argv[2])
noise_port = int(sys.argv[3]) if len(sys.argv) > 3 else 19998
match_port = int(sys.argv[4]) if len(sys.argv) > 4 else 19999
deadline = time.monotonic() + 60

def drain(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("127.0.0.1", port))
    s.settimeout(0.5)
    while time.monotonic() < deadline:
        try:
            s.recv(2048)
        except socket.timeout:
            if done.is_set():
                return

done = threading.Event()
for port in (noise_port, match_port):
    threading.Thread(target=drain, args=(port,), daemon=True).start()
time.sleep(0.2)
out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
payload = b"x" * 32
every = max(1, noise // max(1, matching))
sent_noise = sent_match = 0
while (sent_noise < noise or sent_match < matching) and time.monotonic() < deadline:
    if sent_match < matching and (sent_noise % every == 0 or sent_noise >= noise):
        out.sendto(payload, ("127.0.0.1", match_port))
        sent_match += 1
    if sent_noise < noise:
        out.sendto(payload, ("127.0.0.1", noise_port))
        sent_noise += 1
time.sleep(0.3)
done.set()
print(f"sent {sent_noise} datagrams to port {noise_port} and {sent_match} to port {match_port}")
