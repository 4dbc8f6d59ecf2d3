# SPDX-License-Identifier: BSD-3-Clause
# Shared boilerplate of the integration scripts, sourced (never run) by
# tests/integration/t_*.sh: `. "$(dirname "$0")/lib.sh"`. Sourcing moves to
# the repository root and sets $root and fail=0. The helpers are small on
# purpose: each script still writes the test-specific parts of its refd.ini
# and all of its checks itself, so what a test checks stays in the test.
#   lib_tmp NAME         $tmp = new /tmp/NAME.XXXXXX; at exit, cleanup_extra
#                        (if the script defines it) runs, refd ($pid) is
#                        killed and $tmp removed
#   lib_port [BASE [N]]  a random even port in BASE..BASE+2N-2 (20000, 10000),
#                        folded below 31400:
#                        refd's media and helper ports go right above it
#   check DESC EXPR      eval EXPR; print "ok   DESC" or "FAIL DESC", fail=1
#   lib_refd_ini PORT [AUTH [DOMAIN [LINE...]]]
#                        write $tmp/refd.ini: [platform] (DOMAIN, default
#                        example.test; data_dir $tmp/var; sip2sip policy) and
#                        [sip] listen udp:127.0.0.1:PORT, auth = AUTH if not
#                        empty, then each LINE ("key = value") in [sip];
#                        append further sections with cat >>
#   lib_account USER PW  refctl account add USER --password PW ($tmp/refd.ini)
#   lib_replay_accounts FILE LETTER PW
#                        one line "AOR LETTERn@example.test PW" in FILE per
#                        AOR seen in traces/ and $CORPUS (by `rtcbench
#                        replay --target none`), n counting from 1; "{n}" in
#                        PW becomes n
#   lib_baresip USER IN OUT [ENC [MODULE...]]
#                        a fresh baresip home $tmp/USER (alice or bob) for
#                        USER@example.test, password $pw, via refd on
#                        udp $p: audio from IN, played into OUT, SIP, ctrl
#                        and RTP ports fixed above $p per user, mediaenc ENC
#                        if not empty, extra modules after aufile.so
#   lib_refd_start [INI [LOG]]
#                        start bin/refd (default $tmp/refd.ini, stderr to
#                        $tmp/refd.log) as $pid and wait up to 5 s for its
#                        "serving" line
#   lib_kamailio_need    exit 77 (skip, with the reason) unless kamailio and
#                        its registrar module are installed; sets $MODS
#   lib_kamailio_mods [MODULE...]
#                        the mpath line (from $MODS) and the loadmodule
#                        lines of a Kamailio stateful proxy (tm sl rr pv
#                        maxfwd textops siputils), then of each MODULE
#   lib_kamailio PORT    write $tmp/k.cfg (Kamailio 5.6: registrar in
#                        memory, record-routing stateful proxy, no auth,
#                        SUBSCRIBE/PUBLISH answered 489) listening on udp
#                        and tcp 127.0.0.1:PORT, start it (under timeout
#                        120, log $tmp/kam.log) as $kp, killed at exit, and
#                        wait up to 5 s for its TCP port
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$PWD
fail=0
pid=
kp=
tmp=

# Runs under the script's set -e: nothing here may fail half-way.
lib_cleanup() {
	if declare -F cleanup_extra >/dev/null; then cleanup_extra || true; fi
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
	if [ -n "$kp" ]; then kill "$kp" 2>/dev/null || true; fi
	if [ -n "$tmp" ] && [ "$fail" != 0 ]; then lib_dump; fi
	if [ -n "$tmp" ] && [ -z "${KEEP_TMP:-}" ]; then rm -rf "$tmp"; fi
}

