#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# apply.bats - the administrator's whole flow and apply's failures, against
# the real binary and a real dnsmasq restarted by a real init script in a
# sandbox appliance (tests/lib/sandbox.bash). The contract: DESIGN.md 6-7.
# (A restart that hangs is covered through the lock test below, where the
# hung restart is killed; dnsdrop has no setting to shorten its own 30 s
# limit, so a test waiting for that limit is left out.)

bats_require_minimum_version 1.5.0

setup() {
	# shellcheck source=../lib/sandbox.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/sandbox.bash"
	# shellcheck source=../lib/faults.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/faults.bash"
	sandbox_create "$BATS_TEST_TMPDIR/box"
	sandbox_start >/dev/null
	T=$BATS_TEST_TMPDIR
}

teardown() {
	sandbox_destroy
}

# --- the INIs ---------------------------------------------------------------

ini_v1() {
	sandbox_ini "$SANDBOX" <<'EOF'
; Expressway-E: resolve the Expressway-C cluster and CUCM on the inside
[hosts]
expc1.example.local = 10.0.10.11
expc2.example.local = 10.0.10.12, fd00::12
cucm1.example.local = 10.0.20.21

[srv]
_cisco-uds._tcp.example.com = cucm1.example.local:8443 10 10
_cisco-uds._tcp.example.com = cucm2.example.local:8443 20 10

[cname]
cucm.example.local = cucm1.example.local
EOF
}

# v1 with expc1 moved, a host added, an SRV record changed and one added.
ini_v2() {
	sandbox_ini "$SANDBOX" <<'EOF'
; Expressway-E: resolve the Expressway-C cluster and CUCM on the inside
[hosts]
expc1.example.local = 10.0.10.111
expc2.example.local = 10.0.10.12, fd00::12
expc3.example.local = 10.0.10.13
cucm1.example.local = 10.0.20.21

[srv]
_cisco-uds._tcp.example.com = cucm1.example.local:8443 10 10
_cisco-uds._tcp.example.com = cucm2.example.local:8443 30 10
_collab-edge._tls.example.com = expe.example.com:8443

[cname]
cucm.example.local = cucm1.example.local
EOF
}

# --- assertions ---------------------------------------------------------------
# (expect_status and expect_answer: tests/lib/faults.bash)

served_v1() {
	expect_answer expc1.example.local A 10.0.10.11
	expect_answer expc2.example.local A 10.0.10.12
	expect_answer expc2.example.local AAAA fd00::12
	expect_answer cucm1.example.local A 10.0.20.21
	expect_answer cucm.example.local CNAME cucm1.example.local.
	expect_answer _cisco-uds._tcp.example.com SRV \
		"10 10 8443 cucm1.example.local." "20 10 8443 cucm2.example.local."
	expect_answer expc3.example.local A
	expect_answer _collab-edge._tls.example.com SRV
}

served_v2() {
	expect_answer expc1.example.local A 10.0.10.111
	expect_answer expc2.example.local A 10.0.10.12
	expect_answer expc2.example.local AAAA fd00::12
	expect_answer expc3.example.local A 10.0.10.13
	expect_answer cucm1.example.local A 10.0.20.21
	expect_answer cucm.example.local CNAME cucm1.example.local.
	expect_answer _cisco-uds._tcp.example.com SRV \
		"10 10 8443 cucm1.example.local." "30 10 8443 cucm2.example.local."
	expect_answer _collab-edge._tls.example.com SRV "10 10 8443 expe.example.com."
}

# The installed drop-ins are byte for byte what the INI renders to.
installed_is_render() {
	local f
	for f in hosts.conf srv.conf; do
		dd render "$f" >"$T/render.$f"
		if ! cmp "$T/render.$f" "$SANDBOX_CONFDIR/$f"; then
			diff -u "$T/render.$f" "$SANDBOX_CONFDIR/$f" || true
			return 1
		fi
	done
}

# Keep the installed drop-ins as $T/NAME.{hosts,srv}.conf.
save_dropins() {
	cp "$SANDBOX_CONFDIR/hosts.conf" "$T/$1.hosts.conf"
	cp "$SANDBOX_CONFDIR/srv.conf" "$T/$1.srv.conf"
}

