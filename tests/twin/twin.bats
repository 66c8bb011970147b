#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# twin.bats - the real static dnsdrop on the appliance twin (appliance.bash):
# read-only root, busybox, dnsmasq on 127.0.0.1:53, default paths (no --root,
# no -c). The commands an administrator runs, an upgrade, then every init
# script variant and every interruption of DESIGN.md 7: each run must end
# old-or-new, verified, with the exit code that says which (0 new, 4 old),
# an audit line and a syslog line, no pending mark, and DNS served.

bats_require_minimum_version 1.5.0

STATE=/tandberg/persistent/dnsdrop # in the box; $HS on the host

setup_file() {
	# shellcheck source=appliance.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/appliance.bash"
	twin_require
	export TWIN_IMAGE=$BATS_FILE_TMPDIR/image
	twin_image "$TWIN_IMAGE"
}

setup() {
	# shellcheck source=appliance.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/appliance.bash"
	T=$BATS_TEST_TMPDIR
	twin_boot
	HS=$TWIN_TB/persistent/dnsdrop
}

teardown() {
	twin_destroy
}

# The INI of state v1, v2 (a change: one address moved, one host added, the
# SRV target moved), v3 (removal only: v1 without expc2) or v4 (host only:
# v1 with expc1 moved). hosts_mode = $HOSTS_MODE when that is set.
ini() {
	local f=$HS/dnsdrop.ini
	{
		[ -n "${HOSTS_MODE:-}" ] && printf '[dnsdrop]\nhosts_mode = %s\n' "$HOSTS_MODE"
		echo '[hosts]'
		case $1 in
		v1 | v3) echo 'expc1.twin.test = 10.0.10.11' ;;
		v2 | v4) echo 'expc1.twin.test = 10.0.10.21' ;;
		esac
		[ "$1" = v3 ] || echo 'expc2.twin.test = 10.0.10.12'
		[ "$1" = v2 ] && echo 'expc3.twin.test = 10.0.10.13'
		echo '[srv]'
		case $1 in
		v2) echo '_cisco-uds._tcp.twin.test = expc3.twin.test:8443 10 10' ;;
		*) echo '_cisco-uds._tcp.twin.test = expc1.twin.test:8443 10 10' ;;
		esac
	} >"$f.tmp"
	chmod 0600 "$f.tmp" && mv -f "$f.tmp" "$f"
}

# What a state's records answer, as one line; "none" is the empty conf-dir.
want() {
	case $1 in
	v1) echo "expc1=10.0.10.11 expc2=10.0.10.12 expc3= srv=10 10 8443 expc1.twin.test." ;;
	v2) echo "expc1=10.0.10.21 expc2=10.0.10.12 expc3=10.0.10.13 srv=10 10 8443 expc3.twin.test." ;;
	v3) echo "expc1=10.0.10.11 expc2= expc3= srv=10 10 8443 expc1.twin.test." ;;
	v4) echo "expc1=10.0.10.21 expc2=10.0.10.12 expc3= srv=10 10 8443 expc1.twin.test." ;;
	none) echo "expc1= expc2= expc3= srv=" ;;
	esac
}

# What dnsmasq in the box answers now, in want's format (a timeout shows).
served() {
	local n out=
	for n in expc1 expc2 expc3; do
		out+="$n=$(twin_dig "$n.twin.test" A | tr '\n' ' ' | sed 's/ $//') "
	done
	echo "${out}srv=$(twin_dig _cisco-uds._tcp.twin.test SRV | tr '\n' ' ' | sed 's/ $//')"
}

expect_served() {
	local got
	got=$(served)
	if [ "$got" != "$(want "$1")" ]; then
		echo "DNS in the box ${2:-}: expected $1"
		echo "  want: $(want "$1")"
		echo "  got:  $got"
		return 1
	fi
}

restarts() {
	grep -c ' begin restart$' "$TWIN_TB/var/run/init.log"
}

audit_lines() {
	if [ -e "$HS/dnsdrop.log" ]; then wc -l <"$HS/dnsdrop.log"; else echo 0; fi
}

# Apply v1 with the well-behaved script, check it is served, keep its
# drop-ins in $T/v1 and the counters the outcome checks compare with.
at_v1() {
	twin_variant good
	ini v1
	twin_dnsdrop apply >"$T/v1.out" 2>&1 || {
		echo "setting up: apply of v1 failed:"
		cat "$T/v1.out"
		return 1
	}
	expect_served v1 "after the apply of v1"
	remember
}

