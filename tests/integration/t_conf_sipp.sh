#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Conference through refd (issue 10): three SIPp participants (alice, bob,
# carol, digest-authenticated) call sip:room-t@example.test; the proxy's
# static route sends them to the conference focus ([conference]), the RTP
# relay ([media]) anchors every leg. Each plays a G.711 tone of its own
# (500, 900, 1400 Hz; pcaps made here by conf_tones.py) and what each
# receives on its media port is sniffed on loopback: the Goertzel power of
# the other two tones is there, its own is absent. Then: one CDR per leg,
# marked conference; a watcher (dave, conf_watch.py) subscribed to the
# room's conference events (RFC 4575) through the proxy sees the full
# room and then the empty one in NOTIFYs, and REFERs the room to erin
# (RFC 3515): the focus dials her through the proxy, she joins (4 users),
# the sipfrag NOTIFYs say 100 then 200; rtcbench audit finds none of the audio canaries
# (text in each tone's first frames) under data_dir.
set -eu
. "$(dirname "$0")/lib.sh"
sc=$root/tests/integration/sipp
tool=$root/tests/integration/conf_tones.py
command -v sipp >/dev/null || { echo "skip: sipp not installed"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "skip: sniffing loopback needs root"; exit 77; }
lib_tmp t_conf_sipp
sn=; sub=; erin=
cleanup_extra() {
	[ -n "$sn" ] && kill "$sn" 2>/dev/null
	[ -n "$sub" ] && kill "$sub" 2>/dev/null || true
	[ -n "$erin" ] && kill "$erin" 2>/dev/null || true
}
p=$(lib_port)
pw='Tq7#vLx2!pRz9w'
lib_refd_ini "$p" on
cat >>"$tmp/refd.ini" <<CONF
[media]
address = 127.0.0.1
ports = $((p+100))-$((p+199))
[conference]
prefix = room-
listen = udp:127.0.0.1:$((p+10))
ports = $((p+200))-$((p+259))
max_participants = 8
mode = mix
media_timeout = 3s
CONF
for u in alice bob carol dave erin; do
	lib_account $u@example.test "$pw"
done
lib_refd_start
check "refd starts the focus" 'grep -q "conference focus for room-" $tmp/refd.log'

i=0
for f in 500 900 1400; do
	python3 "$tool" gen $f 4 "$tmp/tone$f.pcap" "CONF-AUDIO-CANARY-$f"
done
# After the ACK: play 4 s of tone, stay 4.5 s, BYE.
mk() { # freq
	sed "s|<pause milliseconds=\"100\"/>|<nop><action><exec play_pcap_audio=\"$tmp/tone$1.pcap\"/></action></nop><pause milliseconds=\"4500\"/>|" \
		"$sc/uac_auth.xml" >"$tmp/uac$1.xml"
}
users=(alice bob carol); freqs=(500 900 1400)
pairs=
for i in 0 1 2; do
	mk ${freqs[$i]}
	printf 'SEQUENTIAL\n%s;example.test;[authentication username=%s password=%s]\n' \
		"${users[$i]}" "${users[$i]}" "$pw" >"$tmp/${users[$i]}.csv"
	pairs="$pairs $((p+40+i*4))=${freqs[$i]}"
done
python3 "$tool" listen 7 $pairs >"$tmp/tones.out" 2>&1 & sn=$!
# erin is registered (SIPp) and answers the focus's INVITE when dave
# REFERs the room to her; she sends no RTP, so the media timeout (3 s)
# drops her with a BYE.
printf 'SEQUENTIAL\nerin;example.test;[authentication username=erin password=%s]\n' \
	"$pw" >"$tmp/erin.csv"
ec="127.0.0.1:$((p+32))"
(cd "$tmp" && timeout 20 sipp -nostdin -i 127.0.0.1 -t u1 -sf "$sc/reg_auth.xml" \
	-inf "$tmp/erin.csv" 127.0.0.1:$p -p $((p+32)) -m 1 -key contact "$ec" \
	-timeout 15s >"$tmp/erin_reg.out" 2>&1) || echo "erin: REGISTER failed"
(cd "$tmp" && timeout 60 sipp -nostdin -i 127.0.0.1 -t u1 -sf "$sc/uas_rr.xml" \
	-p $((p+32)) -m 1 -key contact "$ec" -mp $((p+34)) -timeout 40s \
	>"$tmp/erin.out" 2>&1) & erin=$!
python3 "$root/tests/integration/conf_watch.py" $p $((p+30)) dave "$pw" \
	room-t example.test 9 erin >"$tmp/sub.out" 2>&1 & sub=$!
sleep 0.3
sp=()
for i in 0 1 2; do
	(cd "$tmp" && timeout 60 sipp -nostdin -i 127.0.0.1 -t u1 \
		-sf "$tmp/uac${freqs[$i]}.xml" -inf "$tmp/${users[$i]}.csv" \
		-s room-t 127.0.0.1:$p -p $((p+20+i)) -mp $((p+40+i*4)) -m 1 \
		-timeout 30s >"$tmp/sipp$i.out" 2>&1) & sp+=($!)
done
rc=0
for x in "${sp[@]}"; do wait "$x" || rc=1; done
check "3 participants joined and left, 0 failed" '[ $rc = 0 ]'
set +e; wait "$sn"; trc=$?; set -e; sn=
sed 's/^/     /' "$tmp/tones.out"
check "each hears the other two tones, not its own" '[ $trc = 0 ]'
set +e; wait "$sub"; subrc=$?; set -e; sub=
counts=$(cat "$tmp/sub.out")
check "watcher: NOTIFYs with 3 users, 4 (erin), then 0, terminated ($counts)" \
	'[ $subrc = 0 ] && echo "$counts" | grep -Eq " 3 .*4 .* 0 terminated;"'
check "REFER to erin: 202, sipfrag 100 then 200" \
	'echo "$counts" | grep -q "refer: 202 100 200$"'
set +e; wait "$erin"; erc=$?; set -e; erin=
check "erin answered the focus, got its BYE after the media timeout" '[ $erc = 0 ]'

kill "$pid"; set +e; wait "$pid"; rrc=$?; set -e; pid=
check "refd exits 0" '[ $rrc = 0 ]'
bin/refctl -c "$tmp/refd.ini" cdr list --json >"$tmp/cdr.json" 2>&1 || true
n=$(grep -o '"kind": *"conference"' "$tmp/cdr.json" | wc -l)
check "4 CDRs marked conference, erin's too ($n)" '[ "$n" = 4 ] &&
	grep -q "\"callee\": *\"erin@example.test\"" $tmp/cdr.json'
check "every conference CDR answered (status 200)" \
	'[ $(grep -o "\"status\": *200" $tmp/cdr.json | wc -l) = 4 ]'
set +e
bin/rtcbench audit -c "$tmp/refd.ini" --out "$tmp/audit" \
	--canary CONF-AUDIO-CANARY-500 --canary CONF-AUDIO-CANARY-900 \
	--canary CONF-AUDIO-CANARY-1400 >"$tmp/audit.out" 2>&1; arc=$?
set -e
check "rtcbench audit: no audio canary under data_dir" '[ $arc = 0 ] &&
	[ $(grep -c "\"canary CONF-AUDIO-CANARY-" $tmp/audit/summary.json) = 3 ]'
[ $fail = 0 ] || sed 's/^/     /' "$tmp/audit.out"
exit $fail
