#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# RFC 3263 through a running refd, with tests/tools/dnsd as its only DNS
# server ([dns] server; nothing leaves 127.0.0.1). A python UAC pre-routes
# MESSAGEs through refd to domain names; SIPp UASes answer:
#  - svc.test: NAPTR SIP+D2U -> SRV _sip._udp -> A -> SIPp (UDP)
#  - fo.test: NAPTR SIP+D2T -> SRV prio 10 on a dead TCP port, prio 20 on
#    SIPp (TCP): the refused connection fails over to the live target
#  - fo5.test;transport=udp: SRV only; prio 10 answers 503 -> prio 20
#  - sips:sec.test: NAPTR prefers SIP+D2U, but a sips hop only takes the
#    SIPS+D2T target (TLS, a TLS bridge in front of SIPp over TCP)
#  - sips:clr.test: only clear transports in DNS -> 403, nothing sent
set -eu
. "$(dirname "$0")/lib.sh"
lib_tmp t_dns_srv
command -v python3 >/dev/null || { echo "skip: python3 absent"; exit 77; }
[ -x /usr/bin/sipp ] || { echo "skip: sipp absent"; exit 77; }
[ -x build/tools/dnsd ] || { echo "FAIL build/tools/dnsd not built"; exit 1; }
sc=tests/integration/sipp
bg=
cleanup_extra() { [ -z "$bg" ] || kill $bg 2>/dev/null; }
p=$(lib_port 20000 8000)
tests/integration/mkcerts.sh "$tmp/certs" >/dev/null
cat >"$tmp/zone" <<ZONE
svc.test.            60 NAPTR 10 50 s SIP+D2U "" _sip._udp.svc.test.
_sip._udp.svc.test.  60 SRV   10 0 $((p+2)) h1.svc.test.
h1.svc.test.         60 A     127.0.0.1
fo.test.             60 NAPTR 10 50 s SIP+D2T "" _sip._tcp.fo.test.
_sip._tcp.fo.test.   60 SRV   10 0 $((p+7)) h1.svc.test.
_sip._tcp.fo.test.   60 SRV   20 0 $((p+4)) h1.svc.test.
_sip._udp.fo5.test.  60 SRV   10 0 $((p+3)) h1.svc.test.
_sip._udp.fo5.test.  60 SRV   20 0 $((p+2)) h1.svc.test.
sec.test.            60 NAPTR 10 50 s SIP+D2U "" _sip._udp.sec.test.
sec.test.            60 NAPTR 20 50 s SIPS+D2T "" _sips._tcp.sec.test.
_sip._udp.sec.test.  60 SRV   10 0 $((p+2)) h1.svc.test.
_sips._tcp.sec.test. 60 SRV   10 0 $((p+5)) h1.svc.test.
clr.test.            60 NAPTR 10 50 s SIP+D2U "" _sip._udp.clr.test.
_sip._udp.clr.test.  60 SRV   10 0 $((p+2)) h1.svc.test.
ZONE
build/tools/dnsd -z "$tmp/zone" -t 120 >"$tmp/dns.log" & bg="$bg $!"
for _ in $(seq 50); do grep -qs listening "$tmp/dns.log" && break; sleep 0.1; done
dport=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/dns.log")
[ -n "$dport" ] || { echo "FAIL dnsd did not start"; exit 1; }
lib_refd_ini "$p" off example.test \
	"tls_cert = $tmp/certs/server.crt" "tls_key = $tmp/certs/server.key"
sed -i "s|^listen = .*|listen = udp:127.0.0.1:$p tcp:127.0.0.1:$p tls:127.0.0.1:$((p+1))|" \
	"$tmp/refd.ini"
printf '[dns]\nserver = 127.0.0.1:%s\n' "$dport" >>"$tmp/refd.ini"
(cd "$tmp" && exec /usr/bin/sipp -timeout 40 -nostdin -i 127.0.0.1 -sf "$OLDPWD/$sc/msg_uas.xml" \
	-t u1 -p $((p+2)) -m 2 >/dev/null 2>&1) & uas_u=$!; bg="$bg $uas_u"
(cd "$tmp" && exec /usr/bin/sipp -timeout 40 -nostdin -i 127.0.0.1 -sf "$OLDPWD/$sc/msg_uas.xml" \
	-t t1 -p $((p+4)) -m 1 >/dev/null 2>&1) & uas_t=$!; bg="$bg $uas_t"
(cd "$tmp" && exec /usr/bin/sipp -timeout 40 -nostdin -i 127.0.0.1 -sf "$OLDPWD/$sc/msg_uas.xml" \
	-t t1 -p $((p+6)) -m 1 >/dev/null 2>&1) & uas_s=$!; bg="$bg $uas_s"
