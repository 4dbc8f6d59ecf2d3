#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The test SMTP sink (tests/tools/smtpsink.c) that the web tests read
# e-mailed codes from: curl delivers two messages (libcurl is what
# ref/push uses), each lands as one file with its envelope and body,
# dot-stuffing undone; commands out of order get 503, an unknown one 502;
# a bad -p is a one-line error with exit 2.
set -eu
. "$(dirname "$0")/lib.sh"
sink=build/tools/smtpsink
lib_tmp t_smtpsink

mkdir "$tmp/mail"
"$sink" -d "$tmp/mail" -t 60 >"$tmp/out" 2>"$tmp/err" & pid=$!
for _ in $(seq 50); do grep -qs listening "$tmp/out" && break; sleep 0.1; done
port=$(sed -n 's/^smtpsink: listening on 127.0.0.1://p' "$tmp/out")
check "listening on a free loopback port" '[ -n "$port" ]'

printf 'From: portal@example.test\r\nTo: alice@example.test\r\nSubject: code\r\n\r\nyour code: 493817\r\n.leading dot\r\n' \
	>"$tmp/m1"
send() { timeout 10 curl -s --url "smtp://127.0.0.1:$port" \
	--mail-from portal@example.test "$@"; }
check "curl delivers message 1 (two recipients)" \
	'send --mail-rcpt alice@example.test --mail-rcpt bob@example.test -T $tmp/m1'
check "curl delivers message 2" \
	'printf "Subject: two\r\n\r\nsecond\r\n" | send --mail-rcpt carol@example.test -T -'
m1=$tmp/mail/msg-1.eml
check "message 1: envelope sender and both recipients" \
	'grep -qx "X-Sink-From: portal@example.test" $m1 &&
	 grep -qx "X-Sink-To: alice@example.test, bob@example.test" $m1'
check "message 1: headers and body as sent, dot-stuffing undone" \
	'grep -qx "Subject: code" $m1 && grep -qx "your code: 493817" $m1 &&
	 grep -qx ".leading dot" $m1'
check "message 2 in its own file" \
	'grep -qx "second" $tmp/mail/msg-2.eml && ! grep -q second $m1'
check "no temporary file left" '[ "$(ls -A $tmp/mail | wc -l)" = 2 ]'

# A raw session: DATA before MAIL is 503, an unknown verb 502, QUIT 221.
exec 3<>"/dev/tcp/127.0.0.1/$port"
printf 'HELO t\r\nDATA\r\nVRFY x\r\nRCPT TO:<a@b>\r\nQUIT\r\n' >&3
timeout 5 cat <&3 >"$tmp/raw" || true
exec 3<&-
check "out of order and unknown commands refused" \
	'[ "$(cut -c1-3 $tmp/raw | tr -d "\r" | tr "\n" " ")" = "220 250 503 502 503 221 " ]'
check "still 2 messages" '[ "$(ls $tmp/mail | wc -l)" = 2 ]'

set +e; "$sink" -d "$tmp/mail" -p 70000 2>"$tmp/bad"; rc=$?; set -e
check "bad -p: exit 2, one-line error" \
	'[ "$rc" = 2 ] && [ "$(wc -l <$tmp/bad)" = 1 ] && grep -q "not a port" $tmp/bad'
exit "$fail"
