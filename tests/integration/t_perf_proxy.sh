#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# rtcbench perf proxy, short: refd and Kamailio each take REGISTER,
# digest REGISTER and calls from SIPp (1 s per phase, low rates) and the
# results land in summary.json and proxy_calls.dat. Checks that both
# servers and the loopback floor (the forwarder) ran every phase cleanly,
# not the CPU targets (make bench).
set -eu
. "$(dirname "$0")/lib.sh"
for b in sipp kamailio; do
	command -v $b >/dev/null || { echo "skip: $b not installed"; exit 77; }
done
lib_tmp t_perf_proxy
set +e
timeout 120 bin/rtcbench perf proxy --out "$tmp/out" --secs 1 --rates 100,200 \
	--reg-rate 300 --auth-rate 200 --users 20 >"$tmp/log" 2>&1
rc=$?
set -e
cat "$tmp/log"
check "perf proxy ran to its checks (exit 0 or 1)" '[ "$rc" = 0 ] || [ "$rc" = 1 ]'
check "refd: every REGISTER phase clean" \
	'grep -q "^ok   proxy_refd_register_clean" $tmp/log'
check "kamailio: every REGISTER phase clean" \
	'grep -q "^ok   proxy_kamailio_register_clean" $tmp/log'
check "floor: every REGISTER phase clean" \
	'grep -q "^ok   proxy_floor_register_clean" $tmp/log'
check "both answered calls at 200/s" \
	'awk "\$1 == 200 && \$2 > 150 && \$6 > 150 { ok = 1 } END { exit !ok }" $tmp/out/proxy_calls.dat'
# (not "less CPU than both": at 200/s for 1 s wake-ups dominate and the
# three are within noise of each other on a loaded machine)
check "the floor forwarded calls at 200/s and its CPU was read" \
	'awk "\$1 == 200 && \$10 > 150 && \$11 > 0 { ok = 1 } END { exit !ok }" $tmp/out/proxy_calls.dat'
check "summary.json has CPU per operation and the ratios" \
	'python3 -c "import json,sys; m=json.load(open(sys.argv[1]))[\"metrics\"]; sys.exit(0 if m[\"proxy_refd_calls_200_cpu_us\"] > 0 and m[\"proxy_kamailio_register_cpu_us\"] > 0 and \"proxy_cpu_ratio_auth_register\" in m and m[\"proxy_floor_calls_200_cpu_us\"] > 0 and \"proxy_floor_share_kamailio_calls\" in m else 1)" $tmp/out/summary.json'
[ "$fail" = 0 ]
