#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# RFC 8599 push through a running refd (POLICY.md P9), loopback only:
# push_sip.py plays the push gateway (http.server) and two UDP phones; a
# call for bob's sleeping phone is POSTed to the gateway (no caller, no
# subject, no body) and parked until the phone re-registers, then reaches
# it; a phone that never wakes gets the caller a 480; a MESSAGE for it is
# stored (202), and sent to the phone when it wakes and to a second
# device that registers later, once each (P10 sync). Then the push log: refctl export lists bob's wake-ups
# with the gateway's status and without the device token; refctl purge
# --now 6 days on keeps them, 8 days on removes them, and the provider
# canary is gone from every file under data_dir.
set -eu
. "$(dirname "$0")/lib.sh"
lib_tmp t_refd_push
command -v python3 >/dev/null || { echo "skip: python3 absent"; exit 77; }
p=$(lib_port)
g=$((p + 1))
canary="PNPROV$RANDOM$RANDOM"
lib_refd_ini "$p" off
cat >>"$tmp/refd.ini" <<CONF
[push]
gateway = http://127.0.0.1:$g/push
wait = 2s
CONF
for u in alice bob; do
	lib_account $u@example.test "Tq7#vLx2!pRz9w-$u"
done
lib_refd_start
check "refd announces the push gateway" \
	'grep -q "push gateway http://127.0.0.1:$g/push (wait 2s)" $tmp/refd.log'
set +e
timeout 60 python3 tests/integration/push_sip.py "$p" "$g" "$canary"
rc=$?
set -e
[ "$rc" = 0 ] || fail=1
kill -TERM "$pid"; wait "$pid"; src=$?; pid=
check "refd exits 0 on SIGTERM" '[ "$src" = 0 ]'
grep -E "push:|pushes" "$tmp/refd.log" || true
check "refd counted 3 wake-ups sent, 1 wait forked, 1 timed out" \
	'grep -q "push: sent 3, failed 0" $tmp/refd.log &&
	 grep -q "pushes 3 (waits 2, forked 1, timed out 1)" $tmp/refd.log'
check "refd sent 2 stored MESSAGEs to devices, both answered 2xx" \
	'grep -q "stored messages synced 2 (2 delivered)" $tmp/refd.log'
bin/refctl -c "$tmp/refd.ini" export --user bob@example.test >"$tmp/exp.json"
python3 - "$tmp/exp.json" "$canary" >"$tmp/push.txt" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rows = d.get("push", [])
print(len(rows), sum(1 for r in rows if r.get("provider") == sys.argv[2]),
      sorted(r.get("kind") for r in rows), sorted({r.get("status") for r in rows}))
PY
cat "$tmp/push.txt"
check "export: 3 push log rows for bob, provider kept, gateway status 202" \
	'grep -qx "3 3 \[.call., .call., .message.\] \[202\]" $tmp/push.txt'
check "the device token is in no file under data_dir" \
	'! grep -rqa "devtok-8599-" $tmp/var'
check "no push row names the caller" \
	'! python3 -c "import json,sys; sys.exit(0 if \"alice\" in json.dumps(json.load(open(sys.argv[1])).get(\"push\")) else 1)" $tmp/exp.json'
now6=$(date -u -d '+6 days' +%Y-%m-%dT%H:%M:%SZ)
now8=$(date -u -d '+8 days' +%Y-%m-%dT%H:%M:%SZ)
bin/refctl -c "$tmp/refd.ini" purge --now "$now6" >/dev/null
check "6 days on: the push log is kept" 'grep -rqa "$canary" $tmp/var'
bin/refctl -c "$tmp/refd.ini" purge --now "$now8" >"$tmp/purge.txt"
cat "$tmp/purge.txt"
check "8 days on: the provider canary is gone from every file" \
	'! grep -rqa "$canary" $tmp/var'
bin/refctl -c "$tmp/refd.ini" export --user bob@example.test >"$tmp/exp2.json" || true
check "export: no push rows left" \
	'! python3 -c "import json,sys; sys.exit(0 if json.load(open(sys.argv[1])).get(\"push\") else 1)" $tmp/exp2.json'
[ "$fail" = 0 ]
