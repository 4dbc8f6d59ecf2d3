#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Presence honours XCAP pres-rules (RFC 5025, POLICY.md P5/P8) through a
# running refd on loopback: bob PUTs a pres-rules document over XCAP
# (curl --digest) allowing carol, blocking mallory, polite-blocking eve;
# presrules_sip.py then checks over UDP that only carol sees bob's
# published note, mallory gets 403, eve a neutral "closed", and dave (no
# rule) a pending subscription without state. A watcher cannot read the
# document itself (403), and refd exits 0 on SIGTERM.
set -eu
. "$(dirname "$0")/lib.sh"
lib_tmp t_refd_presrules
command -v python3 >/dev/null || { echo "skip: python3 absent"; exit 77; }
command -v curl >/dev/null || { echo "skip: curl absent"; exit 77; }
p=$(lib_port)
x=$((p + 1))
lib_refd_ini "$p" off
cat >>"$tmp/refd.ini" <<CONF
[xcap]
listen = 127.0.0.1:$x
CONF
pw='Tq7#vLx2!pRz9w'
for u in bob carol mallory eve dave; do
	lib_account $u@example.test "$pw-$u"
done
lib_refd_start
cat >"$tmp/rules.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<cp:ruleset xmlns:cp="urn:ietf:params:xml:ns:common-policy"
    xmlns:pr="urn:ietf:params:xml:ns:pres-rules">
 <cp:rule id="friends">
  <cp:conditions><cp:identity><cp:one id="sip:carol@example.test"/></cp:identity></cp:conditions>
  <cp:actions><pr:sub-handling>allow</pr:sub-handling></cp:actions>
  <cp:transformations/>
 </cp:rule>
 <cp:rule id="blocked">
  <cp:conditions><cp:identity><cp:one id="sip:mallory@example.test"/></cp:identity></cp:conditions>
  <cp:actions><pr:sub-handling>block</pr:sub-handling></cp:actions>
  <cp:transformations/>
 </cp:rule>
 <cp:rule id="polite">
  <cp:conditions><cp:identity><cp:one id="sip:eve@example.test"/></cp:identity></cp:conditions>
  <cp:actions><pr:sub-handling>polite-block</pr:sub-handling></cp:actions>
  <cp:transformations/>
 </cp:rule>
</cp:ruleset>
XML
url="http://127.0.0.1:$x/xcap-root/pres-rules/users/sip:bob@example.test/index"
code=$(timeout 10 curl -s -o "$tmp/put.out" -w '%{http_code}' --digest \
	-u "bob:$pw-bob" -X PUT -H 'Content-Type: application/auth-policy+xml' \
	--data-binary @"$tmp/rules.xml" "$url")
check "bob PUTs his pres-rules over XCAP (201)" '[ "$code" = 201 ]'
[ "$code" = 201 ] || cat "$tmp/put.out"
code=$(timeout 10 curl -s -o /dev/null -w '%{http_code}' --digest \
	-u "mallory:$pw-mallory" "$url")
check "mallory cannot read bob's rules (403)" '[ "$code" = 403 ]'
set +e
timeout 30 python3 tests/integration/presrules_sip.py "$p" "NOTE-$RANDOM-CANARY" ${DEBUG:-}
rc=$?
set -e
[ "$rc" = 0 ] || fail=1
kill -TERM "$pid"; wait "$pid"; src=$?; pid=
check "refd exits 0 on SIGTERM" '[ "$src" = 0 ]'
[ "$fail" = 0 ]
