#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The self-care portal (issue 9) served by refd over HTTPS with the SIP TLS
# certificate, driven by curl on loopback: the login form and its CSRF
# cookie, a wrong password (401), a login (303 /identity, session cookie
# Secure HttpOnly SameSite=Strict Path=/), the security headers on every
# response, a POST without or with a forged form token (403), another
# user's ids (404), the export download (attachment, valid JSON, the
# user's data only), an e-mail change confirmed by the code the SMTP sink
# received (and the same code again: 410), a SIPp call alice -> service
# through refd listed in /calls with its trace ladder (INVITE, 200, ACK,
# BYE, the digest response shown as [redacted]), account removal through the
# e-mailed code (the page says what was kept), the operator view and its
# audit rows in the export, then the session and the
# login gone. Config errors: no certificate and no plain = yes is exit 2.
set -eu
. "$(dirname "$0")/lib.sh"
lib_tmp t_web_http
spid= uas=
cleanup_extra() {
	for k in $uas $spid; do kill "$k" 2>/dev/null || true; done
}
[ -x /usr/bin/sipp ] || { echo "skip: sipp (Debian sip-tester, make deps) is absent"; exit 77; }
[ -x build/tools/smtpsink ] || make -s build/tools/smtpsink

tests/integration/mkcerts.sh "$tmp/certs" >/dev/null
mkdir -p "$tmp/mail"
build/tools/smtpsink -d "$tmp/mail" -t 120 >"$tmp/sink.out" & spid=$!
for _ in $(seq 50); do grep -qs listening "$tmp/sink.out" && break; sleep 0.1; done
mport=$(sed -n 's/.*127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/sink.out" | head -1)

p=$(lib_port)
w=$((p+1))
lib_refd_ini "$p" on example.test "tls_cert = $tmp/certs/server.crt" \
	"tls_key = $tmp/certs/server.key"
cat >>"$tmp/refd.ini" <<CONF
[mail]
smtp = smtp://127.0.0.1:$mport
from = portal@example.test
[web]
listen = 127.0.0.1:$w
operators = root
CONF
apw='Tq7#vLx2!pRz9w'; bpw='Bz4%nWq8@kLm3s'
for u in alice bob service root; do
	pw=$apw; [ $u = bob ] && pw=$bpw
	bin/refctl -c "$tmp/refd.ini" account add $u@example.test \
		--password "$pw" --email $u@mail.test >/dev/null
done
lib_refd_start
check "portal up over HTTPS" \
	'grep -q "web portal on https://127.0.0.1:$w" $tmp/refd.log'

base="https://127.0.0.1:$w"
# get JAR PATH [curl args]: status; headers in $tmp/h, body in $tmp/b.
get() {
	local jar=$1 path=$2; shift 2
	timeout 10 curl -s --cacert "$tmp/certs/ca.crt" -b "$jar" -c "$jar" \
		-D "$tmp/h" -o "$tmp/b" -w '%{http_code}' "$@" "$base$path"
}
tok() { awk '$6 == "rtcb_csrf" { print $7 }' "$1"; }
# The session's CSRF token, from any page's forms.
stok() { sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' "$tmp/b" | head -1; }
login() { # JAR USER PASS: status of the POST
	local jar=$1
	get "$jar" /login >/dev/null
	get "$jar" /login --data-urlencode "csrf=$(tok "$jar")" \
		--data-urlencode "user=$2" --data-urlencode "password=$3"
}
hdr() { grep -i "^$1:" "$tmp/h" | tr -d '\r'; }
A=$tmp/a.jar; B=$tmp/b.jar

check "GET /login: 200, form with csrf" \
	'[ "$(get $A /login)" = 200 ] && grep -q "name=\"csrf\"" $tmp/b &&
	 grep -q "<title>Login" $tmp/b && grep -q "<h1>Login</h1>" $tmp/b'
check "security headers" \
	'hdr Content-Security-Policy | grep -q "default-src .self.; script-src .self.; frame-ancestors .none." &&
	 hdr X-Frame-Options | grep -q DENY &&
	 hdr Referrer-Policy | grep -q no-referrer &&
	 hdr X-Content-Type-Options | grep -q nosniff &&
	 hdr Cache-Control | grep -q no-store &&
	 hdr Strict-Transport-Security | grep -q max-age='
check "forged login token: 403" \
	'[ "$(get $A /login -d csrf=0123 -d user=alice -d password=x)" = 403 ] &&
	 grep -q "invalid form token" $tmp/b'
check "wrong password: 401 page" \
	'[ "$(login $A alice wrong-one)" = 401 ] &&
	 grep -q "wrong user or password" $tmp/b'
check "login: 303 /identity" \
	'[ "$(login $A alice "$apw")" = 303 ] &&
	 hdr Location | grep -q "/identity$"'
check "session cookie: Secure HttpOnly SameSite=Strict Path=/" \
	'c=$(hdr Set-Cookie | grep rtcb_sid=); echo "$c" | grep -q "; Secure" &&
	 echo "$c" | grep -q "; HttpOnly" && echo "$c" | grep -q "SameSite=Strict" &&
	 echo "$c" | grep -q "Path=/"'
check "identity page" \
	'[ "$(get $A /identity)" = 200 ] && grep -q "alice@mail.test" $tmp/b &&
	 grep -q "Logout" $tmp/b'
at=$(stok)
check "POST without the form token: 403" \
	'[ "$(get $A /identity/voicemail -d enabled=on)" = 403 ] &&
	 grep -q "invalid form token" $tmp/b'
check "POST with a forged token: 403" \
	'[ "$(get $A /identity/voicemail -d csrf=00ff -d enabled=on)" = 403 ]'
head -c 70000 /dev/zero | tr '\0' a >"$tmp/big"
check "a 70 kB form: 413, with the security headers" \
	'[ "$(get $A /identity/voicemail --data-binary @$tmp/big)" = 413 ] &&
	 hdr Content-Security-Policy | grep -q "frame-ancestors" &&
	 hdr X-Frame-Options | grep -q DENY'
check "voicemail on" \
	'[ "$(get $A /identity/voicemail -d csrf=$at -d enabled=on)" = 200 ] &&
	 grep -q "<td id=\"voicemail\">on</td>" $tmp/b'
check "contacts: add a buddy (XCAP list)" \
	'[ "$(get $A /contacts/add -d csrf=$at --data-urlencode uri=sip:carol@example.test)" = 303 ] &&
	 [ "$(get $A /contacts)" = 200 ] && grep -q "sip:carol@example.test" $tmp/b'
check "export: attachment, JSON, alice's data" \
	'[ "$(get $A /export)" = 200 ] &&
	 hdr Content-Disposition | grep -q attachment &&
	 python3 -m json.tool $tmp/b >/dev/null &&
	 grep -q "\"user\": \"alice@example.test\"" $tmp/b &&
	 grep -q "sip:carol@example.test" $tmp/b && ! grep -q "bob@" $tmp/b'

check "bob logs in" '[ "$(login $B bob "$bpw")" = 303 ]'

# One call alice -> service through refd (SIPp, digest auth), as in
# tests/integration/sipp/calls.sh; then its CDR and ladder in the portal.
sc=tests/integration/sipp
sipp() { (cd "$tmp" && timeout 30 /usr/bin/sipp -nostdin -i 127.0.0.1 -t u1 \
	"$@" >>"$tmp/sipp.out" 2>&1); }
printf 'SEQUENTIAL\nservice;example.test;[authentication username=service password=%s]\n' \
	"$apw" >"$tmp/reg.csv"
printf 'SEQUENTIAL\nalice;example.test;[authentication username=alice password=%s]\n' \
	"$apw" >"$tmp/uac.csv"
check "SIPp: service registers" \
	'sipp -sf $root/$sc/reg_auth.xml -inf $tmp/reg.csv 127.0.0.1:$p \
	 -p $((p+2)) -m 1 -key contact "127.0.0.1:$((p+2));transport=udp" -timeout 20s'
sipp -sf "$root/$sc/uas_rr.xml" -p $((p+2)) -m 1 \
	-key contact "127.0.0.1:$((p+2));transport=udp" & uas=$!
for _ in $(seq 100); do ss -ltun | grep -q ":$((p+2)) " && break; sleep 0.1; done
check "SIPp: one call alice -> service" \
	'sipp -sf $root/$sc/uac_auth.xml -inf $tmp/uac.csv -s service \
	 127.0.0.1:$p -p $((p+3)) -m 1 -timeout 20s'
wait "$uas" || true; uas=
for _ in $(seq 30); do	# the CDR is group-committed
	[ "$(get $A /calls)" = 200 ] && grep -q "service@example.test" $tmp/b && break
	sleep 0.1
done
tr=$(sed -n 's/.*href="\(\/calls\/[0-9]*\/trace\)".*/\1/p' "$tmp/b" | head -1)
check "/calls: the call, with its retention date" \
	'grep -q "service@example.test" $tmp/b && grep -q "Kept until" $tmp/b &&
	 [ -n "$tr" ]'
check "trace ladder: INVITE, 200, ACK, BYE, [redacted]" \
	'[ "$(get $A "$tr")" = 200 ] && grep -q "class=\"ladder\"" $tmp/b &&
	 grep -q "INVITE sip:service@" $tmp/b && grep -q "SIP/2.0 200" $tmp/b &&
	 grep -q ">ACK sip:" $tmp/b && grep -q ">BYE sip:" $tmp/b &&
	 grep -q "<span class=\"redacted\">\[redacted\]</span>" $tmp/b &&
	 grep -q "<th>caller alice@example.test<br>" $tmp/b &&
	 grep -q "<th>callee service@example.test<br>" $tmp/b'
check "bob: that trace is 404" '[ "$(get $B "$tr")" = 404 ]'

# E-mail change: the code goes to the NEW address.
check "e-mail change: code sent" \
	'[ "$(get $A /identity/email -d csrf=$at --data-urlencode email=alice2@mail.test)" = 200 ]'
for _ in $(seq 50); do ls "$tmp"/mail/*.eml >/dev/null 2>&1 && break; sleep 0.1; done
m1=$(ls "$tmp"/mail/*.eml 2>/dev/null | head -1)
code=$(sed -n 's/^ *\([0-9]\{8\}\) *\r*$/\1/p' "$m1" 2>/dev/null | head -1)
check "the sink got it, for the new address" \
	'grep -q "^X-Sink-To: <*alice2@mail.test" "$m1" && [ -n "$code" ]'
check "confirm the code: e-mail changed" \
	'[ "$(get $A /identity/email/confirm -d csrf=$at -d code=$code)" = 200 ] &&
	 grep -q "alice2@mail.test" $tmp/b'
check "the same code again: 410 code already used" \
	'[ "$(get $A /identity/email/confirm -d csrf=$at -d code=$code)" = 410 ] &&
	 grep -q "code already used" $tmp/b'

# bob never reaches alice's data.
check "bob: alice's call, a file, a voicemail by id: 404" \
	'[ "$(get $B /calls/1/trace)" = 404 ] && [ "$(get $B /files/1)" = 404 ] &&
	 [ "$(get $B /voicemail/1.wav)" = 404 ]'
check "bob: no operator view: 404" '[ "$(get $B "/operator?user=alice")" = 404 ]'
check "bob's export: no alice" \
	'[ "$(get $B /export)" = 200 ] && ! grep -q "alice" $tmp/b'
R=$tmp/r.jar
check "operator root: alice's calls and trace" \
	'[ "$(login $R root "$apw")" = 303 ] &&
	 [ "$(get $R "/operator?user=alice")" = 200 ] &&
	 grep -q "service@example.test" $tmp/b &&
	 [ "$(get $R "/operator$tr")" = 200 ] && grep -q "INVITE sip:service@" $tmp/b'
check "alice's export lists the operator's accesses" \
	'[ "$(get $A /export)" = 200 ] &&
	 python3 -c "import json,sys; d=json.load(open(sys.argv[1]));
a=d[\"operator_access\"]; assert len(a) == 2, a
assert all(x[\"operator\"] == \"root@example.test\" for x in a), a" $tmp/b'
check "alice's export: the call" \
	'[ "$(get $A /export)" = 200 ] && grep -q "service@example.test" $tmp/b'

# Removal through the e-mailed code.
n0=$(ls "$tmp"/mail/*.eml | wc -l)
check "remove: code sent to the account's address" \
	'[ "$(get $A /identity/remove -d csrf=$at)" = 200 ] &&
	 grep -q "/identity/remove/confirm" $tmp/b'
for _ in $(seq 50); do [ "$(ls "$tmp"/mail/*.eml | wc -l)" -gt "$n0" ] && break; sleep 0.1; done
m2=$(ls -t "$tmp"/mail/*.eml | head -1)
code=$(sed -n 's/^ *\([0-9]\{8\}\) *\r*$/\1/p' "$m2" | head -1)
check "removal e-mail to alice2@mail.test" \
	'grep -q "^X-Sink-To: <*alice2@mail.test" "$m2" && [ -n "$code" ]'
check "confirm: account removed, what was kept" \
	'[ "$(get $A /identity/remove/confirm -d csrf=$at -d code=$code)" = 200 ] &&
	 grep -q "account removed; kept: billing records until 20[0-9-]*" $tmp/b'
check "session over: /identity is 303 /login" \
	'[ "$(get $A /identity)" = 303 ] && hdr Location | grep -q "/login$"'
check "login gone: 401" '[ "$(login $A alice "$apw")" = 401 ]'
check "nothing left for alice in the store" \
	'! bin/refctl -c $tmp/refd.ini export --user alice@example.test 2>/dev/null |
	 grep -q "carol"'

kill -TERM "$pid"; set +e; wait "$pid"; rc=$?; set -e; pid=
check "refd SIGTERM exit 0" '[ "$rc" = 0 ]'

# No certificate anywhere and no plain = yes: refused at start.
sed -e '/^tls_cert/d' -e '/^tls_key/d' "$tmp/refd.ini" >"$tmp/bad.ini"
set +e; timeout 10 bin/refd -c "$tmp/bad.ini" 2>"$tmp/bad.err"; rc=$?; set -e
check "no certificate, no plain: exit 2, file:line" \
	'[ $rc = 2 ] && grep -q "bad.ini:[0-9]*: \[web\] listen: HTTPS needs a certificate" $tmp/bad.err'
[ "$fail" = 0 ] || { cat "$tmp/refd.log"; cat "$tmp/bad.err"; }
[ "$fail" = 0 ] && echo "t_web_http: all ok"
exit "$fail"