# A failed script shows what its peers printed (CI keeps only the log).
lib_dump() {
	local f
	for f in "$tmp"/*.out "$tmp"/*.err "$tmp"/*.log; do
		[ -f "$f" ] || continue
		echo "----- $(basename "$f") (last 25 lines)"
		tail -25 "$f" | cut -c1-300
	done
	[ -z "${KEEP_TMP:-}" ] || echo "----- kept $tmp"
}

lib_tmp() {
	tmp=$(mktemp -d "/tmp/$1.XXXXXX")
	trap lib_cleanup EXIT
}

# Kept below 31400 so p and the offsets scripts add (up to ~1,300) stay
# under the kernel's ephemeral range (32768+), where the bench's and the
# peers' own sockets could already hold a port refd wants.
lib_port() {
	local p=$(( ${1:-20000} + RANDOM % ${2:-10000} * 2 ))
	[ "$p" -lt 31400 ] || p=$(( 20000 + (p - 20000) % 11400 ))
	echo "$p"
}

check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }

lib_refd_ini() {
	{
		printf '[platform]\ndomain = %s\ndata_dir = %s/var\n' \
			"${3:-example.test}" "$tmp"
		printf 'policy = %s/ref/policy/sip2sip.policy\n' "$root"
		printf '[sip]\nlisten = udp:127.0.0.1:%s\n' "$1"
		if [ -n "${2:-}" ]; then printf 'auth = %s\n' "$2"; fi
		shift $(($# < 3 ? $# : 3))
		if [ $# -gt 0 ]; then printf '%s\n' "$@"; fi
	} >"$tmp/refd.ini"
}

lib_account() {
	bin/refctl -c "$tmp/refd.ini" account add "$1" --password "$2" >/dev/null
}

lib_refd_start() {
	local log=${2:-$tmp/refd.log}

	bin/refd -c "${1:-$tmp/refd.ini}" 2>"$log" & pid=$!
	for _ in $(seq 50); do grep -qs serving "$log" && break; sleep 0.1; done
}

lib_replay_accounts() {
	: >"$1"
	for src in traces "$CORPUS"; do
		bin/rtcbench replay "$src" --target none --out "$tmp/none" \
			>/dev/null 2>&1 || true
		python3 - "$tmp/none/summary.json" "$1" "$2" "$3" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
have = [l.split()[0] for l in open(sys.argv[2])]
aors = [c[k] for c in d["calls"] for k in ("caller", "callee")]
aors += [u["aor"] for u in d["user_agents"]]
with open(sys.argv[2], "a") as f:
    for a in aors:
        if a and a not in have:
            have.append(a)
            n = str(len(have))
            f.write(f"{a} {sys.argv[3]}{n}@example.test "
                    f"{sys.argv[4].replace('{n}', n)}\n")
PY
	done
}

lib_baresip() {
	local u=$1 in=$2 out=$3 enc=${4:-} sp cp rp m

	shift $(($# < 4 ? $# : 4))
	if [ "$u" = alice ]; then sp=$((p+10)); cp=$((p+20)); rp=$((p+100))
	else sp=$((p+12)); cp=$((p+21)); rp=$((p+200)); fi
	rm -rf "${tmp:?}/$u"; mkdir -p "$tmp/$u"
	{
		printf '%s\n' "poll_method epoll" "sip_listen 127.0.0.1:$sp" \
			"net_interface 127.0.0.1" "audio_player aufile,$out" \
			"audio_source aufile,$in" \
			"audio_alert aufile,$tmp/$u-alert.wav" \
			"module_path /usr/lib/baresip/modules" "module g711.so" \
			"module aufile.so"
		for m in "$@"; do printf 'module %s\n' "$m"; done
		printf '%s\n' "module_app account.so" "module_app contact.so" \
			"module_app menu.so" "module_app ctrl_tcp.so" \
			"ctrl_tcp_listen 127.0.0.1:$cp" "rtp_ports $rp-$((rp+40))"
	} >"$tmp/$u/config"
	echo "<sip:$u@example.test>;auth_pass=$pw;outbound=\"sip:127.0.0.1:$p;transport=udp\";regint=600;answermode=auto${enc:+;mediaenc=$enc}" \
		>"$tmp/$u/accounts"
	: >"$tmp/$u/contacts"
}

lib_kamailio_need() {
	command -v kamailio >/dev/null ||
		{ echo "skip: kamailio not installed"; exit 77; }
	MODS=/usr/lib/x86_64-linux-gnu/kamailio/modules
	[ -f $MODS/registrar.so ] ||
		{ echo "skip: no kamailio registrar module"; exit 77; }
}

lib_kamailio_mods() {
	local m

	printf 'mpath="%s/"\n' "$MODS"
	for m in tm sl rr pv maxfwd textops siputils "$@"; do
		printf 'loadmodule "%s.so"\n' "$m"
	done
}

lib_kamailio() {
	lib_kamailio_need
	cat >"$tmp/k.cfg" <<CFG
#!KAMAILIO
debug=1
log_stderror=yes
children=2
tcp_children=2
listen=udp:127.0.0.1:$1
listen=tcp:127.0.0.1:$1
$(lib_kamailio_mods usrloc registrar)
modparam("usrloc", "db_mode", 0)
request_route {
	if (!mf_process_maxfwd_header("10")) { sl_send_reply("483", "Too Many Hops"); exit; }
	if (has_totag()) {
		if (loose_route()) { t_relay(); exit; }
		if (is_method("ACK")) { if (t_check_trans()) t_relay(); exit; }
		sl_send_reply("404", "Not here");
		exit;
	}
	if (is_method("CANCEL")) { if (t_check_trans()) t_relay(); exit; }
	t_check_trans();
	if (is_method("REGISTER")) { save("location"); exit; }
	if (is_method("SUBSCRIBE|PUBLISH")) { sl_send_reply("489", "Bad Event"); exit; }
	if (\$rU == \$null) {
		if (is_method("OPTIONS")) sl_send_reply("200", "OK");
		else sl_send_reply("404", "Not Found");
		exit;
	}
	record_route();
	if (!lookup("location")) { sl_send_reply("404", "Not Found"); exit; }
	t_relay();
}
CFG
	timeout 120 kamailio -f "$tmp/k.cfg" -DD -E -Y "$tmp" -m 64 -M 8 \
		-x tlsf -X tlsf >"$tmp/kam.log" 2>&1 & kp=$!
	for _ in $(seq 50); do
		(exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && break; sleep 0.1
	done
}
