#!/usr/bin/env bash
# Regenerate tcpshake's sample captures (samples/*.pcap, *.pcapng) from the real Linux TCP stack.
#
#   sudo scripts/make-samples.sh             # every sample
#   sudo scripts/make-samples.sh NAME ...    # only these scenarios (see SCENARIOS below)
#
# Topology, built fresh for every run and torn down on exit (also on failure or Ctrl-C):
#
#   [tsk-cli] eth0 ---- c0 [tsk-rtr] s0 ---- eth0 [tsk-srv]
#   10.99.1.2      10.99.1.1     10.99.2.1      10.99.2.2
#   fd99::1:2      fd99::1:1     fd99::2:1      fd99::2:2      (all inside fd99::/64)
#
# The router namespace forwards between the two veth pairs; iptables rules in its FORWARD chain
# drop the one packet a scenario needs lost, so a capture on the client's eth0 still sees the
# packet leave and a capture on the server's eth0 never sees it arrive. Every iptables rule,
# veth and address lives inside these namespaces: the host's network is never touched.
# Offloads (TSO/GSO/GRO and checksum offload) are off so segments and checksums look like the wire.
#
# Captures are committed; CI never needs root. The expectations (samples/*.expect.json) are
# written by hand from reading the packets and are NOT regenerated here; this script checks that
# each fresh capture still has the shape its expectation describes and retries (bounded) if not.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${OUT:-$ROOT/samples}
PEER=$ROOT/scripts/samples/peer.py
DELAY=$ROOT/scripts/samples/delay.py
CROSSCHECK=$ROOT/scripts/samples/crosscheck.py
OFFLOAD=$ROOT/scripts/samples/offload.py

NS_C=tsk-cli NS_R=tsk-rtr NS_S=tsk-srv
C4=10.99.1.2 RC4=10.99.1.1 RS4=10.99.2.1 S4=10.99.2.2
C6=fd99::1:2 RC6=fd99::1:1 RS6=fd99::2:1 S6=fd99::2:2
MAC_C=02:99:01:00:00:02 MAC_RC=02:99:01:00:00:01 MAC_RS=02:99:02:00:00:01 MAC_S=02:99:02:00:00:02
SPORT=8080
MAX_ATTEMPTS=${MAX_ATTEMPTS:-5}

if [[ $(id -u) -ne 0 ]]; then
  echo "make-samples.sh: must run as root (network namespaces, iptables)" >&2
  exit 1
fi
for tool in ip iptables tcpdump tshark dumpcap python3 timeout; do
  command -v "$tool" >/dev/null || { echo "make-samples.sh: missing $tool" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/tcpshake-samples.XXXXXX)
chmod 755 "$WORK"
SYNC=$WORK/sync
PIDS=()
declare -A CAP_PID=()

log() { printf '[make-samples %s] %s\n' "$(date +%T)" "$*" >&2; }

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_children
  # The namespaces own every veth, address, qdisc and iptables rule this script made; flush the
  # rules explicitly anyway, then delete the namespaces (which removes the veths with them).
  local ns
  for ns in "$NS_C" "$NS_R" "$NS_S"; do
    if ip netns list | grep -qw "$ns"; then
      ip netns exec "$ns" iptables -F 2>/dev/null || true
      ip netns exec "$ns" ip6tables -F 2>/dev/null || true
      ip netns del "$ns" 2>/dev/null || true
    fi
  done
  if [[ $rc -ne 0 && -f $WORK/peers.log ]]; then
    echo "---- last peer log lines ----" >&2
    tail -n 30 "$WORK/peers.log" >&2 || true
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_for PATH [SECONDS]: bounded wait for a file to exist.
wait_for() {
  local path=$1 limit=${2:-20} i
  for ((i = 0; i < limit * 50; i++)); do
    [[ -e $path ]] && return 0
    sleep 0.02
  done
  log "timed out waiting for $path"
  return 1
}

# wait_log FILE TEXT: bounded wait until a log file contains TEXT.
wait_log() {
  local file=$1 text=$2 i
  for ((i = 0; i < 250; i++)); do
    grep -q "$text" "$file" 2>/dev/null && return 0
    sleep 0.02
  done
  log "timed out waiting for '$text' in $file"
  cat "$file" >&2 || true
  return 1
}

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

offloads_off() {
  local ns=$1 dev=$2
  if command -v ethtool >/dev/null; then
    in_ns "$ns" ethtool -K "$dev" tso off gso off gro off tx off rx off >/dev/null 2>&1 ||
      in_ns "$ns" ethtool -K "$dev" tso off gso off gro off >/dev/null 2>&1 || true
  fi
}

