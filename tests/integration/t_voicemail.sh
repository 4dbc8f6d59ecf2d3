#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Voicemail end to end (POLICY.md P14): SIPp calls bob, who has voicemail
# on and no registered device; the proxy's failure route sends the call to
# refd's voicemail UA, which answers; SIPp streams a 1 kHz PCMU tone. The
# WAV lands in the store and holds the tone, `refctl voicemail list` shows
# it, the e-mail with the WAV attached reaches a local SMTP sink, and
# `refctl voicemail delete` removes row and file. A call to carol (no
# voicemail) still gets 480. Dave has voicemail on and a registered
# device that only rings: after [voicemail] after = 2s the device is
# cancelled and the voicemail answers; the device then gets the MWI
# NOTIFY (message-summary, one new message); once `refctl voicemail
# delete` (another process) removed it, a NOTIFY with 0/0.
set -eu
. "$(dirname "$0")/lib.sh"
refd=$root/bin/refd
refctl=$root/bin/refctl
sc=$root/tests/integration/sipp
[ -x /usr/bin/sipp ] || { echo "skip: sipp not installed"; exit 77; }
lib_tmp t_voicemail
sink=
cleanup_extra() { [ -n "$sink" ] && kill "$sink" 2>/dev/null; }
p=$(lib_port)
pw='Tq7#vLx2!pRz9w'

# A one-connection-at-a-time SMTP sink: every message into $tmp/mail.N.
cat >"$tmp/sink.py" <<'PY'
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(4); n = 0
while True:
    c, _ = s.accept(); f = c.makefile("rb"); c.sendall(b"220 sink\r\n")
    while True:
        l = f.readline()
        if not l: break
        v = l[:4].upper()
        if v == b"DATA":
            c.sendall(b"354 go\r\n"); body = b""
            while True:
                l = f.readline()
                if not l or l == b".\r\n": break
                body += l
            n += 1; open("%s/mail.%d" % (sys.argv[2], n), "wb").write(body)
            c.sendall(b"250 ok\r\n")
        elif v == b"QUIT":
            c.sendall(b"221 bye\r\n"); break
        elif v in (b"EHLO", b"HELO"):
            c.sendall(b"250 sink\r\n")
        else:
            c.sendall(b"250 ok\r\n")
    c.close()
PY
python3 "$tmp/sink.py" $((p+7)) "$tmp" & sink=$!

lib_refd_ini "$p" on
cat >>"$tmp/refd.ini" <<CONF
[voicemail]
listen = udp:127.0.0.1:$((p+5))
ports = $((p+100 - p%2))-$((p+107 - p%2))
max = 30s
after = 2s
[mail]
smtp = smtp://127.0.0.1:$((p+7))
from = voicemail@example.test
CONF
lib_account alice@example.test "$pw"
"$refctl" -c "$tmp/refd.ini" account add bob@example.test --password "$pw" \
	--email bob@mail.test --voicemail >/dev/null
"$refctl" -c "$tmp/refd.ini" account add dave@example.test --password "$pw" \
	--voicemail >/dev/null
lib_account carol@example.test "$pw"
lib_refd_start

# 1.5 s of a 1 kHz tone, raw PCMU (G.711 mu-law), for SIPp's rtp_stream.
python3 tests/integration/g711.py tone "$tmp/tone.ulaw"
printf 'SEQUENTIAL\nalice;example.test;[authentication username=alice password=%s]\n' \
	"$pw" >"$tmp/uac.csv"
sipp() { timeout 60 /usr/bin/sipp -nostdin -i 127.0.0.1 -t u1 "$@"; }
check "SIPp call to bob (voicemail on, not registered) answered by voicemail" \
	'(cd $tmp && sipp -sf $sc/uac_vm.xml -inf $tmp/uac.csv -s bob \
	  127.0.0.1:$p -p $((p+3)) -mp $((p+20)) -m 1 -timeout 30s \
	  -trace_err -error_file $tmp/uac.err >$tmp/uac.out 2>&1)'
check "a call to carol (voicemail off) is not answered (480)" \
	'! (cd $tmp && sipp -sf $sc/uac_vm.xml -inf $tmp/uac.csv -s carol \
	  127.0.0.1:$p -p $((p+4)) -mp $((p+40)) -m 1 -timeout 10s \
	  >$tmp/uac2.out 2>&1) && grep -q "480" $tmp/uac2.out'
for _ in $(seq 50); do ls "$tmp"/mail.* >/dev/null 2>&1 && break; sleep 0.1; done

# Registered from the device's own port: the registrar answers NATed
# clients at the REGISTER's source address.
printf 'SEQUENTIAL\ndave;example.test;[authentication username=dave password=%s]\n' \
	"$pw" >"$tmp/reg.csv"
check "dave's ringing device registers" \
	'(cd $tmp && sipp -sf $sc/reg_auth.xml -inf $tmp/reg.csv 127.0.0.1:$p \
	  -p $((p+9)) -m 1 -key contact "127.0.0.1:$((p+9))" -timeout 10s \
	  >$tmp/reg.out 2>&1)'