python3 $sc/tlsbridge.py tls2tcp $((p+5)) $((p+6)) \
	"$tmp/certs/server.crt" "$tmp/certs/server.key" & bg="$bg $!"
for _ in $(seq 100); do
	ss -ltn | grep -q ":$((p+5)) " && ss -ltn | grep -q ":$((p+4)) " &&
		ss -ltn | grep -q ":$((p+6)) " && ss -lun | grep -q ":$((p+2)) " &&
		break
	sleep 0.1
done
lib_refd_start
set +e
timeout 50 python3 - "$p" "$uas_u" "$uas_t" "$uas_s" <<'PY'
import socket, sys, threading
SIP = int(sys.argv[1])
PID_U, PID_T, PID_S = sys.argv[2:5]
fails = 0
def check(name, ok):
    global fails
    print(("ok   " if ok else "FAIL ") + name)
    fails += not ok
# prio 10 of fo5.test: answers every request 503
hits = []
def busy():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", SIP + 3))
    while True:
        d, src = s.recvfrom(65535)
        t = d.decode(errors="replace")
        if t.startswith("SIP/"):
            continue
        hits.append(t)
        keep = [l for l in t.split("\r\n") if l.split(":")[0].lower()
                in ("via", "from", "to", "call-id", "cseq")]
        if not t.startswith("ACK"):
            s.sendto(("\r\n".join(["SIP/2.0 503 Service Unavailable"] + keep
                     + ["Content-Length: 0", "", ""])).encode(), src)
threading.Thread(target=busy, daemon=True).start()
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.bind(("127.0.0.1", 0))
a.settimeout(8)
ap = a.getsockname()[1]
def message(n, hop):
    m = f"""MESSAGE sip:bob@far.test SIP/2.0
Via: SIP/2.0/UDP 127.0.0.1:{ap};branch=z9hG4bKsrv{n};rport
Route: <sip:127.0.0.1:{SIP};lr>, <{hop};lr>
Max-Forwards: 70
From: <sip:alice@example.test>;tag=a{n}
To: <sip:bob@far.test>
Call-ID: srv-{n}
CSeq: 1 MESSAGE
Content-Type: text/plain
Content-Length: 5

hello""".replace("\n", "\r\n")
    a.sendto(m.encode(), ("127.0.0.1", SIP))
    while True:
        try:
            r = a.recv(65535).decode()
        except socket.timeout:
            return 0, ""
        if " 100 " in r.split("\r\n")[0]:
            continue
        code = int(r.split()[1])
        tag = [l for l in r.split("\r\n") if l.lower().startswith("to:")]
        return code, tag[0] if tag else ""
c, to = message(1, "sip:svc.test")
check("NAPTR -> SRV -> A: svc.test reaches SIPp on UDP (200)",
      c == 200 and f"tag={PID_U}M" in to)
c, to = message(2, "sip:fo.test")
check("dead TCP target (SRV prio 10): failover to SIPp on TCP (200)",
      c == 200 and f"tag={PID_T}M" in to)
c, to = message(3, "sip:fo5.test;transport=udp")
check("503 from SRV prio 10: failover to prio 20 (200)",
      c == 200 and f"tag={PID_U}M" in to and len(hits) == 1)
c, to = message(4, "sips:sec.test")
check("sips hop: the SIPS+D2T target over TLS, not the preferred UDP one",
      c == 200 and f"tag={PID_S}M" in to)
c, to = message(5, "sips:clr.test")
check("sips hop with only clear targets: 403, nothing sent", c == 403)
sys.exit(1 if fails else 0)
PY
rc=$?
set -e
[ "$rc" = 0 ] || fail=1
su=0; st=0; ss_=0
wait "$uas_u" || su=$?; wait "$uas_t" || st=$?; wait "$uas_s" || ss_=$?
check "each SIPp UAS got exactly its MESSAGEs (2 UDP, 1 TCP, 1 TLS; exit 0)" \
	'[ "$su$st$ss_" = 000 ]'
check "dnsd saw NAPTR, SRV and A queries" \
	'grep -q "query svc.test NAPTR" "$tmp/dns.log" &&
	 grep -q "query _sip._udp.svc.test SRV" "$tmp/dns.log" &&
	 grep -q "query h1.svc.test A" "$tmp/dns.log"'
check "an explicit transport asks SRV only (no NAPTR for fo5.test)" \
	'! grep -q "query fo5.test NAPTR" "$tmp/dns.log"'
t0=$(date +%s%N)
kill -TERM "$pid"; src=0; wait "$pid" || src=$?; pid=
t1=$(date +%s%N)
echo "refd exit $src after $(( (t1 - t0) / 1000000 )) ms"
check "refd exits 0 on SIGTERM" '[ "$src" = 0 ]'
[ "$fail" = 0 ] || { tail -20 "$tmp/refd.log"; cat "$tmp/dns.log"; }
exit $fail