setup_net() {
  log "creating namespaces $NS_C, $NS_R, $NS_S"
  local ns
  for ns in "$NS_C" "$NS_R" "$NS_S"; do
    if ip netns list | grep -qw "$ns"; then ip netns del "$ns"; fi
    ip netns add "$ns"
    in_ns "$ns" ip link set lo up
    in_ns "$ns" sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
  done
  ip -n "$NS_C" link add name eth0 type veth peer name c0 netns "$NS_R"
  ip -n "$NS_S" link add name eth0 type veth peer name s0 netns "$NS_R"
  ip -n "$NS_C" link set eth0 address "$MAC_C"
  ip -n "$NS_R" link set c0 address "$MAC_RC"
  ip -n "$NS_R" link set s0 address "$MAC_RS"
  ip -n "$NS_S" link set eth0 address "$MAC_S"
  offloads_off "$NS_C" eth0
  offloads_off "$NS_R" c0
  offloads_off "$NS_R" s0
  offloads_off "$NS_S" eth0

  ip -n "$NS_C" addr add "$C4/24" dev eth0
  ip -n "$NS_C" addr add "$C6/112" dev eth0 nodad
  ip -n "$NS_R" addr add "$RC4/24" dev c0
  ip -n "$NS_R" addr add "$RC6/112" dev c0 nodad
  ip -n "$NS_R" addr add "$RS4/24" dev s0
  ip -n "$NS_R" addr add "$RS6/112" dev s0 nodad
  ip -n "$NS_S" addr add "$S4/24" dev eth0
  ip -n "$NS_S" addr add "$S6/112" dev eth0 nodad
  ip -n "$NS_C" link set eth0 up
  ip -n "$NS_R" link set c0 up
  ip -n "$NS_R" link set s0 up
  ip -n "$NS_S" link set eth0 up
  ip -n "$NS_C" route add default via "$RC4"
  ip -n "$NS_C" -6 route add default via "$RC6"
  ip -n "$NS_S" route add default via "$RS4"
  ip -n "$NS_S" -6 route add default via "$RS6"
  in_ns "$NS_R" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
  # Fixed neighbour entries: no ARP/ND delay in front of the first SYN, same timing every run.
  ip -n "$NS_C" neigh replace "$RC4" lladdr "$MAC_RC" dev eth0 nud permanent
  ip -n "$NS_C" neigh replace "$RC6" lladdr "$MAC_RC" dev eth0 nud permanent
  ip -n "$NS_R" neigh replace "$C4" lladdr "$MAC_C" dev c0 nud permanent
  ip -n "$NS_R" neigh replace "$C6" lladdr "$MAC_C" dev c0 nud permanent
  ip -n "$NS_R" neigh replace "$S4" lladdr "$MAC_S" dev s0 nud permanent
  ip -n "$NS_R" neigh replace "$S6" lladdr "$MAC_S" dev s0 nud permanent
  ip -n "$NS_S" neigh replace "$RS4" lladdr "$MAC_RS" dev eth0 nud permanent
  ip -n "$NS_S" neigh replace "$RS6" lladdr "$MAC_RS" dev eth0 nud permanent
  # Two SYN retries (SYN at 0 s, 1 s, 3 s; connect() gives up at about 7 s) keep the
  # unanswered-SYN sample short. Only the client namespace is changed.
  in_ns "$NS_C" sysctl -qw net.ipv4.tcp_syn_retries=2
  # Linux 6.5+ retransmits the first SYNs at a fixed 1 s (tcp_syn_linear_timeouts, default 4);
  # turn that off so the retries show the classic exponential backoff (RFC 6298: 1 s, 2 s).
  if in_ns "$NS_C" test -e /proc/sys/net/ipv4/tcp_syn_linear_timeouts; then
    in_ns "$NS_C" sysctl -qw net.ipv4.tcp_syn_linear_timeouts=0
  fi
}

reset_scenario() {
  rm -rf "$SYNC"
  mkdir -p "$SYNC"
  chmod 777 "$SYNC"
  in_ns "$NS_R" iptables -F FORWARD
  in_ns "$NS_R" ip6tables -F FORWARD
}

# cap_start ID NS IFACE FILE [tcpdump options...]: start tcpdump and wait until it listens.
cap_start() {
  local id=$1 ns=$2 iface=$3 file=$4
  shift 4
  rm -f "$file"
  timeout 90 ip netns exec "$ns" tcpdump -Z root -i "$iface" -nn --immediate-mode -U -c 500 \
    -w "$file" "$@" tcp >"$WORK/cap-$id.log" 2>&1 &
  CAP_PID[$id]=$!
  PIDS+=("$!")
  wait_log "$WORK/cap-$id.log" "listening on"
}

# dumpcap_start ID NS IFACE FILE: a pcapng capture (tcpdump 4.99 writes pcap only).
dumpcap_start() {
  local id=$1 ns=$2 iface=$3 file=$4
  rm -f "$file"
  timeout 90 ip netns exec "$ns" dumpcap -q -i "$iface" -f tcp -a duration:80 -c 500 -w "$file" \
    >"$WORK/cap-$id.log" 2>&1 &
  CAP_PID[$id]=$!
  PIDS+=("$!")
  # dumpcap -q prints nothing when ready; wait for the file header to be written.
  local i
  for ((i = 0; i < 250; i++)); do
    [[ -s $file ]] && { sleep 0.2; return 0; }
    sleep 0.02
  done
  log "dumpcap did not start"
  cat "$WORK/cap-$id.log" >&2
  return 1
}

cap_stop() {
  local id=$1
  local pid=${CAP_PID[$id]}
  kill -INT "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "CAP_PID[$id]"
}

