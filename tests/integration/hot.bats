#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# hot.bats - hosts_mode = hot against the real dnsmasq (Debian's 2.90) in a
# sandbox appliance: a change of host addresses only is served by the same
# dnsmasq, without a restart; everything else restarts; old dnsmasq
# versions are refused.
#
# dnsdrop --root BOX writes hosts_dir under BOX, while the hostsdir= line
# names it as dnsmasq sees it (without the root). The sandbox's dnsmasq is
# not chrooted, so BOX/hd (the path in the INI) is a symlink to BOX/BOX/hd,
# the directory dnsdrop manages; dnsmasq's inotify follows it. dnsmasq runs
# as root here and drops to nobody, which must be able to reach the folder.

bats_require_minimum_version 1.5.0

setup() {
	# shellcheck source=../lib/sandbox.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/sandbox.bash"
	sandbox_create "$BATS_TEST_TMPDIR/box"
	sandbox_hosts_dir hd
	sandbox_start >/dev/null
}

teardown() {
	sandbox_destroy
}

# ini MODE ADDRESS [SRVPORT]: one host, one SRV record, one cname.
ini() {
	sandbox_ini "$SANDBOX" <<EOF
[dnsdrop]
verify = 127.0.0.1:$SANDBOX_PORT
hosts_mode = $1
hosts_dir = $HD

[hosts]
expc1.example.local = $2
expc2.example.local = 10.0.10.12, fd00::12

[srv]
_cisco-uds._tcp.example.com = expc1.example.local:${3:-8443} 10 10

[cname]
cucm.example.local = expc1.example.local
EOF
}

dm_pid() {
	cat "$SANDBOX/run/dnsmasq.pid"
}

# A fake dnsmasq whose --version says $1 (compile options $2), and which
# runs the real one for everything else (dnsmasq --test).
fake_version() {
	rm -f "$SANDBOX/usr/sbin/dnsmasq"
	cat >"$SANDBOX/usr/sbin/dnsmasq" <<EOF
#!/bin/sh
if [ "\$1" = --version ]; then
	echo "Dnsmasq version $1  Copyright (c) 2000-2021 Simon Kelley"
	echo "Compile time options: IPv6 GNU-getopt $2 dumpfile"
	exit 0
fi
exec /usr/sbin/dnsmasq "\$@"
EOF
	chmod 0755 "$SANDBOX/usr/sbin/dnsmasq"
}

