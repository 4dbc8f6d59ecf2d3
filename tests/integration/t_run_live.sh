#!/bin/bash
# rtcbench run --mode live: a real bin/refd on loopback with a temporary
# config and data_dir, provisioned with bin/refctl, time moved with
# `refctl purge --now`. Billing survives account deletion (P17/P18) and
# is purged after 7 years, judged from the raw bytes under data_dir.
set -eu
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
bin/rtcbench run scenarios/accounts/p18_delete_keeps_billing.scn \
	scenarios/billing/p17_billing_seven_years.scn \
	--mode live --out "$tmp/o" >"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
python3 - "$tmp/o/summary.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["failed"] == 0, [c for c in d["checks"] if not c["ok"]]
names = [c["name"] for c in d["checks"]]
assert any(n.startswith("P17 ") for n in names), names
assert any(n.startswith("P18 ") for n in names), names
PY
echo ok