# server NS IP PORT STEPS [peer.py options...]: start a server in the background, wait until it listens.
server() {
  local ns=$1 ip=$2 port=$3 steps=$4
  shift 4
  timeout 60 ip netns exec "$ns" python3 "$PEER" server --listen "$ip" --port "$port" \
    --sync "$SYNC" --steps "$steps" "$@" >>"$WORK/peers.log" 2>&1 &
  SRV_PID=$!
  PIDS+=("$!")
  wait_for "$SYNC/listening-$port" || return 1
}

# client BIND SPORT CONNECT PORT STEPS [peer.py options...]: run a client in the background.
client() {
  local bind=$1 sport=$2 dst=$3 port=$4 steps=$5
  shift 5
  timeout 60 ip netns exec "$NS_C" python3 "$PEER" client --bind "$bind" --sport "$sport" \
    --connect "$dst" --port "$port" --sync "$SYNC" --steps "$steps" "$@" >>"$WORK/peers.log" 2>&1 &
  CLI_PID=$!
  PIDS+=("$!")
}

# finish PID...: wait for peer processes; any failure fails the attempt.
finish() {
  local pid rc=0
  for pid in "$@"; do
    wait "$pid" || rc=$?
  done
  return "$rc"
}

# shape FILE CLIENT_PORT: one token per TCP segment, "<C|S>:<flags>[+]", flags from S R F P A
# ("+" when the segment carries payload), e.g. "C:S S:SA C:A C:PA+ S:A".
shape() {
  tshark -r "$1" -T fields -E separator=' ' -e tcp.srcport -e tcp.flags.syn -e tcp.flags.reset \
    -e tcp.flags.fin -e tcp.flags.push -e tcp.flags.ack -e tcp.len 2>/dev/null |
    awk -v c="$2" '
      function on(v) { return v == "1" || v == "True" }
      {
        t = ($1 == c) ? "C:" : "S:"
        f = ""
        if (on($2)) f = f "S"; if (on($3)) f = f "R"; if (on($4)) f = f "F"
        if (on($5)) f = f "P"; if (on($6)) f = f "A"; if ($7 + 0 > 0) f = f "+"
        printf "%s%s%s", (NR > 1 ? " " : ""), t, f
      }'
}

# count FILE FILTER: frames matching a Wireshark display filter (sequence analysis on).
count() {
  tshark -r "$1" -o tcp.analyze_sequence_numbers:TRUE -Y "$2" 2>/dev/null | wc -l
}

# check NAME FILE CLIENT_PORT REGEX: the capture's shape must match REGEX (anchored).
check() {
  local name=$1 file=$2 cport=$3 re=$4 s
  s=$(shape "$file" "$cport")
  if [[ $s =~ ^${re}$ ]]; then
    log "$name: ok: $s"
    return 0
  fi
  log "$name: unexpected shape: $s"
  log "$name: wanted: $re"
  return 1
}

# keep FILE...: cross-check fresh captures against their hand-written expectations (tshark's
# stream count and tcp.completeness), then move them from the work directory into samples/.
keep() {
  local f expect
  for f in "$@"; do
    expect=$ROOT/samples/${f%.*}.expect.json
    if [[ -f $expect ]] && ! python3 "$CROSSCHECK" "$WORK/$f" "$expect"; then
      log "$f: does not match $expect"
      return 1
    fi
  done
  for f in "$@"; do
    install -m 644 "$WORK/$f" "$OUT/$f"
  done
}

# exchange FILE CAPTURE_NS CLIENT_PORT SERVER_STEPS CLIENT_STEPS SHAPE [SERVER_IP CLIENT_IP]: the
# usual scenario. Capture FILE on CAPTURE_NS's eth0, run a server and a client (IPv4 unless the
# addresses say otherwise) to their end, stop the capture 0.3 s later, check the shape.
exchange() {
  local file=$1 ns=$2 cport=$3 srv_steps=$4 cli_steps=$5 re=$6 sip=${7:-$S4} cip=${8:-$C4}
  cap_start a "$ns" eth0 "$WORK/$file" || return 1
  server "$NS_S" "$sip" "$SPORT" "$srv_steps" || return 1
  client "$cip" "$cport" "$sip" "$SPORT" "$cli_steps"
  finish "$CLI_PID" "$SRV_PID" || return 1
  sleep 0.3
  cap_stop a
  check "${file%.*}" "$WORK/$file" "$cport" "$re"
}

