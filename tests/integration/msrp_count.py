#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""MSRP counts of a capture, independent of rtcbench, from tshark.

tshark's MSRP dissector shows one message per TCP segment: a segment
carrying two messages (a relay or focus writing at once) or a 16 KiB
chunk cut over segments is not counted right there. So the counts here
take tshark's TCP reassembly (-z follow,tcp,raw per stream) and frame the
bytes by RFC 4975 7.1 (start line "MSRP tid METHOD|CODE", end-line
"-------tid" + $/+/#); tshark's dissector counts are printed alongside.
Sessions, chunks and messages follow rtcbench's definitions (SPEC-less,
see sim/replay/rpl_msrp.c) but are computed here from the framed bytes
and tshark's SDP fields: a session is the pair of last To-Path/From-Path
URIs, a chunk is counted once over its hops. Prints one JSON object with
the summary.json names (msrp_messages, msrp_requests_<M>,
msrp_responses_<code>, msrp_sessions, msrp_sessions_sdp, msrp_chunks,
msrp_chat_messages, msrp_chunked, msrp_bytes) plus streams and
tshark_dissector_messages.
Usage: msrp_count.py CAPTURE
"""
import json
import re
import subprocess
import sys


def tshark(*args):
    return subprocess.run(["tshark", *args], check=True, capture_output=True,
                          text=True).stdout


def streams(cap):
    out = tshark("-r", cap, "-Y", "tcp.len > 0", "-T", "fields",
                 "-e", "tcp.stream")
    return sorted({int(x) for x in out.split()})


def halves(cap, n):
    """The two directions of TCP stream n as bytes, via tshark."""
    out = tshark("-r", cap, "-q", "-z", "follow,tcp,raw,%d" % n)
    d = [b"", b""]
    for line in out.splitlines():
        if not line or line.startswith(("=", "Follow", "Filter", "Node")):
            continue
        side = 1 if line.startswith("\t") else 0
        try:
            d[side] += bytes.fromhex(line.strip())
        except ValueError:
            pass
    return d


START = re.compile(rb"MSRP ([A-Za-z0-9.\-+%=]{4,32}) ([A-Z]+|\d{3})")


def hdr(head, name):
    m = re.search(rb"\r\n" + name + rb": *([^\r]*)", head)
    return m.group(1).decode() if m else ""


def key(uri):
    """host:port/session of an MSRP URI, host lower case (RFC 4975 6.1)."""
    m = re.match(r"msrps?://(?:[^@/]*@)?(\[[^\]]*\]|[^:/;]*)(?::(\d+))?"
                 r"(?:/([^;]*))?", uri)
    if not m:
        return uri
    return "%s:%s/%s" % (m.group(1).strip("[]").lower(), m.group(2) or 2855,
                         m.group(3) or "")


def request(head, what, flag, body_len, counts, seen):
    """Session and chunk accounting of one request, once over all hops."""
    if what not in ("SEND", "REPORT"):
        return
    frm = key(hdr(head, b"From-Path").split()[-1])
    to = key(hdr(head, b"To-Path").split()[-1])
    pair = tuple(sorted((frm, to)))
    seen["sessions"].add(pair)
    rng = hdr(head, b"Byte-Range") or "1-"
    ck = (pair, frm, what, hdr(head, b"Message-ID"), rng.split("-")[0],
          hdr(head, b"Status"))
    if ck in seen["chunks"] or what != "SEND":
        seen["chunks"].add(ck)
        return
    seen["chunks"].add(ck)
    counts["msrp_chunks"] = counts.get("msrp_chunks", 0) + 1
    counts["msrp_bytes"] = counts.get("msrp_bytes", 0) + body_len
    if flag == b"$":
        counts["msrp_chat_messages"] = counts.get("msrp_chat_messages",
                                                  0) + 1
        if rng.split("-")[0] != "1":
            counts["msrp_chunked"] = counts.get("msrp_chunked", 0) + 1


def frame(data, counts, seen):
    pos = 0
    while pos < len(data):
        while data[pos:pos + 2] == b"\r\n":
            pos += 2
        if pos >= len(data):
            return
        m = START.match(data, pos)
        if not m:
            counts["unframed"] = counts.get("unframed", 0) + 1
            return
        tid, what = m.group(1), m.group(2).decode()
        end = re.compile(rb"-------" + re.escape(tid) + rb"[$+#]\r\n")
        e = end.search(data, m.end())
        if not e:
            counts["unframed"] = counts.get("unframed", 0) + 1
            return
        counts["msrp_messages"] = counts.get("msrp_messages", 0) + 1
        key = ("msrp_responses_" + what if what.isdigit()
               else "msrp_requests_" + what)
        counts[key] = counts.get(key, 0) + 1
        head_end = data.find(b"\r\n\r\n", m.end(), e.start())
        # content ends with the CRLF before the end-line
        blen = e.start() - 2 - (head_end + 4) if head_end >= 0 else 0
        head = data[pos:head_end if head_end >= 0 else e.start()]
        request(head, what, data[e.end() - 3:e.end() - 2], blen, counts,
                seen)
        pos = e.end()


def main():
    cap = sys.argv[1]
    counts = {"msrp_messages": 0}
    seen = {"sessions": set(), "chunks": set()}
    n = 0
    for s in streams(cap):
        for h in halves(cap, s):
            if h.startswith(b"MSRP "):
                n += 1
                frame(h, counts, seen)
    counts["streams"] = n
    counts["msrp_sessions"] = len(seen["sessions"])
    paths = tshark("-r", cap, "-Y", "sdp", "-T", "fields", "-E",
                   "occurrence=a", "-E", "aggregator=|", "-e",
                   "sdp.media_attr")
    ends = {key(a[5:].split()[-1]) for line in paths.splitlines()
            for a in line.split("|") if a.startswith("path:")}
    counts["msrp_sessions_sdp"] = sum(1 for p in seen["sessions"]
                                      if p[0] in ends or p[1] in ends)
    dis = tshark("-r", cap, "-Y", "msrp", "-T", "fields", "-e",
                 "msrp.method", "-e", "msrp.status.code").splitlines()
    counts["tshark_dissector_messages"] = len(dis)
    print(json.dumps(counts, sort_keys=True))


if __name__ == "__main__":
    main()