# The installed drop-ins are the ones saved as NAME.
dropins_are() {
	cmp "$T/$1.hosts.conf" "$SANDBOX_CONFDIR/hosts.conf"
	cmp "$T/$1.srv.conf" "$SANDBOX_CONFDIR/srv.conf"
}

# Every entry of the conf-dir with its type, mode, size and checksum.
confdir_state() {
	(
		cd "$SANDBOX_CONFDIR" &&
			find . -mindepth 1 -printf '%P %y %m %s\n' | LC_ALL=C sort &&
			find . -type f -exec sha256sum {} + | LC_ALL=C sort -k2
	)
}

# No temp file (dot file) left in the conf-dir.
no_temp_files() {
	local left
	left=$(find "$SANDBOX_CONFDIR" -mindepth 1 -name '.*')
	if [ -n "$left" ]; then
		echo "temp files left in the conf-dir: $left"
		return 1
	fi
}

backup_ids() {
	if [ -d "$SANDBOX_STATE/backups" ]; then
		find "$SANDBOX_STATE/backups" -mindepth 1 -maxdepth 1 -type d \
			! -name '.*' -printf '%f\n' | LC_ALL=C sort
	fi
}

# v1 applied (exit 0, served); its drop-ins saved as "v1".
install_v1() {
	ini_v1
	run --separate-stderr dd apply
	expect_status 0
	served_v1
	save_dropins v1
	cp "$SANDBOX_INI" "$T/ini.v1"
}

# --- the flow -----------------------------------------------------------------

@test "flow: diff, apply, idle reapply, dry run, change, verify, backups, rollback" {
	ini_v1
	cp "$SANDBOX_INI" "$T/ini.v1"
	expect_answer expc1.example.local A

	# diff: everything is pending; nothing is touched
	before=$(confdir_state)
	run --separate-stderr dd diff
	expect_status 1
	grep -qxF '+host-record=expc1.example.local,10.0.10.11' <<<"$output"
	grep -qxF '+srv-host=_cisco-uds._tcp.example.com,cucm2.example.local,8443,20,10' <<<"$output"
	[ "$(confdir_state)" = "$before" ]
	[ "$(sandbox_restarts)" -eq 0 ]

	# apply: written, one restart, served, logged
	run --separate-stderr dd apply
	expect_status 0
	[ "$(sandbox_restarts)" -eq 1 ]
	served_v1
	installed_is_render
	no_temp_files
	[ "$(stat -c %a "$SANDBOX_CONFDIR/hosts.conf")" = 644 ]
	grep -q '^# ' "$SANDBOX_CONFDIR/hosts.conf" # the generated-file header
	grep -qi apply "$SANDBOX_STATE/dnsdrop.log"
	log_lines=$(wc -l <"$SANDBOX_STATE/dnsdrop.log")
	save_dropins v1

	# nothing to do: reapply is silent, neither restarts
	run --separate-stderr dd reapply
	expect_status 0
	[ -z "$output" ]
	run --separate-stderr dd apply
	expect_status 0
	[ "$(sandbox_restarts)" -eq 1 ]
	run --separate-stderr dd diff
	expect_status 0

	# the administrator edits the INI; a dry run shows it and changes nothing
	ini_v2
	cp "$SANDBOX_INI" "$T/ini.v2"
	before=$(confdir_state)
	backups_before=$(backup_ids)
	run --separate-stderr dd apply -n
	expect_status 1
	grep -qxF -- '-host-record=expc1.example.local,10.0.10.11' <<<"$output"
	grep -qxF '+host-record=expc1.example.local,10.0.10.111' <<<"$output"
	grep -qxF '+host-record=expc3.example.local,10.0.10.13' <<<"$output"
	[ "$(confdir_state)" = "$before" ]
	[ "$(backup_ids)" = "$backups_before" ]
	[ "$(sandbox_restarts)" -eq 1 ]
	served_v1

	# apply the change
	run --separate-stderr dd apply
	expect_status 0
	[ "$(sandbox_restarts)" -eq 2 ]
	served_v2
	installed_is_render
	no_temp_files
	[ "$(wc -l <"$SANDBOX_STATE/dnsdrop.log")" -gt "$log_lines" ]
	save_dropins v2

	run --separate-stderr dd verify
	expect_status 0

	# both earlier states are in the backups, and `backups` lists them
	run --separate-stderr dd backups
	expect_status 0
	ids=$(backup_ids)
	[ "$(wc -l <<<"$ids")" -ge 2 ]
	for id in $ids; do
		grep -qF -- "$id" <<<"$output"
	done
	newest=$(tail -n 1 <<<"$ids")
	cmp "$T/v1.hosts.conf" "$SANDBOX_STATE/backups/$newest/hosts.conf"
	cmp "$T/v1.srv.conf" "$SANDBOX_STATE/backups/$newest/srv.conf"

	# rollback: v1's drop-ins and INI come back, and are served
	run --separate-stderr dd rollback
	expect_status 0
	served_v1
	dropins_are v1
	cmp "$T/ini.v1" "$SANDBOX_INI"
	no_temp_files
	[ "$(sandbox_restarts)" -eq 3 ]
	run --separate-stderr dd diff
	expect_status 0
	run --separate-stderr dd verify
	expect_status 0
}

