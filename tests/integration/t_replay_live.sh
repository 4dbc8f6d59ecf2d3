#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# rtcbench replay --target HOST:PORT: the shipped traces and the shared
# corpus re-driven message by message against a live refd on loopback.
# The corpus runs over UDP, TCP and TLS. The test provisions one account per captured AOR (from a --target none
# run), starts refd, and checks the verdicts: every dialog of traces/
# except two the capture got wrong answers for (a 403 to a REGISTER, a
# 408 to a CANCEL) must match;
# on the corpus at least 55 dialogs must match, every divergence must
# name a frame, and every skip a reason. Also: a non-loopback target is
# refused (exit 2), and a missing --accounts is a usage error. refd runs
# its RTP relay: the captured RTP is re-sent through it and counted, and
# --speed 4 plays one call in a quarter of its captured span. Dialogs the
# capture leaves open are closed by the replay (BYE, CANCEL), answered,
# kept apart from the verdicts; refd holds no relay port at the end.
set -eu
. "$(dirname "$0")/lib.sh"
CORPUS=${CORPUS:-/work/shared/corpus/pcaps}
[ -d "$CORPUS" ] || CORPUS=../shared/corpus/pcaps
lib_tmp t_replay_live
# the relay's 1,200 ports stay below the ephemeral range (32768-): a
# port the kernel gave one of the bench's sockets is one refd cannot open
p=$(lib_port 21000 5000)
cat >"$tmp/refd.ini" <<CONF
[platform]
domain = example.test
data_dir = $tmp/var
policy = $root/ref/policy/sip2sip.policy
[sip]
listen = udp:127.0.0.1:$p tcp:127.0.0.1:$p tls:127.0.0.1:$((p+1))
tls_cert = $tmp/tls.crt
tls_key = $tmp/tls.key
auth = on
[media]
address = 127.0.0.1
ports = $((p+100))-$((p+1299))
CONF
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-keyout "$tmp/tls.key" -out "$tmp/tls.crt" 2>/dev/null
# one account per captured AOR
lib_replay_accounts "$tmp/accounts" r "pw-{n}-Zq8"
while read -r aor acct pw; do
	bin/refctl -c "$tmp/refd.ini" account add "$acct" --password "$pw" \
		>/dev/null
done <"$tmp/accounts"
lib_refd_start
for run in "traces udp" "$CORPUS udp" "$CORPUS tcp" "$CORPUS tls"; do
	set -- $run
	src=$1 tp=$2 port=$p
	[ "$tp" = tls ] && port=$((p+1))
	set +e
	timeout 120 bin/rtcbench replay "$src" --target 127.0.0.1:$port \
		--transport $tp --tls-cert "$tmp/tls.crt" --tls-key "$tmp/tls.key" \
		--accounts "$tmp/accounts" --asap --step-timeout 2 \
		--out "$tmp/o" >"$tmp/log" 2>&1; rc=$?
	set -e
	python3 - "$tmp/o/summary.json" "$src" "$rc" "$tp" <<'PY' || { cat "$tmp/log"; fail=1; }
import json, sys
d = json.load(open(sys.argv[1]))
m, src, rc, tp = d["metrics"], sys.argv[2], int(sys.argv[3]), sys.argv[4]
dl = d["dialogs"]
by = {}
for x in dl:
    by.setdefault(x["verdict"], []).append(x)
matched, div = len(by.get("matched", [])), by.get("diverged", [])
skipped = by.get("skipped", [])
assert not by.get("unfinished"), by["unfinished"]
assert all(x["frame"] > 0 and "expected" in x["why"] or "cannot send" in x["why"]
           for x in div), div
