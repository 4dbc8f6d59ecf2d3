#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# refd with [xcap] listen serves XCAP (RFC 4825, POLICY.md P5) on
# loopback: curl --digest PUTs and GETs alice's resource-lists document
# (accounts made by refctl), a wrong password is 401, bob cannot read or
# overwrite alice's document (403) and has none of his own (404), a
# schema-invalid document is refused (409), and SIGTERM exits 0. The
# document is in the store: refctl export lists it.
set -eu
. "$(dirname "$0")/lib.sh"
lib_tmp t_refd_xcap
p=$(lib_port)
x=$((p+1))
lib_refd_ini "$p"
cat >>"$tmp/refd.ini" <<CONF
[xcap]
listen = 127.0.0.1:$x
CONF
apw='Tq7#vLx2!pRz9w'; bpw='Bz4%nWq8@kLm3s'
lib_account alice@example.test "$apw"
lib_account bob@example.test "$bpw"
lib_refd_start
check "xcap listener up" 'grep -q "xcap on http://127.0.0.1:$x" $tmp/refd.log'

base="http://127.0.0.1:$x/xcap-root/resource-lists/users"
doc="$base/sip:alice@example.test/index"
ct='Content-Type: application/resource-lists+xml'
canary="xcap-C4N4RY-$RANDOM"
cat >"$tmp/rl.xml" <<XML
<?xml version="1.0" encoding="UTF-8"?>
<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists">
 <list name="friends"><entry uri="sip:$canary@example.test"/></list>
</resource-lists>
XML
# code USER:PASS METHOD URL [curl args]: the HTTP status.
code() {
	local u=$1 m=$2 url=$3; shift 3
	timeout 10 curl -s -o "$tmp/body" -w '%{http_code}' --digest \
		-u "$u" -X "$m" "$@" "$url"
}
check "PUT by the owner: 201" \
	'[ "$(code "alice:$apw" PUT $doc -H "$ct" --data-binary @$tmp/rl.xml)" = 201 ]'
check "GET by the owner: 200, same document" \
	'[ "$(code "alice:$apw" GET $doc)" = 200 ] && cmp -s $tmp/body $tmp/rl.xml'
check "replace by the owner: 200" \
	'[ "$(code "alice:$apw" PUT $doc -H "$ct" --data-binary @$tmp/rl.xml)" = 200 ]'
check "wrong password: 401" \
	'[ "$(code "alice:not-the-pass" GET $doc)" = 401 ]'
check "unknown user: 401" \
	'[ "$(code "zed:$apw" GET $doc)" = 401 ]'
check "no credentials: 401" \
	'[ "$(timeout 10 curl -s -o /dev/null -w "%{http_code}" $doc)" = 401 ]'
check "bob cannot read alice's list (P5): 403, no canary" \
	'[ "$(code "bob:$bpw" GET $doc)" = 403 ] && ! grep -q "$canary" $tmp/body'
check "bob cannot overwrite it: 403" \
	'[ "$(code "bob:$bpw" PUT $doc -H "$ct" --data-binary "<x/>")" = 403 ]'
check "bob has no list of his own: 404" \
	'[ "$(code "bob:$bpw" GET $base/sip:bob@example.test/index)" = 404 ]'
check "schema-invalid document: 409" \
	'[ "$(code "bob:$bpw" PUT $base/sip:bob@example.test/index -H "$ct" \
	     --data-binary "<resource-lists/>")" = 409 ]'
check "alice's list still hers" \
	'[ "$(code "alice:$apw" GET $doc)" = 200 ] && cmp -s $tmp/body $tmp/rl.xml'
check "in the store (refctl export)" \
	'bin/refctl -c $tmp/refd.ini export --user alice@example.test |
	 grep -q "$canary"'

# Taken port: exit 1, one line.
set +e; timeout 10 bin/refd -c "$tmp/refd.ini" 2>"$tmp/dup.err"; rc=$?; set -e
check "second refd on the same ports: exit 1" '[ $rc = 1 ]'

kill -TERM "$pid"; set +e; wait "$pid"; rc=$?; set -e; pid=
check "refd SIGTERM exit 0" '[ "$rc" = 0 ]'
[ "$fail" = 0 ] || { echo "rc=$rc"; cat "$tmp/refd.log"; cat $tmp/dup.err; }
[ "$fail" = 0 ] && echo "t_refd_xcap: all ok"
exit "$fail"
