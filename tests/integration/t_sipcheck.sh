#!/bin/bash
# rtcbench sipcheck over the RFC 4475 / RFC 5118 corpus: every file gets
# the verdict its MANIFEST implies (and the decoder's reason for refusals),
# --json is one valid array, exit codes are 0 / 1 / 2.
set -eu
d4=tests/data/rfc4475
d5=tests/data/rfc5118
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# file<TAB>expected line (without the "FILE: " prefix)
cat >"$out/want" <<'W'
badaspec.dat	invalid: To: whitespace inside <>
badbranch.dat	ok
baddate.dat	invalid: Date: time zone must be GMT, not 'EST'
baddn.dat	invalid: From: display name is neither tokens nor a quoted string
badinv01.dat	invalid: Via: empty parameter
badvers.dat	invalid: unknown SIP version SIP/7.0
bcast.dat	ok
bext01.dat	ok
bigcode.dat	invalid: status code 4294967301 out of range
clerr.dat	invalid: Content-Length 9999 but body is 154 bytes
cparam01.dat	ok
cparam02.dat	ok
dblreq.dat	ok
esc01.dat	ok
esc02.dat	ok
escnull.dat	ok
escruri.dat	invalid: Request-URI must not contain headers (?Route=%3Csip:example.com%3E)
insuf.dat	invalid: missing required headers: From, To, Call-ID
intmeth.dat	ok
inv2543.dat	ok
invut.dat	ok
longreq.dat	ok
ltgtruri.dat	invalid: Request-URI must not be enclosed in <>
lwsdisp.dat	ok
lwsruri.dat	invalid: Request-URI contains whitespace
lwsstart.dat	invalid: request line: more than one SP between elements
mcl01.dat	invalid: conflicting Content-Length values 13 and 5
mismatch01.dat	invalid: CSeq method INVITE does not match request method OPTIONS
mismatch02.dat	invalid: CSeq method INVITE does not match request method NEWMETHOD
mpart01.dat	ok
multi01.dat	invalid: single-value headers repeated: From, To, Call-ID, CSeq, Max-Forwards
ncl.dat	invalid: Content-Length -999 is not a valid length
noreason.dat	ok
novelsc.dat	ok
quotbal.dat	invalid: To: unterminated quoted string
regaut01.dat	ok
regbadct.dat	invalid: Contact: URI with headers must be enclosed in <>
regescrt.dat	ok
scalar02.dat	invalid: CSeq number 36893488147419103232 out of range
scalarlg.dat	invalid: CSeq number 9292394834772304023312 out of range
sdp01.dat	ok
semiuri.dat	ok
transports.dat	ok
trws.dat	invalid: request line ends in whitespace
unkscm.dat	ok
unksm2.dat	ok
unreason.dat	ok
wsinv.dat	ok
zeromf.dat	ok
ipv4-mapped-ipv6	ok
ipv6-bad	invalid: Request-URI: IPv6 address must be enclosed in []
ipv6-bug-abnf-3-colons	invalid: Request-URI: invalid IPv6 reference
ipv6-correct-abnf-2-colons	ok
ipv6-good	ok
ipv6-in-sdp	invalid: Content-Length 268 but body is 251 bytes
mult-ip-in-header	ok
mult-ip-in-sdp	ok
port-ambiguous	ok
port-unambiguous	ok
via-received-param-no-delim	ok
via-received-param-with-delim	ok
W

# every MANIFEST row has an expectation, and the kinds agree with it
for d in $d4 $d5; do
	tail -n +2 $d/MANIFEST.tsv | while IFS=$'\t' read -r f _ kind _; do
		w=$(awk -F'\t' -v f="$f" '$1 == f { print $2 }' "$out/want")
		[ -n "$w" ] || { echo "no expectation for $f"; exit 1; }
		case "$kind:$w" in
		invalid:ok) echo "$f: MANIFEST says invalid, want ok"; exit 1;;
		valid:invalid*) [ "$f" = ipv6-in-sdp ] ||
			{ echo "$f: valid but expected invalid"; exit 1; };;
		esac
	done
done

fail=0
while IFS=$'\t' read -r f w; do
	p=$d4/$f; [ -e "$p" ] || p=$d5/$f
	set +e; got=$(bin/rtcbench sipcheck "$p"); rc=$?; set -e
	if [ "$got" != "$p: $w" ]; then
		echo "MISMATCH $f: got '$got' want '$w'"; fail=1
	fi
	case "$w" in ok) want_rc=0;; *) want_rc=1;; esac
	[ "$rc" = "$want_rc" ] || { echo "$f: exit $rc want $want_rc"; fail=1; }
done <"$out/want"
[ $fail = 0 ]

# all the valid ones together: exit 0; one invalid among them: exit 1
ok_files=$(awk -F'\t' '$2 == "ok" { print $1 }' "$out/want" |
	while read -r f; do [ -e $d4/$f ] && echo $d4/$f || echo $d5/$f; done)
bin/rtcbench sipcheck $ok_files >/dev/null
set +e
bin/rtcbench sipcheck $ok_files $d4/badvers.dat >/dev/null; rc=$?
bin/rtcbench sipcheck $d4/wsinv.dat /nonexistent/file 2>"$out/err" >/dev/null
rc2=$?
bin/rtcbench sipcheck >/dev/null 2>&1; rc3=$?
set -e
[ $rc = 1 ] || { echo "mixed set: exit $rc want 1"; exit 1; }
[ $rc2 = 2 ] || { echo "unreadable file: exit $rc2 want 2"; exit 1; }
grep -q "/nonexistent/file" "$out/err" || { echo "no error line"; exit 1; }
[ $rc3 = 2 ] || { echo "no files: exit $rc3 want 2"; exit 1; }

# --json: one array, one object per file, reasons included
set +e
bin/rtcbench sipcheck --json $d4/wsinv.dat $d4/badvers.dat >"$out/j.json"
rc=$?
set -e
[ $rc = 1 ]
python3 - "$out/j.json" <<'PY'
import json, sys
a = json.load(open(sys.argv[1]))
assert isinstance(a, list) and len(a) == 2, a
assert a[0]["ok"] is True and a[0]["file"].endswith("wsinv.dat"), a
assert a[1]["ok"] is False and a[1]["reason"] == "unknown SIP version SIP/7.0", a
PY
echo ok
