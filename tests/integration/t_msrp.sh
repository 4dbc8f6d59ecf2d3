#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# An MSRP chat over TLS through refd's relay ([msrp] listen): two accounts
# made with refctl AUTH with digest, Alice sends Bob a three-chunk message
# whose content is an OTR-looking payload full of CRLF and dashes, and it
# must arrive byte for byte with the relay's 200s and Bob's success REPORT
# routed back (rtcbench perf msrp --relay does the client side and checks
# every byte). Then: a malformed frame gets 400 and the connection closed,
# an unknown session gets 481, no chat content is in data_dir or the log
# (P13), and SIGTERM exits 0.
set -eu
. "$(dirname "$0")/lib.sh"
lib_tmp t_msrp
tests/integration/mkcerts.sh "$tmp/certs" >/dev/null
c=$tmp/certs
p=$(lib_port)
m=$((p + 2))

cat >"$tmp/refd.ini" <<CONF
[platform]
domain = example.test
data_dir = $tmp/var
policy = ref/policy/sip2sip.policy
[sip]
listen = udp:127.0.0.1:$p tls:127.0.0.1:$((p+1))
tls_cert = $c/server.crt
tls_key = $c/server.key
[msrp]
listen = tls:127.0.0.1:$m tcp:127.0.0.1:$((m+1))
CONF
lib_account alice@example.test 'Wonder-land-42'
lib_account bob@example.test 'Builder-bob-77'
lib_refd_start

check "chat over TLS through the relay, chunks and OTR payload unchanged" \
	'timeout 60 bin/rtcbench perf msrp --relay tls:127.0.0.1:$m \
		--user alice --password Wonder-land-42 \
		--user2 bob --password2 Builder-bob-77 --realm example.test \
		--mb 8 --seconds 2 --out "$tmp/out" >"$tmp/perf.out" 2>&1'
cat "$tmp/perf.out"
for k in msrp_auth_digest msrp_chat_chunks_identical msrp_chat_otr_unchanged \
	 msrp_paths_rewritten msrp_relay_responses msrp_report_routed \
	 msrp_throughput_relay; do
	check "$k" "grep -q '\"name\": \"$k\"' $tmp/out/summary.json &&
		grep -A1 '\"name\": \"$k\"' $tmp/out/summary.json |
		grep -q '\"ok\": true'"
done
check "plain TCP listener too (wrong password refused)" \
	'! timeout 20 bin/rtcbench perf msrp --relay tcp:127.0.0.1:$((m+1)) \
		--user alice --password nope --user2 bob \
		--password2 Builder-bob-77 --realm example.test --mb 1 \
		--seconds 1 --out "$tmp/out2" >"$tmp/perf2.out" 2>&1 &&
	 grep -q "msrp_auth_digest *FAIL" $tmp/perf2.out'

msrp() { # send $1 to the TLS listener, keep what comes back
	printf "$1" | timeout 10 openssl s_client -quiet -CAfile "$c/ca.crt" \
		-connect 127.0.0.1:$m >"$tmp/s.out" 2>/dev/null || true
}
msrp 'MSRP bad00001 SEND\r\nTo-Path: msrps://127.0.0.1:'$m'/x;tcp\r\nFrom-Path: msrps://127.0.0.1:9/y;tcp\r\nthis is no header\r\n\r\n'
check "malformed frame: 400 then close" 'grep -q "MSRP bad00001 400" $tmp/s.out'
msrp 'MSRP nos00001 SEND\r\nTo-Path: msrps://127.0.0.1:'$m'/nosuchsession;tcp msrps://127.0.0.1:9/z;tcp\r\nFrom-Path: msrps://127.0.0.1:9/y;tcp\r\nMessage-ID: m0001\r\nContent-Type: text/plain\r\n\r\nhi\r\n-------nos00001$\r\nnot msrp\r\n'
check "unknown session: 481" 'grep -q "MSRP nos00001 481" $tmp/s.out'

kill -TERM "$pid"; set +e; wait "$pid"; rc=$?; set -e; pid=
check "SIGTERM exit 0" '[ "$rc" = 0 ]'
check "exit log counts the relay's work" \
	'grep -q "msrp: connections in [1-9].*auth ok [1-9].*malformed [1-9]" \
		$tmp/refd.log'
check "no chat content stored or logged (P13)" \
	'! grep -rqa "AAMDJ+MVmSfjFZcAAAAAAQ" "$tmp/var" "$tmp/refd.log"'
sed 's|^listen = tls:127.0.0.1:'$m'.*|&\nnetworks = 10.0.0.0/99|' \
	"$tmp/refd.ini" >"$tmp/bad.ini"
set +e; bin/refd -c "$tmp/bad.ini" 2>"$tmp/bad.err"; rc=$?; set -e
check "bad [msrp] networks: exit 2 naming file, line, key" \
	'[ "$rc" = 2 ] && grep -q "bad.ini:[0-9]*: \[msrp\] networks" $tmp/bad.err'
[ "$fail" = 0 ] || { echo "--- refd log"; tail -30 "$tmp/refd.log"; }
exit $fail
