#!/bin/bash
# Runs every tests/integration/t_*.sh against the built binaries; each test
# binds only to loopback and is bounded by `timeout`.
set -u
cd "$(dirname "$0")/../.."
pass=0; fail=0; failed=()
for t in tests/integration/t_*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	log=build/integration/$name.log
	mkdir -p build/integration
	if timeout 300 bash "$t" >"$log" 2>&1; then
		pass=$((pass + 1)); echo "integration: $name ok"
	else
		fail=$((fail + 1)); failed+=("$name")
		echo "integration: $name FAILED"; tail -30 "$log"
	fi
done
echo "integration: $pass passed, $fail failed"
[ "$fail" = 0 ]
