#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# SIPp through refd on loopback over TRANSPORT (udp, tcp or tls; argument
# 1): a callee registers with digest auth, then N calls (default 1,000, the
# issue's acceptance figure, ~10 s at SIPP_RATE=100; SIPP_CALLS=200 for a
# quick run) go
# uac -> refd -> uas with a 407 challenge each, record-routed ACK and BYE.
# Checks: 0 failed calls on both sides, exactly N answered CDRs, traces
# present for the calls, no REGISTER in any trace (P7), digest responses
# redacted (P6), refd exits 0 on SIGTERM.
set -eu
cd "$(dirname "$0")/../../.."
root=$PWD
tp=${1:-udp}
case $tp in udp) st=u1 ;; tcp) st=t1 ;; tls) st=t1 ;;
	*) echo "usage: calls.sh udp|tcp|tls"; exit 2 ;; esac
refd=$root/bin/refd
refctl=$root/bin/refctl
sc=$root/tests/integration/sipp
n=${SIPP_CALLS:-1000}
tmp=$(mktemp -d /tmp/t_sipp_calls.XXXXXX)
pid=; uas=; bridges=
cleanup() {
	[ -n "$bridges" ] && kill $bridges 2>/dev/null
	[ -n "$uas" ] && kill "$uas" 2>/dev/null
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
p=$(( 20000 + RANDOM % 20000 ))
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
pw='Tq7#vLx2!pRz9w'

cat >"$tmp/refd.ini" <<CONF
[platform]
domain = example.test
data_dir = $tmp/var
policy = $root/ref/policy/sip2sip.policy
[sip]
listen = udp:127.0.0.1:$p tcp:127.0.0.1:$p tls:127.0.0.1:$((p+1))
tls_cert = $tmp/certs/server.crt
tls_key = $tmp/certs/server.key
auth = on
CONF
tests/integration/mkcerts.sh "$tmp/certs" >/dev/null
rport=$p
[ "$tp" = tls ] && rport=$((p+1))
for u in alice service; do
	"$refctl" -c "$tmp/refd.ini" account add $u@example.test \
		--password "$pw" >/dev/null
done
"$refd" -c "$tmp/refd.ini" 2>"$tmp/refd.log" & pid=$!
for _ in $(seq 50); do grep -q serving "$tmp/refd.log" && break; sleep 0.1; done

printf 'SEQUENTIAL\nservice;example.test;[authentication username=service password=%s]\n' \
	"$pw" >"$tmp/reg.csv"
printf 'SEQUENTIAL\nalice;example.test;[authentication username=alice password=%s]\n' \
	"$pw" >"$tmp/uac.csv"
sipp() { timeout 120 /usr/bin/sipp -nostdin -i 127.0.0.1 -t $st \
	-max_socket 64 "$@"; }

# SIPp here has no TLS: for tls it speaks TCP through tlsbridge.py, one
# bridge in front of refd's TLS port and one TLS listener in front of the
# callee, which is the Contact it registers.
contact="127.0.0.1:$((p+2));transport=$tp"
sport=$rport
if [ "$tp" = tls ]; then
	python3 "$sc/tlsbridge.py" tcp2tls $((p+4)) $((p+1)) & bridges="$!"
	python3 "$sc/tlsbridge.py" tls2tcp $((p+5)) $((p+2)) \
		"$tmp/certs/server.crt" "$tmp/certs/server.key" &
	bridges="$bridges $!"
	contact="127.0.0.1:$((p+5));transport=tls"
	sport=$((p+4))
	for _ in $(seq 100); do
		ss -ltn | grep -q ":$((p+4)) " && ss -ltn | grep -q ":$((p+5)) " &&
			break
		sleep 0.1
	done
fi
check "REGISTER with digest (SIPp, $tp)" \
	'(cd $tmp && sipp -sf $sc/reg_auth.xml -inf $tmp/reg.csv \
	  127.0.0.1:$sport -p $((p+2)) -m 1 -key contact "$contact" -timeout 20s >$tmp/reg.out 2>&1)'

(cd "$tmp" && sipp -sf "$sc/uas_rr.xml" -p $((p+2)) -m "$n" \
	-key contact "$contact" \
	-trace_err -error_file "$tmp/uas.err" >"$tmp/uas.out" 2>&1) & uas=$!
for _ in $(seq 100); do
	ss -ltun | grep -q ":$((p+2)) " && break
	sleep 0.1
done
start=$(date +%s.%N)
check "$n calls uac -> refd -> uas over $tp, 0 failed on the caller" \
	'(cd $tmp && sipp -sf $sc/uac_auth.xml -inf $tmp/uac.csv -s service \
	  127.0.0.1:$sport -p $((p+3)) -m $n -r ${SIPP_RATE:-100} -l 2000 -trace_err \
	  -error_file $tmp/uac.err -timeout 100s >$tmp/uac.out 2>&1)'
end=$(date +%s.%N)
set +e; wait "$uas"; urc=$?; set -e; uas=
check "0 failed on the callee" '[ "$urc" = 0 ]'
echo "calls: $n in $(echo "$end - $start" | bc) s"

# CPU time of refd (user + system) over the whole run, per call.
read -r ut st < <(awk '{print $14, $15}' /proc/$pid/stat)
hz=$(getconf CLK_TCK)
echo "refd cpu: $(( (ut + st) * 1000 / hz )) ms for $n calls" \
	"($(( (ut + st) * 1000000 / hz / n )) us per call incl. registration)"
echo "refd rss: $(awk '/VmHWM/ {print $2, $3}' /proc/$pid/status) peak"
kill -TERM "$pid"; set +e; wait "$pid"; rc=$?; set -e; pid=
[ -n "$bridges" ] && kill $bridges 2>/dev/null; bridges=
check "refd SIGTERM exit 0" '[ "$rc" = 0 ]'
grep -E "sip:|io:" "$tmp/refd.log" | tail -3 || true

"$refctl" -c "$tmp/refd.ini" cdr list --json >"$tmp/cdr.json"
"$refctl" -c "$tmp/refd.ini" trace list --json >"$tmp/trace.json"
cdrs=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]));
print(sum(1 for c in d if int(c.get("status",0))==200))' "$tmp/cdr.json")
echo "answered CDRs: $cdrs"
check "exactly $n answered CDRs" '[ "$cdrs" = "$n" ]'
check "CDR fields: caller, callee, hangup, media" \
	'python3 -c "import json,sys; c=json.load(open(sys.argv[1]))[0];
assert \"alice@example.test\" in json.dumps(c), c
assert \"service@example.test\" in json.dumps(c), c
assert \"caller\" in json.dumps(c), c" $tmp/cdr.json'
check "signalling addresses of both sides over $tp in every CDR" \
	'python3 -c "import json,sys; d=json.load(open(sys.argv[1]));
assert all(c[\"caller_sig\"].startswith(\"$tp:\") and
           c[\"callee_sig\"].startswith(\"$tp:\") for c in d)" $tmp/cdr.json'
check "traces stored for the calls" \
	'python3 -c "import json,sys; d=json.load(open(sys.argv[1]));
assert len(d) >= 6 * $n, len(d)" $tmp/trace.json'
check "no REGISTER in any trace (P7)" '! grep -q REGISTER $tmp/trace.json'
check "digest responses redacted (P6)" \
	'grep -q "redacted" $tmp/trace.json &&
	 ! grep -Eq "response=\\\\\"[0-9a-f]{32}" $tmp/trace.json'
[ "$fail" = 0 ] || { tail -20 "$tmp/uac.out"; cat "$tmp"/*.err 2>/dev/null | head -20; }
exit "$fail"