# both_sides STEM CLIENT_PORT SETTLE CLIENT_SIDE_SHAPE SERVER_SIDE_SHAPE: one exchange (request,
# response, the client closes first) captured on both sides, STEM-client-side.pcap and
# STEM-server-side.pcap, while the router's FORWARD rules (set by the caller) drop a packet; the
# captures stop SETTLE seconds after the peers end (long enough for the retransmissions to show).
both_sides() {
  local stem=$1 cport=$2 settle=$3 cre=$4 sre=$5
  cap_start a "$NS_C" eth0 "$WORK/$stem-client-side.pcap" || return 1
  cap_start b "$NS_S" eth0 "$WORK/$stem-server-side.pcap" || return 1
  server "$NS_S" "$S4" "$SPORT" "recv:100 send:100 eof close" || return 1
  client "$C4" "$cport" "$S4" "$SPORT" "send:100 recv:100 close"
  finish "$CLI_PID" "$SRV_PID" || return 1
  sleep "$settle"
  cap_stop a; cap_stop b
  in_ns "$NS_R" iptables -F FORWARD
  check "$stem-client-side" "$WORK/$stem-client-side.pcap" "$cport" "$cre" || return 1
  check "$stem-server-side" "$WORK/$stem-server-side.pcap" "$cport" "$sre" || return 1
  keep "$stem-client-side.pcap" "$stem-server-side.pcap"
}

# reconnect FILE CAPTURE_NS CLIENT_PORT SERVER_STEPS CLIENT_STEPS PAUSE TIME_WAIT_NS ONE_SHAPE: two
# connections on the same 4-tuple. The client connects from CLIENT_PORT (SO_REUSEADDR), runs to
# its end, and PAUSE seconds later, with TIME_WAIT_NS still holding that port in TIME_WAIT,
# connects again from it; the capture must show ONE_SHAPE twice.
reconnect() {
  local file=$1 ns=$2 cport=$3 srv_steps=$4 cli_steps=$5 pause=$6 tw_ns=$7 one=$8
  cap_start a "$ns" eth0 "$WORK/$file" || return 1
  server "$NS_S" "$S4" "$SPORT" "$srv_steps" --accepts 2 || return 1
  client "$C4" "$cport" "$S4" "$SPORT" "$cli_steps" --reuseaddr
  finish "$CLI_PID" || return 1
  sleep "$pause"
  in_ns "$tw_ns" ss -tan state time-wait | grep -q ":$cport " || { log "no TIME_WAIT for $cport in $tw_ns"; return 1; }
  client "$C4" "$cport" "$S4" "$SPORT" "$cli_steps" --reuseaddr
  finish "$CLI_PID" "$SRV_PID" || return 1
  sleep 0.3
  cap_stop a
  check "${file%.*}" "$WORK/$file" "$cport" "$one $one" || return 1
  keep "$file"
}

# open_at_stop FILE CLIENT_PORT SERVER_STEPS CLIENT_STEPS MARK SHAPE: the capture (client side)
# stops 0.3 s after a peer marks MARK, while the connection is not yet closed; then the peers,
# waiting for `stopped`, go on unseen.
open_at_stop() {
  local file=$1 cport=$2 srv_steps=$3 cli_steps=$4 mark=$5 re=$6
  cap_start a "$NS_C" eth0 "$WORK/$file" || return 1
  server "$NS_S" "$S4" "$SPORT" "$srv_steps" || return 1
  client "$C4" "$cport" "$S4" "$SPORT" "$cli_steps"
  wait_for "$SYNC/$mark" || return 1
  sleep 0.3
  cap_stop a
  touch "$SYNC/stopped"
  finish "$CLI_PID" "$SRV_PID" || return 1
  check "${file%.*}" "$WORK/$file" "$cport" "$re" || return 1
  keep "$file"
}

HS='C:S S:SA C:A'          # three-way handshake
# A 100-byte request, its ACK alone (quick ACK at connection start), a 100-byte response, its ACK.
RR='C:PA\+ S:A S:PA\+ C:A'


# ---------------------------------------------------------------------------------------------
# Scenarios. Each writes its capture(s) into $WORK, checks the shape, and returns non-zero to be
# retried. Client ports are fixed (bind before connect) so the expectations name stable 4-tuples.

# Client sends a request, reads the response and closes; the server closes as soon as it reads
# EOF, so its FIN carries the ACK of the client's FIN. Captured four ways in the same run on the
# client's side: pcap (EN10MB, microseconds), pcap with nanoseconds, `-i any` (LINUX_SLL2), pcapng.
sc_close_by_client() {
  cap_start a "$NS_C" eth0 "$WORK/close-by-client.pcap" || return 1
  cap_start b "$NS_C" eth0 "$WORK/close-by-client-nano.pcap" --time-stamp-precision=nano || return 1
  cap_start c "$NS_C" any "$WORK/close-by-client-sll2.pcap" || return 1
  dumpcap_start d "$NS_C" eth0 "$WORK/close-by-client-pcapng.pcapng" || return 1
  server "$NS_S" "$S4" "$SPORT" "recv:100 send:100 eof close" || return 1
  client "$C4" 40001 "$S4" "$SPORT" "send:100 recv:100 close"
  finish "$CLI_PID" "$SRV_PID" || return 1
  sleep 0.3
  cap_stop a; cap_stop b; cap_stop c; cap_stop d
  local f
  for f in close-by-client.pcap close-by-client-nano.pcap close-by-client-sll2.pcap close-by-client-pcapng.pcapng; do
    check "$f" "$WORK/$f" 40001 "$HS $RR C:FA S:FA C:A" || return 1
  done
  [[ $(capinfos_type "$WORK/close-by-client-sll2.pcap") == *"cooked-mode capture v2"* ]] || { log "sll2: wrong link type"; return 1; }
  keep close-by-client.pcap close-by-client-nano.pcap close-by-client-sll2.pcap close-by-client-pcapng.pcapng
}

