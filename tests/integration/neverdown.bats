#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# neverdown.bats - issue 8, "never leave DNS down": init scripts as the field
# has them and signals during the change, on a sandbox appliance with a real
# dnsmasq and its real init script (tests/lib/sandbox.bash, its knobs).
# DESIGN.md 7: every case ends old-or-new and verified, with a documented
# exit code, the outcome in the audit log, no pending mark left, DNS served.

bats_require_minimum_version 1.5.0

setup() {
	# shellcheck source=../lib/sandbox.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/sandbox.bash"
	# shellcheck source=../lib/faults.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/faults.bash"
	# shellcheck source=../lib/fixtures.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/fixtures.bash"
	T=$BATS_TEST_TMPDIR
	sandbox_create "$T/box"
	sandbox_start >/dev/null
	ini_v1
	dd apply >"$T/v1.out" 2>&1 || { cat "$T/v1.out"; return 1; }
	served_v1
	ini_v2
}

teardown() {
	sandbox_destroy
}

# The marker address in the installed hosts.conf, as dig prints it.
installed_generation() {
	sed -n 's/^host-record=dnsdrop-generation\.invalid,//p' "$SANDBOX_CONFDIR/hosts.conf" |
		sed -E 's/:0+([0-9a-f])/:\1/g'
}

# dnsmasq answers the generation of the installed drop-ins, right now.
serves_installed() {
	local want got
	want=$(installed_generation)
	got=$(sandbox_dig dnsdrop-generation.invalid AAAA)
	if [ -z "$want" ] || [ "$got" != "$want" ]; then
		echo "dnsmasq serves generation '$got', the drop-ins are '$want'"
		return 1
	fi
}

# The last audit line names ACTION and exit code RC; no pending mark is left.
outcome_recorded() {
	local line
	line=$(tail -n 1 "$SANDBOX_STATE/dnsdrop.log")
	[[ $line == *"action=$1 exit=$2 "* ]] || { echo "last audit line: $line"; return 1; }
	[ ! -e "$SANDBOX_STATE/pending" ] || { echo "pending mark left behind"; return 1; }
}

# Start dnsdrop ARGS in the background ($DD_PID); its output in $T/out, $T/err.
dd_bg() {
	"$DNSDROP_BIN" --root "$SANDBOX" "$@" >"$T/out" 2>"$T/err" &
	DD_PID=$!
}

# Wait (at most 60 s) until the init script has started restart number N+1.
wait_restart_after() {
	local n=$1 i
	for ((i = 0; i < 1200; i++)); do
		[ "$(sandbox_restarts)" -gt "$n" ] && return 0
		sleep 0.05
	done
	echo "no restart began"
	return 1
}

# wait for $DD_PID; its exit code in $DD_RC.
dd_wait() {
	DD_RC=0
	wait "$DD_PID" || DD_RC=$?
	echo "exit $DD_RC"
	cat "$T/out" "$T/err"
}

# v1 without its cname: a change that only removes (the old dnsmasq serves
# every record it keeps, so only the generation tells the two apart).
ini_v1_less() {
	sandbox_ini <<'EOF'
[hosts]
expc1.example.local = 10.0.10.11
expc2.example.local = 10.0.10.12, fd00::12

[srv]
_cisco-uds._tcp.example.com = cucm1.example.local:8443 10 10
EOF
}

@test "init script returns before the old dnsmasq exits (async, 1 s): a removal is verified on the new dnsmasq, exit 0" {
	ini_v1_less
	echo 1 >"$SANDBOX/run/async"
	run dd apply
	echo "$output"
	[ "$status" -eq 0 ]
	# at once, before any later restart: the removed alias is gone
	[ -z "$(sandbox_dig expc.example.local CNAME)" ]
	serves_installed
	outcome_recorded apply 0
}

@test "init script restarts asynchronously a second later: an addition is verified, exit 0, one restart" {
	echo 1 >"$SANDBOX/run/async"
	n=$(sandbox_restarts)
	run dd apply
	echo "$output"
	[ "$status" -eq 0 ]
	served_v2
	serves_installed
	[ "$(sandbox_restarts)" -eq $((n + 1)) ]
	outcome_recorded apply 0
}

@test "slow restart (2 s): verified, exit 0" {
	echo 2 >"$SANDBOX/run/slow"
	run dd apply
	echo "$output"
	[ "$status" -eq 0 ]
	served_v2
	serves_installed
	outcome_recorded apply 0
}

@test "new dnsmasq fails to start after the script returned 0: a removal is not taken for success; restored, exit 4" {
	ini_v1_less
	: >"$SANDBOX/run/fail-late"
	run dd apply
	echo "$output"
	[ "$status" -eq 4 ]
	sandbox_settle
	served_v1
	serves_installed
	outcome_recorded apply 4
}

@test "pid file lost: the script cannot stop dnsmasq; the old state is verified, exit 4, never 5" {
	: >"$SANDBOX/run/lose-pid"
	run dd apply
	echo "$output"
	[ "$status" -eq 4 ]
	served_v1
	serves_installed
	outcome_recorded apply 4
}

