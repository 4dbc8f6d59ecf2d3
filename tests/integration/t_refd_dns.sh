#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Next hops that are host names, through a running refd on loopback: a
# MESSAGE pre-routed to <sip:localhost:P;lr> is forwarded to 127.0.0.1:P
# once refd's resolver (getaddrinfo_a off the loop, /etc/hosts) answers,
# and the far end's 200 comes back. Only /etc/hosts names: nothing leaves
# the machine. While a lookup runs refd keeps answering OPTIONS.
set -eu
. "$(dirname "$0")/lib.sh"
lib_tmp t_refd_dns
command -v python3 >/dev/null || { echo "skip: python3 absent"; exit 77; }
getent hosts localhost >/dev/null || { echo "skip: localhost not in /etc/hosts"; exit 77; }
p=$(lib_port)
lib_refd_ini "$p" off
lib_refd_start
set +e
timeout 20 python3 - "$p" $((p + 1)) <<'PY'
import socket, sys
SIP, P2 = int(sys.argv[1]), int(sys.argv[2])
fails = 0
def check(name, ok):
    global fails
    print(("ok   " if ok else "FAIL ") + name)
    fails += not ok
def sock(port=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    s.settimeout(3)
    return s
far, a = sock(P2), sock()
ap = a.getsockname()[1]
m = f"""MESSAGE sip:bob@localhost:{P2} SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:{ap};branch=z9hG4bKdns1;rport
Route: <sip:127.0.0.1:{SIP};lr>, <sip:localhost:{P2};lr>
Max-Forwards: 70
From: <sip:alice@example.test>;tag=a1
To: <sip:bob@localhost>
Call-ID: dns-1
CSeq: 1 MESSAGE
Content-Type: text/plain
Content-Length: 5

hello""".replace("\n", "\r\n")
a.sendto(m.encode(), ("127.0.0.1", SIP))
try:
    got, src = far.recvfrom(65535)
    got = got.decode()
except socket.timeout:
    got, src = "", None
check("the MESSAGE for localhost reaches 127.0.0.1:%d" % P2,
      got.startswith("MESSAGE sip:bob@localhost:%d" % P2) and src[0] == "127.0.0.1")
if got:
    lines = got.split("\r\n")
    vias = [l for l in lines if l.lower().startswith("via:")]
    keep = [l for l in lines if l.split(":")[0].lower() in ("from", "to", "call-id", "cseq")]
    far.sendto("\r\n".join(["SIP/2.0 200 OK"] + vias + [k + (";tag=f" if k.lower().startswith("to:") else "") for k in keep] + ["Content-Length: 0", "", ""]).encode(), src)
    try:
        r = a.recv(65535).decode()
    except socket.timeout:
        r = ""
    check("the far end's 200 comes back to alice", r.startswith("SIP/2.0 200"))
o = f"""OPTIONS sip:127.0.0.1:{SIP} SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:{ap};branch=z9hG4bKopt1;rport
Max-Forwards: 70
From: <sip:alice@example.test>;tag=o1
To: <sip:127.0.0.1:{SIP}>
Call-ID: opt-1
CSeq: 1 OPTIONS
Content-Length: 0

""".replace("\n", "\r\n")
a.sendto(o.encode(), ("127.0.0.1", SIP))
try:
    r = a.recv(65535).decode()
except socket.timeout:
    r = ""
check("refd still answers OPTIONS", r.startswith("SIP/2.0 200"))
sys.exit(1 if fails else 0)
PY
rc=$?
set -e
kill -TERM "$pid"; wait "$pid"; src=$?; pid=
echo "refd exit $src"
[ "$rc" = 0 ] && [ "$src" = 0 ]