@test "hot: a host-only change is served by the same dnsmasq, no restart, verified" {
	ini hot 10.0.10.11
	run -0 dd apply
	[[ $(sandbox_dig expc1.example.local) == 10.0.10.11 ]]
	grep -qx "hostsdir=$HD" "$SANDBOX/tandberg/etc/dnsmasq.d/hosts.conf"
	grep -qx "10.0.10.11 expc1.example.local" "$SANDBOX$HD/hosts"
	[[ $(stat -c %a "$SANDBOX$HD/hosts") == 644 ]]
	local pid restarts
	pid=$(dm_pid)
	restarts=$(sandbox_restarts)
	ini hot 10.0.10.99
	run -0 dd apply
	echo "$output"
	[[ $output == *"no restart"* ]]
	[[ $output == *"verified"* ]]
	[[ $(dm_pid) == "$pid" ]]
	[[ $(sandbox_restarts) == "$restarts" ]]
	# the old address is gone (dnsmasq 2.88+), the alias follows
	[[ $(sandbox_dig expc1.example.local) == 10.0.10.99 ]]
	[[ $(sandbox_dig cucm.example.local) == *10.0.10.99* ]]
	# the backup holds the previous hosts file, applied/ the new one
	run -1 dd rollback -n
	grep -qx "10.0.10.11 expc1.example.local" "$SANDBOX"/tandberg/persistent/dnsdrop/backups/*/hosts
	cmp "$SANDBOX$HD/hosts" "$SANDBOX/tandberg/persistent/dnsdrop/applied/hosts"
	run -0 dd reapply
	[[ $(sandbox_restarts) == "$restarts" ]]
	# rollback of a host-only change is one too: no restart
	run -0 dd rollback
	echo "$output"
	[[ $(sandbox_dig expc1.example.local) == 10.0.10.11 ]]
	[[ $(dm_pid) == "$pid" ]]
	[[ $(sandbox_restarts) == "$restarts" ]]
}

@test "hot: an SRV change restarts dnsmasq" {
	ini hot 10.0.10.11
	run -0 dd apply
	local restarts
	restarts=$(sandbox_restarts)
	ini hot 10.0.10.11 5061
	run -0 dd apply
	echo "$output"
	[[ $(sandbox_restarts) == $((restarts + 1)) ]]
	[[ $(sandbox_dig _cisco-uds._tcp.example.com SRV) == *5061* ]]
}

@test "hot: switching modes is one restart each way, and rollback switches back" {
	ini restart 10.0.10.11
	run -0 dd apply
	local restarts
	restarts=$(sandbox_restarts)
	[[ ! -e $SANDBOX$HD/hosts ]]
	ini hot 10.0.10.11
	run -0 dd apply
	echo "$output"
	[[ $(sandbox_restarts) == $((restarts + 1)) ]]
	[[ -f $SANDBOX$HD/hosts ]]
	[[ $(sandbox_dig expc1.example.local) == 10.0.10.11 ]]
	run -0 dd rollback
	echo "$output"
	[[ $(sandbox_restarts) == $((restarts + 2)) ]]
	[[ ! -e $SANDBOX$HD/hosts ]]
	grep -q '^host-record=expc1.example.local,10.0.10.11$' "$SANDBOX/tandberg/etc/dnsmasq.d/hosts.conf"
	grep -q '^hosts_mode = restart$' "$SANDBOX/tandberg/persistent/dnsdrop/dnsdrop.ini"
	[[ $(sandbox_dig expc1.example.local) == 10.0.10.11 ]]
	run -0 dd verify
}

# dnsmasq is stopped (SIGSTOP) while the new hosts file goes in, so the
# new generation never shows; it goes on once dnsdrop writes the old one
# back. The verdict comes from dnsmasq: same pid, no restart, old records.
@test "hot: a change that is not served is written back without a restart, exit 4" {
	ini hot 10.0.10.11
	run -0 dd apply
	local pid restarts before
	pid=$(dm_pid)
	restarts=$(sandbox_restarts)
	before=$(cat "$SANDBOX$HD/hosts")
	ini hot 10.0.10.99
	kill -STOP "$pid"
	dd apply >"$BATS_TEST_TMPDIR/out" 2>&1 &
	local job=$! n=0
	until grep -q "writing the previous hosts file back" "$BATS_TEST_TMPDIR/out"; do
		((++n < 1200)) || { kill -CONT "$pid"; cat "$BATS_TEST_TMPDIR/out"; false; }
		sleep 0.1
	done
	kill -CONT "$pid"
	local rc=0
	wait "$job" || rc=$?
	cat "$BATS_TEST_TMPDIR/out"
	((rc == 4))
	[[ $(dm_pid) == "$pid" ]]
	[[ $(sandbox_restarts) == "$restarts" ]]
	[[ $(cat "$SANDBOX$HD/hosts") == "$before" ]]
	[[ $(sandbox_dig expc1.example.local) == 10.0.10.11 ]]
}

@test "hot: a kill after the hosts file went in leaves old or new, and reapply converges" {
	ini hot 10.0.10.11
	run -0 dd apply
	local pid old new
	pid=$(dm_pid)
	old=$(cat "$SANDBOX$HD/hosts")
	ini hot 10.0.10.99
	run -0 dd render hosts
	new=$output
	kill -STOP "$pid"
	dd apply >"$BATS_TEST_TMPDIR/out" 2>&1 &
	local job=$! n=0
	until grep -q "wrote the hosts file" "$BATS_TEST_TMPDIR/out"; do
		((++n < 600)) || { kill -CONT "$pid"; cat "$BATS_TEST_TMPDIR/out"; false; }
		sleep 0.1
	done
	kill -KILL "$job"
	wait "$job" || true
	kill -CONT "$pid"
	local now
	now=$(cat "$SANDBOX$HD/hosts")
	[[ $now == "$old" || $now == "$new" ]]
	run -0 dd reapply
	echo "$output"
	[[ $(cat "$SANDBOX$HD/hosts") == "$new" ]]
	[[ $(sandbox_dig expc1.example.local) == 10.0.10.99 ]]
	run -0 dd verify
}

@test "hot: dnsmasq older than 2.88, or without inotify, is refused (exit 3, nothing changed)" {
	ini restart 10.0.10.11
	run -0 dd apply
	local restarts conf
	restarts=$(sandbox_restarts)
	conf=$(cat "$SANDBOX/tandberg/etc/dnsmasq.d/hosts.conf")
	fake_version 2.85 inotify
	ini hot 10.0.10.11
	run -3 dd apply
	echo "$output"
	[[ $output == *"dnsmasq 2.85"* ]]
	[[ $output == *"set hosts_mode = restart"* ]]
	fake_version 2.90 no-inotify
	run -3 dd apply
	[[ $output == *"without inotify"* ]]
	[[ $(sandbox_restarts) == "$restarts" ]]
	[[ $(cat "$SANDBOX/tandberg/etc/dnsmasq.d/hosts.conf") == "$conf" ]]
	[[ ! -e $SANDBOX$HD/hosts ]]
}

@test "hot: dnsmasq 2.85 really keeps the old address next to the new one (why it is refused)" {
	local dm=$SANDBOX_REPO/build/dnsmasq/2.85/dnsmasq
	"$SANDBOX_REPO/scripts/build-dnsmasq.sh" 2.85
	local d=$BATS_TEST_TMPDIR/old port
	mkdir -p "$d/hd"
	chmod 0755 "$d" "$d/hd"
	port=$(cat "$SANDBOX/run/port")
	sandbox_stop
	echo "10.0.0.1 old.example" >"$d/hd/.t" && mv "$d/hd/.t" "$d/hd/hosts"
	"$dm" --conf-file=/dev/null --hostsdir="$d/hd" --port="$port" --listen-address=127.0.0.1 \
		--bind-interfaces --no-resolv --no-hosts --pid-file="$d/pid" --user="$(id -un)"
	local n=0
	until [[ $(sandbox_dig old.example) == 10.0.0.1 ]]; do ((++n < 100)) || false; sleep 0.1; done
	echo "10.0.0.2 old.example" >"$d/hd/.t" && mv "$d/hd/.t" "$d/hd/hosts"
	n=0
	until sandbox_dig old.example | grep -qx 10.0.0.2; do ((++n < 100)) || break; sleep 0.1; done
	local got
	got=$(sandbox_dig old.example | sort)
	kill "$(cat "$d/pid")"
	[[ $got == $'10.0.0.1\n10.0.0.2' ]]
}

@test "hot: status shows hosts_mode, hosts_dir and whether this dnsmasq can do hot mode" {
	ini restart 10.0.10.11
	run -0 dd apply
	run -0 dd status
	echo "$output"
	[[ $output == *"hosts mode   restart; hot mode works with this dnsmasq"* ]]
	ini hot 10.0.10.11
	run -0 dd apply
	run -0 dd status
	echo "$output"
	[[ $output == *"hosts mode   hot, hosts_dir $SANDBOX$HD; hot mode works with this dnsmasq"* ]]
	[[ $output == *"hosts        in sync with the INI"* ]]
	fake_version 2.85 inotify
	run -1 dd status
	echo "$output"
	[[ $output == *"hosts mode   hot, hosts_dir $SANDBOX$HD; hot mode cannot be used here: dnsmasq 2.85 "*"keeps the old address"* ]]
	fake_version 2.90 no-inotify
	run -1 dd status
	[[ $output == *"hot mode cannot be used here: "*"without inotify"* ]]
	# restart mode only tells: nothing the INI asks for is refused
	ini restart 10.0.10.11
	run -0 dd apply
	run -0 dd status
	[[ $output == *"hosts mode   restart; hot mode cannot be used here: "*"without inotify"* ]]
}

# The hosts file an apply wrote into hosts_dir A is gone once the INI names
# another hosts_dir B (or B and restart mode), and rollback brings it back.
@test "hot: a new hosts_dir, with or without a mode change, leaves no hosts file in the old one; rollback puts it back" {
	local a=$HD b
	ini hot 10.0.10.11
	run -0 dd apply
	sandbox_hosts_dir hd2
	b=$HD
	ini hot 10.0.10.11
	run -1 dd diff
	[[ $output == *"--- $SANDBOX$a/hosts (from the earlier hosts_dir: removed)"* ]]
	run -0 dd apply
	echo "$output"
	[[ ! -e $SANDBOX$a/hosts ]]
	[[ -f $SANDBOX$b/hosts ]]
	grep -qx "hostsdir=$b" "$SANDBOX/tandberg/etc/dnsmasq.d/hosts.conf"
	[[ $(sandbox_dig expc1.example.local) == 10.0.10.11 ]]
	run dd rollback
	echo "$output"
	((status == 0))
	[[ -f $SANDBOX$a/hosts ]]
	[[ ! -e $SANDBOX$b/hosts ]]
	grep -qx "hosts_dir = $a" "$SANDBOX/tandberg/persistent/dnsdrop/dnsdrop.ini"
	[[ $(sandbox_dig expc1.example.local) == 10.0.10.11 ]]
	run -0 dd verify
	# hosts_mode and hosts_dir in one apply
	HD=$b ini restart 10.0.10.12
	run -0 dd apply
	echo "$output"
	[[ ! -e $SANDBOX$a/hosts ]]
	[[ ! -e $SANDBOX$b/hosts ]]
	[[ $(sandbox_dig expc1.example.local) == 10.0.10.12 ]]
	run -0 dd rollback
	[[ -f $SANDBOX$a/hosts ]]
	[[ ! -e $SANDBOX$b/hosts ]]
	[[ $(sandbox_dig expc1.example.local) == 10.0.10.11 ]]
	run -0 dd verify
	run -0 dd reapply
	[ -z "$output" ]
}
