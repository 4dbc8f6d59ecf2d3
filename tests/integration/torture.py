#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""RFC 4475 torture messages over UDP against a running refd.

Every IPv4 literal is first mapped into 127/8 with the same length
(192.0.2.5 -> 127.0.0.5) so Content-Length stays right and nothing can
be sent off the machine. Each message is sent from its own socket; the
answers within a short window are compared with the expectation of the
RFC (MANIFEST.tsv kinds: valid requests are never answered 400, invalid
requests get 400 or the RFC's code, responses are dropped), then an
OPTIONS must still be answered 200. Prints one line per message; exit 1
if any expectation failed. Usage: torture.py DIR PORT
"""
import re
import socket
import sys

# Expected answer per file: a set of codes, "none" (drop), "not400" or
# "any" (the RFC allows either rejecting or liberal acceptance).
EXPECT = {
    "badvers": {505}, "zeromf": {483}, "unkscm": {416},
    "novelsc": {416, 404}, "bext01": {420},
    "badinv01": {400}, "clerr": {400}, "ncl": {400}, "scalar02": {400},
    "quotbal": {400}, "ltgtruri": {400}, "lwsruri": {400},
    "mismatch01": {400}, "mismatch02": {501, 400}, "insuf": {400},
    "multi01": {400}, "mcl01": {400},
    "scalarlg": "none", "bigcode": "none", "unreason": "none",
    "noreason": "none", "bcast": "none",
    "lwsstart": "any", "trws": "any", "escruri": "any", "baddate": "any",
    "regbadct": "any", "badaspec": "any", "baddn": "any",
    "badbranch": "any", "unksm2": "any", "invut": "not400",
    "sdp01": "any",
}


def map_ip(m):
    """Same-length 127/8 address for an IPv4 literal."""
    ip = m.group(0)
    last = ip.split(".")[3]
    mid_len = len(ip) - len("127.") - len(last) - 1
    mids = {3: "0.0", 4: "10.0", 5: "10.10", 6: "100.10", 7: "100.100"}
    if mid_len not in mids:
        return "127.0.0.1" if len(ip) <= 9 else ip
    return "127." + mids[mid_len] + "." + last


def codes(sock, window=0.3):
    """Status codes received until a final response, or for the window
    when none comes (a drop is only proven by waiting)."""
    got = []
    sock.settimeout(window)
    try:
        while True:
            data, _ = sock.recvfrom(65536)
            m = re.match(rb"SIP/2\.0 (\d{3}) ", data)
            if m:
                got.append(int(m.group(1)))
                if got[-1] >= 200:
                    break
    except socket.timeout:
        pass
    return got


def alive(port, i):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    lp = s.getsockname()[1]
    msg = ("OPTIONS sip:127.0.0.1:%d SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKalive%d;rport\r\n"
           "Max-Forwards: 70\r\nFrom: <sip:t@127.0.0.1>;tag=a%d\r\n"
           "To: <sip:127.0.0.1>\r\nCall-ID: alive%d\r\n"
           "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
           % (port, lp, i, i, i)).encode()
    s.sendto(msg, ("127.0.0.1", port))
    ok = 200 in codes(s)
    s.close()
    return ok


def main():
    d, port = sys.argv[1], int(sys.argv[2])
    rows = [l.rstrip("\n").split("\t")
            for l in open(d + "/MANIFEST.tsv", encoding="utf-8")][1:]
    bad = 0
    for i, row in enumerate(rows):
        name, kind = row[0][:-4], row[2]
        raw = open(d + "/" + row[0], "rb").read()
        raw = re.sub(rb"\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b",
                     lambda m: map_ip(type("M", (), {"group": lambda s, x:
                                  m.group(0).decode()})()).encode(), raw)
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        s.sendto(raw, ("127.0.0.1", port))
        got = codes(s)
        s.close()
        is_rsp = raw.startswith(b"SIP/2.0 ")
        exp = EXPECT.get(name, "none" if is_rsp else
                         ("not400" if kind == "valid" else "any"))
        if exp == "none":
            ok = not got
        elif exp == "not400":
            ok = 400 not in got
        elif exp == "any":
            ok = True
        else:
            ok = bool(got) and got[-1] in exp
        up = alive(port, i)
        print("%-4s %-11s %-9s got %-12s want %-12s %s" %
              ("ok" if ok and up else "FAIL", name, kind,
               ",".join(map(str, got)) or "-",
               exp if isinstance(exp, str) else
               "|".join(map(str, sorted(exp))),
               "" if up else "DAEMON NOT ANSWERING"))
        bad += not (ok and up)
    print("torture: %d messages, %d failed" % (len(rows), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
