#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Test tones for the conference tests (t_conf_sipp.sh).

gen FREQ SECS OUT.pcap [CANARY]
    Writes an Ethernet/IPv4/UDP/RTP capture of a G.711 u-law sine tone
    (20 ms frames, PT 0) that SIPp plays with play_pcap_audio; with
    CANARY, the first 5 frames carry that text instead of audio (what the
    audit must never find stored).
listen SECS PORT=FREQ...
    Sniffs the loopback interface (AF_PACKET, needs root) for SECS seconds
    and keeps the RTP payloads arriving at each PORT; then, per port,
    measures the Goertzel power of every FREQ given on the command line
    over the received audio and checks that the other participants' tones
    are present and the port's own tone is absent. Exit 0 when all pass.
"""
import math
import socket
import struct
import sys
import time

from g711 import ulaw_decode, ulaw_encode

RATE = 8000
FRAME = 160


def gen(freq, secs, out, canary=None):
    n = int(secs * RATE / FRAME)
    with open(out, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            pay = bytes(ulaw_encode(int(8000 * math.sin(
                2 * math.pi * freq * (i * FRAME + k) / RATE)))
                for k in range(FRAME))
            if canary and i < 5:
                pay = (canary.encode() * FRAME)[:FRAME]
            rtp = struct.pack('!BBHII', 0x80, 0, i & 0xFFFF, i * FRAME,
                              0x1234 + freq) + pay
            udp = struct.pack('!HHHH', 40000, 40000, 8 + len(rtp), 0) + rtp
            ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), i,
                             0, 64, 17, 0, bytes([127, 0, 0, 1]),
                             bytes([127, 0, 0, 1])) + udp
            eth = b'\0' * 12 + b'\x08\x00' + ip
            t = i * 0.02
            f.write(struct.pack('<IIII', int(t), int((t % 1) * 1e6),
                                len(eth), len(eth)) + eth)


def goertzel(pcm, freq):
    w = 2 * math.pi * freq / RATE
    c = 2 * math.cos(w)
    s1 = s2 = 0.0
    for x in pcm:
        s1, s2 = x + c * s1 - s2, s1
    return (s1 * s1 + s2 * s2 - c * s1 * s2) / max(len(pcm), 1) ** 2


def listen(secs, pairs):
    want = {int(p): int(f) for p, f in (a.split('=') for a in pairs)}
    got = {p: {} for p in want}
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.bind(('lo', 0))
    s.settimeout(0.2)
    end = time.time() + secs
    while time.time() < end:
        try:
            pkt, addr = s.recvfrom(65535)
        except socket.timeout:
            continue
        if addr[2] == socket.PACKET_OUTGOING or len(pkt) < 14 + 20 + 8 + 12:
            continue
        ip = pkt[14:]
        if ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        ihl = (ip[0] & 15) * 4
        dport = struct.unpack('!H', ip[ihl + 2:ihl + 4])[0]
        if dport not in want:
            continue
        rtp = ip[ihl + 8:]
        if rtp[0] >> 6 != 2 or rtp[1] & 0x7F != 0:
            continue
        seq = struct.unpack('!H', rtp[2:4])[0]
        got[dport][seq] = rtp[12 + 4 * (rtp[0] & 15):]
    freqs = sorted(want.values())
    ok = True
    for port, own in sorted(want.items()):
        frames = [got[port][k] for k in sorted(got[port])]
        pcm = [ulaw_decode(b) for fr in frames[25:] for b in fr]
        pw = {f: goertzel(pcm, f) for f in freqs}
        top = max(pw.values()) or 1.0
        others = [f for f in freqs if f != own]
        rel = {f: 10 * math.log10(max(pw[f], 1e-9) / top) for f in freqs}
        good = (len(frames) >= 50 and
                all(rel[f] > -6 for f in others) and rel[own] < -30)
        ok = ok and good
        print('%s port %d (own tone %d Hz): %d packets; %s' % (
            'ok  ' if good else 'FAIL', port, own, len(frames),
            ', '.join('%d Hz %.1f dB' % (f, rel[f]) for f in freqs)))
    return 0 if ok else 1


def main(argv):
    if len(argv) in (5, 6) and argv[1] == 'gen':
        gen(int(argv[2]), float(argv[3]), argv[4],
            argv[5] if len(argv) == 6 else None)
        return 0
    if len(argv) >= 4 and argv[1] == 'listen':
        return listen(float(argv[2]), argv[3:])
    sys.stderr.write('usage: conf_tones.py gen FREQ SECS OUT.pcap [CANARY] | '
                     'listen SECS PORT=FREQ...\n')
    return 2


if __name__ == '__main__':
    sys.exit(main(sys.argv))
