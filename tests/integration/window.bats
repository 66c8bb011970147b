#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# window.bats - a change window as an engineer lives it: apply and rollback
# ask on a terminal (driven through a real pseudo-terminal, tmux) and never
# without one; each long step shows its time; the change note (-m) reaches
# the audit log, backups and status. Real dnsmasq, real init script.

bats_require_minimum_version 1.5.0

setup() {
	# shellcheck source=../lib/sandbox.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/sandbox.bash"
	# shellcheck source=../lib/faults.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/faults.bash"
	# shellcheck source=../lib/tty.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/tty.bash"
	sandbox_create "$BATS_TEST_TMPDIR/box"
	sandbox_start >/dev/null
	ini_v1
}

teardown() {
	tty_stop
	sandbox_destroy
}

ini_v1() {
	sandbox_ini "$SANDBOX" <<'EOF'
[hosts]
expc1.example.local = 10.0.10.11
EOF
}

ini_v2() {
	sandbox_ini "$SANDBOX" <<'EOF'
[hosts]
expc1.example.local = 10.0.10.111
EOF
}

# The appliance but the lock file (a first run creates it while it asks).
snap() { fx_snapshot | grep -v 'dnsdrop/lock'; }

# The dnsdrop command line for the terminal (tmux starts it with sh).
dd_line() { printf '%q --root %q' "$DNSDROP_BIN" "$SANDBOX"; printf ' %q' "$@"; }

@test "terminal: apply shows the diff and asks; Enter (default no) changes nothing, exit 1" {
	before=$(snap)
	tty_run "$(dd_line apply)"
	tty_wait 'Apply these changes? [y/N]'
	tty_screen | grep -qF '+host-record=expc1.example.local,10.0.10.11'
	[ "$(snap)" = "$before" ]
	tty_type Enter
	tty_wait '[exit '
	[ "$(tty_status)" = 1 ]
	tty_screen | grep -qF 'nothing was changed (not confirmed; -y answers yes for scripts)'
	[ "$(snap)" = "$before" ]
	expect_answer expc1.example.local A
}

@test "terminal: apply asks; y applies it and each step shows its time" {
	tty_run "$(dd_line apply -m 'CHG0012345 first')"
	tty_wait 'Apply these changes? [y/N]'
	tty_type y Enter
	tty_wait '[exit '
	[ "$(tty_status)" = 0 ]
	tty_screen | grep -qE '^restarting dnsmasq: /etc/init\.d/dnsmasq restart \.\.\. done in [0-9]+\.[0-9] s$'
	tty_screen | grep -qE '^waiting for dnsmasq to answer \.\.\. done in [0-9]+\.[0-9] s$'
	tty_screen | grep -qF 'verified: dnsmasq on'
	expect_answer expc1.example.local A 10.0.10.11
}

@test "terminal: -y applies without asking" {
	tty_run "$(dd_line apply -y)"
	tty_wait '[exit '
	[ "$(tty_status)" = 0 ]
	[[ $(tty_screen) != *'[y/N]'* ]]
	expect_answer expc1.example.local A 10.0.10.11
}

@test "no terminal: nothing is asked, apply goes on (deploy.sh, Ansible, cron)" {
	run --separate-stderr dd apply </dev/null
	expect_status 0
	[[ $output != *'[y/N]'* ]]
	expect_answer expc1.example.local A 10.0.10.11
	# stdin a terminal but stdout a pipe: still nothing asked
	tty_run "$(dd_line apply) | cat"
	tty_wait '[exit '
	[ "$(tty_status)" = 0 ]
	[[ $(tty_screen) != *'[y/N]'* ]]
}

@test "terminal: rollback shows what it changes and asks; n keeps the current state" {
	run --separate-stderr dd apply
	expect_status 0
	ini_v2
	run --separate-stderr dd apply
	expect_status 0
	before=$(fx_snapshot)
	tty_run "$(dd_line rollback)"
	tty_wait 'Roll back to this backup? [y/N]'
	tty_screen | grep -qF -- '-host-record=expc1.example.local,10.0.10.111'
	tty_screen | grep -qF '+host-record=expc1.example.local,10.0.10.11'
	tty_type n Enter
	tty_wait '[exit '
	[ "$(tty_status)" = 1 ]
	expect_unchanged "$before"
	expect_answer expc1.example.local A 10.0.10.111
}

