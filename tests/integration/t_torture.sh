#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# RFC 4475 torture messages over UDP to a running refd (tests/data/rfc4475):
# valid ones never answered 400, invalid ones 400 (responses dropped), the
# semantic ones as the RFC says (505, 483, 416, 420), and refd still answers
# OPTIONS after each one. Exit 0 on SIGTERM.
set -eu
cd "$(dirname "$0")/../.."
root=$PWD
tmp=$(mktemp -d /tmp/t_torture.XXXXXX)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
p=$(( 20000 + RANDOM % 10000 * 2 ))
cat >"$tmp/refd.ini" <<CONF
[platform]
domain = example.com
data_dir = $tmp/var
policy = $root/ref/policy/sip2sip.policy
[sip]
listen = udp:127.0.0.1:$p
auth = off
CONF
"$root/bin/refd" -c "$tmp/refd.ini" 2>"$tmp/refd.log" & pid=$!
for _ in $(seq 50); do grep -q serving "$tmp/refd.log" && break; sleep 0.1; done
set +e
python3 tests/integration/torture.py tests/data/rfc4475 "$p"
rc=$?
kill -TERM "$pid"; wait "$pid"; src=$?; pid=
set -e
grep "sip:" "$tmp/refd.log" || true
echo "refd exit $src"
[ "$rc" = 0 ] && [ "$src" = 0 ]
