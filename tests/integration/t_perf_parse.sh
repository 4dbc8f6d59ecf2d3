#!/bin/bash
# rtcbench perf parse, short: summary.json per SPEC.md, both parsers read
# the same fields, and our decoder allocates nothing. The ratio check
# itself is left to `make bench` (a loaded CI machine may miss it on a
# run this short), but it must be present and carry its figures.
set -eu
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
set +e
bin/rtcbench perf parse --n 300 --out "$out/p" >"$out/log"
rc=$?
set -e
cat "$out/log"
[ "$rc" = 0 ] || [ "$rc" = 1 ] || { echo "exit $rc"; exit 1; }
python3 - "$out/p/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
c = {x["name"]: x for x in s["checks"]}
assert c["fields agree with oSIP2"]["ok"], c
assert c["no allocation per message"]["ok"], c
assert "ratio >= 5" in c and "messages/s" in c["ratio >= 5"]["detail"], c
m = s["metrics"]
assert m["parse_msgs_per_s"] > 0 and m["osip2_msgs_per_s"] > 0, m
assert m["parse_allocs_per_msg"] == 0, m
assert s["passed"] + s["failed"] == len(s["checks"]) == 3, s
PY
set +e
bin/rtcbench perf parse --bogus >/dev/null 2>&1; rc=$?
set -e
[ "$rc" = 2 ] || { echo "bad usage gave $rc"; exit 1; }
echo ok
