#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# The retention purge must not stall call handling (issue 5): refd runs
# with [purge] within = 4s; a client sends an INVITE every 5 ms (each gets
# its 407 challenge straight from the SIP loop) while 200k expired CDRs
# are put in and the periodic purge deletes them and VACUUMs. Reports the
# INVITE -> first response latency (p50, p99, max) over the purge window
# and fails when the loop stalled for PURGE_STALL_MS (default 400) or
# more. Also checks the CDRs are gone and refd exits 0.
set -eu
. "$(dirname "$0")/lib.sh"
refd=$root/bin/refd
refctl=$root/bin/refctl
lib_tmp t_purge_stall
p=$(lib_port)
n=${PURGE_CDRS:-200000}

sed 's/^within = .*/within = 4s/' ref/policy/sip2sip.policy >"$tmp/fast.policy"
cp ref/policy/weak-passwords.txt "$tmp/"
cat >"$tmp/refd.ini" <<CONF
[platform]
domain = example.test
data_dir = $tmp/var
policy = $tmp/fast.policy
[sip]
listen = udp:127.0.0.1:$p
auth = on
CONF
lib_account bob@example.test 'Tq7#vLx2!pRz9w'
lib_refd_start

# The prober: INVITEs every 5 ms for PROBE_S (12) s, latency of each answer.
python3 - "$p" "$tmp/lat.txt" "${PROBE_S:-12}" <<'PY' & prober=$!
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0)); s.setblocking(False)
lp = s.getsockname()[1]; sent = {}; out = open(sys.argv[2], "w")
end = time.time() + float(sys.argv[3]); i = 0; nxt = time.time()
# probes go out until end; answers are read for 1 s more, so one in
# flight at the end is not counted as never answered
while time.time() < end or (sent and time.time() < end + 1.0):
    now = time.time()
    if now < end and now >= nxt:
        i += 1; cid = "stall-%d" % i
        m = ("INVITE sip:bob@example.test SIP/2.0\r\n"
             "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bKs%d;rport\r\n"
             "Max-Forwards: 70\r\nFrom: <sip:alice@example.test>;tag=%d\r\n"
             "To: <sip:bob@example.test>\r\nCall-ID: %s\r\nCSeq: 1 INVITE\r\n"
             "Contact: <sip:alice@127.0.0.1:%d>\r\nContent-Length: 0\r\n\r\n"
             % (lp, i, i, cid, lp))
        sent[cid] = now; s.sendto(m.encode(), ("127.0.0.1", int(sys.argv[1])))
        nxt += 0.005
    try:
        d = s.recv(65535).decode(errors="replace")
        cid = [l for l in d.split("\r\n") if l.lower().startswith("call-id:")][0][8:].strip()
        if cid in sent:
            out.write("%.6f %.3f\n" % (sent[cid], (time.time() - sent.pop(cid)) * 1000))
    except (BlockingIOError, IndexError):
        time.sleep(0.0005)
for cid, t in sent.items():
    out.write("%.6f %.3f\n" % (t, 99999))   # never answered
PY
sleep 1
"$refctl" -c "$tmp/refd.ini" bench --cdrs "$n" --at 2025-01-01T00:00:00Z \
	--batch 2000 >/dev/null
wait $prober
purged() { grep -o "retention: purged traces [0-9]*, cdrs [0-9]*" "$tmp/refd.log" |
	awk '{s += $NF} END {print s + 0}'; }
for _ in $(seq 150); do [ "$(purged)" -ge "$n" ] && break; sleep 0.2; done
grep "retention: purged" "$tmp/refd.log" | tail -2
python3 - "$tmp/lat.txt" <<'PY' >"$tmp/stats.txt"
import sys
v = sorted(float(l.split()[1]) for l in open(sys.argv[1]))
print("%d %.2f %.2f %.2f" % (len(v), v[len(v) // 2], v[int(len(v) * 0.99)], v[-1]))
PY
read -r cnt p50 p99 max <"$tmp/stats.txt"
echo "INVITE -> 407 while purging $n CDRs: $cnt probes, p50 $p50 ms, p99 $p99 ms, max $max ms"
check "the periodic purges deleted the $n expired CDRs ($(purged))" \
	'[ "$(purged)" = "$n" ]'
check "no stall of the SIP loop >= ${PURGE_STALL_MS:-400} ms (max $max ms)" \
	'python3 -c "import sys; sys.exit(0 if $max < ${PURGE_STALL_MS:-400} else 1)"'
kill -TERM "$pid"; set +e; wait "$pid"; rc=$?; set -e; pid=
check "refd SIGTERM exit 0" '[ "$rc" = 0 ]'
[ "$fail" = 0 ] || grep -E "retention|warn|err" "$tmp/refd.log" | tail -8
exit "$fail"
