#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Every perf subcommand `rtcbench perf --help` lists (and `rtcbench run`)
# records in summary.json where and when it measured: meta.machine, uname,
# cpu_model, cores, loadavg_start, started, finished (issue 8: each plot
# says what was measured, on which machine, when). Each runs in its
# shortest form; a subcommand added to perf without an entry here fails.
# Then `rtcbench report` over them shows the load under a plot.
set -eu
. "$(dirname "$0")/lib.sh"
lib_tmp t_perf_meta
quick() {
	case $1 in
	parse) echo "--n 50" ;;
	replay) echo "--size 1 --no-tshark" ;;
	redrive) echo "--calls 3 --no-sipp" ;;
	msrp) echo "--mb 1 --seconds 1" ;;
	sim) echo "--users 20 --calls 5 --duration 5s --no-baseline" ;;
	relay) echo "--streams 1 --rate 2000 --duration 0.3 --reps 1 --no-rtpengine --no-rt" ;;
	proxy) echo "--no-kamailio --secs 1 --rates 50 --reg-rate 100 --auth-rate 100 --users 10" ;;
	conf) echo "--rooms 2 --seconds 1" ;;
	load) echo "--accounts 2 --devices 1 --calls 2 --duration 1s --bound 0" ;;
	*) return 1 ;;
	esac
}
has_meta() {
	python3 - "$1" <<'PY'
import json, re, sys
m = json.load(open(sys.argv[1])).get("meta", {})
iso = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
assert iso.match(m.get("started", "")) and iso.match(m.get("finished", "")), m
assert m.get("started") <= m.get("finished"), m
assert m.get("cpu_model") and m.get("uname", "").split()[0] == "Linux", m
assert isinstance(m.get("cores"), int) and m["cores"] >= 1, m
assert re.match(r"^\d+\.\d\d \d+\.\d\d \d+\.\d\d$", m.get("loadavg_start", "")), m
assert m.get("machine", "").startswith(m["cpu_model"]), m
PY
}
subs=$(bin/rtcbench perf --help | awk '$1 == "perf" && !/not built yet/ { print $2 }')
check "perf --help lists subcommands" '[ -n "$subs" ]'
for s in $subs; do
	if ! args=$(quick "$s"); then
		check "perf $s: has a quick form in this test" false
		continue
	fi
	if [ "$s" = proxy ] && ! command -v sipp >/dev/null; then
		echo "skip perf proxy: sipp not installed"
		continue
	fi
	set +e
	timeout 120 bin/rtcbench perf $s $args --out "$tmp/$s" >"$tmp/$s.log" 2>&1
	rc=$?
	set -e
	check "perf $s ran (exit $rc)" '[ "$rc" = 0 ] || [ "$rc" = 1 ]'
	check "perf $s: summary.json records machine, load and dates" \
		'has_meta "$tmp/$s/summary.json"'
done
set +e
bin/rtcbench run scenarios/registration/p07_register_not_stored.scn \
	--out "$tmp/run" >"$tmp/run.log" 2>&1
set -e
check "run: summary.json records machine, load and dates" \
	'has_meta "$tmp/run/summary.json"'
# The report says machine and load under each plot (perf relay's metrics
# become plots).
set +e
bin/rtcbench report "$tmp/relay" >"$tmp/report.log" 2>&1
set -e
check "report: plot captions carry machine and load at start" \
	'grep -q "Measured on .*CPU, Linux .*, load [0-9.]* [0-9.]* [0-9.]* at start, 20" "$tmp/relay/report.md"'
[ "$fail" = 0 ]
