#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Drives refd's RFC 8599 push path for t_refd_push.sh, on loopback only:
# a tiny push gateway (http.server on 127.0.0.1) records every POST, and
# plain UDP SIP sockets play bob's sleeping phone and alice's phone.
#   1. bob registers with pn-provider/pn-prid/pn-param;
#   2. alice calls bob: refd answers 100, POSTs a wake-up (no caller in
#      it), and does not ring bob yet;
#   3. bob re-registers (woken): the INVITE reaches him without the
#      device token, he answers, alice gets the 200, ACK, BYE;
#   4. a second call while bob sleeps and never wakes: 480 after [push]
#      wait;
#   5. alice's MESSAGE for the sleeping bob: 202 and a "message" wake-up.
# Usage: push_sip.py SIP_PORT GW_PORT PROVIDER_CANARY; exit 0 = all ok.
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

SIP, GW, CANARY = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
posts = []
fails = 0


def check(name, ok, detail=""):
    global fails
    print(("ok   " if ok else "FAIL ") + name + (": " + detail if detail and not ok else ""))
    if not ok:
        fails += 1


class Gw(BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        posts.append(self.rfile.read(n).decode("utf-8", "replace"))
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


gw = HTTPServer(("127.0.0.1", GW), Gw)
threading.Thread(target=gw.serve_forever, daemon=True).start()


def sock():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(0.2)
    return s


bob, alice = sock(), sock()
bport, aport = bob.getsockname()[1], alice.getsockname()[1]
PROXY = ("127.0.0.1", SIP)
TOKEN = "devtok-8599-" + CANARY[::-1]


def send(s, text):
    text = text.replace("\n", "\r\n")
    s.sendto(text.encode(), PROXY)


def recv_until(s, pred, limit):
    """Messages read from s until pred(msg) is true or limit s pass."""
    end, got = time.time() + limit, []
    while time.time() < end:
        try:
            m = s.recv(65535).decode("utf-8", "replace")
        except socket.timeout:
            continue
        got.append(m)
        if pred(m):
            return m, got
    return None, got


def register(cseq):
    send(bob, f"""REGISTER sip:example.test SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:{bport};branch=z9hG4bKr{cseq};rport
Max-Forwards: 70
From: <sip:bob@example.test>;tag=rb
To: <sip:bob@example.test>
Call-ID: reg-bob-push
CSeq: {cseq} REGISTER
Contact: <sip:bob@127.0.0.1:{bport};pn-provider={CANARY};pn-prid={TOKEN};pn-param=ABCD.voip>;expires=600
Content-Length: 0

""")
    m, _ = recv_until(bob, lambda m: m.startswith("SIP/2.0 200"), 3)
    return m is not None


def invite(cid, branch):
    send(alice, f"""INVITE sip:bob@example.test SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:{aport};branch={branch};rport
Max-Forwards: 70
From: "Alice" <sip:alice@example.test>;tag=al1
To: <sip:bob@example.test>
Call-ID: {cid}
CSeq: 1 INVITE
Contact: <sip:alice@127.0.0.1:{aport}>
Subject: CALLER-SUBJECT-{CANARY[::-1]}
Content-Length: 0

""")


def hdr(m, name):
    for line in m.split("\r\n"):
        if line.lower().startswith(name.lower() + ":"):
            return line.split(":", 1)[1].strip()
    return ""


def answer(inv, code, totag):
    vias = [l for l in inv.split("\r\n") if l.lower().startswith("via:")]
    rr = [l for l in inv.split("\r\n") if l.lower().startswith("record-route:")]
    out = [f"SIP/2.0 {code} X"] + vias + rr + [
        "From: " + hdr(inv, "From"), "To: " + hdr(inv, "To") + ";tag=" + totag,
        "Call-ID: " + hdr(inv, "Call-ID"), "CSeq: " + hdr(inv, "CSeq"),
        f"Contact: <sip:bob@127.0.0.1:{bport}>", "Content-Length: 0", "", ""]
    bob.sendto("\r\n".join(out).encode(), PROXY)


check("bob registers with push parameters", register(1))
time.sleep(0.3)
check("REGISTER alone wakes nobody", not posts)

# 2-3: a call wakes bob, waits, and reaches him after his re-REGISTER
invite("push-call-1", "z9hG4bKinv1")
m, _ = recv_until(alice, lambda m: m.startswith("SIP/2.0 100"), 3)
check("alice gets 100 Trying", m is not None)
m, _ = recv_until(bob, lambda m: m.startswith("INVITE"), 1.0)
check("the sleeping phone is not rung before it wakes", m is None)
deadline = time.time() + 3
while not posts and time.time() < deadline:
    time.sleep(0.05)
check("refd POSTed one wake-up to the gateway", len(posts) == 1,
      str(posts))
p = json.loads(posts[0]) if posts else {}
check("the POST carries provider, prid, param and kind=call",
      p.get("pn-provider") == CANARY and p.get("pn-prid") == TOKEN and
      p.get("pn-param") == "ABCD.voip" and p.get("type") == "call", str(p))
check("the POST carries no caller and no subject",
      posts and "alice" not in posts[0] and "SUBJECT" not in posts[0],
      posts[0] if posts else "")
check("bob re-registers (woken)", register(2))
inv, _ = recv_until(bob, lambda m: m.startswith("INVITE"), 3)
check("the parked INVITE reaches the woken phone", inv is not None)
if inv:
    check("the forwarded INVITE has no device token", TOKEN not in inv)
    answer(inv, 200, "bobtag")
    m, _ = recv_until(alice, lambda m: m.startswith("SIP/2.0 200"), 3)
    check("alice gets bob's 200", m is not None)
    if m:
        rr = hdr(m, "Record-Route")
        send(alice, f"""ACK sip:bob@127.0.0.1:{bport} SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:{aport};branch=z9hG4bKack1;rport
Route: {rr}
Max-Forwards: 70
From: "Alice" <sip:alice@example.test>;tag=al1
To: <sip:bob@example.test>;tag=bobtag
Call-ID: push-call-1
CSeq: 1 ACK
Content-Length: 0

""")
        send(alice, f"""BYE sip:bob@127.0.0.1:{bport} SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:{aport};branch=z9hG4bKbye1;rport
Route: {rr}
Max-Forwards: 70
From: "Alice" <sip:alice@example.test>;tag=al1
To: <sip:bob@example.test>;tag=bobtag
Call-ID: push-call-1
CSeq: 2 BYE
Content-Length: 0

""")
        bye, _ = recv_until(bob, lambda m: m.startswith("BYE"), 3)
        check("BYE reaches bob", bye is not None)
        if bye:
            answer(bye, 200, "bobtag")
            m, _ = recv_until(alice, lambda m: m.startswith("SIP/2.0 200")
                              and "BYE" in hdr(m, "CSeq"), 3)
            check("alice gets the 200 to BYE", m is not None)

# 4: bob never wakes: 480 after [push] wait (2 s in the test config)
n0 = len(posts)
t0 = time.time()
invite("push-call-2", "z9hG4bKinv2")
m, got = recv_until(alice, lambda m: m.startswith("SIP/2.0 480"), 6)
check("a phone that never wakes: 480 after the wait", m is not None and
      time.time() - t0 >= 1.5, "%s after %.1fs" % (m and m[:40], time.time() - t0))
check("a second wake-up was POSTed", len(posts) == n0 + 1)
if m:
    send(alice, f"""ACK sip:bob@example.test SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:{aport};branch=z9hG4bKinv2;rport
Max-Forwards: 70
From: "Alice" <sip:alice@example.test>;tag=al1
To: {hdr(m, "To")}
Call-ID: push-call-2
CSeq: 1 ACK
Content-Length: 0

""")

# 5: a MESSAGE for the sleeping phone is stored (202) and wakes it
n0 = len(posts)
body = "MSGBODY-" + CANARY[::-1]
send(alice, f"""MESSAGE sip:bob@example.test SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:{aport};branch=z9hG4bKmsg1;rport
Max-Forwards: 70
From: <sip:alice@example.test>;tag=am1
To: <sip:bob@example.test>
Call-ID: push-msg-1
CSeq: 1 MESSAGE
Content-Type: text/plain
Content-Length: {len(body)}

{body}""")
m, _ = recv_until(alice, lambda m: m.startswith("SIP/2.0 2"), 3)
check("MESSAGE for the sleeping phone: 202 (stored)",
      m is not None and m.startswith("SIP/2.0 202"), m and m[:30])
deadline = time.time() + 3
while len(posts) == n0 and time.time() < deadline:
    time.sleep(0.05)
check("a message wake-up without the body",
      len(posts) == n0 + 1 and '"message"' in posts[-1] and
      body not in posts[-1], str(posts[n0:]))

# 6: P10 multi-device sync. The woken phone re-registers and is sent the
# stored MESSAGE; a second phone (new device) registering later gets it
# too; a refresh gets nothing more.
def answer_msg(s, m, port):
    vias = [l for l in m.split("\r\n") if l.lower().startswith("via:")]
    out = ["SIP/2.0 200 OK"] + vias + [
        "From: " + hdr(m, "From"), "To: " + hdr(m, "To") + ";tag=ph%d" % port,
        "Call-ID: " + hdr(m, "Call-ID"), "CSeq: " + hdr(m, "CSeq"),
        "Content-Length: 0", "", ""]
    s.sendto("\r\n".join(out).encode(), PROXY)


check("bob's phone wakes and re-registers", register(3))
m, _ = recv_until(bob, lambda m: m.startswith("MESSAGE"), 3)
check("the stored MESSAGE is sent to the woken phone",
      m is not None and body in m and "alice@example.test" in hdr(m, "From"))
if m:
    answer_msg(bob, m, bport)
tab = sock()
tport = tab.getsockname()[1]
send(tab, f"""REGISTER sip:example.test SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:{tport};branch=z9hG4bKtab1;rport
Max-Forwards: 70
From: <sip:bob@example.test>;tag=tb
To: <sip:bob@example.test>
Call-ID: reg-bob-tablet
CSeq: 1 REGISTER
Contact: <sip:bob@127.0.0.1:{tport}>;+sip.instance="<urn:uuid:0b0b-tablet>";expires=600
Content-Length: 0

""")
got = recv_until(tab, lambda m: m.startswith("MESSAGE"), 3)[1]
ok200 = any(g.startswith("SIP/2.0 200") for g in got)
msgs = [g for g in got if g.startswith("MESSAGE")]
check("a second device registering later gets the stored MESSAGE",
      ok200 and len(msgs) == 1 and body in msgs[0], "%d msgs" % len(msgs))
if msgs:
    answer_msg(tab, msgs[0], tport)
time.sleep(0.3)
check("bob's phone refreshes: nothing sent twice", register(4) and
      recv_until(bob, lambda m: m.startswith("MESSAGE"), 1.0)[0] is None)
gw.shutdown()
sys.exit(1 if fails else 0)
