#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Regenerates the two MSRP traces of traces/ from real runs on loopback
# (needs bin/rtcbench, bin/refd, bin/refctl built, dumpcap and root or
# CAP_NET_RAW for the loopback capture):
#  msrp_chat.pcap        `rtcbench run --mode live` of the scenario below:
#                        refd (SIP proxy/registrar, MSRP relay, conference
#                        focus with chat), bench UAs; the live backend's
#                        own loopback capture (lo.pcap, filtered to the
#                        run's ports). A plain chat alice -> bob and an OTR
#                        chat bob <-> carol through the relay (AUTH with
#                        digest, no SIP), and a conference room whose three
#                        INVITEs offer m=message with a=path, alice's chat
#                        line fanned out by the focus as message/cpim.
#  msrp_chunks.pcap.gz   dumpcap on refd's MSRP relay port while
#                        `rtcbench perf msrp --relay` runs through it: a
#                        20000-byte message in three chunks with a success
#                        REPORT, then a 1 MiB transfer in 16 KiB chunks
#                        ('+' flags, Failure-Report: no); gzip -9n.
# Then prints tshark's MSRP counts for the MANIFEST (see its comments).
set -eu
cd "$(dirname "$0")/.."
out=${1:-traces}
tmp=$(mktemp -d /tmp/mk_msrp.XXXXXX)
pid=; cap=
cleanup() {
	[ -n "$cap" ] && kill "$cap" 2>/dev/null || true
	[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

cat >"$tmp/msrp.scn" <<'SCN'
title MSRP trace: plain chat, OTR chat, conference chat room through refd
account alice
account bob
account carol
register alice
register bob
register carol
chat alice bob via=tcp otr=off canary=MSRP-TRACE-PLAIN-CANARY-13
chat bob carol via=tcp otr=on canary=MSRP-TRACE-OTR-CANARY-13
conference alice bob carol duration=1s canary=MSRP-TRACE-CONF chat=yes
SCN
bin/rtcbench run "$tmp/msrp.scn" --keep --mode live --out "$tmp/o" \
	>"$tmp/run.log" 2>&1 || { cat "$tmp/run.log"; exit 1; }
cp "$tmp/o/runs/msrp/lo.pcap" "$out/msrp_chat.pcap"

# A relay of our own for perf msrp, accounts with known passwords.
p=$((20000 + RANDOM % 10000 * 2)); m=$((p + 2))
cat >"$tmp/refd.ini" <<CONF
[platform]
domain = example.test
data_dir = $tmp/var
policy = ref/policy/sip2sip.policy
[sip]
listen = udp:127.0.0.1:$p
[msrp]
listen = tcp:127.0.0.1:$m
CONF
bin/refctl -c "$tmp/refd.ini" account add alice@example.test \
	--password Wonder-land-42 >/dev/null
bin/refctl -c "$tmp/refd.ini" account add bob@example.test \
	--password Builder-bob-77 >/dev/null
bin/refd -c "$tmp/refd.ini" 2>"$tmp/refd.log" & pid=$!
for _ in $(seq 50); do grep -qs serving "$tmp/refd.log" && break; sleep 0.1; done
dumpcap -q -i lo -f "tcp port $m" -w "$tmp/chunks.pcap" 2>"$tmp/cap.log" &
cap=$!
for _ in $(seq 50); do grep -qs "File:" "$tmp/cap.log" && break; sleep 0.1; done
timeout 60 bin/rtcbench perf msrp --relay tcp:127.0.0.1:$m --user alice \
	--password Wonder-land-42 --user2 bob --password2 Builder-bob-77 \
	--realm example.test --mb 1 --chunk 16384 --seconds 5 \
	--out "$tmp/perf" >"$tmp/perf.log" 2>&1 || { cat "$tmp/perf.log"; exit 1; }
sleep 1
kill "$cap"; wait "$cap" 2>/dev/null || true; cap=
# pcap (not pcapng) like the other traces; gzip -n: no name or time inside
editcap -F pcap "$tmp/chunks.pcap" "$tmp/chunks1.pcap"
gzip -9n <"$tmp/chunks1.pcap" >"$out/msrp_chunks.pcap.gz"

for f in "$out/msrp_chat.pcap" "$tmp/chunks1.pcap"; do
	echo "== $f"
	tshark -r "$f" -q -z sip,stat 2>/dev/null | grep -E "^ *(SIP|[A-Z]+) " || true
	tshark -r "$f" -Y msrp -T fields -e msrp.method -e msrp.status.code \
		2>/dev/null | sort | uniq -c
done