assert all(x["why"] for x in skipped), skipped
assert m["live_registered"] > 0 and m.get("live_denied", 0) == 0, m
assert rc == (1 if div else 0), rc
assert (m.get("live_stream_bytes", 0) > 0) == (tp != "udp"), m
# captured RTP re-sent to the relay refd put in the SDP: with --asap it
# leaves in bursts, so most of the answered calls' packets must arrive
# (the paced run below must get every one)
assert m["live_rtp_unsent"] == 0, m
for x in dl:
    r = x["rtp"]
    if "heplify_sip_ipv4_tcp.pcap" in x["file"] or "FAX" in x["file"]:
        assert r["sent"] == r["captured"], x
        assert r["received"] >= 0.9 * r["sent"], x
if src == "traces":
    # the captured registrar refused voi18063 (403), ours has the
    # account; the captured CANCEL timed out (408), ours is answered
    assert sorted(x["why"] for x in div) == [
        "frame 274: caller expected 408 (CANCEL), got 200 (CANCEL)",
        "frame 32: caller expected 403 (REGISTER), got 200 (REGISTER)"], div
    assert matched >= 6, matched
else:
    assert matched >= 55, (matched, div)
# dialogs the capture left open (no BYE, no CANCEL) are closed by the
# replay, answered by refd, and apart from the verdicts (a matched one
# stays matched; none is a captured outcome)
closed = [x for x in dl if "closed_by_replay" in x]
assert m["live_closed_by_replay"] == len(closed) == m["live_closed_answered"], m
assert all(x["verdict"] == "matched" and x["closed_by_replay"]["status"] in (200, 487)
           for x in closed), closed
if src != "traces":
    assert len(closed) >= 20, len(closed)
print(f"{src} over {tp}: {len(dl)} dialogs: {matched} matched, {len(div)} diverged, "
      f"{len(skipped)} skipped, {len(closed)} left open closed by replay, "
      f"{m['live_wall_s']:.2f} s")
PY
done
# captured timing, scaled: the call with its 66 RTP packets at --speed 4
# takes a quarter of its captured span, every packet through the relay
timeout 60 bin/rtcbench replay traces/heplify_sip_ipv4_tcp.pcap.gz \
	--target 127.0.0.1:$p --accounts "$tmp/accounts" --speed 4 \
	--out "$tmp/s" >"$tmp/log" 2>&1 || { cat "$tmp/log"; fail=1; }
python3 - "$tmp/s/summary.json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
m, x = d["metrics"], d["dialogs"][0]
assert x["verdict"] == "matched" and x["rtp"]["received"] == 66, x
want = x["captured_s"] / 4
# (slack for one UDP retransmission round on a loaded machine)
assert want * 0.9 < x["ms"] / 1000 < want * 1.3 + 2.5, x
print(f"--speed 4: {x['captured_s']:.2f} s captured, re-driven in "
      f"{x['ms'] / 1000:.2f} s, RTP {x['rtp']}")
PY
# a target off this host is refused unless --allow-remote
set +e
bin/rtcbench replay traces --target 192.0.2.1:5060 --accounts "$tmp/accounts" \
	--out "$tmp/r" >/dev/null 2>"$tmp/err"; rc=$?
set -e
[ "$rc" = 2 ] && grep -q "allow-remote" "$tmp/err" || { echo "remote: rc=$rc"; cat "$tmp/err"; fail=1; }
set +e
bin/rtcbench replay traces --target 127.0.0.1:$p --out "$tmp/r" \
	>/dev/null 2>"$tmp/err"; rc=$?
set -e
[ "$rc" = 2 ] && grep -q "needs --accounts" "$tmp/err" || { echo "accounts: rc=$rc"; fail=1; }
kill "$pid"; wait "$pid" || true; pid=
# nothing left up in refd: every relay port it opened for the re-driven
# calls was closed again (the dialogs the captures leave open were closed
# by the replay, not by refd's media timeout)
ports=$(grep -o 'ports opened [0-9]* closed [0-9]*' "$tmp/refd.log" | tail -1)
echo "refd at exit: $ports"
set -- $ports
[ -n "$ports" ] && [ "$3" -gt 0 ] && [ "$3" = "$5" ] || { echo "refd still holds relay ports: $ports"; fail=1; }
[ $fail = 0 ] && echo ok
exit $fail
