#!/bin/bash
# rtcbench run: bad scenarios stop with FILE:LINE and exit 2 before anything
# runs; a run writes summary.json and JUnit XML and exits 1 when a check
# fails (a verb the mode cannot run yet fails, it never passes silently,
# and a platform that does not answer fails the step as a timeout).
set -eu
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/s"
printf 'account a\ncall a ghost\n' >"$tmp/s/bad.scn"
set +e; out=$(bin/rtcbench run "$tmp/s/bad.scn" --out "$tmp/o" 2>&1); rc=$?; set -e
[ "$rc" = 2 ] || { echo "bad scenario gave $rc, want 2"; exit 1; }
echo "$out" | grep -q "bad.scn:2: 'call': account 'ghost' is not declared" ||
	{ echo "no file:line error: $out"; exit 1; }
printf 'advance 3q\n' >"$tmp/s/bad.scn"
set +e; out=$(bin/rtcbench run "$tmp/s" --out "$tmp/o" 2>&1); rc=$?; set -e
[ "$rc" = 2 ] && echo "$out" | grep -q "bad.scn:1: 'advance': bad duration" ||
	{ echo "bad duration: rc=$rc $out"; exit 1; }
set +e; bin/rtcbench run "$tmp/s" --mode moon >/dev/null 2>&1; rc=$?; set -e
[ "$rc" = 2 ] || { echo "bad mode gave $rc"; exit 1; }
# A scenario whose canary check must pass and whose account check must fail.
rm "$tmp/s/bad.scn"
printf 'title t\nexpect stored "NEVER-PLACED-1" no\naccount ghost\nexpect account ghost absent\n' \
	>"$tmp/s/ok.scn"
set +e; bin/rtcbench run "$tmp/s" --out "$tmp/o" --junit "$tmp/j.xml" \
	>"$tmp/log" 2>&1; rc=$?; set -e
[ "$rc" = 1 ] || { echo "run gave $rc, want 1"; cat "$tmp/log"; exit 1; }
grep -q "ok.scn:4: expect account ghost absent: ghost is present" "$tmp/log"
python3 - "$tmp/o/summary.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["passed"] >= 1 and d["failed"] == 1, d
names = [c["name"] for c in d["checks"]]
assert "line 2: expect stored NEVER-PLACED-1 no" in names, names
PY
grep -q '<testsuites name="rtcbench run" tests="[0-9]*" failures="1"' "$tmp/j.xml"
# The report: Markdown + self-contained HTML + a gnuplot plot.
set +e; bin/rtcbench report "$tmp/o" >"$tmp/rlog" 2>&1; rc=$?; set -e
[ "$rc" = 1 ] || { echo "report gave $rc, want 1"; cat "$tmp/rlog"; exit 1; }
for f in report.md report.html plot-run-scenario_wall.png \
	plot-run-scenario_wall.svg; do
	[ -s "$tmp/o/$f" ] || { echo "report: $f missing"; exit 1; }
done
grep -q "| P7 | registrations | not exercised" "$tmp/o/report.md"
grep -q "<svg" "$tmp/o/report.html"
! grep -Eq '(src|href)="https?:' "$tmp/o/report.html"
set +e; bin/rtcbench report "$tmp/nothing" >/dev/null 2>&1; rc=$?; set -e
[ "$rc" = 2 ] || { echo "report of nothing gave $rc"; exit 1; }
# A platform that does not answer: the step fails as a timeout naming the
# step (inproc: 99 % loss on alice's link, Timer F in virtual time).
printf 'account alice\nlink dead alice loss=99%%\nregister alice\n' \
	>"$tmp/dead.scn"
set +e; timeout 60 bin/rtcbench run "$tmp/dead.scn" --out "$tmp/d" \
	>"$tmp/dlog" 2>&1; rc=$?; set -e
[ "$rc" = 1 ] && grep -q "dead.scn:3: register alice: REGISTER of alice timed out: 408" \
	"$tmp/dlog" || { echo "silent platform: rc=$rc"; cat "$tmp/dlog"; exit 1; }
echo ok
