#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The self-care portal end to end in headless Chromium (issue 9, Proven):
# refd with [web] plain = yes on a temp data_dir, accounts by refctl, the
# SMTP sink (build/tools/smtpsink) as [mail] smtp, SIPp calls alice ->
# service and bob -> service through refd, a MESSAGE to bob, a voicemail
# for bob (a 1 kHz tone, left before his device registers) and two files
# for bob through the HTTP file store (one clear, one PGP); then
# tests/web/e2e.mjs logs in, sees the call, its trace ladder, the export,
# tries bob's ids as alice, forges CSRF, replays a code, removes alice's
# account through the e-mailed code and finds her pages gone. A second
# refd on the same data over HTTPS (make certs' test CA, ignoreHTTPSErrors)
# checks the Secure cookie, HSTS, the operator's view of bob's calls,
# bob's call, trace, voicemail (decoded by the browser, downloaded,
# deleted) and his export, which lists the operator's accesses.
# Screenshots: $WEB_SHOTS (default results/web/). Skips (77) only when
# chromium, node or playwright-core is absent (make deps installs them).
set -eu
cd "$(dirname "$0")/../.."
root=$PWD
shots=${WEB_SHOTS:-$root/results/web}
for b in /usr/bin/chromium /usr/bin/sipp; do
	[ -x "$b" ] || { echo "skip: $b absent (make deps)"; exit 77; }
done
command -v node >/dev/null || { echo "skip: node absent (make deps)"; exit 77; }
[ -d tests/web/node_modules/playwright-core ] ||
	{ echo "skip: tests/web/node_modules absent (make deps)"; exit 77; }

tmp=$(mktemp -d /tmp/t_web_e2e.XXXXXX)
pid=; sink=; bg=
cleanup() {
	for p in $bg $sink $pid; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
p=$(( 20000 + RANDOM % 5700 * 2 ))  # below the ephemeral range
w=$((p + 7))
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }
t0=$(date +%s.%N)
lap() { printf 'time: %s at %.1f s\n' "$1" "$(echo "$(date +%s.%N) - $t0" | bc)"; }

mkdir -p "$tmp/mail"
build/tools/smtpsink -d "$tmp/mail" -t 120 >"$tmp/sink.out" \
	2>"$tmp/sink.log" & sink=$!
for _ in $(seq 50); do grep -qs listening "$tmp/sink.out" && break; sleep 0.1; done
sport=$(sed -n 's/^smtpsink: listening on 127.0.0.1://p' "$tmp/sink.out")

conf() { # $1: plain or tls
	cat <<CONF
[platform]
domain = example.test
data_dir = $tmp/var
policy = $root/ref/policy/sip2sip.policy
[sip]
listen = udp:127.0.0.1:$p
auth = on
[xcap]
listen = 127.0.0.1:$((p + 9))
[voicemail]
listen = udp:127.0.0.1:$((p + 8))
ports = $((p + 100 - p % 2))-$((p + 107 - p % 2))
max = 30s
[mail]
smtp = smtp://127.0.0.1:$sport
from = portal@example.test
[web]
listen = 127.0.0.1:$w
operators = service
CONF
	if [ "$1" = plain ]; then echo "plain = yes"
	else printf 'tls_cert = %s\ntls_key = %s\n' "$tmp/certs/server.crt" \
		"$tmp/certs/server.key"; fi
}
conf plain >"$tmp/refd.ini"
tests/integration/mkcerts.sh "$tmp/certs" >/dev/null
apw='Tq7#vLx2!pRz9w'; bpw='Bz4%nWq8@kLm3s'; spw='Sv5^hJp1&cXe6d'
ctl() { bin/refctl -c "$tmp/refd.ini" "$@"; }
ctl account add alice@example.test --password "$apw" \
	--email alice@example.test >/dev/null
ctl account add bob@example.test --password "$bpw" \
	--email bob@example.test --voicemail >/dev/null
ctl account add service@example.test --password "$spw" >/dev/null

start_refd() {
	bin/refd -c "$tmp/refd.ini" 2>"$tmp/refd-$1.log" & pid=$!
	for _ in $(seq 50); do
		grep -qs serving "$tmp/refd-$1.log" && break; sleep 0.1
	done
	for _ in $(seq 50); do
		curl -sk -o /dev/null "$2://127.0.0.1:$w/login" && return 0
		sleep 0.1
	done
	return 1
}
stop_refd() {
	kill -TERM "$pid"; set +e; wait "$pid"; rc=$?; set -e; pid=
	check "refd ($1) SIGTERM exit 0" '[ "$rc" = 0 ]'
}
check "refd serves the portal over plain HTTP" 'start_refd plain http'
lap "refd up"

# SIPp: service's device answers both calls; bob's device takes a MESSAGE.
# Ports: SIP p, SIPp p+2..p+6 and p+20 (media), web p+7, voicemail p+8,
# XCAP and the file store p+9.
csv() { printf 'SEQUENTIAL\n%s;example.test;[authentication username=%s password=%s]\n' \
	"$1" "$1" "$2" >"$tmp/$1.csv"; }
