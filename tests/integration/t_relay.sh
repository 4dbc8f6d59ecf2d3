#!/bin/bash
# The RTP relay over real loopback sockets, driven through the ng protocol:
# `rtcbench perf relay` sets up 1 and 100 sessions by ng offer/answer on our
# relay (own loop and the live driver), sends paced RTP through them and
# blasts them. Every packet must arrive and no stream may stop forwarding.
# The added-latency samples (kernel stamps) must exist. (The CPU and
# latency targets are left to `make bench`: they depend on how busy the
# machine is; no SCHED_FIFO here.)
set -eu
out=build/integration/relay
rm -rf "$out"
set +e
timeout 120 bin/rtcbench perf relay --streams 1,100 --rate 2000 \
	--duration 0.5 --reps 1 --no-rtpengine --no-rt --out "$out"
rc=$?
set -e
[ "$rc" = 0 ] || [ "$rc" = 1 ] || { echo "perf relay exited $rc"; exit 1; }
sum=$out/summary.json
[ -s "$sum" ] || { echo "no $sum"; exit 1; }
for want in "relay 1 streams: ours forwards" "relay 100 streams: ours forwards" \
	    "relay 1 streams: ours-io forwards" \
	    "relay 100 streams: ours-io forwards" "relay overload"; do
	line=$(grep -F "\"name\": \"$want" "$sum") || { echo "missing: $want"; exit 1; }
	echo "$line" | grep -q '"ok": true' || { echo "failed: $line"; exit 1; }
done
grep -q '"relay_ours_100_relayed_pps"' "$sum"
# The added-latency method (kernel stamps of reference twins) got samples.
python3 -c 'import json, sys
m = json.load(open(sys.argv[1]))["metrics"]
for k in ("relay_ours_100_added_samples", "relay_ours-io_100_added_samples"):
    assert m[k] >= 50, (k, m[k])' "$sum"
echo ok
