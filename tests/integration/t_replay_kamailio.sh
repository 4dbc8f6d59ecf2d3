#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# rtcbench replay --target HOST:PORT against Kamailio 5.6 (lib.sh's
# lib_kamailio: registrar in memory, record-routing stateful proxy, no
# auth, SUBSCRIBE/PUBLISH answered 489): the shipped traces and the
# shared corpus re-driven over UDP and TCP, run twice in a row (each
# run's branches, tags and Call-IDs must be new, or a stateful proxy
# takes the second run's INVITEs for retransmissions). Expected: the same
# verdicts as against refd - traces 6 matched, 2 diverged; corpus at
# least 55 matched. Exit 77 without kamailio.
set -eu
. "$(dirname "$0")/lib.sh"
lib_kamailio_need
CORPUS=${CORPUS:-/work/shared/corpus/pcaps}
[ -d "$CORPUS" ] || CORPUS=../shared/corpus/pcaps
lib_tmp t_replay_kam
p=$(lib_port 21000 9000)
# one account name per captured AOR (Kamailio does not authenticate)
lib_replay_accounts "$tmp/accounts" k unused
lib_kamailio $p
fail=0
for run in "traces udp" "$CORPUS udp" "$CORPUS tcp" "traces udp"; do
	set -- $run
	set +e
	timeout 100 bin/rtcbench replay "$1" --target 127.0.0.1:$p \
		--transport "$2" --accounts "$tmp/accounts" --asap \
		--step-timeout 2 --out "$tmp/o" >"$tmp/log" 2>&1
	set -e
	python3 - "$tmp/o/summary.json" "$1" "$2" <<'PY' || { cat "$tmp/log"; fail=1; }
import json, sys
d = json.load(open(sys.argv[1]))
m, src = d["metrics"], sys.argv[2]
dl = d["dialogs"]
v = [x["verdict"] for x in dl]
assert "unfinished" not in v, dl
if src == "traces":
    # all but the two refd also diverges on (REGISTER 403, CANCEL 408)
    assert v.count("diverged") == 2 and v.count("matched") == len(v) - 2, dl
else:
    assert v.count("matched") >= 55, [x for x in dl if x["verdict"] == "diverged"]
print(f"kamailio, {src} over {sys.argv[3]}: {len(dl)} dialogs, "
      f"{v.count('matched')} matched, {v.count('diverged')} diverged, "
      f"{v.count('skipped')} skipped, RTP {m['live_rtp_received']:.0f} of "
      f"{m['live_rtp_sent']:.0f}")
PY
done
[ $fail = 0 ] && echo ok
exit $fail
