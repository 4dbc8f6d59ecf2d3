#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# refd's config handling: every bad config is refused with one line naming
# FILE:LINE: [section] key (exit 2); a good config starts, makes data_dir,
# and SIGTERM stops it with exit 0; a taken port exits 1. Loopback only,
# a few seconds.
set -eu
cd "$(dirname "$0")/../.."
refd=$PWD/bin/refd
tmp=$(mktemp -d /tmp/t_refd_config.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
tests/integration/mkcerts.sh "$tmp/certs" >/dev/null
base=$(( 20000 + RANDOM % 5700 * 2 ))  # below the ephemeral range
fail=0

# One bad config on stdin; $2 is the exact start of the one-line error.
bad() {
	local name=$1 want=$2 conf="$tmp/$1.ini" rc out
	cat >"$conf"
	set +e
	out=$(timeout 10 "$refd" -c "$conf" 2>&1 >/dev/null); rc=$?
	set -e
	want=${want//FILE/$conf}
	if [ "$rc" != 2 ] || [ "$(printf '%s\n' "$out" | wc -l)" != 1 ] ||
	   [[ "$out" != "$want"* ]]; then
		echo "FAIL $name: rc=$rc, got: $out"; echo "   want: $want..."
		fail=1
	else
		echo "ok   $name: $out"
	fi
}

head="[platform]
domain = example.test
data_dir = $tmp/var"
q="'"

bad unknown_section 'FILE:5: unknown section [bogus]' <<CONF
$head
[bogus]
x = 1
[sip]
listen = udp:127.0.0.1:$base
CONF
bad unknown_key 'FILE:5: [sip] lisen: unknown key' <<CONF
$head
[sip]
lisen = udp:127.0.0.1:$base
CONF
bad syntax 'FILE:5: syntax error' <<CONF
$head
[sip]
this line is not ini
CONF
bad no_domain 'FILE: [platform] domain: required' <<CONF
[platform]
data_dir = $tmp/var
[sip]
listen = udp:127.0.0.1:$base
CONF
bad bad_domain "FILE:2: [platform] domain: ${q}exa mple${q} is not a domain" <<CONF
[platform]
domain = exa mple
data_dir = $tmp/var
[sip]
listen = udp:127.0.0.1:$base
CONF
bad no_listen 'FILE: [sip] listen: required' <<CONF
$head
[sip]
auth = on
CONF
bad bad_listen "FILE:5: [sip] listen: bad listen spec ${q}udp:127.0.0.1:99999${q}" <<CONF
$head
[sip]
listen = tcp:127.0.0.1:$base udp:127.0.0.1:99999
CONF
bad listen_ws "FILE:5: [sip] listen: ${q}ws:127.0.0.1:5062${q}: transport not served" <<CONF
$head
[sip]
listen = ws:127.0.0.1:5062
CONF
bad tls_no_cert "FILE:5: [sip] listen: ${q}tls:127.0.0.1:$((base+1))${q} needs [sip] tls_cert" <<CONF
$head
[sip]
listen = tls:127.0.0.1:$((base+1))
CONF
bad cert_missing "FILE:6: [sip] tls_cert: cannot read ${q}$tmp/nope.crt${q}" <<CONF
$head
[sip]
listen = tls:127.0.0.1:$((base+1))
tls_cert = $tmp/nope.crt
tls_key = $tmp/certs/server.key
CONF
bad key_mismatch 'FILE:6: [sip] tls_cert: cannot load key' <<CONF
$head
[sip]
listen = tls:127.0.0.1:$((base+1))
tls_cert = $tmp/certs/server.crt
tls_key = $tmp/certs/client.key
CONF
bad verify_no_ca 'FILE:6: [sip] tls_verify_client: needs [sip] tls_ca' <<CONF
$head
[sip]
listen = udp:127.0.0.1:$base
tls_verify_client = on
CONF
bad auth 'FILE:6: [sip] auth: expected on or off' <<CONF
$head
[sip]
listen = udp:127.0.0.1:$base
auth = maybe
CONF
bad networks "FILE:6: [sip] networks: bad prefix ${q}10.0.0.0/33${q}" <<CONF
$head
[sip]
listen = udp:127.0.0.1:$base
networks = 127.0.0.0/8 10.0.0.0/33
CONF
bad max_tx "FILE:6: [sip] max_transactions: not a number: ${q}lots${q}" <<CONF
$head
[sip]
listen = udp:127.0.0.1:$base
max_transactions = lots
CONF
bad idle "FILE:6: [sip] idle_timeout: bad duration ${q}5 fortnights${q}" <<CONF
$head
[sip]
listen = udp:127.0.0.1:$base
idle_timeout = 5 fortnights
CONF
bad expires 'FILE:7: [sip] max_expires: below min_expires' <<CONF
$head
[sip]
listen = udp:127.0.0.1:$base
min_expires = 1h
max_expires = 5m
CONF
bad log_level "FILE:4: [platform] log_level: ${q}loud${q}" <<CONF
[platform]
domain = example.test
data_dir = $tmp/var
log_level = loud
[sip]
listen = udp:127.0.0.1:$base
CONF
bad policy "FILE:4: [platform] policy: cannot read ${q}$tmp/no.policy${q}" <<CONF
[platform]
domain = example.test
data_dir = $tmp/var
policy = $tmp/no.policy
[sip]
listen = udp:127.0.0.1:$base
CONF
bad media_ports "FILE:8: [media] ports: ${q}5000-4000${q}" <<CONF
$head
[sip]
listen = udp:127.0.0.1:$base
[media]
address = 127.0.0.1
ports = 5000-4000
CONF
bad media_addr "FILE:7: [media] address: ${q}localhost${q} is not an IP" <<CONF
$head
[sip]
listen = udp:127.0.0.1:$base
[media]
address = localhost
ports = 40000-40999
CONF
bad msrp_udp "FILE:7: [msrp] listen: bad listen spec ${q}udp:127.0.0.1:2855${q}" <<CONF
$head
[sip]
listen = udp:127.0.0.1:$base
[msrp]
listen = udp:127.0.0.1:2855
CONF
bad xcap "FILE:7: [xcap] listen: ${q}127.0.0.1${q}: want ADDRESS:PORT" <<CONF
$head
[sip]
listen = udp:127.0.0.1:$base
[xcap]
listen = 127.0.0.1
CONF

# A missing file is refused too (exit 2, names the file).
set +e; out=$("$refd" -c "$tmp/absent.ini" 2>&1); rc=$?; set -e
if [ "$rc" != 2 ] || [[ "$out" != "$tmp/absent.ini:"* ]]; then
	echo "FAIL absent file: rc=$rc $out"; fail=1
else
	echo "ok   absent file: $out"
fi

# A good config (every section) starts, makes data_dir, stops on SIGTERM.
good="$tmp/good.ini"
cat >"$good" <<CONF
; every section SPEC.md names
[platform]
domain   = example.test
data_dir = $tmp/var/deep/data
log_level = debug
[sip]
listen   = udp:127.0.0.1:$base tcp:127.0.0.1:$base tls:127.0.0.1:$((base+1))
tls_cert = $tmp/certs/server.crt
tls_key  = $tmp/certs/server.key
tls_ca   = $tmp/certs/ca.crt
auth     = on
networks = 127.0.0.0/8 ::1/128
max_transactions = 50000
idle_timeout = 2m
write_queue = 2MiB
min_expires = 60
max_expires = 1h
[media]
address  = 127.0.0.1
ports    = $((base+100))-$((base+199))
ng_listen = udp:127.0.0.1:$((base+2))
[msrp]
listen   = tls:127.0.0.1:$((base+3))
[xcap]
listen   = 127.0.0.1:8080
[web]
listen   = 127.0.0.1:8443
CONF
"$refd" -c "$good" 2>"$tmp/good.log" &
pid=$!
for _ in $(seq 50); do
	grep -q "serving example.test" "$tmp/good.log" && break; sleep 0.1
done
grep -q "serving example.test" "$tmp/good.log" ||
	{ echo "FAIL good config did not start:"; cat "$tmp/good.log"; exit 1; }
[ -d "$tmp/var/deep/data" ] || { echo "FAIL data_dir not made"; fail=1; }
# [media] is served: the relay's ng control port answers a ping.
printf 'c1 d7:command4:pinge' >"$tmp/ping"
exec 3<>/dev/udp/127.0.0.1/$((base+2))
dd if="$tmp/ping" bs=512 count=1 >&3 2>/dev/null
pong=$(timeout 3 dd bs=512 count=1 <&3 2>/dev/null || true); exec 3>&-
if [[ "$pong" == "c1 "*pong* ]]; then
	echo "ok   [media] ng_listen answers: $pong"
else
	echo "FAIL [media] ng_listen: got '$pong'"; fail=1
fi
[ "$(stat -c %a "$tmp/var/deep/data")" = 700 ] ||
	{ echo "FAIL data_dir mode"; fail=1; }
kill -TERM "$pid"
set +e; wait "$pid"; rc=$?; set -e
pid=
if [ "$rc" != 0 ] || ! grep -q "refd: info: stopped" "$tmp/good.log"; then
	echo "FAIL SIGTERM: rc=$rc"; cat "$tmp/good.log"; fail=1
else
	echo "ok   good config ran and SIGTERM gave exit 0"
fi

# A port already taken is a runtime error (exit 1), still file:line:key.
"$refd" -c "$good" 2>"$tmp/a.log" & pid=$!
for _ in $(seq 50); do grep -q serving "$tmp/a.log" && break; sleep 0.1; done
set +e; out=$(timeout 10 "$refd" -c "$good" 2>&1); rc=$?; set -e
kill -TERM "$pid"; wait "$pid" || true; pid=
want="$good:7: [sip] listen: cannot listen on ${q}udp:127.0.0.1:$base${q}: Address already in use"
if [ "$rc" != 1 ] || [[ "$out" != *"$want"* ]]; then
	echo "FAIL port taken: rc=$rc $out"; fail=1
else
	echo "ok   port taken: exit 1"
fi
[ "$fail" = 0 ] && echo "t_refd_config: all ok"
exit "$fail"
