#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# refd's listeners serve SIP on loopback over UDP, TCP and TLS, IPv4 and
# IPv6: an OPTIONS sent to each of the six listeners is answered (UDP and
# TCP answers read by the client, TLS ones counted by refd); openssl s_client completes TLS 1.3 and
# TLS 1.2 handshakes that verify against the test CA (and refuses a wrong
# CA); a listener with tls_verify_client refuses a client without a
# certificate and serves one with a certificate from the CA. The driver's
# counters, logged when SIGTERM stops refd (exit 0), must agree.
set -eu
. "$(dirname "$0")/lib.sh"
refd=$PWD/bin/refd
lib_tmp t_refd_listen
tests/integration/mkcerts.sh "$tmp/certs" >/dev/null
c=$tmp/certs
p=$(lib_port)

start() { # conf log
	"$refd" -c "$1" 2>"$2" & pid=$!
	for _ in $(seq 50); do grep -q serving "$2" && return 0; sleep 0.1; done
	echo "refd did not start:"; cat "$2"; exit 1
}
stop() { # log -> exit code checked
	local rc
	kill -TERM "$pid"; set +e; wait "$pid"; rc=$?; set -e; pid=
	check "SIGTERM exit 0" '[ "$rc" = 0 ]'
}
# An OPTIONS request in one write (one datagram for UDP).
req() { # transport tag
	printf -v r 'OPTIONS sip:example.test SIP/2.0\r\nVia: SIP/2.0/%s 127.0.0.1:9;branch=z9hG4bK-%s\r\nMax-Forwards: 70\r\nFrom: <sip:probe@example.test>;tag=%s\r\nTo: <sip:example.test>\r\nCall-ID: %s@probe.invalid\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n' "$1" "$2" "$2" "$2"
	printf '%s' "$r"
}
status_ok() { grep -qE '^SIP/2.0 [1-6][0-9][0-9] ' "$@"; }
udp() { # host port tag
	# dd: one write, one datagram (bash's printf may write line by line)
	req UDP "$3" >"$tmp/req"
	exec 3<>/dev/udp/$1/$2; dd if="$tmp/req" bs=65536 count=1 >&3 2>/dev/null
	timeout 3 dd bs=65536 count=1 <&3 2>/dev/null >"$tmp/rsp"; exec 3>&-
	status_ok "$tmp/rsp"
}
tcp() { # host port tag
	exec 3<>/dev/tcp/$1/$2; req TCP "$3" >&3
	timeout 3 head -1 <&3 >"$tmp/rsp" || true; exec 3>&-
	status_ok "$tmp/rsp"
}
tls() { # tag, then s_client arguments; sends an OPTIONS, keeps the output
	(req TLS "$1"; sleep 0.5) | timeout 10 openssl s_client \
		-CAfile "$c/ca.crt" -verify_return_error "${@:2}" \
		>"$tmp/s_client.out" 2>&1
}

cat >"$tmp/refd.ini" <<CONF
[platform]
domain = example.test
data_dir = $tmp/var
[sip]
listen = udp:127.0.0.1:$p tcp:127.0.0.1:$p tls:127.0.0.1:$((p+1)) udp:[::1]:$p tcp:[::1]:$p tls:[::1]:$((p+1))
tls_cert = $c/server.crt
tls_key = $c/server.key
CONF
start "$tmp/refd.ini" "$tmp/refd.log"

check "UDP over IPv4 answered" 'udp 127.0.0.1 $p u4'
check "UDP over IPv6 answered" 'udp ::1 $p u6'
check "TCP over IPv4 answered" 'tcp 127.0.0.1 $p t4'
check "TCP over IPv6 answered" 'tcp ::1 $p t6'
check "TLS 1.3 over IPv4, server verified" \
	'tls s4 -connect 127.0.0.1:$((p+1)) -tls1_3 &&
	 grep -q "Verify return code: 0 (ok)" $tmp/s_client.out &&
	 grep -q TLSv1.3 $tmp/s_client.out'
check "TLS 1.2 over IPv6, server verified" \
	'tls s6 -connect [::1]:$((p+1)) -tls1_2 &&
	 grep -q "Verify return code: 0 (ok)" $tmp/s_client.out &&
	 grep -q TLSv1.2 $tmp/s_client.out'
check "wrong CA is refused by the client" \
	'! echo x | timeout 10 openssl s_client -connect 127.0.0.1:$((p+1)) \
		-CAfile $c/client.crt -verify_return_error >/dev/null 2>&1'
sleep 0.3
stop
stats=$(grep "refd: info: io:" "$tmp/refd.log" || true)
sip=$(grep "refd: info: sip:" "$tmp/refd.log" || true)
echo "$stats"; echo "$sip"
num() { sed -n "s/.*$1 \([0-9]*\).*/\1/p" <<<"$stats"; }
check "2 datagrams in, 2 out (v4 + v6)" \
	'[ "$(num "udp rx")" = 2 ] && [ "$(num "tx")" = 2 ]'
check "5 connections accepted (2 TCP, 3 TLS)" '[ "$(num "streams in")" = 5 ]'
check "TLS handshakes: 1 failed (wrong CA)" '[ "$(num "tls failures")" = 1 ]'
# s_client may hold a record it read behind a post-handshake ticket and
# exit before printing it, so the TLS answers are counted at the server.
check "the SIP core answered 6 requests, none bad" \
	'[[ "$sip" == *"requests 6 (bad 0)"*"sent 6,"* ]]'

# Mutual TLS: the listener demands a certificate from the test CA.
cat >"$tmp/mtls.ini" <<CONF
[platform]
domain = example.test
data_dir = $tmp/var
[sip]
listen = tls:127.0.0.1:$((p+1))
tls_cert = $c/server.crt
tls_key = $c/server.key
tls_ca = $c/ca.crt
tls_verify_client = on
CONF
start "$tmp/mtls.ini" "$tmp/mtls.log"
check "mutual TLS with a client certificate" \
	'tls m1 -connect 127.0.0.1:$((p+1)) -cert $c/client.crt \
		-key $c/client.key &&
	 grep -q "Verify return code: 0 (ok)" $tmp/s_client.out'
# TLS 1.3 reports a missing client cert after the client's handshake
# finished, so look at the server's count, not s_client's exit.
tls m2 -connect 127.0.0.1:$((p+1)) || true
sleep 0.3
stop
stats=$(grep "refd: info: io:" "$tmp/mtls.log" || true)
sip=$(grep "refd: info: sip:" "$tmp/mtls.log" || true)
echo "$stats"; echo "$sip"
check "client without certificate refused" '[ "$(num "tls failures")" = 1 ]'
check "client with certificate served" \
	'[[ "$sip" == *"requests 1 (bad 0)"*"sent 1,"* ]]'
[ "$fail" = 0 ] && echo "t_refd_listen: all ok"
exit "$fail"
