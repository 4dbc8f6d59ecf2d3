#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# rtcbench run --mode live --target HOST:PORT against Kamailio 5.6 (the
# registrar/proxy config of lib.sh's lib_kamailio, no auth): no refd is
# started, the bench UAs register, call and send a MESSAGE through
# Kamailio with their AORs from --accounts; wire checks are judged from
# the loopback capture, storage checks (expect stored/cdr, purge, the
# automatic row verdicts) are reported skipped, never passed. A scenario
# account absent from the accounts file is FILE:LINE, exit 2; a target
# off loopback is refused (exit 2) before anything is sent. Exit 77
# without kamailio.
set -eu
. "$(dirname "$0")/lib.sh"
lib_kamailio_need
lib_tmp t_run_target
p=$(lib_port 21000 9000)
lib_kamailio $p
cat >"$tmp/accounts" <<'ACC'
# scenario name, account on the target, password
alice kam-alice@kam.test alice-pw
bob kam-bob@kam.test bob-pw
ACC
cat >"$tmp/t.scn" <<'SCN'
account alice
account bob
register alice
register bob
expect registered bob yes
call alice bob duration=2s canary=TGT-RTP-CANARY-12
message alice bob body="target hello TGT-MSG-CANARY-10"
expect wire "TGT-MSG-CANARY-10" yes
expect wire "TGT-RTP-CANARY-12" yes
expect stored "TGT-MSG-CANARY-10" no
expect cdr alice bob count=1
purge
SCN
set +e
timeout 60 bin/rtcbench run "$tmp/t.scn" --mode live --target 127.0.0.1:$p \
	--domain kam.test --accounts "$tmp/accounts" --out "$tmp/o" \
	>"$tmp/log" 2>&1; rc=$?
set -e
[ $rc = 0 ] || { echo "run rc=$rc"; cat "$tmp/log"; exit 1; }
cat "$tmp/log"
python3 - "$tmp/o/summary.json" "$tmp/kam.log" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
ck = d["checks"]
assert d["failed"] == 0, [c for c in ck if not c["ok"]]
ok = [c for c in ck if c.get("skipped") is not True and c["ok"]]
def find(sub):
    m = [c for c in ck if sub in c["name"]]
    assert m, (sub, [c["name"] for c in ck])
    return m[0]
for sub in ('expect wire TGT-MSG', 'expect wire TGT-RTP',
            "expect registered bob"):
    c = find(sub)
    assert c["ok"] and not c.get("skipped"), c
    assert "found" in c["detail"] or "is registered" in c["detail"], c
for sub in ("expect stored", "expect cdr", "purge"):
    c = find(sub)
    assert c.get("skipped") and "skipped:" in c.get("detail", ""), c
print("target run:", len(ck), "checks,",
      sum(1 for c in ck if c.get("skipped")), "skipped")
PY
# --data-dir: its raw bytes are audited; a copy of the message there
# makes `expect stored ... no` fail, naming the file
mkdir "$tmp/dd"; echo "spool: target hello TGT-MSG-CANARY-10" >"$tmp/dd/spool"
set +e
timeout 60 bin/rtcbench run "$tmp/t.scn" --mode live --target 127.0.0.1:$p \
	--domain kam.test --accounts "$tmp/accounts" --data-dir "$tmp/dd" \
	--out "$tmp/o4" >"$tmp/log" 2>&1; rc=$?
set -e
[ $rc = 1 ] && grep -q "t.scn:10: expect stored TGT-MSG-CANARY-10 no: found TGT-MSG-CANARY-10 in $tmp/dd/spool" \
	"$tmp/log" && [ -f "$tmp/dd/spool" ] ||
	{ echo "data-dir rc=$rc"; cat "$tmp/log"; exit 1; }
# a scenario account missing from the accounts file: FILE:LINE, exit 2
printf 'account carol\nregister carol\n' >"$tmp/c.scn"
set +e
bin/rtcbench run "$tmp/c.scn" --mode live --target 127.0.0.1:$p \
	--accounts "$tmp/accounts" --out "$tmp/o2" >"$tmp/log" 2>&1; rc=$?
set -e
[ $rc = 2 ] && grep -q "c.scn:1: account carol is not in" "$tmp/log" ||
	{ echo "missing account rc=$rc"; cat "$tmp/log"; exit 1; }
# off loopback: refused before anything is sent (no work folder made)
set +e
bin/rtcbench run "$tmp/t.scn" --mode live --target 192.0.2.1:5060 \
	--accounts "$tmp/accounts" --out "$tmp/o3" >"$tmp/log" 2>&1; rc=$?
set -e
[ $rc = 2 ] && grep -q "needs --allow-remote" "$tmp/log" && [ ! -e "$tmp/o3" ] ||
	{ echo "remote target rc=$rc"; cat "$tmp/log"; exit 1; }
echo ok
