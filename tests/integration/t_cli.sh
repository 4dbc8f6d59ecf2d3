#!/bin/bash
# The three binaries answer --help with 0 and bad usage with 2.
set -eu
for b in refd refctl rtcbench; do
	bin/$b --help >/dev/null
	set +e; bin/$b --no-such-flag >/dev/null 2>&1; rc=$?; set -e
	[ "$rc" = 2 ] || { echo "$b: bad usage gave $rc, want 2"; exit 1; }
done
echo ok