# Keep the installed drop-ins in $T/old and the counters outcome compares with.
remember() {
	rm -rf "$T/old" && mkdir "$T/old"
	cp "$TWIN_TB/etc/dnsmasq.d/hosts.conf" "$TWIN_TB/etc/dnsmasq.d/srv.conf" "$T/old/"
	AUDIT0=$(audit_lines)
	PID0=$(twin_dnsmasq_pid)
	SYSLOG0=$(wc -l <"$TWIN_TB/var/log/messages")
}

show_run() {
	echo "--- dnsdrop stdout:"
	cat "$T/out" 2>/dev/null
	echo "--- dnsdrop stderr:"
	cat "$T/err" 2>/dev/null
	echo "--- init.log:"
	tail -n 20 "$TWIN_TB/var/run/init.log"
}

# The run's exit code RC is WANT, or say what the run printed.
expect_rc() {
	[ "$1" -eq "$2" ] && return 0
	echo "exit $1, expected $2"
	show_run
	return 1
}

# outcome RC OLD NEW ACTION [--any-pidfile]: the run that exited RC ended
# old-or-new, verified, and says which; everything around it is in order.
outcome() {
	local rc=$1 old=$2 new=$3 action=$4 now last
	if [ "$rc" -ge 128 ]; then
		echo "dnsdrop died of signal $((rc - 128)) (exit $rc): never a documented outcome"
		show_run
		return 1
	fi
	case $rc in
	0) now=$new ;;
	4) now=$old ;;
	*)
		echo "exit $rc: a run that changed something ends 0 (new) or 4 (old restored)"
		show_run
		return 1
		;;
	esac
	# the moment dnsdrop returns, what it reported is what is served
	expect_served "$now" "when dnsdrop returned $rc" || { show_run; return 1; }
	twin_settle
	expect_served "$now" "once every init script run is over" || { show_run; return 1; }
	if [ -e "$HS/pending" ]; then
		echo "the pending mark is left behind after exit $rc"
		return 1
	fi
	if [ "$rc" -eq 0 ]; then
		twin_dnsdrop diff >/dev/null || { echo "exit 0 but the drop-ins differ from the INI"; return 1; }
		[ "$(twin_dnsmasq_pid)" != "$PID0" ] || { echo "exit 0 but dnsmasq was never restarted"; return 1; }
	else
		if ! cmp "$T/old/hosts.conf" "$TWIN_TB/etc/dnsmasq.d/hosts.conf" ||
			! cmp "$T/old/srv.conf" "$TWIN_TB/etc/dnsmasq.d/srv.conf"; then
			echo "exit 4 but the drop-ins are not the old ones"
			return 1
		fi
	fi
	# One line for the change; a lost stdout adds one "action=output" line
	# after it (the change's exit code stands: README, exit codes).
	local extra=0
	tail -n 1 "$HS/dnsdrop.log" | grep -q ' action=output ' && extra=1
	if [ "$(audit_lines)" -ne $((AUDIT0 + 1 + extra)) ]; then
		echo "expected one new audit line in $STATE/dnsdrop.log, got $(($(audit_lines) - AUDIT0))"
		return 1
	fi
	last=$(tail -n $((1 + extra)) "$HS/dnsdrop.log" | head -n 1)
	[[ $last == *"action=$action exit=$rc "* ]] || { echo "audit line: $last"; return 1; }
	tail -n +$((SYSLOG0 + 1)) "$TWIN_TB/var/log/messages" | grep -q "dnsdrop\[[0-9]*\]: .*action=$action exit=$rc " ||
		{ echo "no syslog line for action=$action exit=$rc"; tail -n 5 "$TWIN_TB/var/log/messages"; return 1; }
	if [ "${5:-}" != --any-pidfile ]; then
		twin_exec /etc/init.d/dnsmasq status >/dev/null ||
			{ echo "the init script no longer knows the running dnsmasq"; return 1; }
		[ "$(twin_exec /bin/pidof dnsmasq | wc -w)" -eq 1 ] ||
			{ echo "more than one dnsmasq: $(twin_exec /bin/ps)"; return 1; }
	fi
}

# Apply the INI (output in $T/out and $T/err); print the exit code.
run_apply() {
	local rc=0
	twin_dnsdrop apply >"$T/out" 2>"$T/err" || rc=$?
	echo "$rc"
}

