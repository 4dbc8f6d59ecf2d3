#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# sipvicious against refd (digest auth on): svwar must not tell an existing
# account from a missing one (REGISTER, OPTIONS and INVITE scans, also with
# --force), and svcrack must be stopped by the failure rate limit before it
# reaches the right password at the end of its list (bounded to 15 s: after
# the limit svcrack only waits).
set -eu
. "$(dirname "$0")/lib.sh"
lib_tmp t_svwar
p=$(lib_port)
pw='Tq7#vLx2!pRz9w'
lib_refd_ini "$p" on
for u in 1001 1005 alice; do lib_account $u@example.test "$pw"; done
lib_refd_start

sv() { local s=$(date +%s.%N); timeout 60 svwar -b 127.0.0.1 -p "$p" "$@" 127.0.0.1 >"$tmp/sv.out" 2>&1 || true; echo "svwar $*: $(echo "$(date +%s.%N) - $s" | bc) s"; }
printf 'alice\nbob\nnobody\n' >"$tmp/dict"
for m in REGISTER OPTIONS INVITE; do
	sv -m $m -e1000-1010
	check "svwar $m finds nothing" \
		'grep -q "found nothing" $tmp/sv.out && ! grep -Eq "\| *100[15] " $tmp/sv.out'
	sv -m $m --force -e1000-1010
	check "svwar $m --force finds nothing" \
		'! grep -Eq "\| *100[15] " $tmp/sv.out'
done
sv -d "$tmp/dict"
check "svwar dictionary finds nothing" \
	'grep -q "found nothing" $tmp/sv.out && ! grep -q "| *alice" $tmp/sv.out'

(for i in $(seq 15); do echo "guess$i"; done; echo "$pw") >"$tmp/pw"
s=$(date +%s.%N)
timeout 15 svcrack -b 127.0.0.1 -u 1001 -d "$tmp/pw" -p "$p" 127.0.0.1 \
	>"$tmp/sc.out" 2>&1 || true
echo "svcrack: $(echo "$(date +%s.%N) - $s" | bc) s"
check "svcrack does not find the password" '! grep -qF "$pw" $tmp/sc.out'
kill -TERM "$pid"; set +e; wait "$pid"; rc=$?; set -e; pid=
grep "sip:" "$tmp/refd.log" || true
check "failures were rate limited" \
	'grep -Eq "limited [1-9]" $tmp/refd.log'
check "the right password (last in the list) never got through" \
	'grep -Eq "auth ok 0 " $tmp/refd.log'
check "refd SIGTERM exit 0" '[ "$rc" = 0 ]'
exit "$fail"