@test "reapply after an upgrade wiped the drop-ins puts the records back" {
	install_v1
	rm "$SANDBOX_CONFDIR/hosts.conf" "$SANDBOX_CONFDIR/srv.conf"
	"$SANDBOX/etc/init.d/dnsmasq" restart >/dev/null
	expect_answer expc1.example.local A
	restarts=$(sandbox_restarts)

	run --separate-stderr dd reapply
	expect_status 0
	served_v1
	dropins_are v1
	[ "$(sandbox_restarts)" -eq $((restarts + 1)) ]

	run --separate-stderr dd reapply
	expect_status 0
	[ -z "$output" ]
	[ "$(sandbox_restarts)" -eq $((restarts + 1)) ]
}

@test "diff counts the records a hand edit changed, never the marker or comments" {
	install_v1
	echo 'host-record=extra.example.local,10.9.9.9' >>"$SANDBOX_CONFDIR/hosts.conf"
	run --separate-stderr dd diff
	expect_status 1
	[[ $output == *"hosts.conf: 0 added, 1 removed (edited by hand)"* ]]
	sed -i 's/10\.0\.10\.11/10.0.10.99/' "$SANDBOX_CONFDIR/hosts.conf"
	run --separate-stderr dd diff
	expect_status 1
	[[ $output == *"hosts.conf: 1 added, 2 removed (edited by hand)"* ]]
}

@test "verify naming an address where nothing answers: warned before the change, restored, and the failure says so" {
	local port
	port=$(_sandbox_reserve_port "$BATS_TEST_TMPDIR/nobody")
	sandbox_ini <<EOF
[hosts]
expc1.example.local = 10.0.10.11

[dnsdrop]
verify = 127.0.0.1:$port
restart_timeout = 5
EOF
	run --separate-stderr dd apply
	expect_status 5
	[[ $stderr == *"warning: dnsmasq does not answer on 127.0.0.1:$port before this change"* ]]
	[[ $stderr == *"There were no drop-ins before this apply, and dnsdrop took its own out again"* ]]
	[[ $stderr == *"it did not answer before the change either"* ]]
	[ ! -e "$SANDBOX_CONFDIR/hosts.conf" ]
	[ ! -e "$SANDBOX_CONFDIR/srv.conf" ]
}

@test "status shows the conf-dir it found in dnsmasq.conf" {
	install_v1
	run --separate-stderr dd status
	expect_status 0
	grep -qF /tandberg/etc/dnsmasq.d <<<"$output"
}

@test "verify exits 1 when dnsmasq serves something else" {
	install_v1
	touch "$SANDBOX/run/serve-wrong"
	"$SANDBOX/etc/init.d/dnsmasq" restart >/dev/null
	expect_answer wrong.sandbox.test A 192.0.2.99
	run --separate-stderr dd verify
	expect_status 1
	grep -qF expc1.example.local <<<"$output$stderr"
}

@test "apply --no-restart writes the drop-ins and leaves dnsmasq alone" {
	install_v1
	ini_v2
	restarts=$(sandbox_restarts)
	run --separate-stderr dd apply --no-restart
	expect_status 0
	installed_is_render
	[ "$(sandbox_restarts)" -eq "$restarts" ]
	served_v1
}