@test "SIGHUP during the restart (lost session): the change finishes, exit 0, audited" {
	echo 3 >"$SANDBOX/run/slow"
	n=$(sandbox_restarts)
	dd_bg apply
	wait_restart_after "$n"
	kill -HUP "$DD_PID"
	dd_wait
	[ "$DD_RC" -eq 0 ]
	served_v2
	serves_installed
	outcome_recorded apply 0
	grep -q 'terminal lost' "$SANDBOX_STATE/dnsdrop.log"
}

@test "SIGINT during the restart: waits for it, restores and verifies, exit 4, audited" {
	echo 3 >"$SANDBOX/run/slow"
	n=$(sandbox_restarts)
	dd_bg apply
	wait_restart_after "$n"
	kill -INT "$DD_PID"
	dd_wait
	[ "$DD_RC" -eq 4 ]
	grep -q 'interrupted by SIGINT' "$T/err"
	served_v1
	serves_installed
	outcome_recorded apply 4
	[ "$(sandbox_restarts)" -eq $((n + 2)) ]
	# the restore's restart began only after the first one had ended
	tail -n 4 "$SANDBOX/run/restart.log" | awk '{print $1}' | tr '\n' ' ' |
		grep -qx 'begin end begin end '
}

@test "SIGTERM during the restart: restored and verified, exit 4, audited" {
	echo 3 >"$SANDBOX/run/slow"
	n=$(sandbox_restarts)
	dd_bg apply
	wait_restart_after "$n"
	kill -TERM "$DD_PID"
	dd_wait
	[ "$DD_RC" -eq 4 ]
	served_v1
	serves_installed
	outcome_recorded apply 4
}

@test "apply | head -c1 with a slow restart: no death by SIGPIPE, the change finishes, exit 0" {
	echo 2 >"$SANDBOX/run/slow"
	run bash -c '"$1" --root "$2" apply | head -c1; exit "${PIPESTATUS[0]}"' _ "$DNSDROP_BIN" "$SANDBOX"
	echo "$output"
	[ "$status" -eq 0 ]
	served_v2
	serves_installed
	outcome_recorded apply 0
}

@test "apply --no-restart leaves the change pending; status says so; reapply restarts and verifies it" {
	n=$(sandbox_restarts)
	run dd apply --no-restart
	[ "$status" -eq 0 ]
	[ -e "$SANDBOX_STATE/pending" ]
	served_v1
	run dd status
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"not served yet"* ]]
	run dd reapply
	echo "$output"
	[ "$status" -eq 0 ]
	served_v2
	serves_installed
	outcome_recorded reapply 0
	[ "$(sandbox_restarts)" -eq $((n + 1)) ]
	run dd reapply	# all well now: silent, no restart
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(sandbox_restarts)" -eq $((n + 1)) ]
}

@test "reapply restarts dnsmasq when it does not answer, or answers an older generation" {
	dd apply >/dev/null
	sandbox_stop
	n=$(sandbox_restarts)
	run dd reapply
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"does not answer"* ]]
	served_v2
	[ "$(sandbox_restarts)" -eq $((n + 1)) ]
	# dnsmasq started before the drop-ins were put in place serves old ones
	sandbox_stop
	cp "$SANDBOX_CONFDIR/hosts.conf" "$T/v2.hosts"
	sed -i 's/^host-record=dnsdrop-generation.*/host-record=dnsdrop-generation.invalid,fd00:dd::1/' \
		"$SANDBOX_CONFDIR/hosts.conf"
	sandbox_start >/dev/null
	cp "$T/v2.hosts" "$SANDBOX_CONFDIR/hosts.conf"
	run dd status
	echo "$output"
	[[ $output == *"older configuration"* ]]
	run dd reapply
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"older configuration"* ]]
	serves_installed
	outcome_recorded reapply 0
}

@test "rollback runs dnsmasq --test (a clashing cname elsewhere: refused, no restart) and -n shows the diff" {
	dd apply >/dev/null
	run dd rollback -n
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"-host-record=expc1.example.local,10.0.10.111"* ]]
	[[ $output == *"+host-record=expc1.example.local,10.0.10.11"* ]]
	served_v2
	# A clashing cname is refused by the conf-dir check, before --test ...
	echo 'cname=expc.example.local,other.example.local' >"$SANDBOX_CONFDIR/clash.conf"
	n=$(sandbox_restarts)
	run dd rollback
	echo "$output"
	[ "$status" -eq 3 ]
	[[ $output == *"duplicate cname expc.example.local"* ]]
	[ "$(sandbox_restarts)" -eq "$n" ]
	served_v2
	# ... and a file only dnsmasq itself can judge is refused by --test.
	rm "$SANDBOX_CONFDIR/clash.conf"
	echo 'no-such-option-here' >"$SANDBOX_CONFDIR/broken.conf"
	run dd rollback
	echo "$output"
	[ "$status" -eq 3 ]
	[[ $output == *"dnsmasq --test rejects"* ]]
	[ "$(sandbox_restarts)" -eq "$n" ]
	served_v2
}

@test "an INI that defines the generation marker's name is refused" {
	sandbox_ini <<'EOF'
[hosts]
dnsdrop-generation.invalid = 10.0.0.1
EOF
	run dd check
	echo "$output"
	[ "$status" -eq 3 ]
	[[ $output == *"reserved"* ]]
}
