#!/bin/bash
# rtcbench replay on bad input: never a crash; a file that cannot be read
# at all is exit 2 with one line; a capture cut short, a link type this
# reader lacks, a capture without SIP, TCP bytes never captured, and a
# MANIFEST expectation that does not hold each give a failed check that
# says what was skipped and why (exit 1).
set -eu
cd "$(dirname "$0")/../.."
CORPUS=${CORPUS:-/work/shared/corpus/pcaps}
[ -d "$CORPUS" ] || CORPUS=../shared/corpus/pcaps
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
R=bin/rtcbench

# run EXPECTED_RC ARGS...: output in $tmp/out, $tmp/err
run() {
	local want=$1; shift
	set +e; timeout 60 $R replay "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; set -e
	[ "$rc" = "$want" ] || { echo "replay $*: exit $rc, want $want";
		cat "$tmp/out" "$tmp/err"; exit 1; }
}
# check NAME REGEX: summary.json has a failed check NAME whose detail matches
failed_check() {
	python3 - "$tmp/o/summary.json" "$1" "$2" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
hit = [c for c in d["checks"] if c["name"] == sys.argv[2] and not c["ok"]
       and re.search(sys.argv[3], c["detail"])]
if not hit or d["failed"] < 1:
    print("no failed check", sys.argv[2:], "in", [c for c in d["checks"] if not c["ok"]])
    sys.exit(1)
print("ok:", hit[0]["detail"])
PY
}

# unreadable: missing file, not a capture, bad option
run 2 /nonexistent.pcap --out "$tmp/o"
[ "$(wc -l <"$tmp/err")" = 1 ] && grep -q nonexistent "$tmp/err"
echo "not a pcap" >"$tmp/text.pcap"
run 2 "$tmp/text.pcap" --out "$tmp/o"
[ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "text.pcap" "$tmp/err"
run 2 "$CORPUS/sngrep_ipip.pcap" --bogus
run 2 "$CORPUS/sngrep_ipip.pcap" --target 127.0.0.1:5060 --out "$tmp/o"
grep -q -- "--accounts" "$tmp/err"
# a target off loopback is refused before anything is sent
: >"$tmp/acc"
run 2 "$CORPUS/sngrep_ipip.pcap" --target 192.0.2.1:5060 --accounts "$tmp/acc" --out "$tmp/o"
grep -q "outside 127.0.0.0/8" "$tmp/err"

# cut short in the middle of a record
head -c 60000 "$CORPUS/sngrep_aaa.pcap" >"$tmp/cut.pcap"
run 1 "$tmp/cut.pcap" --out "$tmp/o"
failed_check "capture complete" "cut short after [0-9]+ frames.*rest of the file skipped"
# ...and the same, gzip-compressed
gzip -c "$tmp/cut.pcap" | head -c 20000 >"$tmp/cut.pcap.gz"
run 1 "$tmp/cut.pcap.gz" --out "$tmp/o"
failed_check "capture complete" "cut short"

# a link type this reader lacks (147, USER0)
python3 - "$tmp/user0.pcap" <<'PY'
import struct, sys
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 147))
    f.write(struct.pack("<IIII", 1, 0, 4, 4) + b"abcd")
PY
run 1 "$tmp/user0.pcap" --out "$tmp/o"
failed_check "link type" "not supported: file skipped"

# no SIP at all (only the DNS of a capture)
tshark -r "$CORPUS/sngrep_aaa.pcap" -Y dns -w "$tmp/dns.pcap" 2>/dev/null
run 1 "$tmp/dns.pcap" --out "$tmp/o"
failed_check "sip found" "no SIP or MSRP message in [0-9]+ frames"

# a TCP segment in the middle of a SIP message never captured
# (frame 103: first segment of a two-segment INVITE, mid-stream)
editcap "$CORPUS/heplify_sip_ipv4_tcp_fragmented.pcap" "$tmp/gap.pcap" 103
run 1 "$tmp/gap.pcap" --out "$tmp/o"
failed_check "tcp complete" "1 TCP gap\\(s\\), [1-9][0-9]* bytes never captured"

# a MANIFEST expectation that does not hold, and a listed missing file
mkdir "$tmp/traces"
cp "$CORPUS/sngrep_ipip.pcap" "$tmp/traces/"
printf 'sngrep_ipip.pcap sip_messages=4 calls=99\nmissing.pcap calls=1\n' \
	>"$tmp/traces/MANIFEST"
run 1 "$tmp/traces" --out "$tmp/o"
failed_check manifest "calls = 99 expected .*found 1"
failed_check manifest "missing.pcap is listed but was not replayed"
python3 -c "
import json,sys; d=json.load(open('$tmp/o/summary.json'))
ok=[c for c in d['checks'] if c['name']=='manifest' and c['ok']]
assert len(ok)==1 and 'sip_messages = 4' in ok[0]['detail'], ok"
echo ok