@test "apply under umask 077 still installs drop-ins dnsmasq can read (0644)" {
	ini_v1
	umask 077
	run --separate-stderr dd apply
	expect_status 0
	[ "$(stat -c %a "$SANDBOX_CONFDIR/hosts.conf")" = 644 ]
	[ "$(stat -c %a "$SANDBOX_CONFDIR/srv.conf")" = 644 ]
	served_v1
}

# --- failures: the previous records stay served -------------------------------

@test "restart fails once: the old drop-ins are restored, exit 4" {
	install_v1
	ini_v2
	cp "$SANDBOX_INI" "$T/ini.v2"
	restarts=$(sandbox_restarts)
	touch "$SANDBOX/run/fail-next"

	run --separate-stderr dd apply
	expect_status 4
	grep -qF 'simulated failure (fail-next knob)' <<<"$output$stderr"
	[ ! -e "$SANDBOX/run/fail-next" ]
	dropins_are v1
	served_v1
	no_temp_files
	[ "$(sandbox_restarts)" -eq $((restarts + 2)) ] # the failed one, the rollback's
	cmp "$T/ini.v2" "$SANDBOX_INI"                 # the INI stays as edited
	run --separate-stderr dd diff
	expect_status 1
}

@test "dnsmasq restarts but serves other records: verification catches it, exit 4" {
	install_v1
	ini_v2
	cp "$SANDBOX_INI" "$T/ini.v2"
	restarts=$(sandbox_restarts)
	touch "$SANDBOX/run/serve-wrong"

	run --separate-stderr dd apply
	expect_status 4
	[ ! -e "$SANDBOX/run/serve-wrong" ]
	dropins_are v1
	served_v1
	expect_answer wrong.sandbox.test A # the rollback restarted it properly
	no_temp_files
	[ "$(sandbox_restarts)" -eq $((restarts + 2)) ]
	cmp "$T/ini.v2" "$SANDBOX_INI"
}

@test "dnsmasq --test rejects the staged conf-dir (clashing cname): nothing touched" {
	install_v1
	echo 'cname=www.example.local,elsewhere.example.local' \
		>"$SANDBOX_CONFDIR/other.conf"
	sandbox_ini "$SANDBOX" <<'EOF'
[hosts]
expc1.example.local = 10.0.10.11
expc2.example.local = 10.0.10.12, fd00::12
cucm1.example.local = 10.0.20.21

[srv]
_cisco-uds._tcp.example.com = cucm1.example.local:8443 10 10
_cisco-uds._tcp.example.com = cucm2.example.local:8443 20 10

[cname]
cucm.example.local = cucm1.example.local
www.example.local = expc1.example.local
EOF
	run --separate-stderr dd check
	expect_status 0 # the INI on its own is fine
	before=$(confdir_state)
	backups_before=$(backup_ids)
	restarts=$(sandbox_restarts)

	run --separate-stderr dd apply
	echo "apply exited $status"
	[ "$status" -ne 0 ]
	grep -qiF 'duplicate CNAME' <<<"$stderr"
	[ "$(confdir_state)" = "$before" ]
	[ "$(backup_ids)" = "$backups_before" ]
	[ "$(sandbox_restarts)" -eq "$restarts" ]
	served_v1
}

# --- the conf-dir is shared (DESIGN.md 3) ---------------------------------------

# A command refused for a name another file defines: exit 3 naming WHERE
# (FILE:LINE), nothing changed, no restart, the records before still served.
refused_for_clash() {
	local where=$1
	shift
	before=$(confdir_state)
	backups_before=$(backup_ids)
	restarts=$(sandbox_restarts)
	run --separate-stderr dd "$@"
	echo "$* exited $status: $stderr"
	expect_status 3
	grep -qF "$where: error: duplicate" <<<"$stderr"
	grep -qF 'move this record into the INI' <<<"$stderr"
	grep -qF 'nothing was changed' <<<"$stderr"
	[ "$(confdir_state)" = "$before" ]
	[ "$(backup_ids)" = "$backups_before" ]
	[ "$(sandbox_restarts)" -eq "$restarts" ]
	no_temp_files
}