(cd "$tmp" && sipp -sf "$sc/uas_ring.xml" -p $((p+9)) -m 1 -timeout 30s \
	>"$tmp/ring.out" 2>&1) & ring=$!
sleep 0.3
check "a call to dave rings his device, then the voicemail answers" \
	'(cd $tmp && sipp -sf $sc/uac_vm.xml -inf $tmp/uac.csv -s dave \
	  127.0.0.1:$p -p $((p+10)) -mp $((p+60)) -m 1 -timeout 30s \
	  >$tmp/uac3.out 2>&1)'
set +e; wait "$ring"; rrc=$?; set -e
check "the device got the CANCEL and answered 487" '[ "$rrc" = 0 ]'
check "dave's device gets the MWI NOTIFY (RFC 3842): Voice-Message: 1/0" \
	'(cd $tmp && sipp -sf $sc/uas_mwi.xml -p $((p+9)) -m 1 -timeout 20s \
	  >$tmp/mwi.out 2>&1)'
check "dave's mailbox holds the recording" \
	'"$refctl" -c $tmp/refd.ini voicemail list --user dave@example.test | grep -q alice'
# Deleted by refctl (another process): refd re-counts the mailboxes from
# the store every 2 s and tells dave's device the mailbox is empty.
did=$("$refctl" -c "$tmp/refd.ini" voicemail list --user dave@example.test |
	awk '/alice/ {print $1; exit}')
(cd "$tmp" && sipp -sf "$sc/uas_mwi_empty.xml" -p $((p+9)) -m 1 -timeout 20s \
	>"$tmp/mwi0.out" 2>&1) & mwi0=$!
sleep 0.3
t0=$(date +%s.%N)
check "refctl voicemail delete of dave's recording" \
	'"$refctl" -c $tmp/refd.ini voicemail delete "$did" --user dave@example.test >/dev/null'
set +e; wait "$mwi0"; mrc=$?; set -e
echo "    MWI 0/0 after the delete: $(echo "$(date +%s.%N) - $t0" | bc) s"
check "dave's device gets the MWI NOTIFY of the delete: Voice-Message: 0/0" \
	'[ "$mrc" = 0 ]'

"$refctl" -c "$tmp/refd.ini" voicemail list --user bob@example.test >"$tmp/list.txt" || true
cat "$tmp/list.txt"
check "refctl voicemail list shows alice's message to bob" \
	'grep -q "alice@example.test" $tmp/list.txt'
wav=$(ls "$tmp"/var/voicemail/* 2>/dev/null | head -1)
check "the WAV is in the store" '[ -n "$wav" ]'
check "the WAV is G.711 mu-law, 8 kHz, and holds the 1 kHz tone" \
	'python3 - "$wav" <<PY
import struct, sys
sys.path.insert(0, "tests/integration")
from g711 import ulaw_decode as lin
d = open(sys.argv[1], "rb").read()
assert d[:4] == b"RIFF" and d[8:12] == b"WAVE", "not RIFF/WAVE"
fmt = d.find(b"fmt ")
tag, ch, rate = struct.unpack("<HHI", d[fmt + 8:fmt + 16])
assert (tag, ch, rate) == (7, 1, 8000), (tag, ch, rate)
i = d.find(b"data"); n = struct.unpack("<I", d[i + 4:i + 8])[0]
a = d[i + 8:i + 8 + n]
x = [lin(b) for b in a]
assert len(x) >= 8000, "only %d samples" % len(x)
zc = sum(1 for j in range(1, len(x)) if (x[j - 1] < 0) != (x[j] < 0))
hz = zc / 2 / (len(x) / 8000)
print("    %d samples, %.0f Hz" % (len(x), hz))
assert 900 < hz < 1100, hz
PY'
check "the e-mail with the WAV attached reached the SMTP sink" \
	'grep -q "Voicemail from alice@example.test" $tmp/mail.1 &&
	 grep -q "audio/wav" $tmp/mail.1 && grep -q "To: <bob@mail.test>" $tmp/mail.1'
id=$(awk '{print $1; exit}' "$tmp/list.txt")
check "refctl voicemail delete removes row and WAV" \
	'"$refctl" -c $tmp/refd.ini voicemail delete $id --user bob@example.test >/dev/null &&
	 ! "$refctl" -c $tmp/refd.ini voicemail list --user bob@example.test | grep -q alice &&
	 [ ! -e "$wav" ]'
kill -TERM "$pid"; set +e; wait "$pid"; rc=$?; set -e; pid=
check "refd SIGTERM exit 0" '[ "$rc" = 0 ]'
[ "$fail" = 0 ] || { tail -20 "$tmp/uac.out"; cat "$tmp"/uac.err 2>/dev/null | head; tail -20 "$tmp/refd.log"; }
exit "$fail"