capinfos_type() {
  capinfos -E "$1" 2>/dev/null | sed -n 's/^File encapsulation: *//p'
}

# The server sends its response and closes first; the client closes on EOF (FIN+ACK merged).
# Captured on the server's side.
sc_close_by_server() {
  exchange close-by-server.pcap "$NS_S" 40002 "recv:100 send:100 close" "send:100 recv:100 eof close" \
    "$HS $RR S:FA C:FA S:A" || return 1
  keep close-by-server.pcap
}

# Handshake, no data, client closes; the server closes on EOF at once: its FIN carries the ACK.
sc_close_three_way() {
  exchange close-three-way.pcap "$NS_C" 40003 "eof close" "sleep:0.1 close" "$HS C:FA S:FA C:A" || return 1
  keep close-three-way.pcap
}

# As close-by-client, but the server sleeps 200 ms after reading EOF before close(): its delayed
# ACK (about 40 ms) goes out alone first, then its FIN.
sc_close_four_way() {
  exchange close-four-way.pcap "$NS_C" 40004 "recv:100 send:100 eof sleep:0.2 close" "send:100 recv:100 close" \
    "$HS $RR C:FA S:A S:FA C:A" || return 1
  keep close-four-way.pcap
}

# The client sends a request and shuts down its sending side; the server acknowledges the FIN
# (it waits 200 ms so the ACK goes alone), then still sends three 1000-byte replies, then closes.
sc_half_close() {
  exchange half-close.pcap "$NS_C" 40005 \
    "recv:100 eof sleep:0.2 send:1000 sleep:0.1 send:1000 sleep:0.1 send:1000 close" "send:100 shut eof close" \
    "$HS C:PA\\+ (S:A )?C:FA S:A S:PA\\+ C:A S:PA\\+ C:A S:PA\\+ C:A S:FA C:A" || return 1
  keep half-close.pcap
}

# The client sets SO_LINGER {on, 0} and closes after the exchange: RST instead of FIN.
sc_rst_linger() {
  exchange rst-linger0.pcap "$NS_C" 40006 "recv:100 send:100 reset" "send:100 recv:100 linger0 close" "$HS $RR C:RA" || return 1
  keep rst-linger0.pcap
}

# The server accepts, never reads the client's request and closes 200 ms later: Linux answers
# close() with unread data in the receive buffer by RST (RFC 9293 3.6.1 / RFC 2525 2.17).
sc_rst_unread() {
  exchange rst-unread-data.pcap "$NS_C" 40007 "sleep:0.2 close" "send:100 reset" "$HS C:PA\\+ S:A S:RA" || return 1
  keep rst-unread-data.pcap
}

# Nothing listens on port 8081: the server's kernel answers the SYN with RST+ACK.
sc_refused() {
  cap_start a "$NS_C" eth0 "$WORK/refused.pcap" || return 1
  client "$C4" 40008 "$S4" 8081 "" --expect-refused
  finish "$CLI_PID" || return 1
  sleep 0.3
  cap_stop a
  check refused "$WORK/refused.pcap" 40008 "C:S S:RA" || return 1
  keep refused.pcap
}

# The router drops every SYN to the server. With tcp_syn_retries=2 the client sends its SYN at
# 0 s, 1 s and 3 s and gives up at about 7 s; the capture stops at about 4.5 s, after the last
# retry and while the client still waits in SYN_SENT.
sc_unanswered() {
  in_ns "$NS_R" iptables -A FORWARD -d "$S4" -p tcp --dport "$SPORT" --syn -j DROP
  server "$NS_S" "$S4" "$SPORT" "" --accepts 0 || return 1
  cap_start a "$NS_C" eth0 "$WORK/syn-unanswered.pcap" || return 1
  client "$C4" 40009 "$S4" "$SPORT" "" --expect-timeout
  sleep 4.5
  cap_stop a
  finish "$CLI_PID" "$SRV_PID" || return 1
  check syn-unanswered "$WORK/syn-unanswered.pcap" 40009 "C:S C:S C:S" || return 1
  keep syn-unanswered.pcap
}

# The router drops the client's final ACK once: the first pure ACK from the client after the
# server's FIN (iptables `recent` remembers the server's FIN; `quota` lets the rule match one
# 52-byte ACK only). The server retransmits its FIN; the client, in TIME_WAIT, ACKs it again.
# Two captures of the same run: client side (sees the lost ACK leave) and server side (never sees it).
sc_final_ack_lost() {
  in_ns "$NS_R" iptables -A FORWARD -s "$S4" -d "$C4" -p tcp --sport "$SPORT" --dport 40010 \
    --tcp-flags FIN FIN -m recent --name tskfin --set
  in_ns "$NS_R" iptables -A FORWARD -s "$C4" -d "$S4" -p tcp --sport 40010 --dport "$SPORT" \
    --tcp-flags ALL ACK -m recent --name tskfin --rdest --rcheck -m quota --quota 80 -j DROP
  both_sides final-ack-lost 40010 1.5 "$HS $RR C:FA S:FA C:A S:FA C:A" "$HS $RR C:FA S:FA S:FA C:A"
}