@test "a host-record in another conf-dir file for an INI name: apply exit 3 naming it, no restart" {
	install_v1
	printf 'cache-size=150\nhost-record=expc1.example.local,10.99.0.11\n' \
		>>"$SANDBOX_CONFDIR/local.conf"
	ini_v2
	refused_for_clash local.conf:4 apply
	served_v1
	run --separate-stderr dd reapply
	expect_status 3
}

@test "rollback ID to a state whose name another file defines: exit 3, no restart" {
	install_v1
	ini_v2
	run --separate-stderr dd apply
	expect_status 0
	id=$(backup_ids | tail -n 1)
	echo 'host-record=cucm1.example.local,10.99.0.21' >"$SANDBOX_CONFDIR/site.conf"
	refused_for_clash site.conf:1 rollback "$id"
	served_v2
}

@test "a clashing cname alias in another file: apply exit 3 before dnsmasq --test" {
	install_v1
	echo 'cname=CUCM.example.local.,elsewhere.example.local' >"$SANDBOX_CONFDIR/other.conf"
	ini_v2
	refused_for_clash other.conf:1 apply
	grep -qF 'duplicate cname cucm.example.local' <<<"$stderr"
	served_v1
}

@test "a name in a hosts file named by addn-hosts=: apply exit 3 naming that file" {
	install_v1
	mkdir -p "$SANDBOX/tandberg/etc/hosts.d"
	printf '# site hosts\n10.99.0.12   other.example.local expc2.example.local  # ours\n' \
		>"$SANDBOX/tandberg/etc/hosts.d/site.hosts"
	echo 'addn-hosts=/tandberg/etc/hosts.d/site.hosts' >>"$SANDBOX_CONFDIR/local.conf"
	ini_v2
	refused_for_clash /tandberg/etc/hosts.d/site.hosts:2 apply
	served_v1
}

@test "a name in a file the conf-dir filter skips (*.conf) is no clash" {
	install_v1
	echo 'host-record=expc1.example.local,10.99.0.11' >"$SANDBOX_CONFDIR/old.conf.bak"
	echo 'host-record=expc1.example.local,10.99.0.11' >"$SANDBOX_CONFDIR/.hidden.conf"
	echo 'host-record=expc1.example.local,10.99.0.11' >"$SANDBOX_CONFDIR/notes.txt"
	ini_v2
	run --separate-stderr dd apply
	expect_status 0
	served_v2
}

@test "a restart that prints 5 MB does not wedge apply" {
	install_v1
	ini_v2
	touch "$SANDBOX/run/spew"
	run --separate-stderr dd apply
	expect_status 0
	served_v2
	installed_is_render
}

@test "a failing restart that prints 5 MB: exit 4, and its last words are shown" {
	install_v1
	ini_v2
	touch "$SANDBOX/run/spew" "$SANDBOX/run/fail-next"
	run --separate-stderr dd apply
	expect_status 4
	grep -qF 'simulated failure (fail-next knob)' <<<"$output$stderr"
	dropins_are v1
	served_v1
}

# --- drift --------------------------------------------------------------------

@test "drift: a hand-edited drop-in is refused (exit 7); --force backs it up first" {
	install_v1
	echo 'host-record=hand.example.local,10.9.9.9' >>"$SANDBOX_CONFDIR/hosts.conf"
	cp "$SANDBOX_CONFDIR/hosts.conf" "$T/hand.hosts.conf"
	ini_v2
	restarts=$(sandbox_restarts)

	run --separate-stderr dd apply
	expect_status 7
	cmp "$T/hand.hosts.conf" "$SANDBOX_CONFDIR/hosts.conf"
	cmp "$T/v1.srv.conf" "$SANDBOX_CONFDIR/srv.conf"
	[ "$(sandbox_restarts)" -eq "$restarts" ]
	run --separate-stderr dd reapply
	expect_status 7
	cmp "$T/hand.hosts.conf" "$SANDBOX_CONFDIR/hosts.conf"

	run --separate-stderr dd apply --force
	expect_status 0
	served_v2
	installed_is_render
	expect_answer hand.example.local A
	newest=$(backup_ids | tail -n 1)
	cmp "$T/hand.hosts.conf" "$SANDBOX_STATE/backups/$newest/hosts.conf"
}

