#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# baresip <-> baresip through refd's media relay, plain RTP then SDES-SRTP
# (baresip's srtp module, mediaenc=srtp-mand). The caller's audio source is
# a WAV whose G.711 u-law encoding spells a canary, so a plaintext RTP
# payload carries it byte for byte. dumpcap records every datagram to or
# from the relay's ports. Checks: the plain call shows the canary on the
# relay's links (the audit can see plaintext when there is some); the SRTP
# call's SDP went out as RTP/SAVP with a=crypto, its audio crossed the
# relay both ways (CDR figures, capture), and no relayed datagram carries
# the canary: the relay only ever saw ciphertext.
set -eu
. "$(dirname "$0")/lib.sh"
command -v baresip >/dev/null && command -v dumpcap >/dev/null ||
	{ echo "skip: baresip or dumpcap absent (make deps)"; exit 77; }
[ -f /usr/lib/baresip/modules/srtp.so ] ||
	{ echo "skip: baresip srtp module absent"; exit 77; }
lib_tmp t_baresip_srtp
ba=; bb=; cap=
cleanup_extra() {
	[ -n "$cap" ] && kill "$cap" 2>/dev/null
	[ -n "$ba" ] && kill "$ba" 2>/dev/null
	[ -n "$bb" ] && kill "$bb" 2>/dev/null
}
p=$(lib_port 20000 9000)
lo=$((p+300)); hi=$((p+339))
pw='Tq7#vLx2!pRz9w'
canary=RTCBENCH-SRTP-CANARY-
lib_refd_ini "$p" on example.test "auth_sha256 = off"
cat >>"$tmp/refd.ini" <<CONF
[media]
address = 127.0.0.1
ports = $lo-$hi
CONF
# 5 s of audio whose u-law bytes are the canary, repeated.
python3 - "$tmp/canary.wav" "$canary" <<'PY'
import struct, sys, wave
sys.path.insert(0, "tests/integration")
from g711 import ulaw_decode as ulaw2lin
c = sys.argv[2].encode()
w = wave.open(sys.argv[1], "wb")
w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
w.writeframes(b"".join(struct.pack("<h", ulaw2lin(c[i % len(c)]))
                       for i in range(8000 * 5)))
PY
for u in alice bob; do
	lib_account $u@example.test "$pw"
done
lib_refd_start

# One call between fresh baresips with media encryption $1 ("" or srtp-mand);
# the relay's links are captured into $tmp/$2.pcap.
call() {
	local enc=$1 tag=$2 u
	for u in alice bob; do
		lib_baresip $u "$tmp/canary.wav" "$tmp/$u-$tag-out.wav" "$enc" \
			srtp.so
	done
	dumpcap -q -i lo -f "udp portrange $lo-$hi" -w "$tmp/$tag.pcap" \
		2>"$tmp/$tag.dumpcap" & cap=$!
	for _ in $(seq 50); do
		grep -q "Capturing on" "$tmp/$tag.dumpcap" && break
		sleep 0.1
	done
	timeout 60 baresip -f "$tmp/alice" >"$tmp/alice-$tag.log" 2>&1 & ba=$!
	timeout 60 baresip -f "$tmp/bob" >"$tmp/bob-$tag.log" 2>&1 & bb=$!
	for _ in $(seq 100); do
		grep -q "200 OK" "$tmp/alice-$tag.log" &&
			grep -q "200 OK" "$tmp/bob-$tag.log" && break
		sleep 0.1
	done
	check "$tag: both register" \
		'grep -q "200 OK" $tmp/alice-$tag.log &&
		 grep -q "200 OK" $tmp/bob-$tag.log'
	check "$tag: alice calls bob through the relay, call up and closed" \
		'timeout 40 python3 tests/integration/baresip_ctrl.py \
		 $((p+20)) $((p+21)) sip:bob@example.test hi-$tag \
		 >$tmp/ctrl-$tag.log 2>&1'
	kill "$ba" "$bb" 2>/dev/null || true
	wait "$ba" "$bb" 2>/dev/null || true
	ba=; bb=
	sleep 0.3
	kill -TERM "$cap"; wait "$cap" 2>/dev/null || true; cap=
}

# Datagrams of a capture as "srcport dstport hexpayload" lines.
dgrams() {
	tshark -r "$1" -T fields -e udp.srcport -e udp.dstport \
		-e udp.payload 2>/dev/null
}
hexcanary=$(printf '%s' "$canary" | od -An -tx1 | tr -d ' \n')

call "" plain
dgrams "$tmp/plain.pcap" >"$tmp/plain.txt"
check "plain: RTP crossed the relay ($(wc -l <"$tmp/plain.txt") datagrams)" \
	'[ "$(wc -l <$tmp/plain.txt)" -ge 50 ]'
check "plain: the audit sees the canary in plaintext RTP (positive control)" \
	'grep -qi "$hexcanary" $tmp/plain.txt'

call srtp-mand srtp
dgrams "$tmp/srtp.pcap" >"$tmp/srtp.txt"
kill -TERM "$pid"; set +e; wait "$pid"; rc=$?; set -e; pid=
check "refd SIGTERM exit 0" '[ "$rc" = 0 ]'
ctl() { "$root/bin/refctl" -c "$tmp/refd.ini" "$@"; }
check "srtp: the offer went out as RTP/SAVP with a=crypto" \
	'ctl trace list --user alice@example.test --json |
	 grep -q "RTP/SAVP" &&
	 ctl trace list --user alice@example.test --json | grep -q "a=crypto"'
n_ab=$(awk -v lo=$lo -v hi=$hi '$2 >= lo && $2 <= hi' "$tmp/srtp.txt" | wc -l)
n_out=$(awk -v lo=$lo -v hi=$hi '$1 >= lo && $1 <= hi' "$tmp/srtp.txt" | wc -l)
check "srtp: $n_ab datagrams into the relay, $n_out out of it" \
	'[ "$n_ab" -ge 60 ] && [ "$n_out" -ge 60 ]'
check "srtp: no datagram on the relay's links carries the canary" \
	'! grep -qi "$hexcanary" $tmp/srtp.txt'
ctl cdr list --json >"$tmp/cdr.json"
check "srtp: the CDR has the relay's figures, audio both ways" \
	'python3 -c "import json,sys
d = [c for c in json.load(open(sys.argv[1])) if c[\"status\"] == 200]
assert len(d) == 2, d
m = d[-1][\"media\"]
assert m[\"from_caller\"][\"packets\"] >= 50, m
assert m[\"from_callee\"][\"packets\"] >= 50, m
print(\"srtp call CDR media:\", m)" $tmp/cdr.json'
check "payloads were never stored: the canary is in no file of refd's" \
	'! grep -rqa "$canary" $tmp/var'
[ "$fail" = 0 ] || { tail -20 "$tmp/alice-srtp.log"; tail -5 "$tmp/refd.log"; }
[ "$fail" = 0 ] && echo "t_baresip_srtp: all ok"
exit "$fail"