@test "terminal: a slow restart shows elapsed time against its limit on one updating line" {
	touch "$SANDBOX/run/gate"
	tty_run "$(dd_line apply -y)"
	# the line counts up while the init script waits on the gate
	tty_wait 'restarting dnsmasq: /etc/init.d/dnsmasq restart ... 1 s of 30 s'
	tty_wait 'restarting dnsmasq: /etc/init.d/dnsmasq restart ... 2 s of 30 s'
	# one line, rewritten: the screen holds it once
	[ "$(tty_screen | grep -c 'restarting dnsmasq')" -eq 1 ]
	rm "$SANDBOX/run/gate"
	tty_wait '[exit '
	[ "$(tty_status)" = 0 ]
	tty_screen | grep -qE '^restarting dnsmasq: /etc/init\.d/dnsmasq restart \.\.\. done in [2-9][0-9]*\.[0-9] s$'
}

@test "no terminal: one plain line per step, its duration at the end" {
	run --separate-stderr dd apply
	expect_status 0
	[[ $output != *$'\r'* && $output != *$'\033'* ]]
	grep -qxE 'restarting dnsmasq: /etc/init\.d/dnsmasq restart \.\.\. done in [0-9]+\.[0-9] s' <<<"$output"
	grep -qxE 'waiting for dnsmasq to answer \.\.\. done in [0-9]+\.[0-9] s' <<<"$output"
	grep -qxE 'asking dnsmasq for every record \.\.\. done in [0-9]+\.[0-9] s' <<<"$output"
	# a failed restart says so on its line; the restore's steps follow
	ini_v2
	touch "$SANDBOX/run/fail-next"
	run --separate-stderr dd apply
	expect_status 4
	grep -qxE 'restarting dnsmasq: /etc/init\.d/dnsmasq restart \.\.\. failed after [0-9]+\.[0-9] s' <<<"$output"
	[ "$(grep -c '^restarting dnsmasq' <<<"$output")" -eq 2 ]
	# -q: no step lines at all
	run --separate-stderr dd -q apply
	expect_status 0
	[ -z "$output" ]
}

@test "notes: -m reaches the audit log, backups and status, escaped" {
	run --separate-stderr dd apply -m 'CHG0012345 "new" expc1'
	expect_status 0
	ini_v2
	run --separate-stderr dd apply -m $'CHG0012346 move\texpc1'
	expect_status 0
	log=$SANDBOX_STATE/dnsdrop.log
	grep -qF 'action=apply exit=0 backup=' "$log"
	# the log's note is a quoted audit field: the note's own escapes get
	# their backslash escaped, so the field parses back to the note as shown
	grep -qF 'note="CHG0012345 \\x22new\\x22 expc1"' "$log"
	grep -qF 'note="CHG0012346 move\\x09expc1"' "$log"
	[ "$(wc -l <"$log")" -eq 2 ]
	run --separate-stderr dd backups
	expect_status 0
	grep -qF 'replaced by apply by ' <<<"$output"
	grep -qF 'note "CHG0012346 move\x09expc1"' <<<"$output"
	run --separate-stderr dd status
	grep -qF 'note="CHG0012346 move\\x09expc1"' <<<"$output"
	grep -qF 'note "CHG0012346 move\x09expc1"' <<<"$output"
	# rollback and reapply carry theirs
	run --separate-stderr dd rollback -m 'CHG0012347 back'
	expect_status 0
	tail -n 1 "$log" | grep -qF 'action=rollback exit=0'
	tail -n 1 "$log" | grep -qF 'note="CHG0012347 back"'
	rm "$SANDBOX_CONFDIR/hosts.conf"
	run --separate-stderr dd reapply -m 'CHG0012348 after upgrade'
	expect_status 0
	tail -n 1 "$log" | grep -qF 'action=reapply exit=0'
	tail -n 1 "$log" | grep -qF 'note="CHG0012348 after upgrade"'
}

@test "notes: too long, empty or given to a command that changes nothing: exit 2, nothing changed" {
	before=$(fx_snapshot)
	run --separate-stderr dd apply -m "$(printf 'x%.0s' $(seq 201))"
	expect_status 2
	[[ $stderr == *'the note is 201 bytes; give 1 to 200'* ]]
	run --separate-stderr dd apply -m ''
	expect_status 2
	run --separate-stderr dd check -m 'CHG1'
	expect_status 2
	[[ $stderr == *'-m is for apply, reapply and rollback; check changes nothing'* ]]
	run --separate-stderr dd diff -y
	expect_status 2
	expect_unchanged "$before"
}

@test "backups: each backup says what it holds (what rollback brings back), -v its records" {
	run --separate-stderr dd apply
	expect_status 0
	ini_v2
	run --separate-stderr dd apply -m CHG2
	expect_status 0
	run --separate-stderr dd backups
	expect_status 0
	# newest first: the state before CHG2 holds v1's one address
	grep -qF 'holds 1 addresses, 0 cname, 0 srv records, with the INI that made them' <<<"$output"
	grep -qF 'holds no drop-ins (none were installed then; rolling back to it removes them)' <<<"$output"
	run --separate-stderr dd -v backups
	grep -qxF '      host-record=expc1.example.local,10.0.10.11' <<<"$output"
	[[ $output != *10.0.10.111* ]]
}

