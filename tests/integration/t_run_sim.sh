#!/bin/bash
# rtcbench run --mode sim: scenarios run with every datagram and stream
# (ns-3 TCP: SIP over TCP/TLS, MSRP chat, OTR) crossing ns-3 links, and the
# same seed gives a byte-identical summary.json. With --pcap DIR the run
# leaves ns-3's per-device captures, and rtcbench replay finds the
# scenario's call and registrations in the SIP server's access link.
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
# --pcap: ns-3's own captures of the run, read back by rtcbench replay
SOURCE_DATE_EPOCH=1767225600 timeout 120 bin/rtcbench run \
	scenarios/calls/p12_rtp_not_stored.scn --mode sim --seed 7 \
	--out "$tmp/pout" --pcap "$tmp/pcap" >"$tmp/plog" 2>&1 ||
	{ echo "run --pcap failed"; tail "$tmp/plog"; exit 1; }
n=$(ls "$tmp/pcap"/p12_rtp_not_stored-*-*.pcap | wc -l)
[ "$n" -ge 4 ] || { echo "only $n ns-3 captures"; exit 1; }
best=0
for f in "$tmp/pcap"/*.pcap; do
	timeout 60 bin/rtcbench replay "$f" --target none \
		--out "$tmp/rp" >/dev/null 2>&1 || true
	# the scenario has one answered call and two registrations
	c=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["metrics"]
print(1 if m["calls"] == 1 and m["calls_answered"] == 1 and m["sip_messages"] >= 20 else 0)' \
		"$tmp/rp/summary.json" 2>/dev/null || echo 0)
	[ "$c" = 1 ] && best=$((best + 1))
	rm -rf "$tmp/rp"
done
[ "$best" -ge 1 ] || { echo "replay found the call in no ns-3 capture"; exit 1; }
bin/rtcbench run scenarios/calls/p12_rtp_not_stored.scn --mode inproc \
	--out "$tmp/x" --pcap "$tmp/x" 2>"$tmp/xerr" &&
	{ echo "--pcap accepted outside sim"; exit 1; }
grep -q "needs --mode sim" "$tmp/xerr" || { cat "$tmp/xerr"; exit 1; }
echo "ok ($n ns-3 captures, the call found in $best)"
