#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# rtcbench run --mode live audits refd's log (its stderr, kept in the run
# folder next to data_dir) like stored bytes: POLICY P3 and P7 forbid an
# e-mail address or a REGISTER in a log. The same scenario runs against
# the real refd (passes), then against the real refd behind a wrapper that
# first writes both canaries to stderr (must fail, naming P3 and P7 and the
# log).
set -eu
. "$(dirname "$0")/lib.sh"
lib_tmp t_run_refd_log
mkdir "$tmp/bin"
cat >"$tmp/bin/refd" <<EOF
#!/bin/sh
echo "refd: info: REGISTER User-Agent LOGLEAK-UA-CANARY-7" >&2
echo "refd: info: account e-mail logleak-canary-3@mail.test" >&2
exec "$root/bin/refd" "\$@"
EOF
chmod +x "$tmp/bin/refd"
ln -s "$root/bin/refctl" "$tmp/bin/refctl"
cat >"$tmp/t.scn" <<'EOF'
title the refd log is audited (P3, P7)
account alice email=logleak-canary-3@mail.test
register alice canary=LOGLEAK-UA-CANARY-7
expect registered alice yes
EOF
run() { # BIN OUT -> rc
	set +e
	timeout 120 bin/rtcbench run "$tmp/t.scn" --mode live --bin "$1" \
		--out "$tmp/$2" >"$tmp/$2.out" 2>&1
	echo $?
	set -e
}
rc=$(run bin plain)
check "real refd: P3 and P7 hold (exit 0)" \
	'[ "$rc" = 0 ] && grep -q "P7 held\|never stored" $tmp/plain/summary.json'
rc=$(run "$tmp/bin" leak)
check "refd logging a REGISTER and an e-mail: exit 1" '[ "$rc" = 1 ]'
check "P7 fails, naming refd.log" \
	'grep -q "FAIL .* P7 .*refd.log" $tmp/leak.out'
check "P3 fails, naming refd.log" \
	'grep -q "FAIL .* P3 .*stored outside the account database.*refd.log" $tmp/leak.out'
[ "$fail" = 0 ] || { cat "$tmp/plain.out" "$tmp/leak.out"; }
exit "$fail"
