#!/bin/bash
# refctl end to end on a fresh data_dir: accounts (weak passwords refused,
# P2), purchases, listings as JSON arrays, export, purge --now, account
# deletion with and without a purchase (P18), and a raw-byte search of
# every file under data_dir for what must be gone. Bad input: exit 2 and
# one line on stderr.
set -eu
cd "$(dirname "$0")/../.."
R=$PWD/bin/refctl
T=$(mktemp -d /tmp/t_refctl.XXXXXX)
trap 'rm -rf "$T"' EXIT
cat >"$T/refd.conf" <<CONF
[platform]
domain   = example.test
data_dir = $T/var
policy   = $PWD/ref/policy/sip2sip.policy
[sip]
listen   = udp:127.0.0.1:5060
CONF
C="$R -c $T/refd.conf"
fail() { echo "FAIL: $*"; exit 1; }
# expect_rc RC CMD...: run, check exit code, and for 2 a one-line stderr.
expect_rc() {
	local want=$1; shift
	set +e; "$@" >"$T/out" 2>"$T/err"; local rc=$?; set -e
	[ "$rc" = "$want" ] || { cat "$T/err"; fail "$* gave $rc, want $want"; }
	if [ "$want" = 2 ]; then
		[ "$(wc -l <"$T/err")" = 1 ] || fail "$*: want one error line"
	fi
}
stored() { grep -rl --binary-files=text -- "$1" "$T/var" >/dev/null 2>&1; }

# P2: weak passwords refused, clear password never stored.
expect_rc 2 $C account add alice@example.test --password password
expect_rc 2 $C account add alice@example.test --password short
expect_rc 2 $C account add alice@example.test --password alice
expect_rc 2 $C account add alice@example.test --password Qwertyuiop
expect_rc 2 $C account add alice@other.test --password 'Kx7!pq-Zt44'
expect_rc 2 $C account add alice --password 'Kx7!pq-Zt44'
expect_rc 2 $C account add alice@example.test
expect_rc 0 $C account add alice@example.test --password 'Kx7!pq-Zt44' \
	--email alice-mail-c4n4ry@mail.test --display "Alice C4N4RY"
expect_rc 2 $C account add alice@example.test --password 'Kx7!pq-Zt44'
printf 'Secr3t-file-pass\n' >"$T/pw"
expect_rc 0 $C account add bob@example.test --password-file "$T/pw"
expect_rc 0 $C account add carol@example.test --password 'N0t-c0mmon-pw'
stored 'Kx7!pq-Zt44' && fail "clear password stored"
stored 'Secr3t-file-pass' && fail "clear password stored"

