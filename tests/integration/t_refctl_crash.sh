#!/bin/bash
# Crash safety of the store: a writer commits a burst of CDRs and messages
# (batches of 7, acknowledging each row on stdout only after its commit),
# is SIGKILLed mid-burst, and every acknowledged row must be in the store
# afterwards; a reader and a purge run while the writer writes (WAL and
# busy timeout: refctl works beside a running refd).
set -eu
cd "$(dirname "$0")/../.."
R=$PWD/bin/refctl
T=$(mktemp -d /tmp/t_refctl_crash.XXXXXX)
W=
trap '[ -n "$W" ] && kill -9 $W 2>/dev/null; rm -rf "$T"' EXIT
cat >"$T/refd.conf" <<CONF
[platform]
domain   = example.test
data_dir = $T/var
policy   = $PWD/ref/policy/sip2sip.policy
CONF
C="$R -c $T/refd.conf"
fail() { echo "FAIL: $*"; exit 1; }

$C bench --cdrs 1 >/dev/null	# create the store first
for round in 1 2 3; do
	: >"$T/acks"
	$C bench --cdrs 5000000 --messages 5000000 --batch 7 --ack \
		--user crash@example.test >"$T/acks" 2>"$T/werr" &
	W=$!
	# Let it write, with a concurrent reader and purge meanwhile.
	for i in $(seq 50); do
		[ "$(wc -l <"$T/acks")" -gt $((round * 3000)) ] && break
		sleep 0.1
	done
	$C cdr list --user nobody@example.test --json >/dev/null ||
		fail "reader beside the writer"
	# A purge beside a non-stop writer deletes its rows but may have to
	# leave the WAL scrub to the next run (exit 1, says so).
	set +e
	$C purge --now 2000-01-01T00:00:00Z >/dev/null 2>"$T/perr"
	rc=$?
	set -e
	[ $rc = 0 ] || grep -q 'not yet scrubbed' "$T/perr" ||
		{ cat "$T/perr"; fail "purge beside the writer"; }
	sleep 0.$((RANDOM % 5 + 1))
	kill -9 $W
	wait $W 2>/dev/null || true
	W=
	acked=$(grep -c '^ack ' "$T/acks" || true)
	[ "$acked" -gt 0 ] || { cat "$T/werr"; fail "writer acknowledged nothing"; }
	sed -n 's/^ack //p' "$T/acks" | sort >"$T/want"
	$C cdr list --user crash@example.test --json |
		jq -r '.[].call_id' | sort >"$T/cdrs"
	$C message list --user crash@example.test --json |
		jq -r '.[].body' | sort >"$T/msgs"
	lost_c=$(comm -23 "$T/want" "$T/cdrs" | wc -l)
	lost_m=$(comm -23 "$T/want" "$T/msgs" | wc -l)
	echo "round $round: $acked acknowledged, $(wc -l <"$T/cdrs") CDRs" \
		"and $(wc -l <"$T/msgs") messages stored, lost $lost_c/$lost_m"
	[ "$lost_c" = 0 ] && [ "$lost_m" = 0 ] || fail "acknowledged rows lost"
	$C purge --now 2099-01-01T00:00:00Z >/dev/null ||
		fail "purge after the crash"
	[ ! -s "$T/var/platform.db-wal" ] || fail "WAL not truncated"
	! grep -rq --binary-files=text crash@example.test "$T/var" ||
		fail "purged rows still in the files"
done
echo ok
