#!/bin/bash
# rtcbench replay --write: the dissected SIP/RTP of every corpus capture,
# written back as a clean Ethernet/IP/UDP capture, must be read by tshark
# with no malformed packet, hold as many SIP messages as tshark counts in
# it, and replay to the same SIP counts and calls as the original.
set -eu
cd "$(dirname "$0")/../.."
CORPUS=${CORPUS:-/work/shared/corpus/pcaps}
[ -d "$CORPUS" ] || CORPUS=../shared/corpus/pcaps
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
n=0
for f in "$CORPUS"/*.pcap "$CORPUS"/*.pcapng; do
	[ -e "$f" ] || continue
	b=$(basename "$f"); n=$((n + 1))
	bin/rtcbench replay "$f" --target none --write "$tmp/$b.out.pcap" \
		--out "$tmp/a" >/dev/null 2>&1 || [ $? = 1 ]
	bin/rtcbench replay "$tmp/$b.out.pcap" --out "$tmp/b" >/dev/null 2>&1 \
		|| [ $? = 1 ]
	tshark -n -r "$tmp/$b.out.pcap" >/dev/null 2>"$tmp/err" || {
		echo "$b: tshark cannot read the written capture"; cat "$tmp/err"; exit 1; }
	bad=$(tshark -n -r "$tmp/$b.out.pcap" -Y _ws.malformed 2>/dev/null | wc -l)
	[ "$bad" = 0 ] || { echo "$b: $bad malformed packets in the written capture"; exit 1; }
	ts=$(tshark -n -r "$tmp/$b.out.pcap" -q -z sip,stat 2>/dev/null |
		awk '/Number of SIP messages/ {print $NF}')
	python3 - "$b" "$tmp/a/summary.json" "$tmp/b/summary.json" "$ts" <<'PY'
import json, sys
b, a, c, ts = sys.argv[1], json.load(open(sys.argv[2]))["metrics"], \
    json.load(open(sys.argv[3]))["metrics"], int(sys.argv[4] or 0)
keys = [k for k in set(a) | set(c) if k.startswith("sip_re") or k in ("sip_messages", "calls", "rtp_packets", "rtp_streams")]
keys = [k for k in keys if k not in ("sip_retransmissions",)]
diff = [(k, a.get(k, 0), c.get(k, 0)) for k in sorted(keys) if a.get(k, 0) != c.get(k, 0)]
if diff or ts != a["sip_messages"]:
    print(f"{b}: original vs written: {diff}; tshark counts {ts} SIP in the written file, we wrote {a['sip_messages']}")
    sys.exit(1)
print(f"{b}: written capture clean, {ts} SIP messages, {a.get('rtp_packets', 0)} RTP packets, same counts on replay")
PY
done
[ "$n" -ge 10 ]
echo ok