# The router drops the server's first SYN-ACK (`quota` passes a second 60-byte SYN-ACK). About
# 1 s later both timers fire: the server's SYN-ACK timer retransmits it (this one gets through)
# and, crossing it, the client retransmits its SYN, which the server answers with a third SYN-ACK;
# the client ACKs both SYN-ACKs. Captured on both sides in one run.
sc_synack_lost() {
  in_ns "$NS_R" iptables -A FORWARD -s "$S4" -d "$C4" -p tcp --sport "$SPORT" --dport 40011 \
    --tcp-flags SYN,ACK SYN,ACK -m quota --quota 100 -j DROP
  both_sides synack-lost 40011 0.3 \
    "C:S C:S S:SA C:A S:SA C:A $RR C:FA S:FA C:A" \
    "C:S S:SA S:SA C:S S:SA C:A C:A $RR C:FA S:FA C:A"
}

# Both applications call shutdown(SHUT_WR) at the same scheduled instant while every frame takes
# 50 ms through the router (a userspace delay line: this kernel has no netem), so the two FINs
# cross in flight: each side sends its FIN before it has seen the other's.
sc_simultaneous_close() {
  in_ns "$NS_R" iptables -A FORWARD -j DROP
  in_ns "$NS_R" ip6tables -A FORWARD -j DROP
  timeout 30 ip netns exec "$NS_R" python3 "$DELAY" --delay 0.05 --duration 8 --ready "$SYNC/delay-ready" \
    --port "c0,$MAC_RC,$MAC_C,10.99.1.0/24" --port "s0,$MAC_RS,$MAC_S,10.99.2.0/24" \
    >>"$WORK/peers.log" 2>&1 &
  local delay_pid=$!
  PIDS+=("$delay_pid")
  wait_for "$SYNC/delay-ready" || return 1
  cap_start a "$NS_C" eth0 "$WORK/simultaneous-close.pcap" || return 1
  server "$NS_S" "$S4" "$SPORT" "recv:100 send:100 mark:ready atfile:closeat shut eof close" || return 1
  client "$C4" 40012 "$S4" "$SPORT" "send:100 recv:100 atfile:closeat shut eof close"
  wait_for "$SYNC/ready" || return 1
  sleep 0.3 # let the last data ACK arrive (50 ms each way)
  python3 -c 'import time; print(f"{time.time() + 0.3:.6f}")' >"$SYNC/closeat.tmp"
  mv "$SYNC/closeat.tmp" "$SYNC/closeat"
  finish "$CLI_PID" "$SRV_PID" || return 1
  sleep 0.5
  cap_stop a
  kill -TERM "$delay_pid" 2>/dev/null || true
  wait "$delay_pid" 2>/dev/null || true
  in_ns "$NS_R" iptables -F FORWARD
  in_ns "$NS_R" ip6tables -F FORWARD
  check simultaneous-close "$WORK/simultaneous-close.pcap" 40012 \
    "$HS $RR C:FA S:FA C:A S:A" || return 1
  # The server's FIN must not acknowledge the client's FIN (else it is a merged close).
  local fin_ack cfin_seq
  cfin_seq=$(tshark -r "$WORK/simultaneous-close.pcap" -Y "tcp.flags.fin==1 && tcp.srcport==40012" \
    -T fields -e tcp.seq_raw 2>/dev/null | head -1)
  fin_ack=$(tshark -r "$WORK/simultaneous-close.pcap" -Y "tcp.flags.fin==1 && tcp.srcport==$SPORT" \
    -T fields -e tcp.ack_raw 2>/dev/null | head -1)
  if [[ $fin_ack != "$cfin_seq" ]]; then
    log "simultaneous-close: server FIN acks $fin_ack, client FIN seq $cfin_seq: not crossed"
    return 1
  fi
  keep simultaneous-close.pcap
}

# The server closes first (it holds TIME_WAIT); the client closes on EOF, then reconnects from the
# same port 40013 at once. The SYN reaches the server's TIME_WAIT socket, whose ISN/timestamp
# checks accept it (RFC 6191), and a second connection on the same 4-tuple runs. Server side.
sc_time_wait_reuse() {
  reconnect time-wait-reuse.pcap "$NS_S" 40013 "recv:100 send:100 close" "send:100 recv:100 eof close" 0.2 "$NS_S" \
    "$HS $RR S:FA C:FA S:A"
}

# The client closes first and holds TIME_WAIT; 1.5 s later it connects again from the same port
# 40019. With SO_REUSEADDR and net.ipv4.tcp_tw_reuse=1 (client namespace only) Linux takes over
# its own TIME_WAIT socket once it is more than 1 s old (the timestamps protect the new
# connection, RFC 7323 5.8) and starts the new ISN above the old SND.NXT. Client side.
sc_time_wait_reuse_client() {
  in_ns "$NS_C" sysctl -qw net.ipv4.tcp_tw_reuse=1
  reconnect time-wait-reuse-client.pcap "$NS_C" 40019 "recv:100 send:100 eof close" "send:100 recv:100 close" 1.5 "$NS_C" \
    "$HS $RR C:FA S:FA C:A"
}

