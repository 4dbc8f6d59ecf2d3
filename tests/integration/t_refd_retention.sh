#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# refd runs the retention engine itself: a bad policy file stops it with
# one file:line error (exit 2); with short periods ([cdrs]/[traces]
# retention 4s, [purge] within 1s) a real SIPp call through refd leaves a
# CDR and traces carrying a User-Agent canary, and refd's own timer purges
# them while it keeps running: the canary is then in no byte of any file
# under data_dir. Then with POLICY.md's periods refd keeps a new call's
# CDR, and refctl purge --now 181 days on, beside the running refd,
# removes it from every byte. SIGTERM exits 0.
set -eu
. "$(dirname "$0")/lib.sh"
sc=$root/tests/integration/sipp
lib_tmp t_refd_retention
uas=
cleanup_extra() { [ -n "$uas" ] && kill "$uas" 2>/dev/null; }
p=$(lib_port)
stored() { grep -rl --binary-files=text -- "$1" "$tmp/var" >/dev/null 2>&1; }
pw='Tq7#vLx2!pRz9w'
canary="ret-C4N4RY-$RANDOM$RANDOM"
ret=${RET:-4s}
sed -e "s/^retention = 30d$/retention = $ret/" \
    -e "s/^retention = 180d$/retention = $ret/" \
    -e 's/^within = 1h$/within = 1s/' \
    -e "s|^wordlist = |wordlist = $root/ref/policy/|" \
    "$root/ref/policy/sip2sip.policy" >"$tmp/short.policy"
conf() { # policy file
	cat <<CONF
[platform]
domain = example.test
data_dir = $tmp/var
policy = $1
[sip]
listen = udp:127.0.0.1:$p
auth = on
CONF
}
conf "$tmp/short.policy" >"$tmp/refd.ini"

# A bad policy: one line naming the file and line, exit 2.
{ cat "$tmp/short.policy"; printf '[cdrs]\nretention = forever\n'; } \
	>"$tmp/bad.policy"
conf "$tmp/bad.policy" >"$tmp/bad.ini"
set +e; timeout 10 bin/refd -c "$tmp/bad.ini" 2>"$tmp/bad.err"; rc=$?; set -e
check "bad policy: exit 2, one line with file:line" \
	'[ $rc = 2 ] && [ "$(wc -l <$tmp/bad.err)" = 1 ] &&
	 grep -q "bad.policy:[0-9]*:" $tmp/bad.err'

# run_refd INI LOG: start refd, wait until it serves.
run_refd() {
	bin/refd -c "$1" 2>"$2" & pid=$!
	for _ in $(seq 50); do grep -qs serving "$2" && break; sleep 0.1; done
}
printf 'SEQUENTIAL\nservice;example.test;[authentication username=service password=%s]\n' \
	"$pw" >"$tmp/reg.csv"
printf 'SEQUENTIAL\nalice;example.test;[authentication username=alice password=%s]\n' \
	"$pw" >"$tmp/uac.csv"
sipp() { timeout 60 /usr/bin/sipp -nostdin -i 127.0.0.1 -t u1 "$@"; }
contact="127.0.0.1:$((p+2))"
# call INI UA: the callee registers, alice calls it once with User-Agent
# UA, and the CDR (written at BYE, committed within 20 ms) lists UA. The
# callee's SIPp lingers a few seconds after: it is left running ($uas).
call() {
	local ini=$1 ua=$2
	check "callee registers" \
		'(cd $tmp && sipp -sf $sc/reg_auth.xml -inf $tmp/reg.csv \
		  127.0.0.1:$p -p $((p+2)) -m 1 -key contact "$contact" \
		  -timeout 20s >$tmp/reg.out 2>&1)'
	(cd "$tmp" && sipp -sf "$sc/uas_rr.xml" -p $((p+2)) -m 1 -key contact \
		"$contact" >"$tmp/uas.out" 2>&1) & uas=$!
	for _ in $(seq 100); do
		ss -lun | grep -q ":$((p+2)) " && break; sleep 0.1
	done
	sed "s|User-Agent: sipp-uac|User-Agent: $ua|" "$sc/uac_auth.xml" \
		>"$tmp/uac.xml"
	check "one call through refd" \
		'(cd $tmp && sipp -sf $tmp/uac.xml -inf $tmp/uac.csv -s service \
		  127.0.0.1:$p -p $((p+3)) -m 1 -timeout 30s >$tmp/uac.out 2>&1)'
	sleep 0.2
	check "CDR with the canary stored" \
		'bin/refctl -c $ini cdr list --json | grep -q "$ua" &&
		 stored "$ua"'
}
uas_done() { set +e; wait "$uas"; set -e; uas=; }
stop_refd() {
	kill -TERM "$pid"; set +e; wait "$pid"; rc=$?; set -e; pid=
	check "refd SIGTERM exit 0" '[ "$rc" = 0 ]'
}

# Phase 1: refd's own timer ([purge] within 1s, 4 s periods).
for u in alice service; do
	lib_account $u@example.test "$pw"
done
run_refd "$tmp/refd.ini" "$tmp/refd.log"
check "refd purges once at start" \
	'grep -q "retention: purged" $tmp/refd.log'
call "$tmp/refd.ini" "$canary"
uas_done
# 4 s retention + 1 s purge period: gone within ~5 s, refd still up.
for _ in $(seq 100); do
	stored "$canary" || break
	sleep 0.1
done
check "canary gone from every file under data_dir (refd's own purge)" \
	'! stored "$canary"'
check "refd logged the purged CDR" \
	'grep -q "retention: purged traces [1-9][0-9]*, cdrs 1," $tmp/refd.log'
check "refd still running" 'kill -0 $pid'
check "no CDR listed" \
	'[ "$(bin/refctl -c $tmp/refd.ini cdr list --json | jq length)" = 0 ]'
stop_refd
grep "retention:" "$tmp/refd.log" | tail -1 || true

# Phase 2: POLICY.md's periods (CDRs 180 d): refd's purges keep the
# CDR; refctl purge --now 181 days on, beside the running refd, removes
# it from every byte under data_dir, and refd goes on serving.
rm -rf "$tmp/var"
conf "$root/ref/policy/sip2sip.policy" >"$tmp/refd2.ini"
for u in alice service; do
	bin/refctl -c "$tmp/refd2.ini" account add $u@example.test \
		--password "$pw" >/dev/null
done
run_refd "$tmp/refd2.ini" "$tmp/refd2.log"
canary2="ret2-C4N4RY-$RANDOM$RANDOM"
call "$tmp/refd2.ini" "$canary2"
uas_done
check "CDR kept while its 180 d period runs" 'stored "$canary2"'
later=$(date -u -d '+181 days' +%Y-%m-%dT%H:%M:%SZ)
check "refctl purge --now $later beside refd" \
	'timeout 30 bin/refctl -c $tmp/refd2.ini purge --now $later \
	 >$tmp/purge.out 2>&1'
check "canary gone from every file under data_dir (refctl purge)" \
	'! stored "$canary2"'
check "refd still serves: a second call" 'call $tmp/refd2.ini ok-after-purge'
uas_done
stop_refd
[ "$fail" = 0 ] || { tail -5 "$tmp/refd2.log"; cat "$tmp/purge.out"; }
[ "$fail" = 0 ] && echo "t_refd_retention: all ok"
exit "$fail"
