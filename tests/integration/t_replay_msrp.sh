#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# rtcbench replay and MSRP (issue 7): the two MSRP traces made on loopback
# (traces/mk_msrp_traces.sh) are dissected and their MSRP counts checked
# against tshark (tests/integration/msrp_count.py frames tshark's
# reassembled TCP streams; tshark's own MSRP dissector sees one message
# per segment and is shown for reference). Then the sessions are
# re-driven against a live refd's MSRP relay (--msrp-relay) after the
# file's SIP dialogs (the conference INVITEs with their m=message lines
# included: the room's AOR is an account here, its callee role the
# bench): every end that AUTHed in the capture is played again with a
# refctl-made account, the conference focus (never AUTHed: the relay
# dials it) as a peer listening for the relay, each chunk sent as
# captured (captured timing), and what arrived must equal what the
# capture carried (chunks, messages, bytes, content hash, content types).
# The storage audit (P13) must find no chat content in refd's data_dir,
# and must fail once a captured chat line is planted there. Last, the
# same sessions against the relay core in process (--target inproc).
set -eu
. "$(dirname "$0")/lib.sh"
lib_tmp t_replay_msrp
caps="traces/msrp_chat.pcap traces/msrp_chunks.pcap.gz"

# 1. dissection against tshark
bin/rtcbench replay $caps --target none --out "$tmp/n" >"$tmp/n.log" 2>&1 ||
	{ cat "$tmp/n.log"; exit 1; }
for f in $caps; do
	command -v tshark >/dev/null ||
		{ echo "note tshark not installed: no comparison with it"; break; }
	case $f in *.gz) zcat "$f" >"$tmp/cap.pcap" ;; *) cp "$f" "$tmp/cap.pcap" ;; esac
	python3 tests/integration/msrp_count.py "$tmp/cap.pcap" >"$tmp/ts.json"
	check "$f: MSRP counts as tshark's reassembled streams" \
		"python3 - '$tmp/n/summary.json' '$f' '$tmp/ts.json' <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
m = [x for x in d['files'] if x['file'] == sys.argv[2]][0]['metrics']
t = json.load(open(sys.argv[3]))
keys = [k for k in t if k.startswith('msrp_')]
bad = {k: (m.get(k, 0), t[k]) for k in keys if m.get(k, 0) != t[k]}
print('  %s: %s; tshark dissector alone: %d messages' % (sys.argv[2],
      ', '.join('%s=%d' % (k[5:], t[k]) for k in sorted(keys)),
      t['tshark_dissector_messages']))
sys.exit(1 if bad or len(keys) < 8 else 0)
PY"
done
check "sessions in summary.json, 3 named by SDP a=path" \
	"python3 -c 'import json,sys; s=json.load(open(\"$tmp/n/summary.json\"))[\"msrp_sessions\"]; sys.exit(not (len(s) == 6 and sum(1 for x in s if x[\"call_id\"]) == 3))'"

# 2. re-drive against refd's relay (another port if one is taken: the
# machine is shared)
refd_up() {
	for _ in 1 2 3; do
		p=$(lib_port); m=$((p + 2))
		lib_refd_ini "$p" on
		printf '[msrp]\nlisten = tcp:127.0.0.1:%s\n' "$m" >>"$tmp/refd.ini"
		lib_refd_start
		grep -qs serving "$tmp/refd.log" && return 0
		kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
		pid=
	done
	echo "FAIL refd did not start"; cat "$tmp/refd.log"; exit 1
}
lib_refd_ini 5060 on
: >"$tmp/accts"
for u in alice bob carol room-bench; do
	lib_account "$u@example.test" "Pw-$u-2026-x"
	echo "$u@example.test $u@example.test Pw-$u-2026-x" >>"$tmp/accts"
done
refd_up
set +e
timeout 60 bin/rtcbench replay $caps --target 127.0.0.1:$p \
	--accounts "$tmp/accts" --msrp-relay 127.0.0.1:$m --step-timeout 4 \
	--data-dir "$tmp/var" --out "$tmp/l" >"$tmp/l.log" 2>&1; rc=$?