# P3 recovery: a one-time token (only its hash stored), a weak new
# password refused without using the token up, then the reset.
tok=$($C account recover carol@example.test --ttl 10m | cut -f1)
[ ${#tok} = 32 ] || fail "recover token"
stored "$tok" && fail "token stored in clear"
expect_rc 2 $C account reset carol@example.test --token "$tok" --password carol
expect_rc 2 $C account reset carol@example.test --token 00ff --password 'An0ther-g00d-pw'
expect_rc 0 $C account reset carol@example.test --token "$tok" --password 'An0ther-g00d-pw'
expect_rc 2 $C account reset carol@example.test --token "$tok" --password 'Y3t-an0ther-pw'
expect_rc 2 $C account recover nobody@example.test

# Listings are one JSON array.
$C account list --json >"$T/acc.json"
[ "$(jq 'length' "$T/acc.json")" = 3 ] || fail "account list"
[ "$(jq -r '.[0].user' "$T/acc.json")" = alice ] || fail "account order"
jq -e '.[] | select(has("ha1_md5") or has("pwhash"))' "$T/acc.json" \
	>/dev/null && fail "hashes in JSON"
for cmd in "cdr list" "trace list" "purchase list"; do
	[ "$($C $cmd --json | jq -c 'type')" = '"array"' ] || fail "$cmd"
done
expect_rc 2 $C message list --json
expect_rc 2 $C cdr list --user nobody
expect_rc 2 $C frobnicate
expect_rc 2 $C account list --bogus
expect_rc 2 $C purge --now yesterday
expect_rc 2 $C purchase add alice@example.test --amount 1.234 --name a --address b
expect_rc 2 $C purchase add zed@example.test --amount 1 --name a --address b

# Billing for bob; traffic for alice and bob from the bench generator.
expect_rc 0 $C purchase add bob@example.test --amount 19.90 \
	--name "Bob B1LL1NG" --address "2 Canary Street"
$C bench --cdrs 3 --messages 2 --traces 4 --user alice@example.test \
	--at 2026-01-01T00:00:00Z >/dev/null
$C bench --cdrs 2 --messages 1 --user bob@example.test \
	--at 2026-03-01T00:00:00Z >/dev/null
[ "$($C cdr list --user alice@example.test --json | jq length)" = 3 ] ||
	fail "cdr list --user"
[ "$($C trace list --user alice@example.test --json | jq length)" = 4 ] ||
	fail "trace list --user"
[ "$($C message list --user alice@example.test --json | jq length)" = 2 ] ||
	fail "message list"
[ "$($C cdr list --json | jq length)" = 5 ] || fail "cdr list"

# Export: one JSON document with every section.
$C export --user alice@example.test >"$T/exp.json"
jq -e '.account.email == "alice-mail-c4n4ry@mail.test" and
       (.cdrs | length) == 3 and (.traces | length) == 4 and
       (.messages | length) == 2 and (.billing | length) == 0 and
       (.xcap | type) == "array" and (.files | type) == "array" and
       (.voicemail | type) == "array"' "$T/exp.json" >/dev/null ||
	fail "export content"
expect_rc 2 $C export --user nobody@example.test

# Purge: traces (30 d) go first, CDRs (180 d) later.
$C purge --now 2026-02-15T00:00:00Z >"$T/p1"
grep -q '4 traces, 0 CDRs' "$T/p1" || { cat "$T/p1"; fail "purge 1"; }
$C purge --now 2026-07-01T00:00:00Z >"$T/p2"
grep -q '3 CDRs' "$T/p2" || { cat "$T/p2"; fail "purge 2"; }
[ "$($C cdr list --json | jq length)" = 2 ] || fail "bob's CDRs must stay"

# P18 without a purchase: nothing of alice left, not even her address.
$C account delete alice@example.test >"$T/del"
grep -q 'kept nothing' "$T/del" || fail "alice report"
stored 'alice@example.test' && fail "alice still stored"
stored 'c4n4ry' && fail "alice e-mail still stored"
stored 'C4N4RY' && fail "alice display name still stored"
expect_rc 2 $C account delete alice@example.test

# P18 with a purchase: the billing row stays, the report says until when.
$C account delete bob@example.test >"$T/del"
grep -q 'kept 1 billing record(s) until 20' "$T/del" || { cat "$T/del"; fail "bob report"; }
stored 'B1LL1NG' || fail "billing row must stay"
[ "$($C cdr list --json | jq length)" = 0 ] || fail "bob's CDRs must go"
[ "$($C account list --json | jq -r '.[].user')" = carol ] || fail "carol"
# ... until 7 years after the purchase.
$C purge --now 2040-01-01T00:00:00Z >/dev/null
stored 'B1LL1NG' && fail "billing row past 7 years"
stored 'bob@example.test' && fail "bob still stored"
[ ! -s "$T/var/platform.db-wal" ] || fail "WAL not truncated"

# A bad policy file or config: one line naming file, line and key; exit 2.
printf '[cdrs]\nretention = 180d\n[traces]\nretention = soon\n' >"$T/bad.policy"
sed "s|^policy .*|policy = $T/bad.policy|" "$T/refd.conf" >"$T/bad.conf"
expect_rc 2 $R -c "$T/bad.conf" purge
grep -q "bad.policy:4: \[traces\] retention" "$T/err" || fail "policy error line"
printf '[traces]\nretension = 30d\n' >"$T/bad.policy"
expect_rc 2 $R -c "$T/bad.conf" purge
grep -q "bad.policy:2: \[traces\] retension: unknown key" "$T/err" ||
	fail "unknown policy key"
printf '[platform]\ndomain = example.test\n' >"$T/nodir.conf"
expect_rc 2 $R -c "$T/nodir.conf" account list
expect_rc 2 $R -c "$T/missing.conf" account list
# A shorter period in the policy file changes what purge removes.
printf '[traces]\nretention = 1d\n' >"$T/short.policy"
sed "s|^policy .*|policy = $T/short.policy|" "$T/refd.conf" >"$T/short.conf"
$C bench --traces 2 --at 2030-01-01T00:00:00Z >/dev/null
$R -c "$T/short.conf" purge --now 2030-01-01T23:00:00Z | grep -q ' 0 traces' ||
	fail "1d policy purged too early"
$R -c "$T/short.conf" purge --now 2030-01-02T00:00:01Z | grep -q ' 2 traces' ||
	fail "1d policy from the file not applied"
echo ok
