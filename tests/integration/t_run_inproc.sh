#!/bin/bash
# rtcbench run --mode inproc on shipped scenarios: real SIP core, store and
# bench UAs on the virtual network. Retention, a negative audit and the
# canary audit must pass; two runs with one seed give byte-identical
# summaries (SOURCE_DATE_EPOCH pins the timestamps).
set -eu
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
s="scenarios/calls/p16_cdr_retention.scn scenarios/negative/strict_cdr_policy.scn
   scenarios/accounts/p01_account_lifecycle.scn scenarios/messages/p10_message_clear.scn"
export SOURCE_DATE_EPOCH=1767225600
bin/rtcbench run $s --out "$tmp/a" --seed 3 >"$tmp/log" ||
	{ cat "$tmp/log"; exit 1; }
bin/rtcbench run $s --out "$tmp/a2" --seed 3 >/dev/null
sed "s#$tmp/a2#$tmp/a#g" "$tmp/a2/summary.json" | cmp - "$tmp/a/summary.json" ||
	{ echo "two runs with one seed differ"; exit 1; }
python3 - "$tmp/a/summary.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
names = {c["name"]: c for c in d["checks"]}
assert d["failed"] == 0 and d["passed"] >= 20, d["passed"]
assert any(n.startswith("P16 ") for n in names), names
aud = [c for c in d["checks"] if c["name"] == "line 10: audit"]
assert aud and "failed as expected naming P16" in aud[0]["detail"], aud
assert any(e["row"] == "P12" and e["sniffer"] for e in d["exposure"])
PY
# A platform that keeps CDRs longer than the audit allows must fail.
printf 'account a\naccount b\nregister a\nregister b\ncall a b duration=2s\nadvance 2d\npurge\naudit cdrs=1d expect=pass\n' \
	>"$tmp/strict.scn"
set +e; bin/rtcbench run "$tmp/strict.scn" --out "$tmp/b" >"$tmp/log2"; rc=$?; set -e
[ "$rc" = 1 ] && grep -q "rows failed: P16" "$tmp/log2" ||
	{ echo "strict audit did not fail on P16 (rc=$rc)"; cat "$tmp/log2"; exit 1; }
echo ok
