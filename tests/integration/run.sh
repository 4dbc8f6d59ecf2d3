#!/bin/bash
# Runs every tests/integration/t_*.sh against the built binaries; each test
# binds only to loopback and is bounded by `timeout`. Exit 77 means
# skipped (a peer binary is absent), counted apart.
set -u
cd "$(dirname "$0")/../.."
pass=0; fail=0; skip=0; failed=(); start=$SECONDS
for t in tests/integration/t_*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	log=build/integration/$name.log
	mkdir -p build/integration
	t0=$SECONDS
	timeout 300 bash "$t" >"$log" 2>&1; rc=$?
	dt="$((SECONDS - t0)) s"
	if [ "$rc" = 0 ]; then
		pass=$((pass + 1)); echo "integration: $name ok ($dt)"
	elif [ "$rc" = 77 ]; then
		# a peer binary is absent: the script's last line says which
		skip=$((skip + 1))
		echo "integration: $name skipped ($dt: $(tail -1 "$log"))"
	else
		fail=$((fail + 1)); failed+=("$name")
		echo "integration: $name FAILED ($dt)"; tail -30 "$log"
	fi
done
echo "integration: $pass passed, $fail failed, $skip skipped in $((SECONDS - start)) s"
[ "$fail" = 0 ]