set -e
grep -a "msrp" "$tmp/l.log" | grep -v "^  msrp:" | grep -av "^  msrp msrp:" || true
check "re-drive exit 0 (rc $rc)" '[ "$rc" = 0 ]'
python3 - "$tmp/l/summary.json" >"$tmp/v.txt" <<'PY' || true
import json, sys
d = json.load(open(sys.argv[1]))
c = [x for x in d["checks"] if x["name"] == "msrp"]
m = d["metrics"]
ok = [x for x in c if x["ok"] and not x.get("skipped")]
sk = [x for x in c if x.get("skipped")]
print(len(ok), len(sk), len(c) - len(ok) - len(sk),
      int(m.get("msrp_live_chunks_sent", 0)),
      int(m.get("msrp_live_chunks_received", 0)),
      sum(1 for x in ok if "the direct peer" in x["detail"]),
      int(m.get("live_matched", 0)), int(m.get("live_dialogs", 0)))
for x in d["checks"]:
    if x["name"] == "audit P13":
        print("P13", x["ok"])
PY
read -r matched skipped diverged sent got focus sip sipn <"$tmp/v.txt" || true
echo "  SIP dialogs: $sip of $sipn matched; msrp re-drive: $matched matched, $skipped skipped, $diverged diverged, chunks $got of $sent"
check "SIP dialogs first, the 3 conference INVITEs among them" \
	'[ "$sip" = 6 ] && [ "$sipn" = 6 ]'
check "6 sessions matched (chat, OTR, 3 with the focus, 1 MiB in 67 chunks)" \
	'[ "$matched" = 6 ] && [ "$diverged" = 0 ] && [ "$skipped" = 0 ]'
check "the focus played as the peer the relay dials" '[ "$focus" = 3 ]'
check "every chunk arrived (77)" '[ "$sent" = 77 ] && [ "$got" = 77 ]'
check "P13: MSRP content samples audited, none stored" \
	'grep -q "^P13 True" $tmp/v.txt && ! grep -q "^P13 False" $tmp/v.txt'
check "refd's relay forwarded them" \
	'kill -TERM $pid; wait $pid; pid=; grep "msrp: connections" $tmp/refd.log | sed "s/^/  /"; grep -q "msrp: connections in 11 out 1, auth ok 9 .*requests forwarded 77 " $tmp/refd.log'

# 3. a captured chat line planted in the store is found (P13 fails)
mkdir -p "$tmp/var/dd"
printf 'xx MSRP-TRACE-PLAIN-CANARY-13 xx' >"$tmp/var/dd/leak.bin"
refd_up
set +e
timeout 60 bin/rtcbench replay traces/msrp_chat.pcap --target 127.0.0.1:$p \
	--accounts "$tmp/accts" --msrp-relay 127.0.0.1:$m --asap \
	--step-timeout 4 --data-dir "$tmp/var" --out "$tmp/a" >"$tmp/a.log" 2>&1
rc=$?
set -e
grep -a "FAIL audit P13" "$tmp/a.log" | head -1 || true
check "planted chat line: audit P13 FAIL, exit 1" \
	'[ "$rc" = 1 ] && grep -aq "FAIL audit P13.*leak.bin" $tmp/a.log'
check "a relay outside loopback is refused without --allow-remote" \
	'{ bin/rtcbench replay traces/msrp_chat.pcap --target 127.0.0.1:$p \
		--accounts "$tmp/accts" --msrp-relay 192.0.2.1:2855 \
		--out "$tmp/r" 2>"$tmp/r.err"; [ $? = 2 ]; } &&
	 grep -q "msrp-relay: .*allow-remote" "$tmp/r.err"'

# 4. in process: the relay core on the virtual network, accounts made
bin/rtcbench replay $caps --target inproc --asap --out "$tmp/i" \
	>"$tmp/i.log" 2>&1 || { cat "$tmp/i.log"; fail=1; }
check "inproc: 6 sessions matched, 77 of 77 chunks" \
	"python3 -c 'import json,sys; m=json.load(open(\"$tmp/i/summary.json\"))[\"metrics\"]; print(\"  inproc:\", {k: m[k] for k in m if k.startswith(\"msrp_inproc\")}); sys.exit(not (m.get(\"msrp_inproc_matched\") == 6 and m.get(\"msrp_inproc_chunks_received\") == 77 and not m.get(\"msrp_inproc_diverged\")))'"
[ "$fail" = 0 ] || { echo "--- replay logs"; tail -n 12 "$tmp/l.log" "$tmp/a.log"; }
exit $fail
