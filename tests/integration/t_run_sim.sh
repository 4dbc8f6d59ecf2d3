#!/bin/bash
# rtcbench run --mode sim: scenarios run with every datagram and stream
# (ns-3 TCP: SIP over TCP/TLS, MSRP chat, OTR) crossing ns-3 links, and the
# same seed gives a byte-identical summary.json.
set -eu
cd "$(dirname "$0")/../.."
if [ ! -f /usr/include/ns3/core-module.h ]; then
	echo "skipped: built without ns-3"; exit 0
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
run() {
	SOURCE_DATE_EPOCH=1767225600 timeout 240 bin/rtcbench run \
		scenarios/calls/p12_rtp_not_stored.scn scenarios/registration \
		scenarios/network/streams.scn \
		--mode sim --seed 7 --out "$tmp/out" >"$tmp/log$1" 2>&1 || true
	cp "$tmp/out/summary.json" "$tmp/s$1.json"
}
run 1
run 2
grep -q '"mode": "sim"' "$tmp/s1.json" || { echo "summary does not say mode sim"; exit 1; }
# the calls and registrations themselves passed over ns-3
python3 - "$tmp/s1.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bad = [c for c in d["checks"] if not c["ok"]]
assert d["passed"] > 10, d["passed"]
assert not bad, bad
PY
cmp "$tmp/s1.json" "$tmp/s2.json" || { echo "same seed, different summaries"; diff "$tmp/s1.json" "$tmp/s2.json" | head; exit 1; }
echo ok
