#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# rtcbench perf load, small (10 accounts x 10 devices = 100 registered
# users, 10 calls of 2 s with RTP): the generated scenario passes every
# check, every call has a CDR with RTP relayed both ways, the accounts carry
# the policy's argon2id cost (the 19MiB floor), the scenario file written
# next to summary.json reruns with `rtcbench run`; the floor is enforced
# (perf option and the scenario's policy line); bad usage exits 2. No
# timing is asserted (the machine is shared): the bound check is off.
set -eu
. "$(dirname "$0")/lib.sh"
lib_tmp t_perf_load
bin/rtcbench perf load --accounts 10 --devices 10 --calls 10 --duration 2s \
	--bound 0 --keep --out "$tmp/p" >"$tmp/log"
cat "$tmp/log"
check "perf load: summary" "python3 - '$tmp/p/summary.json' <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
names = [c['name'] for c in s['checks']]
assert s['failed'] == 0, s['checks']
assert 'load: every call answered, RTP relayed both ways' in names, names
assert not any('bound' in n for n in names), names
m = s['metrics']
assert m['registrations'] == 100 and m['calls_answered'] == 10, m
# 10 calls x 2 directions x 100 packets (2 s at 20 ms), 10% slack
assert m['rtp_packets_relayed'] >= 1800, m
assert m['hash_memory_mib'] == 19 and m['registrations_per_s'] > 0, m
assert m['load_cpu_s'] > 0 and m['provision_cpu_ms_per_account'] > 0, m
PY"
check "accounts hashed at the policy's cost (argon2id m=19456,t=2)" \
	"python3 - '$tmp/p/load-run/load/var/platform.db' <<'PY'
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute(
    'select pwhash from accounts').fetchall()
assert len(rows) == 10, rows
assert all(r[0].startswith('\$argon2id\$v=19\$m=19456,t=2,p=1\$') for r in rows), rows
PY"
check "the written scenario reruns with rtcbench run" \
	"bin/rtcbench run '$tmp/p/load.scn' --out '$tmp/r' >'$tmp/rlog' 2>&1"
tail -3 "$tmp/rlog"
# The floor: a policy line below it stops the platform, naming the key.
printf 'policy hash_memory=8MiB\naccount a\n' >"$tmp/weak.scn"
set +e
bin/rtcbench run "$tmp/weak.scn" --out "$tmp/w" >"$tmp/wlog" 2>&1; rc=$?
set -e
check "policy hash_memory=8MiB refused (exit 1, names the floor)" \
	"[ $rc = 1 ] && grep -q 'hash_memory: must be 19MiB to 4GiB' '$tmp/wlog'"
for bad in "--hash-memory 8MiB" "--accounts 1" "--devices 17" \
	   "--duration 3q" "--bogus 1" "--calls"; do
	set +e
	bin/rtcbench perf load $bad --out "$tmp/b" >/dev/null 2>&1; rc=$?
	set -e
	check "perf load $bad: exit 2" "[ $rc = 2 ]"
done
exit $fail
