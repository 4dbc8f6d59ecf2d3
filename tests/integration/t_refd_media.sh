#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# refd with [media]: calls from SIPp through refd have their SDP rewritten
# to the RTP relay (c= 127.0.0.1, m= port inside [media] ports) in both
# directions, the relay opens real ports for each call and closes them
# all when the calls end (BYE) and when calls end without a dialog (the
# callee refuses with 486, the caller cancels: 487), RTP played by the
# caller and echoed by the callee crosses the relay both ways, and refd
# exits 0 on SIGTERM.
set -eu
. "$(dirname "$0")/lib.sh"
sc=$root/tests/integration/sipp
lib_tmp t_refd_media
uas=
cleanup_extra() { [ -n "$uas" ] && kill "$uas" 2>/dev/null; }
p=$(lib_port)
lo=$((p+100)); hi=$((p+199))
n=5
pw='Tq7#vLx2!pRz9w'
lib_refd_ini "$p" on
cat >>"$tmp/refd.ini" <<CONF
[media]
address = 127.0.0.1
ports = $lo-$hi
CONF
for u in alice service; do lib_account $u@example.test "$pw"; done
lib_refd_start
printf 'SEQUENTIAL\nservice;example.test;[authentication username=service password=%s]\n' \
	"$pw" >"$tmp/reg.csv"
printf 'SEQUENTIAL\nalice;example.test;[authentication username=alice password=%s]\n' \
	"$pw" >"$tmp/uac.csv"
sipp() { timeout 60 /usr/bin/sipp -nostdin -i 127.0.0.1 -t u1 "$@"; }
contact="127.0.0.1:$((p+2))"
check "callee registers (digest)" \
	'(cd $tmp && sipp -sf $sc/reg_auth.xml -inf $tmp/reg.csv 127.0.0.1:$p \
	  -p $((p+2)) -m 1 -key contact "$contact" -timeout 20s >$tmp/reg.out 2>&1)'
(cd "$tmp" && sipp -sf "$sc/uas_rr.xml" -p $((p+2)) -m $n -key contact \
	"$contact" -mp $((p+60)) -rtp_echo -trace_msg -message_file "$tmp/uas.msg" \
	>"$tmp/uas.out" 2>&1) & uas=$!
for _ in $(seq 100); do ss -lun | grep -q ":$((p+2)) " && break; sleep 0.1; done
# The caller plays a short RTP capture after the ACK; the callee echoes
# (sipp -rtp_echo): both legs of the relay carry packets.
pcap=/usr/share/sip-tester/dtmf_2833_1.pcap
sed "s|<pause milliseconds=\"100\"/>|<nop><action><exec play_pcap_audio=\"$pcap\"/></action></nop><pause milliseconds=\"800\"/>|" \
	"$sc/uac_auth.xml" >"$tmp/uac_rtp.xml"
check "$n calls through refd, 0 failed" \
	'(cd $tmp && sipp -sf $tmp/uac_rtp.xml -inf $tmp/uac.csv -s service \
	  127.0.0.1:$p -p $((p+3)) -mp $((p+40)) -m $n -r 10 -trace_msg \
	  -message_file $tmp/uac.msg -timeout 50s >$tmp/uac.out 2>&1)'
set +e; wait "$uas"; urc=$?; set -e; uas=
check "0 failed on the callee" '[ "$urc" = 0 ]'

# m= ports of the SDP each side received (INVITE at the callee, 200 OK at
# the caller): all inside the relay's range, c= the relay address.
ports() { # message file, first line of the messages to look in
	awk -v first="$2" '
		/^(INVITE|SIP\/2.0) / { inmsg = index($0, first) == 1 }
		inmsg && /^m=audio / { print $2 }' "$1"
}
inside() {
	local n=0 x
	for x in $(ports "$@"); do
		[ "$x" -ge $lo ] && [ "$x" -le $hi ] || return 1; n=$((n+1))
	done
	[ "$n" -ge 1 ]
}
check "callee got relay ports in every INVITE's SDP" \
	'inside $tmp/uas.msg "INVITE "'
check "caller got relay ports in every 200 OK's SDP" \
	'inside $tmp/uac.msg "SIP/2.0 200"'
check "the callee never saw the caller's own port, nor the reverse" \
	'! ports $tmp/uas.msg "INVITE " | grep -qx $((p+40)) &&
	 ! ports $tmp/uac.msg "SIP/2.0 200" | grep -qx $((p+60))'
