#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# For t_refd_presrules.sh: over UDP on loopback, bob PUBLISHes a note,
# then carol (allowed by bob's pres-rules), mallory (blocked), eve
# (polite-block) and dave (no rule) SUBSCRIBE to bob. Checks what each
# gets. Usage: presrules_sip.py SIP_PORT NOTE_CANARY; exit 0 = all ok.
import socket
import sys
import time

SIP, NOTE = int(sys.argv[1]), sys.argv[2]
PROXY = ("127.0.0.1", SIP)
fails = 0


def check(name, ok, detail=""):
    global fails
    print(("ok   " if ok else "FAIL ") + name + ("" if ok or not detail else ": " + detail))
    fails += not ok


def sock():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(0.2)
    return s


def send(s, text):
    s.sendto(text.replace("\n", "\r\n").encode(), PROXY)


def recv_all(s, limit):
    end, got = time.time() + limit, []
    while time.time() < end:
        try:
            got.append(s.recv(65535).decode("utf-8", "replace"))
        except socket.timeout:
            pass
    return got


def hdr(m, name):
    for line in m.split("\r\n"):
        if line.lower().startswith(name.lower() + ":"):
            return line.split(":", 1)[1].strip()
    return ""


bob = sock()
body = "<note>%s</note>" % NOTE
send(bob, f"""PUBLISH sip:bob@example.test SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:{bob.getsockname()[1]};branch=z9hG4bKpub1;rport
Max-Forwards: 70
From: <sip:bob@example.test>;tag=bp
To: <sip:bob@example.test>
Call-ID: pub-bob
CSeq: 1 PUBLISH
Event: presence
Expires: 600
Content-Type: application/pidf+xml
Content-Length: {len(body)}

{body}""")
got = recv_all(bob, 0.8)
check("bob's PUBLISH is accepted", any(g.startswith("SIP/2.0 200") for g in got))


def subscribe(who):
    s = sock()
    port = s.getsockname()[1]
    send(s, f"""SUBSCRIBE sip:bob@example.test SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bKs{who};rport
Max-Forwards: 70
From: <sip:{who}@example.test>;tag=w{who}
To: <sip:bob@example.test>
Call-ID: sub-{who}
CSeq: 1 SUBSCRIBE
Contact: <sip:{who}@127.0.0.1:{port}>
Event: presence
Expires: 600
Content-Length: 0

""")
    got = recv_all(s, 0.8)
    if len(sys.argv) > 3:
        print(who, [g[:300] for g in got])
    rsp = [g for g in got if g.startswith("SIP/2.0")]
    notes = [g for g in got if g.startswith("NOTIFY")]
    for n in notes:   # answer, so refd does not retransmit
        vias = [l for l in n.split("\r\n") if l.lower().startswith("via:")]
        s.sendto("\r\n".join(["SIP/2.0 200 OK"] + vias + [
            "From: " + hdr(n, "From"), "To: " + hdr(n, "To"),
            "Call-ID: " + hdr(n, "Call-ID"), "CSeq: " + hdr(n, "CSeq"),
            "Content-Length: 0", "", ""]).encode(), PROXY)
    return (rsp[0][:11] if rsp else ""), notes


code, notes = subscribe("carol")
check("carol (allow): 200 and bob's note", code == "SIP/2.0 200" and
      notes and NOTE in notes[0] and
      "active" in hdr(notes[0], "Subscription-State"), code)
code, notes = subscribe("mallory")
check("mallory (block): 403, no NOTIFY", code == "SIP/2.0 403" and not notes, code)
code, notes = subscribe("eve")
check("eve (polite-block): accepted, only a neutral closed state",
      code == "SIP/2.0 200" and notes and NOTE not in notes[0]
      and "<basic>closed</basic>" in notes[0], code)
code, notes = subscribe("dave")
check("dave (no rule): pending, a NOTIFY without state",
      code == "SIP/2.0 200" and notes and NOTE not in notes[0]
      and hdr(notes[0], "Subscription-State").startswith("pending") and
      hdr(notes[0], "Content-Length") == "0", code)
sys.exit(1 if fails else 0)