@test "twin: a real appliance (read-only root, busybox /bin/sh, dnsmasq on 127.0.0.1:53 of its own loopback)" {
	run -1 twin_exec /bin/touch /etc/dnsdrop-probe
	[[ $output == *"Read-only file system"* ]]
	run -1 twin_exec /bin/touch /usr/sbin/dnsdrop-probe
	twin_exec /bin/touch /tandberg/probe
	[ "$(twin_exec /bin/readlink /bin/sh)" = /bin/busybox ]
	# the box's 127.0.0.1:53 is its own: dnsmasq there, in the box's pid namespace
	twin_exec /bin/grep -q '^dnsmasq$' "/proc/$(twin_dnsmasq_pid)/comm"
	run -0 nsenter --net="/proc/$TWIN_PID1/ns/net" dig @127.0.0.1 -p 53 +time=2 +tries=3 -q nothing.twin.test
	[[ $output == *"->>HEADER<<- opcode: QUERY, status: "* ]] # an answer, from dnsmasq
	# the binary is the static build, with nothing under it
	cmp "$DNSDROP_BIN" "$HS/dnsdrop"
}

@test "twin: check, diff, apply, status, reapply with the default paths" {
	ini v1
	run -0 twin_dnsdrop check
	run -1 twin_dnsdrop diff
	[[ $output == *"+host-record=expc1.twin.test,10.0.10.11"* ]]
	run -0 twin_dnsdrop apply
	[[ $output == *"verified"* ]]
	expect_served v1
	[ "$(restarts)" -eq 1 ]
	run -0 twin_dnsdrop status
	[[ $output == *"conf-dir=/tandberg/etc/dnsmasq.d,*.conf at line"*"/etc/dnsmasq.conf"* ]]
	[[ $output == *"hosts.conf   in sync"* ]]
	[[ $output == *"answering on 127.0.0.1:53"* ]]
	# nothing differs: reapply is silent and restart-free
	run -0 twin_dnsdrop reapply
	[ -z "$output" ]
	[ "$(restarts)" -eq 1 ]
	run -0 twin_dnsdrop diff
	[ "$(tail -n 1 "$HS/dnsdrop.log" | grep -c 'user=twinadmin action=apply exit=0')" -eq 1 ]
}

@test "twin: apply v2 then rollback brings v1 back, served" {
	at_v1
	ini v2
	run -0 twin_dnsdrop apply
	expect_served v2
	remember
	run -0 twin_dnsdrop backups
	[ "$(echo "$output" | grep -c '^20')" -ge 2 ]
	local rc=0
	twin_dnsdrop rollback >"$T/out" 2>"$T/err" || rc=$?
	outcome "$rc" v2 v1 rollback
	expect_rc "$rc" 0
}

@test "twin: reapply while dnsmasq is down (files in sync) restarts it and verifies, exit 0" {
	at_v1
	twin_exec /etc/init.d/dnsmasq stop >/dev/null
	local rc=0
	twin_dnsdrop reapply >"$T/out" 2>"$T/err" || rc=$?
	# reapply converges the appliance to the INI (DESIGN.md 7, issue 8 item 5)
	outcome "$rc" v1 v1 reapply
	expect_rc "$rc" 0
}

