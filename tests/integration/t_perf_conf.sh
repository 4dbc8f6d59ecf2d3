#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# rtcbench perf conf, short (10 rooms, 1 s of audio): summary.json per
# SPEC.md, every leg got its mix every 20 ms, the relay relayed every
# packet, the capacity figures are there; bad usage exits 2.
set -eu
cd "$(dirname "$0")/../.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bin/rtcbench perf conf --rooms 10 --seconds 1 --out "$out/p" >"$out/log"
cat "$out/log"
python3 - "$out/p/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["failed"] == 0 and s["passed"] == 3, s["checks"]
m = s["metrics"]
assert m["conf_rooms"] == 10 and m["conf_parties"] == 5, m
assert m["conf_cpu_us_per_room_s"] > 0 and m["relay_cpu_us_per_room_s"] > 0, m
assert m["conf_rooms_at_50pct"] >= 1 and m["conf_vs_relay_cost_ratio"] > 1, m
PY
for bad in "--rooms 0" "--parties 9" "--rooms 3 --parties 3" "--bogus"; do
	set +e
	bin/rtcbench perf conf $bad --out "$out/b" >/dev/null 2>&1; rc=$?
	set -e
	[ "$rc" = 2 ] || { echo "perf conf $bad gave $rc, want 2"; exit 1; }
done
echo "ok   perf conf"