@test "status on a first install: not installed yet, not an upgrade" {
	run --separate-stderr dd status
	grep -qF 'hosts.conf   not installed yet (first install)' <<<"$output"
	[[ $output != *upgrade* ]]
	run --separate-stderr dd apply
	expect_status 0
	rm "$SANDBOX_CONFDIR/hosts.conf"
	run --separate-stderr dd status
	grep -qF "hosts.conf   missing although dnsdrop installed it (an Expressway upgrade removes drop-ins): run 'dnsdrop reapply'" <<<"$output"
}

@test "rollback keeps the current [dnsdrop] settings; --whole-ini brings back the backup's INI as it was" {
	sandbox_ini "$SANDBOX" <<EOF2
[dnsdrop]
verify = 127.0.0.1:$SANDBOX_PORT
keep_backups = 9

[hosts]
expc1.example.local = 10.0.10.11
EOF2
	cp "$SANDBOX_INI" "$BATS_TEST_TMPDIR/ini.v1"
	run --separate-stderr dd apply
	expect_status 0
	# v2: a record moves and a setting is fixed
	sandbox_ini "$SANDBOX" <<EOF2
[hosts]
expc1.example.local = 10.0.10.111

[dnsdrop]
verify = 127.0.0.1:$SANDBOX_PORT
keep_backups = 5
EOF2
	run --separate-stderr dd apply
	expect_status 0
	run --separate-stderr dd rollback
	expect_status 0
	expect_answer expc1.example.local A 10.0.10.11
	grep -qx 'expc1.example.local = 10.0.10.11' "$SANDBOX_INI"
	grep -qx 'keep_backups = 5' "$SANDBOX_INI"
	run ! grep -q 'keep_backups = 9' "$SANDBOX_INI"
	[ "$(grep -c '^\[dnsdrop\]' "$SANDBOX_INI")" -eq 1 ]
	run --separate-stderr dd diff
	expect_status 0
	# the backup before this rollback holds v2; --whole-ini takes v1's INI whole
	run --separate-stderr dd apply
	expect_status 0
	sandbox_ini "$SANDBOX" <<EOF2
[hosts]
expc1.example.local = 10.0.10.111

[dnsdrop]
verify = 127.0.0.1:$SANDBOX_PORT
keep_backups = 5
EOF2
	run --separate-stderr dd apply
	expect_status 0
	# backups, oldest first: before v1 (empty), v1 with its INI, v2, ...
	id=$(find "$SANDBOX_STATE/backups" -mindepth 1 -maxdepth 1 ! -name '.*' -printf '%f\n' | sort | sed -n 2p)
	cmp "$BATS_TEST_TMPDIR/ini.v1" "$SANDBOX_STATE/backups/$id/dnsdrop.ini"
	run --separate-stderr dd rollback --whole-ini "$id"
	expect_status 0
	cmp "$BATS_TEST_TMPDIR/ini.v1" "$SANDBOX_INI"
}

@test "messages: an SRV that is not MRA on an MRA port is not called MRA" {
	sandbox_ini "$SANDBOX" <<'EOF2'
[hosts]
expc1.example.local = 10.0.10.11
[srv]
_sip._tcp.example.com = expc1.example.local:8443
_cisco-uds._tcp.example.com = expc1.example.local:8444
EOF2
	run --separate-stderr dd check
	expect_status 0
	[[ $stderr == *':4: warning: _sip._tcp on port 8443 is unusual: that service is on port 5060 (it is not an MRA record;'* ]]
	[[ $stderr == *':5: warning: _cisco-uds._tcp on port 8444 is unusual: MRA clients expect port 8443'* ]]
}

@test "verify -v lists each record with dnsmasq's answer" {
	sandbox_ini "$SANDBOX" <<'EOF2'
[hosts]
expc1.example.local = 10.0.10.11, fd00::11
[srv]
_cisco-uds._tcp.example.com = expc1.example.local:8443 10 10
[cname]
cucm.example.local = expc1.example.local
EOF2
	run --separate-stderr dd apply
	expect_status 0
	run --separate-stderr dd -v verify
	expect_status 0
	grep -qxE '  line 2 +expc1\.example\.local A 10\.0\.10\.11' <<<"$output"
	grep -qxE '  line 2 +expc1\.example\.local AAAA fd00::11' <<<"$output"
	grep -qxE '  line 4 +_cisco-uds\._tcp\.example\.com SRV 10 10 8443 expc1\.example\.local' <<<"$output"
	grep -qxE '  line 6 +cucm\.example\.local CNAME expc1\.example\.local' <<<"$output"
}
