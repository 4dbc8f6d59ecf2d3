#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# zRTP key agreement (libbzrtp, the bench UAs of sim/ua) through the
# platform's RTP relay, in-process and live (refd): scenarios/encryption/
# zrtp.scn passes, and its call step fails unless both ends finished the
# agreement with the same SAS (uas.c zrtp_check). Then the CDR proves the
# relay carried the call: its figures name a relay address and count the
# packets each way; live, refd's relay counters say the same. The canary
# in the media is never on a captured link nor in a file (the scenario's
# own expect lines).
set -eu
. "$(dirname "$0")/lib.sh"
lib_tmp t_zrtp_relay
cdr() { # data dir of a kept run -> "relay_a relay_b packets_a packets_b"
	python3 - "$1/var/platform.db" <<'PY'
import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute(
    "select caller_relay, callee_relay, caller_packets, callee_packets"
    " from cdrs where status = 200").fetchall()
print(*(r[0] if len(r) == 1 else ("-", "-", 0, 0)))
PY
}
for mode in inproc live; do
	out=$tmp/$mode
	set +e
	timeout 120 bin/rtcbench run scenarios/encryption/zrtp.scn --mode $mode \
		--keep --out "$out" >"$tmp/$mode.log" 2>&1
	rc=$?
	set -e
	check "$mode: zrtp.scn passes, same SAS at both ends" '[ "$rc" = 0 ]'
	[ "$rc" = 0 ] || cat "$tmp/$mode.log"
	read -r ra rb pa pb <<<"$(cdr "$out/runs/zrtp")"
	echo "$mode: CDR relay $ra / $rb, packets $pa / $pb"
	want=127.0.0.1:; [ $mode = inproc ] && want=127.0.0.20:
	check "$mode: the CDR shows the call anchored on the relay, media both ways" \
		'[[ "$ra" == $want* && "$rb" == $want* ]] &&
		 [ "$pa" -ge 100 ] && [ "$pb" -ge 100 ]'
done
media=$(grep "media: calls" "$tmp/live/runs/zrtp/refd.log" || true)
echo "$media"
pin=$(sed -n 's/.*packets in \([0-9]*\).*/\1/p' <<<"$media")
check "live: refd's relay forwarded the zRTP/SRTP packets ($pin)" \
	'[ "${pin:-0}" -ge 200 ] && [[ "$media" == *"calls 1 "* ]]'
exit "$fail"