# Keep-alive: after one exchange the client stays idle 3.5 s with TCP_KEEPIDLE=1 and
# TCP_KEEPINTVL=1: three probes (one byte below snd.nxt, no data), each ACKed by the server.
sc_keepalive() {
  exchange keepalive.pcap "$NS_C" 40014 "recv:100 send:100 eof close" "keepalive:1,1,5 send:100 recv:100 sleep:3.5 close" \
    "$HS $RR C:A S:A C:A S:A C:A S:A C:FA S:FA C:A" || return 1
  [[ $(count "$WORK/keepalive.pcap" tcp.analysis.keep_alive) -eq 3 ]] || { log "keepalive: not 3 probes"; return 1; }
  keep keepalive.pcap
}

# A normal IPv6 connection over fd99::: request, response, client closes, server closes on EOF.
sc_ipv6() {
  exchange ipv6-close.pcap "$NS_C" 40015 "recv:100 send:100 eof close" "send:100 recv:100 close" \
    "$HS $RR C:FA S:FA C:A" "$S6" "$C6" || return 1
  keep ipv6-close.pcap
}

# The capture stops while the connection is open (after one exchange); it closes afterwards, unseen.
sc_open_at_end() {
  open_at_stop open-at-end.pcap 40016 "recv:100 send:100 eof close" "send:100 recv:100 mark:exchanged wait:stopped close" \
    exchanged "$HS $RR"
}

# The client shuts down its sending side; the server reads EOF and never closes. The capture stops
# with the client in FIN_WAIT_2 and the server in CLOSE_WAIT.
# (The 0.3 s after server-eof lets the server's delayed ACK of the FIN, about 40 ms, be captured.)
sc_close_wait_at_end() {
  open_at_stop fin-wait-2-close-wait.pcap 40017 "recv:100 send:100 eof mark:server-eof wait:stopped" \
    "send:100 recv:100 shut wait:stopped close" server-eof "$HS $RR C:FA S:A"
}

# The capture starts after the handshake: the client connects, then the script starts tcpdump,
# then the client sends its request; the rest is as close-by-client.
sc_midstream() {
  server "$NS_S" "$S4" "$SPORT" "recv:100 send:100 eof close" || return 1
  client "$C4" 40018 "$S4" "$SPORT" "wait:capturing send:100 recv:100 close"
  wait_for "$SYNC/connected-40018" || return 1
  sleep 0.2
  cap_start a "$NS_C" eth0 "$WORK/midstream-start.pcap" || return 1
  touch "$SYNC/capturing"
  finish "$CLI_PID" "$SRV_PID" || return 1
  sleep 0.3
  cap_stop a
  check midstream-start "$WORK/midstream-start.pcap" 40018 "$RR C:FA S:FA C:A" || return 1
  keep midstream-start.pcap
}

# ---- transfer facts: a lossy bulk transfer and a zero-window stall --------------------------------

# one_segment_per_frame: bulk data leaves as one MSS-sized frame per segment with its checksum
# filled in, as on a wire. Without ethtool, offloads_off() cannot turn TSO/GSO or checksum offload
# off, and veth would hand tcpdump 7–21 KB "segments" with unfinished checksums: scripts/samples/
# offload.py makes the same ioctl, and a GSO limit of one segment per packet makes sure of the rest
# (these namespaces only).
one_segment_per_frame() {
  in_ns "$NS_C" python3 "$OFFLOAD" eth0
  in_ns "$NS_S" python3 "$OFFLOAD" eth0
  in_ns "$NS_R" python3 "$OFFLOAD" c0
  in_ns "$NS_R" python3 "$OFFLOAD" s0
  ip -n "$NS_C" link set dev eth0 gso_max_segs 1
  ip -n "$NS_S" link set dev eth0 gso_max_segs 1
  ip -n "$NS_R" link set dev c0 gso_max_segs 1
  ip -n "$NS_R" link set dev s0 gso_max_segs 1
}

# Snap length for bulk captures: whole 1514-byte frames. tcpdump's ring has room for its 2 MB buffer
# divided by the snap length (262144 by default: 8 frames), and a burst of 40 data segments in a
# millisecond overflows that ("packets dropped by kernel"), leaving holes no peer ever saw.
BULK_SNAPLEN=1600
BULK_BUFFER_KB=32768

# capture_complete ID: tcpdump's count of packets the kernel dropped before it could read them.
capture_complete() {
  local id=$1
  grep -q '^0 packets dropped by kernel' "$WORK/cap-$id.log" || { log "capture $id dropped packets"; cat "$WORK/cap-$id.log" >&2; return 1; }
}

