#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Conference chat rooms through refd (issue 10 item 3): the P15 scenario
# runs live: three bench clients (alice, bob, carol) AUTH at refd's MSRP
# relay, join room-bench with audio and an MSRP chat line through the
# proxy, and alice's chat canary must reach bob and carol through
# client -> relay -> focus -> relay -> client (the step fails otherwise).
# Then: the canary crossed the loopback wire wrapped in message/cpim with
# alice's nickname; `rtcbench audit` on the kept platform finds it nowhere
# under data_dir, nor is it in refd's log.
set -eu
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d /tmp/t_conf_chat.XXXXXX); trap 'rm -rf "$tmp"' EXIT
canary=CONF-MEDIA-CANARY-15-CHAT
bin/rtcbench run scenarios/calls/p15_conference_not_stored.scn --keep \
	--mode live --out "$tmp/o" >"$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
echo "ok   p15 scenario live: chat canary reached the two others"
run=$tmp/o/runs/p15_conference_not_stored
if [ -s "$run/lo.pcap" ] && [ "$(stat -c %s "$run/lo.pcap")" -gt 100 ]; then
	n=$(grep -ac "From: \"alice\" <sip:alice@example.test>" "$run/lo.pcap" || true)
	[ "$n" -ge 2 ] || { echo "FAIL cpim-wrapped canary on the wire ($n)"; exit 1; }
	grep -aq "$canary" "$run/lo.pcap"
	echo "ok   canary on the wire, From nick alice ($n copies)"
else
	echo "note no loopback capture in this environment: wire check left out"
fi
if grep -q "$canary" "$run/refd.log" 2>/dev/null; then
	echo "FAIL the chat canary is in refd's log"; exit 1
fi
set +e
bin/rtcbench audit -c "$run/refd.conf" --canary "$canary" --out "$tmp/a" \
	>"$tmp/alog" 2>&1; rc=$?
set -e
[ "$rc" = 0 ] && grep -q "\"canary $canary\"" "$tmp/a/summary.json" ||
	{ echo "FAIL audit rc=$rc"; cat "$tmp/alog"; exit 1; }
echo "ok   rtcbench audit: chat canary nowhere under data_dir"
