#!/bin/bash
# rtcbench run --mode live: a real bin/refd on loopback with a temporary
# config and data_dir, provisioned with bin/refctl, time moved with
# `refctl purge --now`. Billing survives account deletion (P17/P18) and
# is purged after 7 years, judged from the raw bytes under data_dir.
# Bench UAs move off 5060/30000 when another process holds them.
set -eu
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
bin/rtcbench run scenarios/accounts/p18_delete_keeps_billing.scn \
	scenarios/billing/p17_billing_seven_years.scn --keep \
	--mode live --out "$tmp/o" >"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
python3 - "$tmp/o/summary.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["failed"] == 0, [c for c in d["checks"] if not c["ok"]]
names = [c["name"] for c in d["checks"]]
assert any(n.startswith("P17 ") for n in names), names
assert any(n.startswith("P18 ") for n in names), names
PY
# rtcbench audit on the kept platform: the billing name is still stored
# (a canary found fails), and 8 years on the purchase breaks P17.
conf=$tmp/o/runs/p18_delete_keeps_billing/refd.conf
set +e
bin/rtcbench audit -c "$conf" --canary "Alice Keep-Billing-Name" \
	--canary "NOT-THERE-12345" --out "$tmp/a1" >"$tmp/alog" 2>&1; rc=$?
set -e
[ "$rc" = 1 ] && grep -q "FAIL canary Alice Keep-Billing-Name: found in" \
	"$tmp/alog" || { echo "audit rc=$rc"; cat "$tmp/alog"; exit 1; }
grep -q '"name": "canary NOT-THERE-12345"' "$tmp/a1/summary.json"
set +e
bin/rtcbench audit -c "$conf" --at 2035-01-01T00:00:00Z --out "$tmp/a2" \
	>"$tmp/alog" 2>&1; rc=$?
set -e
[ "$rc" = 1 ] && grep -q "FAIL P17 billing records retention" "$tmp/alog" ||
	{ echo "retention audit rc=$rc"; cat "$tmp/alog"; exit 1; }
bin/rtcbench audit -c "$conf" --out "$tmp/a3" >/dev/null ||
	{ echo "audit now should pass"; exit 1; }
# Real traffic: bench UAs on loopback sockets register, call (RTP canary
# on the captured link) and the CDR ages out as of `refctl purge --now`.
cat >"$tmp/call.scn" <<'SCN'
account alice
account bob
register alice canary=LIVE-REG-CANARY-7
register bob
call alice bob duration=2s canary=LIVE-RTP-CANARY-12
message alice bob body="live hello LIVE-MSG-CANARY-10"
expect cdr alice bob count=1
expect message bob count=1 encrypted=no
expect stored "LIVE-REG-CANARY-7" no
expect stored "LIVE-MSG-CANARY-10" yes
advance 181d
purge
expect cdr alice bob count=0
expect row P16 pass
SCN
bin/rtcbench run "$tmp/call.scn" --mode live --out "$tmp/t" >"$tmp/log" 2>&1 ||
	{ cat "$tmp/log"; exit 1; }
# Another process on 0.0.0.0:5060 and :30000 (svwar, SIPp do this): the
# bench UAs move to other ports, say so, and the call still passes.
python3 -c 'import socket, sys, time
s = []
for p in (5060, 30000):
    try:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind(("0.0.0.0", p)); s.append(u)
    except OSError:
        pass	# held already by someone else: the same test
print("held", flush=True); time.sleep(120)' >"$tmp/hold" & holder=$!
for _ in $(seq 50); do grep -q held "$tmp/hold" && break; sleep 0.1; done
bin/rtcbench run "$tmp/call.scn" --mode live --out "$tmp/t2" >"$tmp/log" 2>&1 ||
	{ kill $holder; cat "$tmp/log"; exit 1; }
kill $holder
grep -q "in use: bench UAs on SIP port" "$tmp/log" ||
	{ echo "no port move logged"; cat "$tmp/log"; exit 1; }
# expect registered asks refd with an OPTIONS probe (a device answers, or
# 480): yes, never registered, and gone after un-REGISTER.
cat >"$tmp/reg.scn" <<'SCN'
account alice
account bob
account carol
register alice canary=LIVE-REG-PROBE-CANARY-7
register bob
expect registered alice yes
expect registered carol no
unregister bob
expect registered bob no
expect stored "LIVE-REG-PROBE-CANARY-7" no
SCN
bin/rtcbench run "$tmp/reg.scn" --mode live --out "$tmp/r" >"$tmp/log" 2>&1 ||
	{ cat "$tmp/log"; exit 1; }
grep -q '"detail": "carol is not registered"' "$tmp/r/summary.json"
# chat through refd's MSRP relay: in clear over TCP, and OTR (the AKE and
# the encrypted canary over the same path)
bin/rtcbench run scenarios/encryption/msrp_plain_exposed.scn \
	scenarios/encryption/otr.scn --mode live --out "$tmp/c" >"$tmp/log" 2>&1 ||
	{ cat "$tmp/log"; exit 1; }
echo ok
