#!/bin/bash
# rtcbench replay --target inproc: every call of the shipped traces and of
# the shared corpus placed again through the platform's SIP core by one
# bench UA per captured user agent (virtual time), answered as captured.
# Every call with a captured final response must end in the same class,
# the platform must write one CDR per call placed, and answered calls
# must carry RTP both ways.
set -eu
cd "$(dirname "$0")/../.."
CORPUS=${CORPUS:-/work/shared/corpus/pcaps}
[ -d "$CORPUS" ] || CORPUS=../shared/corpus/pcaps
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for src in traces "$CORPUS"; do
	timeout 120 bin/rtcbench replay "$src" --target inproc --asap \
		--out "$tmp/o" >"$tmp/log" 2>&1 || { rc=$?
		# the corpus has captures with TCP gaps: only redrive counts
		[ "$src" != traces ] && [ $rc = 1 ] || { cat "$tmp/log"; exit 1; }; }
	python3 - "$tmp/o/summary.json" "$src" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
m = d["metrics"]
bad = [c for c in d["checks"] if c["name"].startswith("redrive") and not c["ok"]]
skipped = [c for c in d["checks"] if c["name"] == "redrive" and c.get("skipped")]
placed, matched, cdrs = m.get("redrive_calls", 0), m.get("redrive_matched", 0), m.get("redrive_cdrs", 0)
assert placed >= (6 if sys.argv[2] == "traces" else 50), m
assert not bad, bad
assert matched + len(skipped) == placed, (matched, len(skipped), placed)
assert cdrs == placed, (cdrs, placed)
assert m.get("redrive_rtp_received", 0) > 0, m
print(f"{sys.argv[2]}: {placed} calls re-driven, {matched} same outcome class, "
      f"{len(skipped)} without a captured final response, {cdrs} CDRs, "
      f"{m['redrive_rtp_received']} RTP packets received")
PY
done
# --messages: the same captures re-driven message by message through the
# SIP core in process (sim/replay/rpl_live.c on the virtual network):
# every dialog of traces/ matches but the two the capture got other
# answers for (REGISTER 403, CANCEL 408), RTP crosses.
set +e
bin/rtcbench replay traces --target inproc --messages --asap \
	--out "$tmp/m" >"$tmp/log" 2>&1; rc=$?
set -e
[ "$rc" = 1 ] || { cat "$tmp/log"; exit 1; }
python3 - "$tmp/m/summary.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
m = d["metrics"]
bad = sorted(c["detail"].split(": ", 3)[-1] for c in d["checks"]
             if c["name"] == "inproc messages" and not c["ok"])
# every dialog but those two (the MSRP traces add 6 that match)
assert m["live_diverged"] == 2, m
assert m["live_matched"] == m["live_dialogs"] - 2 >= 6, m
assert len(bad) == 2 and "expected 403 (REGISTER)" in bad[0] + bad[1], bad
assert m["live_rtp_received"] >= 66, m
print(f"traces, message by message: {m['live_matched']:.0f} matched, "
      f"{m['live_diverged']:.0f} diverged, RTP {m['live_rtp_received']:.0f}"
      f" of {m['live_rtp_sent']:.0f} received")
PY
# Storage audit after the re-drive (--data-dir): canaries from the
# capture (RTP payload samples, REGISTER Contacts, digest responses) are
# not in an empty data_dir; once the test writes one captured RTP payload
# sample into it, the P12 verdict fails and the run exits 1.
mkdir "$tmp/dd"
bin/rtcbench replay traces --target inproc --asap --data-dir "$tmp/dd" \
	--out "$tmp/a" >"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
grep -q '^audit: .*P12 [1-9][0-9]*/[1-9]' "$tmp/log" || { cat "$tmp/log"; exit 1; }
python3 - "$tmp/a/summary.json" "$tmp/dd/leak.bin" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
rows = [c for c in d["checks"] if c["name"].startswith("audit P")]
assert rows and all(c["ok"] for c in rows), rows
hexs = re.search(r"sample '([0-9a-f]+)'", next(c["detail"] for c in rows
                 if c["name"] == "audit P12")).group(1)
open(sys.argv[2], "wb").write(b"x" * 7 + bytes.fromhex(hexs) + b"y")
print(f"audit: {len(rows)} rows pass on an empty data_dir, "
      f"{d['metrics']['audit_canaries']:.0f} canaries")
PY
set +e
bin/rtcbench replay traces --target inproc --asap --data-dir "$tmp/dd" \
	--out "$tmp/a" >"$tmp/log" 2>&1; rc=$?
set -e
[ "$rc" = 1 ] || { echo "leak not caught (rc $rc)"; cat "$tmp/log"; exit 1; }
python3 - "$tmp/a/summary.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
bad = [c for c in d["checks"] if c["name"].startswith("audit") and not c["ok"]]
assert len(bad) == 1 and bad[0]["name"] == "audit P12", bad
assert "leak.bin at offset 7" in bad[0]["detail"], bad
print("audit: leaked sample caught:", bad[0]["detail"])
PY
echo ok