csv alice "$apw"; csv bob "$bpw"; csv service "$spw"
sc=tests/integration/sipp
sipp() { (cd "$tmp" && timeout 30 /usr/bin/sipp -nostdin -i 127.0.0.1 \
	-t u1 -timeout 20s "$@"); }
reg() { sipp -sf "$root/$sc/reg_auth.xml" -inf "$tmp/$1.csv" \
	127.0.0.1:$p -p "$2" -m 1 -key contact "127.0.0.1:$2" \
	>"$tmp/reg-$1.out" 2>&1; }
check "service registers (SIPp)" 'reg service $((p+2))'
# bob is not registered yet: service's call gets his voicemail (a tone).
python3 "$root/tests/integration/g711.py" tone "$tmp/tone.ulaw"
check "service leaves bob a voicemail (SIPp)" \
	'sipp -sf $root/$sc/uac_vm.xml -inf $tmp/service.csv -s bob 127.0.0.1:$p \
	 -p $((p+6)) -mp $((p+20)) -m 1 >$tmp/vm.out 2>&1'
check "bob registers (SIPp)" 'reg bob $((p+4))'
sipp -sf "$root/$sc/uas_rr.xml" -p $((p+2)) -m 2 \
	-key contact "127.0.0.1:$((p+2))" >"$tmp/uas.out" 2>&1 & bg=$!
for _ in $(seq 50); do ss -lun | grep -q ":$((p+2)) " && break; sleep 0.1; done
call() { sipp -sf "$root/$sc/uac_auth.xml" -inf "$tmp/$1.csv" -s service \
	127.0.0.1:$p -p $((p+3)) -m 1 >"$tmp/uac-$1.out" 2>&1; }
check "alice calls service through refd (SIPp)" 'call alice'
check "bob calls service through refd (SIPp)" 'call bob'
set +e; wait "$bg"; rc=$?; set -e; bg=
check "service's device answered both" '[ "$rc" = 0 ]'
sipp -sf "$root/$sc/msg_uas.xml" -p $((p+4)) -m 1 >"$tmp/muas.out" 2>&1 & bg=$!
sleep 0.3
check "service sends bob a MESSAGE (SIPp)" \
	'sipp -sf $root/$sc/msg_uac.xml -inf $tmp/service.csv -s bob \
	 127.0.0.1:$p -p $((p+5)) -m 1 >$tmp/muac.out 2>&1'
set +e; wait "$bg"; set -e; bg=
# Two files from service to bob through the HTTP file store (P11): one in
# clear with a canary, one PGP-armored (marked encrypted).
fcanary="file-canary-$RANDOM$RANDOM"
upload() { timeout 10 curl -s -o /dev/null -w '%{http_code}' --digest \
	-u "service:$spw" -H "Content-Type: $2" --data-binary "$3" \
	"http://127.0.0.1:$((p + 9))/files/bob@example.test/$1"; }
check "service sends bob two files (HTTP file store)" \
	'[ "$(upload notes.txt text/plain "$fcanary")" = 201 ] &&
	 [ "$(upload secret.asc application/octet-stream \
	      "$(printf -- "-----BEGIN PGP MESSAGE-----\n\nhQEMA7x\n-----END PGP MESSAGE-----\n")")" = 201 ]'

callid() { # the Call-ID of the one call USER made (bob was also called)
	ctl cdr list --user "$1@example.test" --json | python3 -c '
import json, sys
d = [c for c in json.load(sys.stdin) if c["caller"] == sys.argv[1]]
print(d[0]["call_id"] if len(d) == 1 else "")' "$1@example.test"; }
acall=$(callid alice); bcall=$(callid bob)
check "one CDR each for alice and bob" '[ -n "$acall" ] && [ -n "$bcall" ]'

e2e() { # $1 mode, $2 scheme
	WEB_BASE="$2://127.0.0.1:$w" WEB_MODE=$1 WEB_MAILDIR=$tmp/mail \
	WEB_SHOTS=$shots WEB_DOMAIN=example.test \
	WEB_A=alice WEB_A_PW=$apw WEB_A_CALL=$acall \
	WEB_B=bob WEB_B_PW=$bpw WEB_B_CALL=$bcall \
	WEB_B_CANARY=canary-message-1 WEB_B_FILE=$fcanary WEB_OP=service WEB_OP_PW=$spw \
	timeout 100 node tests/web/e2e.mjs
}
rm -f "$shots"/*.png
lap "SIPp done"
check "the portal in Chromium over HTTP (e2e.mjs full)" 'e2e full http'
lap "e2e full done"
stop_refd plain

conf tls >"$tmp/refd.ini"
check "refd serves the portal over HTTPS" 'start_refd tls https'
check "the portal in Chromium over HTTPS (e2e.mjs tls)" 'e2e tls https'
lap "e2e tls done"
stop_refd tls
check "alice's account is gone from the store" \
	'! ctl account list | grep -q "^alice@"'
check "the sink got the codes" '[ "$(ls $tmp/mail | wc -l)" -ge 2 ]'
echo "screenshots: $(ls "$shots"/*.png 2>/dev/null | wc -l) in $shots"
lap "t_web_e2e done"
[ "$fail" = 0 ] || { tail -n 5 "$tmp"/refd-*.log; cat "$tmp/sink.log"; }
exit "$fail"
