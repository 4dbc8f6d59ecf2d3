#!/bin/bash
# Scenario topology (link / nat lines): scenarios/network pass in --mode
# inproc and --mode sim (a lossy link lowers the MOS, symmetric NATs are
# crossed by the relay, direct media through them is blocked and the check
# names the NAT), the same seed gives a byte-identical summary under ns-3,
# and out-of-range options stop the run with file:line, exit 2.
set -eu
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

timeout 120 bin/rtcbench run scenarios/network --mode inproc --seed 3 \
	--out "$tmp/in" >"$tmp/in.log" 2>&1 || { cat "$tmp/in.log"; exit 1; }
python3 - "$tmp/in/summary.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["failed"] == 0, [c for c in d["checks"] if not c["ok"]]
det = " ".join(c["detail"] for c in d["checks"])
assert "media blocked as expected" in det and "nat home (type=symmetric" in det, det
m = d["metrics"]
clean = m["scenarios/network/lossy_link.scn:11 call_mos"]
lossy = m["scenarios/network/lossy_link.scn:12 call_mos"]
assert clean >= 4.0 and lossy < clean - 0.5, (clean, lossy)
assert m["scenarios/network/lossy_link.scn:12 call_loss_pct"] > 3
PY

if [ -f /usr/include/ns3/core-module.h ]; then
	for i in 1 2; do
		SOURCE_DATE_EPOCH=1767225600 timeout 120 bin/rtcbench run \
			scenarios/network --mode sim --seed 9 --out "$tmp/sim" \
			>"$tmp/sim$i.log" 2>&1 || { cat "$tmp/sim$i.log"; exit 1; }
		cp "$tmp/sim/summary.json" "$tmp/s$i.json"
	done
	cmp "$tmp/s1.json" "$tmp/s2.json" || {
		echo "same seed, different summaries"; exit 1; }
	grep -q '"mode": "sim"' "$tmp/s1.json"
fi

bad() {	# scenario text, expected error
	printf '%b' "$1" >"$tmp/bad.scn"
	set +e
	bin/rtcbench run "$tmp/bad.scn" --out "$tmp/bad" >"$tmp/bad.log" 2>&1
	rc=$?
	set -e
	[ $rc -eq 2 ] || { echo "exit $rc for: $1"; cat "$tmp/bad.log"; exit 1; }
	grep -qF "$2" "$tmp/bad.log" || { echo "no '$2' in:"; cat "$tmp/bad.log"; exit 1; }
}
bad 'account a\nlink x a loss=100%\n' "bad.scn:2: link x: loss=100% out of range"
bad 'account a\nlink x a delay=1h\n' "bad.scn:2: link x: delay=1h out of range"
bad 'account a\nnat n a\nnat m a\n' "bad.scn:3: a is already behind nat n (line 2)"
bad 'account a\nnat n type=full\n' "bad.scn:2: nat n: nobody is behind it"
bad 'account a\nlink x a rate=fast\n' "bad.scn:2: link x: rate=fast is not a rate"
echo ok
