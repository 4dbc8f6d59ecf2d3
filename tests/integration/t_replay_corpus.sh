#!/bin/bash
# rtcbench replay --target none against tshark, run live on every capture of
# the shared corpus (../shared/corpus/pcaps, see its MANIFEST.md): SIP
# messages in total, by method and by status code, calls, RTP streams and
# RTP packets (-z rtp,streams). A call is counted by tshark here with
# SPEC.md's rule, evaluated on tshark's own dissection: the distinct
# (Call-ID, From tag) pairs of INVITEs without a To tag. (MANIFEST.md's
# "calls" are INVITE Call-IDs instead: in the ERSPAN capture the SBC gives
# each leg, and each retry after a 407, its own From tag, so 3 Call-IDs
# carry 7 INVITE dialog attempts.) Every difference must be listed in
# EXPLAINED below with the reason; an unexplained difference fails, and so
# does an explanation that no longer matches (so none goes stale).
set -eu
cd "$(dirname "$0")/../.."
CORPUS=${CORPUS:-/work/shared/corpus/pcaps}
[ -d "$CORPUS" ] || CORPUS=../shared/corpus/pcaps
command -v tshark >/dev/null || { echo "tshark missing (make deps)"; exit 1; }
[ -d "$CORPUS" ] || { echo "no corpus at $CORPUS"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# tshark options per capture: what it needs to see SIP where it is.
decode_as() {
	case "$1" in
	# TCP 6060 is X11 to tshark; without this it finds no SIP at all.
	heplify_sip_ipv4_tcp_fragmented.pcap) echo "-d tcp.port==6060,sip" ;;
	esac
}

# file|metric|ours|tshark|reason
EXPLAINED="heplify_FAX-Call-t38-CA-TDM-SIP-FB-1.pcap|rtp_packets|6989|4985|\
at 64.4 s an SDP moves the media ports to T.38 (image udptl) and 0.1 s later \
new SDP puts the same ports back to audio RTP/AVP 8 (the T.38 offer drew 488s); \
tshark keeps the ports as T.38, decodes the 2010 G.711 packets that follow as \
T.38 and flags every one malformed (all 214 bytes, first bytes 80 08); we follow \
the latest SDP: the 6 packets of that 0.1 s are not RTP, the 2004 after it are"

fail=0; n=0
for f in "$CORPUS"/*.pcap "$CORPUS"/*.pcapng; do
	[ -e "$f" ] || continue
	b=$(basename "$f"); n=$((n + 1))
	out=$tmp/$b; mkdir -p "$out"
	set +e
	bin/rtcbench replay "$f" --target none --out "$out" >"$out/log" 2>&1
	rc=$?
	set -e
	[ "$rc" -le 1 ] || { echo "$b: rtcbench exit $rc"; cat "$out/log"; fail=1; continue; }
	# shellcheck disable=SC2046
	tshark -n -r "$f" $(decode_as "$b") -q -z sip,stat >"$out/stat" 2>/dev/null
	# shellcheck disable=SC2046
	tshark -n -r "$f" $(decode_as "$b") -Y sip -T json -J sip \
		>"$out/sip.json" 2>/dev/null
	tshark -n -r "$f" -q -z rtp,streams >"$out/rtp" 2>/dev/null
	python3 - "$b" "$out/summary.json" "$out/stat" "$out/sip.json" \
		"$EXPLAINED" "$out/rtp" <<'PY' || fail=1
import json, re, sys
name, summ, stat, sipj, explained, rtp = sys.argv[1:7]
ours = json.load(open(summ))["metrics"]
t = {}
txt = open(stat).read()
m = re.search(r"Number of SIP messages: (\d+)", txt)
t["sip_messages"] = int(m.group(1)) if m else 0
for code, cnt in re.findall(r"SIP (\d{3}) [^:]*:\s+(\d+) Packets", txt):
    t["sip_responses_" + code] = t.get("sip_responses_" + code, 0) + int(cnt)
sect = txt.split("List of SIP Request methods")[-1] if "List of SIP Request methods" in txt else ""
for meth, cnt in re.findall(r"^\s+([A-Z]+)\s+:\s+(\d+) Packets", sect, re.M):
    t["sip_requests_" + meth] = int(cnt)

# calls: distinct (Call-ID, From tag) of INVITEs without a To tag
def walk(o, out):
    if isinstance(o, dict):
        for k, v in o.items():
            if k in ("sip.Method", "sip.Call-ID", "sip.from.tag", "sip.to.tag", "sip.CSeq.method"):
                out.setdefault(k, v if not isinstance(v, list) else v[0])
            if isinstance(v, (dict, list)):
                walk(v, out)
    elif isinstance(o, list):
        for x in o:
            walk(x, out)
pairs = set()
for fr in json.load(open(sipj)):
    s = fr["_source"]["layers"].get("sip")
    for msg in (s if isinstance(s, list) else [s]):
        f = {}
        walk(msg, f)
        if f.get("sip.Method") == "INVITE" and "sip.to.tag" not in f:
            pairs.add((f.get("sip.Call-ID"), f.get("sip.from.tag")))
t["calls"] = len(pairs)
# RTP: one line per stream; Pkts is the 4th field after the SSRC
streams = re.findall(r"0x[0-9A-Fa-f]{8}\s+\S+(?: \S+)*?\s+(\d+)\s+-?\d+ \(", open(rtp).read())
t["rtp_streams"] = len(streams)
t["rtp_packets"] = sum(int(x) for x in streams)

keys = set(k for k in ours if k.startswith(("sip_requests_", "sip_responses_")) and ours[k])
keys |= set(k for k in t if t[k])
keys |= {"sip_messages", "calls", "rtp_streams", "rtp_packets"}
keys.discard("sip_requests_other")
exp = {}
for line in filter(None, explained.split("\n")):
    fn, k, o, th, why = line.split("|", 4)
    if fn == name:
        exp[k] = (int(o), int(th), why)
bad = 0
for k in sorted(keys):
    o, th = int(ours.get(k, 0)), t.get(k, 0)
    if k in exp:
        if (o, th) != exp[k][:2]:
            print(f"{name}: {k}: ours {o}, tshark {th}; EXPLAINED says {exp[k][0]}/{exp[k][1]}: stale")
            bad = 1
        else:
            print(f"{name}: {k}: ours {o}, tshark {th}: explained: {exp[k][2]}")
    elif o != th:
        print(f"{name}: {k}: ours {o}, tshark {th}: DIFFERENT")
        bad = 1
if not bad:
    print(f"{name}: {len(keys)} counts agree (sip_messages {o if False else ours.get('sip_messages')}, calls {ours.get('calls')})")
sys.exit(bad)
PY
done
[ "$n" -ge 10 ] || { echo "only $n captures in $CORPUS"; exit 1; }
[ "$fail" = 0 ] && echo "ok: $n captures agree with tshark"
exit $fail
