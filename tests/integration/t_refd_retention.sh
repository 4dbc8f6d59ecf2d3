#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# refd runs the retention engine itself: a bad policy file stops it with
# one file:line error (exit 2); with short periods ([cdrs]/[traces]
# retention 4s, [purge] within 1s) a real SIPp call through refd leaves a
# CDR and traces carrying a User-Agent canary, and refd's own timer purges
# them while it keeps running: the canary is then in no byte of any file
# under data_dir. refctl purge --now on a running refd finds nothing more
# to do for those rows; SIGTERM exits 0.
set -eu
cd "$(dirname "$0")/../.."
root=$PWD
sc=$root/tests/integration/sipp
tmp=$(mktemp -d /tmp/t_refd_retention.XXXXXX)
pid=; uas=
cleanup() {
	[ -n "$uas" ] && kill "$uas" 2>/dev/null
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
p=$(( 20000 + RANDOM % 10000 * 2 ))
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
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

for u in alice service; do
	bin/refctl -c "$tmp/refd.ini" account add $u@example.test \
		--password "$pw" >/dev/null
done
bin/refd -c "$tmp/refd.ini" 2>"$tmp/refd.log" & pid=$!
for _ in $(seq 50); do grep -q serving "$tmp/refd.log" && break; sleep 0.1; done
check "refd purges once at start" \
	'grep -q "retention: purged" $tmp/refd.log'

printf 'SEQUENTIAL\nservice;example.test;[authentication username=service password=%s]\n' \
	"$pw" >"$tmp/reg.csv"
printf 'SEQUENTIAL\nalice;example.test;[authentication username=alice password=%s]\n' \
	"$pw" >"$tmp/uac.csv"
sipp() { timeout 60 /usr/bin/sipp -nostdin -i 127.0.0.1 -t u1 "$@"; }
contact="127.0.0.1:$((p+2))"
check "callee registers" \
	'(cd $tmp && sipp -sf $sc/reg_auth.xml -inf $tmp/reg.csv 127.0.0.1:$p \
	  -p $((p+2)) -m 1 -key contact "$contact" -timeout 20s >$tmp/reg.out 2>&1)'
(cd "$tmp" && sipp -sf "$sc/uas_rr.xml" -p $((p+2)) -m 1 -key contact \
	"$contact" >"$tmp/uas.out" 2>&1) & uas=$!
for _ in $(seq 100); do ss -lun | grep -q ":$((p+2)) " && break; sleep 0.1; done
sed "s|User-Agent: sipp-uac|User-Agent: $canary|" "$sc/uac_auth.xml" \
	>"$tmp/uac.xml"
check "one call through refd" \
	'(cd $tmp && sipp -sf $tmp/uac.xml -inf $tmp/uac.csv -s service \
	  127.0.0.1:$p -p $((p+3)) -m 1 -timeout 30s >$tmp/uac.out 2>&1)'
# The CDR is written at BYE and committed within the batch period (20 ms);
# look before waiting for the callee's SIPp, which lingers a few seconds.
sleep 0.2
check "CDR with the canary stored" \
	'bin/refctl -c $tmp/refd.ini cdr list --json | grep -q "$canary" &&
	 stored "$canary"'

set +e; wait "$uas"; set -e; uas=
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
check "refctl purge --now beside refd" \
	'timeout 30 bin/refctl -c $tmp/refd.ini purge --now 2030-01-01T00:00:00Z \
	 >$tmp/purge.out 2>&1'

kill -TERM "$pid"; set +e; wait "$pid"; rc=$?; set -e; pid=
check "refd SIGTERM exit 0" '[ "$rc" = 0 ]'
grep "retention:" "$tmp/refd.log" | tail -2 || true
[ "$fail" = 0 ] || { tail -5 "$tmp/refd.log"; tail -20 "$tmp/uac.out"; }
[ "$fail" = 0 ] && echo "t_refd_retention: all ok"
exit "$fail"