# The client sends 64 KiB to the server; the router drops the client's 10th full-sized data segment
# once (`statistic` picks it, `quota` lets the rule match one 1500-byte frame only). Captured on both
# sides in one run: the client side sees the segment leave and be retransmitted, with the server's
# duplicate ACKs (SACK) in between; the server side never sees the first copy, so the retransmission
# arrives there as the segment that fills the gap (out of order).
sc_lossy_transfer() {
  one_segment_per_frame
  in_ns "$NS_R" iptables -A FORWARD -s "$C4" -d "$S4" -p tcp --sport 40020 --dport "$SPORT" \
    -m length --length 1400:1500 -m statistic --mode nth --every 10 --packet 9 -m quota --quota 1600 -j DROP
  cap_start a "$NS_C" eth0 "$WORK/lossy-transfer-client-side.pcap" -s "$BULK_SNAPLEN" -B "$BULK_BUFFER_KB" || return 1
  cap_start b "$NS_S" eth0 "$WORK/lossy-transfer-server-side.pcap" -s "$BULK_SNAPLEN" -B "$BULK_BUFFER_KB" || return 1
  server "$NS_S" "$S4" "$SPORT" "recv:65536 send:100 eof close" || return 1
  client "$C4" 40020 "$S4" "$SPORT" "send:65536 recv:100 close"
  finish "$CLI_PID" "$SRV_PID" || return 1
  sleep 0.3
  cap_stop a; cap_stop b
  in_ns "$NS_R" iptables -F FORWARD
  capture_complete a && capture_complete b || return 1
  # One retransmission seen leaving the client, none arriving twice at the server.
  [[ $(count "$WORK/lossy-transfer-client-side.pcap" "tcp.analysis.retransmission || tcp.analysis.fast_retransmission") -ge 1 ]] ||
    { log "lossy-transfer: no retransmission on the client side"; return 1; }
  [[ $(count "$WORK/lossy-transfer-client-side.pcap" "tcp.analysis.duplicate_ack") -ge 1 ]] ||
    { log "lossy-transfer: no duplicate ACK"; return 1; }
  keep lossy-transfer-client-side.pcap lossy-transfer-server-side.pcap
}

# The server accepts with an 8 KiB receive buffer (SO_RCVBUF on the listening socket) and reads
# nothing for 2 s while the client sends 64 KiB: the server's window shuts (zero window), the client
# probes it (Linux: seq = SND.UNA − 1, no data, with backoff), then the server reads everything and
# its window opens again (window update). Client side.
sc_zero_window() {
  one_segment_per_frame
  cap_start a "$NS_C" eth0 "$WORK/zero-window.pcap" -s "$BULK_SNAPLEN" -B "$BULK_BUFFER_KB" || return 1
  server "$NS_S" "$S4" "$SPORT" "sleep:2 recv:65536 send:100 eof close" --rcvbuf 8192 || return 1
  client "$C4" 40021 "$S4" "$SPORT" "send:65536 recv:100 close"
  finish "$CLI_PID" "$SRV_PID" || return 1
  sleep 0.3
  cap_stop a
  capture_complete a || return 1
  [[ $(count "$WORK/zero-window.pcap" "tcp.analysis.zero_window") -ge 1 ]] || { log "zero-window: no zero window"; return 1; }
  keep zero-window.pcap
}
# ---- end of transfer facts -----------------------------------------------------------------------

SCENARIOS=(close-by-client close-by-server close-three-way close-four-way half-close rst-linger0
  rst-unread-data refused syn-unanswered final-ack-lost synack-lost simultaneous-close
  time-wait-reuse time-wait-reuse-client keepalive ipv6-close open-at-end fin-wait-2-close-wait midstream-start
  lossy-transfer zero-window)

# stop_children: end every process this script started (by pid) and forget them.
stop_children() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  PIDS=()
  CAP_PID=()
}

run_scenario() {
  local name=$1 fn attempt
  fn=sc_${name//-/_}
  case $name in
    rst-unread-data) fn=sc_rst_unread ;;
    syn-unanswered) fn=sc_unanswered ;;
    ipv6-close) fn=sc_ipv6 ;;
    fin-wait-2-close-wait) fn=sc_close_wait_at_end ;;
    midstream-start) fn=sc_midstream ;;
    rst-linger0) fn=sc_rst_linger ;;
  esac
  declare -F "$fn" >/dev/null || { log "unknown scenario $name (known: ${SCENARIOS[*]})"; return 2; }
  for ((attempt = 1; attempt <= MAX_ATTEMPTS; attempt++)); do
    log "== $name (attempt $attempt)"
    # A fresh network per attempt: no TIME_WAIT or conntrack state carries over.
    setup_net
    reset_scenario
    if "$fn"; then
      stop_children
      return 0
    fi
    log "$name: attempt $attempt failed"
    stop_children
  done
  log "$name: giving up after $MAX_ATTEMPTS attempts"
  return 1
}

main() {
  local names=("$@")
  [[ ${#names[@]} -gt 0 ]] || names=("${SCENARIOS[@]}")
  mkdir -p "$OUT"
  local name failed=()
  for name in "${names[@]}"; do
    if ! run_scenario "$name"; then failed+=("$name"); fi
  done
  if [[ ${#failed[@]} -gt 0 ]]; then
    log "FAILED: ${failed[*]}"
    return 1
  fi
  log "all done: ${names[*]}"
}

main "$@"
