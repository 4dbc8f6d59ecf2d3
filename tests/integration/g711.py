#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# G.711 mu-law for the integration scripts, the Python twin of
# ref/base/g711.c (the same segment search, bias 0x84 and clip 32635):
# ulaw_encode/ulaw_decode of one sample for the scripts that import it, and
#   python3 tests/integration/g711.py tone FILE [HZ [N]]
# writes N raw mu-law samples (8 kHz) of an HZ sine at amplitude 8000
# (default 1000 Hz, 12000 samples = 1.5 s), e.g. for SIPp's rtp_stream.
import math
import sys


def ulaw_encode(x):
    sign = 0x80 if x < 0 else 0
    x = min(abs(x), 32635) + 0x84
    e = 7
    while e > 0 and not (x & (0x4000 >> (7 - e))):
        e -= 1
    return ~(sign | (e << 4) | ((x >> (e + 3)) & 0x0F)) & 0xFF


def ulaw_decode(u):
    u = ~u & 0xFF
    t = ((u & 0x0F) << 3) + 0x84
    t <<= (u & 0x70) >> 4
    return (0x84 - t) if u & 0x80 else (t - 0x84)


def tone(hz=1000.0, n=12000, amp=8000):
    return bytes(ulaw_encode(int(amp * math.sin(2 * math.pi * hz * i / 8000)))
                 for i in range(n))


if __name__ == "__main__":
    if len(sys.argv) < 3 or sys.argv[1] != "tone":
        sys.exit("usage: g711.py tone FILE [HZ [N]]")
    hz = float(sys.argv[3]) if len(sys.argv) > 3 else 1000.0
    n = int(sys.argv[4]) if len(sys.argv) > 4 else 12000
    with open(sys.argv[2], "wb") as f:
        f.write(tone(hz, n))