@test "drift: hand-made drop-ins found at the first apply are refused, then backed up" {
	printf '%s\n' '# made by hand over SSH' 'host-record=expc1.example.local,10.0.10.99' \
		>"$SANDBOX_CONFDIR/hosts.conf"
	cp "$SANDBOX_CONFDIR/hosts.conf" "$T/hand.hosts.conf"
	"$SANDBOX/etc/init.d/dnsmasq" restart >/dev/null
	ini_v1
	run --separate-stderr dd apply
	expect_status 7
	cmp "$T/hand.hosts.conf" "$SANDBOX_CONFDIR/hosts.conf"
	expect_answer expc1.example.local A 10.0.10.99

	run --separate-stderr dd apply --force
	expect_status 0
	served_v1
	grep -qxF 'host-record=expc1.example.local,10.0.10.99' \
		"$SANDBOX_STATE/backups/$(backup_ids | tail -n 1)/hosts.conf"
}

# --- the lock -----------------------------------------------------------------

# Wait (at most 30 s) until file $1 exists.
wait_for_file() {
	local i
	for ((i = 0; i < 300; i++)); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	echo "timed out waiting for $1"
	return 1
}

@test "lock held by another process: exit 6, nothing changed" {
	install_v1
	ini_v2
	(
		exec 8>>"$SANDBOX_STATE/lock"
		flock 8
		touch "$T/locked"
		exec sleep 30
	) &
	holder=$!
	wait_for_file "$T/locked"
	before=$(confdir_state)
	restarts=$(sandbox_restarts)

	run --separate-stderr dd apply
	kill "$holder"
	wait "$holder" || true
	expect_status 6
	[ "$(confdir_state)" = "$before" ]
	[ "$(sandbox_restarts)" -eq "$restarts" ]
	served_v1

	run --separate-stderr dd apply
	expect_status 0
	served_v2
}

@test "lock held by a dnsdrop whose restart hangs: exit 6 naming it; killing the hang rolls back" {
	install_v1
	ini_v2
	touch "$SANDBOX/run/hang"
	"$DNSDROP_BIN" --root "$SANDBOX" apply >"$T/first.out" 2>"$T/first.err" &
	first=$!
	wait_for_file "$SANDBOX/run/hang.pid"

	run --separate-stderr dd apply
	expect_status 6
	grep -qw -- "$first" <<<"$stderr"

	# the hung restart dies: the first apply restores v1 and says so
	kill "$(cat "$SANDBOX/run/hang.pid")"
	for ((i = 0; i < 600; i++)); do
		kill -0 "$first" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$first" 2>/dev/null; then
		kill "$first"
		echo "the first apply did not finish within 60 s of its restart dying"
		false
	fi
	rc=0
	wait "$first" || rc=$?
	cat "$T/first.out" "$T/first.err"
	[ "$rc" -eq 4 ]
	dropins_are v1
	served_v1
	no_temp_files
}

# --- refusals -----------------------------------------------------------------

@test "a group-writable INI is refused: nothing changes" {
	ini_v1
	chmod 0660 "$SANDBOX_INI"
	before=$(confdir_state)
	run --separate-stderr dd apply
	echo "apply exited $status"
	[ "$status" -eq 3 ] || [ "$status" -eq 8 ]
	grep -qF "$SANDBOX_INI" <<<"$stderr"
	grep -qi writable <<<"$stderr"
	[ "$(confdir_state)" = "$before" ]
	[ "$(sandbox_restarts)" -eq 0 ]
}

@test "state_dir inside the conf-dir found in dnsmasq.conf is refused by check and apply" {
	sandbox_ini "$SANDBOX" <<'EOF'
[dnsdrop]
state_dir = /tandberg/etc/dnsmasq.d/state
verify = 127.0.0.1:1

[hosts]
expc1.example.local = 10.0.10.11
EOF
	before=$(confdir_state)
	run --separate-stderr dd check
	echo "check exited $status"
	[ "$status" -ne 0 ]
	grep -qF state_dir <<<"$stderr"
	run --separate-stderr dd apply
	echo "apply exited $status"
	[ "$status" -ne 0 ]
	grep -qF state_dir <<<"$stderr"
	[ "$(confdir_state)" = "$before" ]
	[ "$(sandbox_restarts)" -eq 0 ]
}
