#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# SIPp through refd (UDP, digest auth on): a MESSAGE reaches the recipient's
# registered device and is stored (P10); a watcher SUBSCRIBEs to presence,
# gets NOTIFY (active), then NOTIFY with the document its presentity
# PUBLISHes, then unsubscribes. Nothing of REGISTER, SUBSCRIBE, NOTIFY or
# PUBLISH is traced or stored anywhere under data_dir (P7, P8).
set -eu
. "$(dirname "$0")/lib.sh"
sc=$root/tests/integration/sipp
lib_tmp t_sipp_presence
bg=
cleanup_extra() { [ -n "$bg" ] && kill $bg 2>/dev/null; }
p=$(lib_port)
pw='Tq7#vLx2!pRz9w'
lib_refd_ini "$p" on
for u in alice bob; do
	lib_account $u@example.test "$pw"
	printf 'SEQUENTIAL\n%s;example.test;[authentication username=%s password=%s]\n' \
		$u $u "$pw" >"$tmp/$u.csv"
done
lib_refd_start
sipp() { (cd "$tmp" && timeout 60 /usr/bin/sipp -nostdin -i 127.0.0.1 \
	-timeout 30s "$@"); }

check "bob's device registers" \
	'sipp -sf $sc/reg_auth.xml -inf $tmp/bob.csv 127.0.0.1:$p -p $((p+2)) \
	 -m 1 -key contact "127.0.0.1:$((p+2))" >$tmp/reg.out 2>&1'
sipp -sf "$sc/msg_uas.xml" -p $((p+2)) -m 1 >"$tmp/uas.out" 2>&1 & bg=$!
sleep 0.3
check "alice's MESSAGE (407, then 200)" \
	'sipp -sf $sc/msg_uac.xml -inf $tmp/alice.csv -s bob 127.0.0.1:$p \
	 -p $((p+3)) -m 1 >$tmp/msg.out 2>&1'
set +e; wait $bg; rc=$?; set -e; bg=
check "the MESSAGE reached bob's device" '[ "$rc" = 0 ]'

sipp -sf "$sc/sub_uac.xml" -inf "$tmp/alice.csv" -s bob 127.0.0.1:$p \
	-p $((p+4)) -m 1 >"$tmp/sub.out" 2>&1 & bg=$!
sleep 1
check "bob PUBLISHes (407, then 200)" \
	'sipp -sf $sc/pub_uac.xml -inf $tmp/bob.csv 127.0.0.1:$p -p $((p+5)) \
	 -m 1 >$tmp/pub.out 2>&1'
set +e; wait $bg; rc=$?; set -e; bg=
check "watcher got NOTIFY active, NOTIFY open, unsubscribed" '[ "$rc" = 0 ]'

kill -TERM "$pid"; set +e; wait "$pid"; rc=$?; set -e; pid=
check "refd SIGTERM exit 0" '[ "$rc" = 0 ]'
grep "sip:" "$tmp/refd.log" || true
"$root/bin/refctl" -c "$tmp/refd.ini" message list --user bob@example.test \
	--json >"$tmp/msg.json"
check "the MESSAGE is stored for bob (P10)" \
	'grep -q "canary-message-1" $tmp/msg.json'
"$root/bin/refctl" -c "$tmp/refd.ini" trace list --json >"$tmp/trace.json"
check "no trace rows for MESSAGE/REGISTER/SUBSCRIBE/NOTIFY/PUBLISH" \
	'python3 -c "import json,sys; assert json.load(open(sys.argv[1])) == []" \
	 $tmp/trace.json'
check "no presence document or subscription under data_dir (P8)" \
	'! grep -rqa -e "<basic>open" -e "SUBSCRIBE" -e "REGISTER" $tmp/var'
exit "$fail"