@test "twin: an upgrade empties the conf-dir; status says so; reapply restores and serves" {
	at_v1
	# the upgrade: dnsmasq stopped, a new conf-dir, the box started again
	twin_exec /etc/init.d/dnsmasq stop >/dev/null
	rm -f "$TWIN_TB"/etc/dnsmasq.d/*
	twin_exec /etc/init.d/dnsmasq start >/dev/null
	expect_served none "after the upgrade"
	run twin_dnsdrop status
	# the drop-ins' own lines say what to do
	echo "$output" | grep -qE "^hosts.conf .*dnsdrop reapply"
	echo "$output" | grep -qE "^srv.conf .*dnsdrop reapply"
	local before
	before=$(restarts)
	run -0 twin_dnsdrop reapply
	expect_served v1 "after reapply"
	[ "$(restarts)" -eq $((before + 1)) ]
	run -0 twin_dnsdrop reapply
	[ -z "$output" ]
	[ "$(restarts)" -eq $((before + 1)) ]
}

# --- hosts_mode = hot (dnsmasq rereads hostsdir by inotify) -----------------

# Ask the box's dnsmasq for expc1 over and over (one try each, no retry that
# could hide a lost answer) until $T/stop appears; one answer a line in
# $T/answers ("" for none).
query_loop() {
	while [ ! -e "$T/stop" ]; do
		nsenter --net="/proc/$TWIN_PID1/ns/net" \
			dig @127.0.0.1 -p 53 +short +time=2 +tries=1 -q expc1.twin.test -t A |
			tr '\n' ' ' | sed 's/ $//' >>"$T/answers"
		echo >>"$T/answers"
	done
}

# Wait until $T/answers has more than $1 lines.
wait_answers() {
	local n
	for ((n = 0; n < TWIN_LIMIT * 20; n++)); do
		[ "$(wc -l <"$T/answers")" -gt "$1" ] && return 0
		sleep 0.05
	done
	echo "the query loop gave no answer"
	return 1
}

@test "twin: hot mode: the switch is one restart; a host-only change keeps dnsmasq (no restart, no failed query); an SRV change restarts" {
	at_v1
	local r0 pid loop fails
	r0=$(restarts)
	HOSTS_MODE=hot ini v1
	run -0 twin_dnsdrop apply
	echo "$output"
	[[ $output == *"verified"* ]]
	[ "$(restarts)" -eq $((r0 + 1)) ]
	expect_served v1 "after the switch to hot mode"
	twin_exec /bin/grep -qx 'hostsdir=/tandberg/persistent/dnsdrop-hosts' /tandberg/etc/dnsmasq.d/hosts.conf
	pid=$(twin_dnsmasq_pid)

	: >"$T/answers"
	query_loop &
	loop=$!
	wait_answers 0
	HOSTS_MODE=hot ini v4
	run twin_dnsdrop apply
	local rc=$status lines
	lines=$(wc -l <"$T/answers")
	wait_answers "$lines" # one query more after the apply returned
	: >"$T/stop"
	wait "$loop"
	echo "$output"
	[ "$rc" -eq 0 ]
	[[ $output == *"no restart"* ]]
	[ "$(twin_dnsmasq_pid)" = "$pid" ]
	[ "$(restarts)" -eq $((r0 + 1)) ]
	expect_served v4 "after the host-only change"
	fails=$(grep -cvxE '10\.0\.10\.(11|21)' "$T/answers" || true)
	echo "# $(wc -l <"$T/answers") queries during the hot apply, $fails failed" >&3
	[ "$fails" -eq 0 ]
	# the answers went from old to new once, never back
	[ "$(uniq "$T/answers" | tr '\n' ' ')" = "10.0.10.11 10.0.10.21 " ]

	HOSTS_MODE=hot ini v2
	run -0 twin_dnsdrop apply
	[ "$(restarts)" -eq $((r0 + 2)) ]
	[ "$(twin_dnsmasq_pid)" != "$pid" ]
	expect_served v2 "after the SRV change in hot mode"
}

# --- init script variants (DESIGN.md 7 steps 7-9) ---------------------------

# variant_case VARIANT TO WANT_RC: at v1, apply state TO with VARIANT.
variant_case() {
	at_v1
	twin_variant "$1"
	ini "$2"
	local rc
	rc=$(run_apply)
	echo "variant $1, v1 -> $2: exit $rc"
	outcome "$rc" v1 "$2" apply || return 1
	expect_rc "$rc" "$3"
}

@test "twin variant good: a change is applied, verified, exit 0" {
	variant_case good v2 0
}

@test "twin variant slow (2 s restart): a change is applied, verified, exit 0" {
	variant_case slow v2 0
}

@test "twin variant early (returns before the old dnsmasq exits): a change, exit 0 from the new dnsmasq" {
	variant_case early v2 0
}

@test "twin variant early: a removal-only change is verified on the new dnsmasq, exit 0" {
	variant_case early v3 0
}

@test "twin variant async (restarts a second after returning): a change, exit 0 from the new dnsmasq" {
	variant_case async v2 0
}

@test "twin variant async: a removal-only change is verified on the new dnsmasq, exit 0" {
	variant_case async v3 0
}

@test "twin variant failstart (new dnsmasq fails after the script returned): old restored, exit 4" {
	variant_case failstart v2 4
}

@test "twin variant failstart: a removal-only change whose dnsmasq never starts is restored, exit 4" {
	variant_case failstart v3 4
}

@test "twin: pid file lost (the script cannot stop the old dnsmasq, the new one cannot bind): old served, exit 4" {
	at_v1
	rm -f "$TWIN_TB/var/run/dnsmasq.pid"
	ini v2
	local rc
	rc=$(run_apply)
	outcome "$rc" v1 v2 apply --any-pidfile
	expect_rc "$rc" 4
}

@test "twin variant async: rollback is the same protocol (verified on the new dnsmasq), exit 0" {
	at_v1
	ini v2
	twin_dnsdrop apply >"$T/v2.out" 2>&1
	expect_served v2
	remember
	twin_variant async
	local rc=0
	twin_dnsdrop rollback >"$T/out" 2>"$T/err" || rc=$?
	outcome "$rc" v2 v1 rollback
	expect_rc "$rc" 0
}

# --- interruptions (DESIGN.md 7, after step 9) ------------------------------

# The pid (in the host's view) of the one dnsdrop running in the box.
dnsdrop_pid() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$TWIN_PIDNS" ] || continue
		[ "$(cat "$p/comm" 2>/dev/null)" = dnsdrop ] && { echo "${p#/proc/}"; return 0; }
	done
	return 1
}

# Wait until init.log, after line $1, has a line ending in $2: a phase of
# the restart dnsdrop runs.
wait_phase() {
	local n
	for ((n = 0; n < TWIN_LIMIT * 20; n++)); do
		tail -n +$(($1 + 1)) "$TWIN_TB/var/run/init.log" | grep -q " $2\$" && return 0
		sleep 0.05
	done
	echo "the restart never reached '$2'"
	return 1
}

# signal_case SIG group|pid VARIANT: at v1, apply v2 with the init script
# VARIANT, held (the hold knob) while the restart is under way: slow, after
# dnsmasq was stopped (DNS is down); async, after the script returned and
# before the new dnsmasq comes (dnsdrop waits for it). Then send SIG to
# dnsdrop's process group (a lost terminal, Ctrl-C) or to its pid, and let
# the restart go on.
signal_case() {
	local sig=$1 to=$2 variant=$3 lines pid bg rc=0
	at_v1
	twin_variant "$variant"
	ini v2
	lines=$(wc -l <"$TWIN_TB/var/run/init.log")
	: >"$TWIN_TB/var/run/hold"
	twin_dnsdrop apply >"$T/out" 2>"$T/err" &
	bg=$!
	wait_phase "$lines" held
	pid=$(dnsdrop_pid) || {
		: >"$TWIN_TB/var/run/release"
		wait "$bg" || rc=$?
		echo "dnsdrop is not running while the restart is held: it had returned $rc"
		show_run
		return 1
	}
	if [ "$to" = group ]; then
		# twin_exec made dnsdrop a session (and process group) leader
		[ "$(cut -d' ' -f5 "/proc/$pid/stat")" = "$pid" ]
		kill -s "$sig" -- "-$pid"
	else
		kill -s "$sig" "$pid"
	fi
	: >"$TWIN_TB/var/run/release"
	wait "$bg" || rc=$?
	echo "SIG$sig to dnsdrop's $to during the restart ($variant script): exit $rc"
	outcome "$rc" v1 v2 apply || return 1
	RC=$rc
}

@test "twin: SIGHUP to its process group during the restart (a lost SSH session): finishes, new verified, exit 0" {
	signal_case HUP group slow
	expect_rc "$RC" 0
}

@test "twin: SIGINT to its process group during the restart (Ctrl-C): old-or-new verified, exit 0 or 4" {
	signal_case INT group slow
}

@test "twin: SIGTERM to dnsdrop during the restart: old-or-new verified, exit 0 or 4" {
	signal_case TERM pid slow
}

@test "twin: SIGHUP to its process group while dnsdrop waits for the new dnsmasq (async script): finishes, exit 0" {
	signal_case HUP group async
	expect_rc "$RC" 0
}

@test "twin: SIGTERM to dnsdrop while it waits for the new dnsmasq (async script): old-or-new verified, exit 0 or 4" {
	signal_case TERM pid async
}

@test "twin: apply | head -c1 with a slow restart (stdout closed): finishes, new verified, exit 0" {
	at_v1
	twin_variant slow
	ini v2
	local rc
	twin_dnsdrop apply 2>"$T/err" | head -c1 >"$T/out"
	rc=${PIPESTATUS[0]}
	echo "apply | head -c1: exit $rc"
	outcome "$rc" v1 v2 apply
	expect_rc "$rc" 0
}
