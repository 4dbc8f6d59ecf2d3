#!/bin/bash
# Kamailio's rtpengine module drives our relay unchanged over the ng
# protocol (issue 4): our relay and ng core run on the live driver
# (`rtcbench perf relay --serve`), Kamailio calls rtpengine_offer/answer/
# delete, a SIPp UAC plays G.711 RTP (play_pcap_audio) to a SIPp UAS that
# echoes it. Checks: the call completes, both SDPs carry relay ports, the
# relay saw RTP both ways (ng query mid-call), and the BYE deleted the call.
# Skipped (exit 77 with the reason) when kamailio or sipp is not installed.
set -eu
. "$(dirname "$0")/lib.sh"
for b in kamailio sipp; do
	command -v $b >/dev/null || { echo "skip: $b not installed"; exit 77; }
done
MODS=/usr/lib/x86_64-linux-gnu/kamailio/modules
[ -f $MODS/rtpengine.so ] || { echo "skip: no kamailio rtpengine module"; exit 77; }
PCAP=/usr/share/sip-tester/g711a.pcap
[ -f $PCAP ] || { echo "skip: no $PCAP"; exit 77; }

top=$PWD
dir=$top/build/integration/ng_kamailio
rm -rf "$dir"; mkdir -p "$dir/run" "$dir/pcap"
cp /usr/share/sip-tester/*.pcap "$dir/pcap/"
NG=25011; KAM=25070; UAS=25071; UAC=25072
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

timeout 60 "$top/bin/rtcbench" perf relay --serve $NG --ports 25100-25199 \
	>"$dir/relay.log" 2>&1 &
pids+=($!)
cat >"$dir/k.cfg" <<CFG
#!KAMAILIO
debug=2
log_stderror=yes
children=1
listen=udp:127.0.0.1:$KAM
$(lib_kamailio_mods rtpengine)
modparam("rtpengine", "rtpengine_sock", "udp:127.0.0.1:$NG")
request_route {
	if (has_totag()) {
		if (is_method("BYE")) rtpengine_delete();
		loose_route();
		t_relay();
		exit;
	}
	record_route();
	if (is_method("INVITE") && has_body("application/sdp")) {
		rtpengine_offer("replace-origin");
		t_on_reply("R");
	}
	\$du = "sip:127.0.0.1:$UAS";
	t_relay();
}
onreply_route[R] {
	if (has_body("application/sdp")) rtpengine_answer("replace-origin");
}
CFG
sleep 0.5
timeout 60 kamailio -f "$dir/k.cfg" -DD -E -Y "$dir/run" -m 64 -M 8 \
	>"$dir/kam.log" 2>&1 &
pids+=($!)
for i in $(seq 50); do
	grep -q "rtpengine instance.*found" "$dir/kam.log" && break
	sleep 0.1
done
grep -q "rtpengine instance.*found" "$dir/kam.log" ||
	{ echo "kamailio did not find our ng relay"; tail -20 "$dir/kam.log"; exit 1; }

cd "$dir"
timeout 40 sipp -sn uas -i 127.0.0.1 -p $UAS -mp 26000 -rtp_echo -nostdin \
	-trace_msg -message_file uas_msg.log >uas.out 2>&1 &
pids+=($!)
sleep 0.3
timeout 40 sipp -sn uac_pcap -i 127.0.0.1 -p $UAC -mp 27000 127.0.0.1:$KAM \
	-m 1 -nostdin -trace_msg -message_file uac_msg.log -timeout 30 \
	>uac.out 2>&1 &
uac=$!
sleep 4
cid=$(grep -m1 -i '^Call-ID:' uac_msg.log | sed 's/^[^:]*: *//' | tr -d '\r')
[ -n "$cid" ] || { echo "no Call-ID in the UAC trace"; exit 1; }
exec 3<>/dev/udp/127.0.0.1/$NG
printf 'q1 d7:command5:query7:call-id%d:%se' "${#cid}" "$cid" >&3
ans=$(timeout 2 dd bs=65536 count=1 status=none <&3 | tr -d "\000" || true)
exec 3>&-
wait $uac || { echo "SIPp UAC failed"; tail -20 uac.out; exit 1; }

grep -q '^m=audio 251[0-9][0-9] ' uas_msg.log ||
	{ echo "offer to the UAS has no relay port"; grep '^m=' uas_msg.log; exit 1; }
grep -q '^m=audio 251[0-9][0-9] ' uac_msg.log ||
	{ echo "answer to the UAC has no relay port"; grep '^m=' uac_msg.log; exit 1; }
case "$ans" in *6:result2:ok*) ;; *) echo "ng query: $ans"; exit 1;; esac
# Both sides' RTP streams counted packets (7:packetsi<N>e with N > 50).
n=$(printf '%s' "$ans" | grep -o '3:RTPe5:statsd7:packetsi[0-9]*e' |
	grep -o '[0-9]*e$' | tr -d e | awk '$1 > 50' | wc -l)
[ "$n" -ge 2 ] || { echo "relay did not see RTP both ways: $ans" | head -c 600; exit 1; }
# After the BYE the call is gone (rtpengine_delete reached us).
exec 3<>/dev/udp/127.0.0.1/$NG
printf 'q2 d7:command5:query7:call-id%d:%se' "${#cid}" "$cid" >&3
ans=$(timeout 2 dd bs=65536 count=1 status=none <&3 | tr -d "\000" || true)
exec 3>&-
case "$ans" in *Unknown*call-id*) ;; *) echo "call not deleted: $ans" | head -c 300; exit 1;; esac
echo ok
