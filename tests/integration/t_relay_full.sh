#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The RTP relay full (P12: all media relayed, never around the relay):
# refd's [media] ports hold one call (4 ports). A first INVITE reaches
# bob with relay ports in its SDP and rings; a second one is answered
# 503 Media Relay Full with Retry-After and never reaches bob with the
# caller's own address; its CDR says 503. Once the first call is
# cancelled, a third INVITE gets the freed ports.
set -eu
. "$(dirname "$0")/lib.sh"
lib_tmp t_relay_full
command -v python3 >/dev/null || { echo "skip: python3 absent"; exit 77; }
p=$(lib_port)
lib_refd_ini "$p" off
cat >>"$tmp/refd.ini" <<CONF
[media]
address = 127.0.0.1
ports = $((p+100))-$((p+103))
CONF
lib_account alice@example.test 'Tq7#vLx2!pRz9w'
lib_account bob@example.test 'Tq7#vLx2!pRz9w'
lib_refd_start
set +e
timeout 30 python3 - "$p" <<'PY'
import re, socket, sys
P = int(sys.argv[1])
fails = 0
def check(name, ok, detail=""):
    global fails
    print(("ok   " if ok else "FAIL ") + name + (f" ({detail})" if detail and not ok else ""))
    fails += not ok
def sock():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    s.settimeout(2)
    return s
alice, bob = sock(), sock()
ap, bp = alice.getsockname()[1], bob.getsockname()[1]
def recv(s, want, n=10):
    for _ in range(n):
        try:
            d = s.recv(65535).decode(errors="replace")
        except socket.timeout:
            return None
        if d.startswith(want):
            return d
    return None
bob.sendto((f"REGISTER sip:example.test SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP 127.0.0.1:{bp};branch=z9hG4bKr1\r\n"
            f"From: <sip:bob@example.test>;tag=b1\r\nTo: <sip:bob@example.test>\r\n"
            f"Call-ID: reg-1\r\nCSeq: 1 REGISTER\r\n"
            f"Contact: <sip:bob@127.0.0.1:{bp}>\r\nExpires: 300\r\n"
            f"Content-Length: 0\r\n\r\n").encode(), ("127.0.0.1", P))
check("bob registers", recv(bob, "SIP/2.0 200") is not None)
SDP = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
       "t=0 0\r\nm=audio 41234 RTP/AVP 0\r\n")
def invite(n):
    alice.sendto((f"INVITE sip:bob@example.test SIP/2.0\r\n"
                  f"Via: SIP/2.0/UDP 127.0.0.1:{ap};branch=z9hG4bKi{n}\r\n"
                  f"Max-Forwards: 70\r\nFrom: <sip:alice@example.test>;tag=a{n}\r\n"
                  f"To: <sip:bob@example.test>\r\nCall-ID: full-{n}\r\n"
                  f"CSeq: 1 INVITE\r\nContact: <sip:alice@127.0.0.1:{ap}>\r\n"
                  f"Content-Type: application/sdp\r\nContent-Length: {len(SDP)}\r\n"
                  f"\r\n{SDP}").encode(), ("127.0.0.1", P))
def ring(inv):
    via = "\r\n".join(l for l in inv.split("\r\n") if l.lower().startswith("via:"))
    hdr = {k: re.search(rf"^{k}:.*$", inv, re.M | re.I).group(0)
           for k in ("From", "To", "Call-ID", "CSeq")}
    bob.sendto((f"SIP/2.0 180 Ringing\r\n{via}\r\n{hdr['From']}\r\n"
                f"{hdr['To']};tag=bt\r\n{hdr['Call-ID']}\r\n{hdr['CSeq']}\r\n"
                f"Content-Length: 0\r\n\r\n").encode(), ("127.0.0.1", P))
invite(1)
inv1 = recv(bob, "INVITE ")
m = re.search(r"m=audio (\d+)", inv1 or "")
check("first INVITE reaches bob with a relay port",
      m is not None and P + 100 <= int(m.group(1)) <= P + 103, inv1)
if inv1:
    ring(inv1)
recv(alice, "SIP/2.0 180")
invite(2)
r = recv(alice, "SIP/2.0 5")
check("second INVITE: 503 Media Relay Full", r is not None and
      r.startswith("SIP/2.0 503 Media Relay Full"), r)
check("... with Retry-After", r is not None and "\r\nRetry-After: " in r, r)
bob.settimeout(0.5)
check("... and never reaches bob", recv(bob, "INVITE ") is None)
bob.settimeout(2)
# cancel the first: its ports go back
alice.sendto((f"CANCEL sip:bob@example.test SIP/2.0\r\n"
              f"Via: SIP/2.0/UDP 127.0.0.1:{ap};branch=z9hG4bKi1\r\n"
              f"Max-Forwards: 70\r\nFrom: <sip:alice@example.test>;tag=a1\r\n"
              f"To: <sip:bob@example.test>\r\nCall-ID: full-1\r\n"
              f"CSeq: 1 CANCEL\r\nContent-Length: 0\r\n\r\n").encode(),
             ("127.0.0.1", P))
can = recv(bob, "CANCEL ")
if can:
    via = "\r\n".join(l for l in can.split("\r\n") if l.lower().startswith("via:"))
    hdr = {k: re.search(rf"^{k}:.*$", can, re.M | re.I).group(0)
           for k in ("From", "To", "Call-ID", "CSeq")}
    base = f"{via}\r\n{hdr['From']}\r\n{hdr['To']}\r\n{hdr['Call-ID']}\r\n"
    bob.sendto((f"SIP/2.0 200 OK\r\n{base}{hdr['CSeq']}\r\n"
                f"Content-Length: 0\r\n\r\n").encode(), ("127.0.0.1", P))
    bob.sendto((f"SIP/2.0 487 Request Terminated\r\n{via}\r\n{hdr['From']}\r\n"
                f"{hdr['To']};tag=bt\r\n{hdr['Call-ID']}\r\nCSeq: 1 INVITE\r\n"
                f"Content-Length: 0\r\n\r\n").encode(), ("127.0.0.1", P))
check("first call cancelled (487)", recv(alice, "SIP/2.0 487") is not None)
invite(3)
inv3 = recv(bob, "INVITE ")
m = re.search(r"m=audio (\d+)", inv3 or "")
check("third INVITE gets the freed relay ports",
      m is not None and P + 100 <= int(m.group(1)) <= P + 103, inv3)
sys.exit(1 if fails else 0)
PY
rc=$?
set -e
[ "$rc" = 0 ] || fail=1
kill "$pid"; wait "$pid" || true; pid=
bin/refctl -c "$tmp/refd.ini" cdr list --json >"$tmp/cdr.json"
check "the refused call's CDR says 503" \
	"python3 -c 'import json,sys; c=[x for x in json.load(open(sys.argv[1])) if x.get(\"status\")==503]; assert len(c)==1, c' '$tmp/cdr.json'"
check "refd counted the refused offer" \
	"grep -q 'media offers refused 1' '$tmp/refd.log'"
exit $fail