check "c= is the relay address" \
	'grep -q "^c=IN IP4 127.0.0.1" $tmp/uas.msg'

# Calls that end without a dialog: refused by the callee (486), and
# cancelled by the caller while it rings (487). Their relay ports go too.
m=2
fails() { # uas scenario, uac scenario, what
	uac_sc=$2
	(cd "$tmp" && sipp -sf "$sc/$1" -p $((p+2)) -m $m -mp $((p+60)) \
		>"$tmp/$1.out" 2>&1) & uas=$!
	for _ in $(seq 100); do ss -lun | grep -q ":$((p+2)) " && break; sleep 0.1; done
	check "$m calls $3, 0 failed" \
		'(cd $tmp && sipp -sf $sc/$uac_sc -inf $tmp/uac.csv -s service \
		  127.0.0.1:$p -p $((p+3)) -mp $((p+40)) -m $m -r 10 \
		  -timeout 20s -trace_msg -message_file $tmp/$uac_sc.msg \
		  >$tmp/$uac_sc.out 2>&1)'
	set +e; wait "$uas"; urc=$?; set -e; uas=
	check "0 failed on the callee ($1)" '[ "$urc" = 0 ]'
}
fails uas_busy.xml uac_busy.xml "refused by the callee (486)"
fails uas_ring.xml uac_cancel.xml "cancelled by the caller (487)"

kill -TERM "$pid"; set +e; wait "$pid"; rc=$?; set -e; pid=
check "refd SIGTERM exit 0" '[ "$rc" = 0 ]'
media=$(grep "refd: info: media:" "$tmp/refd.log" || true)
echo "$media"
opened=$(sed -n 's/.*opened \([0-9]*\).*/\1/p' <<<"$media")
closed=$(sed -n 's/.*closed \([0-9]*\).*/\1/p' <<<"$media")
check "$n + 2 x $m relayed calls" '[[ "$media" == *"calls $((n + 2 * m)) "* ]]'
pin=$(sed -n 's/.*packets in \([0-9]*\).*/\1/p' <<<"$media")
pout=$(sed -n 's/.* out \([0-9]*\)$/\1/p' <<<"$media")
# Packets in the capture: the caller's leg carries n*k, the echo as many.
k=$(python3 -c 'import struct,sys
d=open(sys.argv[1],"rb").read(); o=24; k=0
while o + 16 <= len(d):
    k += 1; o += 16 + struct.unpack_from("<I", d, o + 8)[0]
print(k)' "$pcap")
check "RTP relayed both ways: $pin in, $pout out = 2 x $n calls x $k" \
	'[ "$pin" = $((2 * n * k)) ] && [ "$pout" = $((2 * n * k)) ]'
check "relay opened real ports ($opened), closed them all (BYE, 486, 487)" \
	'[ "${opened:-0}" -ge $((2 * n + 2 * m)) ] && [ "$opened" = "$closed" ] &&
	 [[ "$media" == *"failed 0;"* ]]'
# The relay's figures went into each call's CDR (nothing of the payload):
# k packets each way, the relay ports from [media] ports.
bin/refctl -c "$tmp/refd.ini" cdr list --json >"$tmp/cdrs.json"
check "every CDR carries the relay's figures: $k packets each way" \
	'python3 - "$tmp/cdrs.json" $n $k $lo $hi <<"PY"
import json, sys
f, n, k, lo, hi = sys.argv[1], *map(int, sys.argv[2:])
txt = open(f).read().strip()
try:
    rows = json.loads(txt)
except ValueError:
    rows = [json.loads(l) for l in txt.splitlines() if l.strip()]
if isinstance(rows, dict):
    rows = rows.get("cdrs", [rows])
calls = [r for r in rows if r["status"] == 200]
assert len(calls) == n, (len(calls), n)
for r in calls:
    m = r["media"]
    for d in ("from_caller", "from_callee"):
        x = m[d]
        port = int(x["relay"].rsplit(":", 1)[1])
        assert x["packets"] == k and x["bytes"] >= 12 * k, x
        assert lo <= port <= hi and x["lost"] == 0, x
print("cdr media ok:", calls[0]["media"])
PY'
[ "$fail" = 0 ] || { tail -5 "$tmp/refd.log"; tail -20 "$tmp/uac.out"; }
true
[ "$fail" = 0 ] && echo "t_refd_media: all ok"
exit "$fail"
