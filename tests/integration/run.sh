#!/bin/bash
# Runs every tests/integration/t_*.sh against the built binaries; each test
# binds only to loopback and is bounded by `timeout`. Exit 77 means
# skipped (a peer binary is absent), counted apart. A script that fails is
# run once more so a machine hiccup is told apart from a real failure: a
# pass on the second run is reported as flaky (and still passes), two
# failures fail the suite. Failures are repeated at the very end because a
# CI log often shows only its tail. T=name1,name2 runs only those scripts.
set -u
cd "$(dirname "$0")/../.."
pass=0; fail=0; skip=0; failed=(); flaky=(); start=$SECONDS
mkdir -p build/integration
run1() { # name log -> rc
	timeout 300 bash "tests/integration/$1.sh" >"$2" 2>&1
}
for t in tests/integration/t_*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	if [ -n "${T:-}" ] && [[ ",$T," != *",$name,"* ]]; then continue; fi
	log=build/integration/$name.log
	t0=$SECONDS
	run1 "$name" "$log"; rc=$?
	if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
		echo "integration: $name failed (rc $rc, $((SECONDS - t0)) s); running it again"
		tail -15 "$log"
		mv "$log" "$log.1"
		run1 "$name" "$log"; rc=$?
		[ "$rc" = 0 ] && flaky+=("$name")
	fi
	dt="$((SECONDS - t0)) s"
	if [ "$rc" = 0 ]; then
		pass=$((pass + 1)); echo "integration: $name ok ($dt)"
	elif [ "$rc" = 77 ]; then
		# a peer binary is absent: the script's last line says which
		skip=$((skip + 1))
		echo "integration: $name skipped ($dt: $(tail -1 "$log"))"
	else
		fail=$((fail + 1)); failed+=("$name")
		echo "integration: $name FAILED twice ($dt)"
	fi
done
for name in "${failed[@]}"; do
	echo "===== integration: $name FAILED; last lines of build/integration/$name.log:"
	tail -40 "build/integration/$name.log"
done
[ ${#flaky[@]} -gt 0 ] && echo "integration: flaky (failed once, passed on the second run): ${flaky[*]}"
[ ${#failed[@]} -gt 0 ] && echo "integration: FAILED: ${failed[*]}"
echo "integration: $pass passed, $fail failed, $skip skipped in $((SECONDS - start)) s"
[ "$fail" = 0 ]
