#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# trust.bats - what dnsdrop, a root tool, believes (DESIGN.md section 3):
# the state directory only like the INI (ours, not group/other-writable, no
# symlink); a backup only once it validates like a new INI; the environment
# and DNS answers never (escaped before the terminal, the log and syslog).
# And exit codes that say what happened: after a change never 8; unknown
# and malformed backup IDs exit 2.
#
# Each test starts from a sandbox appliance with v1 applied and served and
# v2 written as the INI. Where the state directory itself is made
# untrusted, the INI is given with -c from a directory of its own, so the
# refusal seen is the state directory's, not the INI's.

bats_require_minimum_version 1.5.0

setup() {
	# shellcheck source=../lib/sandbox.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/sandbox.bash"
	# shellcheck source=../lib/faults.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/faults.bash"
	# shellcheck source=../lib/fixtures.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/fixtures.bash"
	fx_require mkfifo strace gcc
	T=$BATS_TEST_TMPDIR
	sandbox_create "$T/box"
	sandbox_start >/dev/null
	ini_v1
	fx_run apply
	expect_status 0
	served_v1
	ini_v2
	D=$(fx_ini_dir)
	cp "$SANDBOX_INI" "$D/dnsdrop.ini"
}

teardown() {
	if [ -n "${HOSTILE_PID:-}" ]; then kill "$HOSTILE_PID" 2>/dev/null || true; fi
	sandbox_settle || true
	sandbox_destroy
}

# refused_untouched: the last run exited 8 naming $1 with a fix, and the
# appliance is as BEFORE.
refused_untouched() {
	expect_status 8 || return 1
	grep -qF -- "$1" <<<"$stderr" || { echo "the message does not name $1: $stderr"; return 1; }
	says_fix "$stderr" || return 1
	expect_unchanged "$BEFORE"
}

# absent BYTES TEXT: TEXT does not hold BYTES (shown when it does).
absent() {
	if LC_ALL=C grep -q -- "$1" <<<"$2"; then
		echo "found $(printf '%q' "$1") in: $(printf '%q' "$2" | head -c 400)"
		return 1
	fi
}

# log_fields LINE: the fields of an audit line, one KEY=VALUE a line, quotes
# and backslash escapes undone; fails when any part of LINE does not parse.
log_fields() {
	local rest=" ${1#* }" v
	local re='^ ([a-z]+)=("(([^"\\]|\\.)*)"|([^ "]*))'
	while [[ $rest =~ $re ]]; do
		if [ "${BASH_REMATCH[2]:0:1}" = '"' ]; then
			v=${BASH_REMATCH[3]}
			v=$(sed -E 's/\\(["\\])/\1/g' <<<"$v")
		else
			v=${BASH_REMATCH[5]}
		fi
		printf '%s=%s\n' "${BASH_REMATCH[1]}" "$v"
		rest=${rest:${#BASH_REMATCH[0]}}
	done
	[ -z "$rest" ] || { echo "unparsed rest of the audit line: '$rest'"; return 1; }
}

@test "state_dir owned by nobody (with a planted backup): every command refuses, exit 8, nothing changed" {
	local planted=$SANDBOX_STATE/backups/20991231T235959Z-000
	mkdir "$planted"
	sed 's/10.0.10.11/10.6.6.6/' "$SANDBOX_CONFDIR/hosts.conf" >"$planted/hosts.conf"
	cp "$SANDBOX_CONFDIR/srv.conf" "$planted/srv.conf"
	printf 'time=x\nuser=x\naction=apply\nsummary=x\nfiles=hosts.conf srv.conf\n' >"$planted/meta"
	chown -R nobody "$SANDBOX_STATE"
	BEFORE=$(fx_snapshot)
	fx_run -c "$D/dnsdrop.ini" rollback 20991231T235959Z-000
	refused_untouched "$SANDBOX_STATE"
	grep -qF "chown" <<<"$stderr"
	fx_run -c "$D/dnsdrop.ini" apply
	refused_untouched "$SANDBOX_STATE"
	fx_run -c "$D/dnsdrop.ini" rollback
	refused_untouched "$SANDBOX_STATE"
	fx_run -c "$D/dnsdrop.ini" diff
	refused_untouched "$SANDBOX_STATE"
	served_v1
}

@test "state_dir group-writable, or a symlink: refused, exit 8, nothing changed" {
	chmod 0770 "$SANDBOX_STATE"
	BEFORE=$(fx_snapshot)
	fx_run -c "$D/dnsdrop.ini" apply
	refused_untouched "$SANDBOX_STATE"
	grep -qF "chmod go-w" <<<"$stderr"
	chmod 0700 "$SANDBOX_STATE"
	mv "$SANDBOX_STATE" "$SANDBOX_STATE.real"
	ln -s dnsdrop.real "$SANDBOX_STATE"
	BEFORE=$(fx_snapshot)
	fx_run -c "$D/dnsdrop.ini" apply
	refused_untouched "$SANDBOX_STATE"
	grep -qF "symlink" <<<"$stderr"
	served_v1
}

@test "backups/, applied/, a backup, the lock, dnsdrop.log and pending that are not ours or not plain: refused, exit 8" {
	local what id
	id=$(find "$SANDBOX_STATE/backups" -mindepth 1 -maxdepth 1 -name '2*' -printf '%f\n' | head -n 1)
	for what in backups applied lock dnsdrop.log "backups/$id" applied/hosts.conf; do
		chown nobody "$SANDBOX_STATE/$what"
		BEFORE=$(fx_snapshot)
		if [ "$what" = "backups/$id" ]; then fx_run rollback "$id"; else fx_run apply; fi
		refused_untouched "$SANDBOX_STATE/$what"
		chown root "$SANDBOX_STATE/$what"
		chmod g+w "$SANDBOX_STATE/$what"
		BEFORE=$(fx_snapshot)
		if [ "$what" = "backups/$id" ]; then fx_run rollback "$id"; else fx_run apply; fi
		refused_untouched "$SANDBOX_STATE/$what"
		chmod g-w "$SANDBOX_STATE/$what"
	done
	# the log as a symlink and as a FIFO (O_NONBLOCK: no hang)
	mv "$SANDBOX_STATE/dnsdrop.log" "$T/log"
	ln -s "$T/log" "$SANDBOX_STATE/dnsdrop.log"
	BEFORE=$(fx_snapshot)
	fx_run apply
	refused_untouched "$SANDBOX_STATE/dnsdrop.log"
	rm "$SANDBOX_STATE/dnsdrop.log"
	mkfifo -m 0600 "$SANDBOX_STATE/dnsdrop.log"
	BEFORE=$(fx_snapshot)
	fx_run apply
	refused_untouched "$SANDBOX_STATE/dnsdrop.log"
	rm "$SANDBOX_STATE/dnsdrop.log"
	ln -s /etc/passwd "$SANDBOX_STATE/pending"
	fx_run apply
	expect_status 8
	grep -qF "pending" <<<"$stderr"
	served_v1
	[ "$(tail -c 100 /etc/passwd)" != apply ]
	rm "$SANDBOX_STATE/pending"
	fx_run apply
	expect_status 0
	served_v2
}

@test "created state is 0700/0600 whatever the umask" {
	rm -rf "$SANDBOX_STATE"
	mkdir -m 0700 "$SANDBOX_STATE"
	cp "$D/dnsdrop.ini" "$SANDBOX_INI"
	run --separate-stderr bash -c 'umask 000; exec "$@"' _ "$DNSDROP_BIN" --root "$SANDBOX" apply --force
	expect_status 0
	run find "$SANDBOX_STATE" -mindepth 1 \( -type d ! -perm 0700 \) -o \( -type f ! -perm 0600 \)
	[ -z "$output" ] || { echo "modes: $output"; false; }
}

@test "a backup ID from the far future never blocks a backup" {
	mkdir -m 0700 "$SANDBOX_STATE/backups/99991231T235959Z-999"
	fx_run apply
	expect_status 0
	served_v2
	[ "$(find "$SANDBOX_STATE/backups" -mindepth 1 -maxdepth 1 -name '2*' | wc -l)" -ge 2 ]
}

@test "tampered backups are refused before anything is written: a changed drop-in, a broken INI, a hand-made file dnsmasq rejects" {
	local id
	fx_run apply
	expect_status 0
	id=$(find "$SANDBOX_STATE/backups" -mindepth 1 -maxdepth 1 -name '2*' -printf '%f\n' | sort | tail -n 1)
	# the drop-in is not what the backup's INI renders
	cp -a "$SANDBOX_STATE/backups/$id" "$T/orig"
	echo 'address=/evil.example.com/10.6.6.6' >>"$SANDBOX_STATE/backups/$id/hosts.conf"
	BEFORE=$(fx_snapshot)
	fx_run rollback "$id"
	expect_status 3
	grep -qF "hosts.conf is not what its dnsdrop.ini renders" <<<"$stderr"
	expect_unchanged "$BEFORE"
	# the INI does not validate: FILE:LINE named
	rm -rf "$SANDBOX_STATE/backups/$id" && cp -a "$T/orig" "$SANDBOX_STATE/backups/$id"
	printf '[dnsdrop]\nrestart = /tmp/evil; rm -rf /\n' >>"$SANDBOX_STATE/backups/$id/dnsdrop.ini"
	BEFORE=$(fx_snapshot)
	fx_run rollback
	expect_status 3
	grep -qE "backup $id/dnsdrop.ini:[0-9]+: error" <<<"$stderr"
	expect_unchanged "$BEFORE"
	# hand-made drop-ins (no INI) that dnsmasq --test rejects
	rm "$SANDBOX_STATE/backups/$id/dnsdrop.ini"
	echo 'no-such-option-at-all' >>"$SANDBOX_STATE/backups/$id/hosts.conf"
	BEFORE=$(fx_snapshot)
	fx_run rollback "$id"
	expect_status 3
	grep -qF "dnsmasq --test" <<<"$stderr"
	expect_unchanged "$BEFORE"
	served_v2
}

@test "forged SUDO_USER, LOGNAME and SSH_CLIENT cannot forge audit fields or reach the terminal raw" {
	local line fields
	fx_run_env SUDO_USER='mallory action=rollback exit=0 backup=20000101T000000Z-000' \
		SSH_CLIENT=$'10.0.0.1\e]0;x\a"q\\ 22 22' -- apply
	expect_status 0
	line=$(tail -n 1 "$SANDBOX_STATE/dnsdrop.log")
	fields=$(log_fields "$line")
	echo "$fields"
	[ "$(grep -c '^action=' <<<"$fields")" -eq 1 ]
	grep -qx 'action=apply' <<<"$fields"
	grep -qx 'exit=0' <<<"$fields"
	grep -qx 'user=mallory action=rollback exit=0 backup=20000101T000000Z-000' <<<"$fields"
	grep -qxF "from=10.0.0.1\\x1b]0;x\\x07\"q\\" <<<"$fields"
	absent $'\e' "$(cat "$SANDBOX_STATE/dnsdrop.log")"
	# a UTF-8 C1 control (CSI) in LOGNAME, shown by backups and status
	ini_v1
	fx_run_env -u SUDO_USER LOGNAME=$'eve\xc2\x9b2J' -- apply
	expect_status 0
	fx_run backups
	expect_status 0
	absent $'\xc2\x9b' "$output"
	grep -qF 'eve\u009b2J' <<<"$output"
	fields=$(log_fields "$(tail -n 1 "$SANDBOX_STATE/dnsdrop.log")")
	grep -qxF 'user=eve\u009b2J' <<<"$fields"
	fx_run status
	absent $'\xc2\x9b' "$output"
}

@test "a planted drop-in's bytes reach diff's output escaped, never raw" {
	printf 'host-record=x.acme.com,10.0.0.9\e]0;pwned\a\n' >"$SANDBOX_CONFDIR/hosts.conf"
	fx_run diff
	expect_status 1
	absent $'\e' "$output"
	absent $'\a' "$output"
	grep -qF -- '-host-record=x.acme.com,10.0.0.9\x1b]0;pwned\x07' <<<"$output"
}

# apply --force keeps the planted file in a backup of hand-made drop-ins:
# listing it (-v prints its lines) and the diff of rolling back to it
# reach the terminal escaped too.
@test "a planted drop-in kept in a backup: backups -v and rollback -n show it escaped, never raw" {
	printf 'host-record=x.acme.com,10.0.0.9\e]0;pwned\a\n' >"$SANDBOX_CONFDIR/hosts.conf"
	fx_run apply --force
	expect_status 0
	fx_run -v backups
	expect_status 0
	absent $'\e' "$output"
	absent $'\a' "$output"
	grep -qF -- 'host-record=x.acme.com,10.0.0.9\x1b]0;pwned\x07' <<<"$output"
	fx_run rollback -n
	echo "$output $stderr"
	expect_status 1
	absent $'\e' "$output"
	absent $'\a' "$output"
	grep -qF -- '+host-record=x.acme.com,10.0.0.9\x1b]0;pwned\x07' <<<"$output"
}

@test "a DNS server sending hostile names: verify shows them escaped, never raw" {
	local port
	gcc -O1 -o "$T/hostile_dns" "$BATS_TEST_DIRNAME/../lib/hostile_dns.c"
	port=$((SANDBOX_PORT + 1))
	"$T/hostile_dns" "$port" &
	HOSTILE_PID=$!
	sed "s/^verify = .*/verify = 127.0.0.1:$port/" "$SANDBOX_INI" >"$D/dnsdrop.ini"
	fx_put_ini "$SANDBOX_INI" <"$D/dnsdrop.ini"
	fx_run verify
	expect_status 1
	# musl's dn_expand passes the bytes through (dnsdrop escapes them);
	# glibc's (the sanitizer build) writes \DDD itself: raw bytes never
	grep -qF 'pwned' <<<"$stderr"
	grep -qE '\\x1b\]0;pwned\\x07|\\027\]0\\;pwned\\007' <<<"$stderr"
	absent $'\e' "$stderr$output"
	absent $'\xc2\x9b' "$stderr$output"
	absent $'\x9b' "$stderr$output"
}

@test "apply >/dev/full after a change: exit 0, served, the lost output on stderr and in the log" {
	run --separate-stderr bash -c '"$@" >/dev/full' _ timeout 120 "$DNSDROP_BIN" --root "$SANDBOX" apply
	expect_status 0
	served_v2
	grep -qF "cannot write to standard output" <<<"$stderr"
	grep -q 'action=output exit=0' "$SANDBOX_STATE/dnsdrop.log"
	# nothing to change: the output error is the only thing, exit 8
	run --separate-stderr bash -c '"$@" >/dev/full' _ timeout 120 "$DNSDROP_BIN" --root "$SANDBOX" apply
	expect_status 8
}

@test "apply into a closed pipe: not killed by SIGPIPE, exit 0, served" {
	mkfifo "$T/pipe"
	(exec 3<"$T/pipe") &
	exec 4>"$T/pipe"
	wait $!
	run --separate-stderr bash -c '"$@" >&4' _ timeout 120 "$DNSDROP_BIN" --root "$SANDBOX" apply
	exec 4>&-
	expect_status 0
	served_v2
	grep -qF "cannot write to standard output" <<<"$stderr"
}

@test "rollback forms: ID, unknown ID, malformed ID, a failing rollback, twice returns to the start" {
	local v1id
	fx_run apply
	expect_status 0
	served_v2
	v1id=$(find "$SANDBOX_STATE/backups" -mindepth 1 -maxdepth 1 -name '2*' -printf '%f\n' | sort | tail -n 1)
	BEFORE=$(fx_snapshot)
	fx_run rollback 20000101T000000Z-000
	expect_status 2
	grep -qF "dnsdrop backups" <<<"$stderr"
	fx_run rollback ../../etc
	expect_status 2
	fx_run rollback 'x y'
	expect_status 2
	expect_unchanged "$BEFORE"
	# a failing rollback: restored, exit 4, v2 still served
	touch "$SANDBOX/run/fail-next"
	fx_run rollback "$v1id"
	expect_status 4
	served_v2
	# by ID, then the default twice: v1, v2, v1
	fx_run rollback "$v1id"
	expect_status 0
	served_v1
	fx_run rollback
	expect_status 0
	served_v2
	fx_run rollback
	expect_status 0
	served_v1
}

@test "reapply that finishes an interrupted change and fails after restarting dnsmasq: exit 5, not 8" {
	# a run killed after writing the drop-ins leaves them and the mark
	fx_run apply --no-restart
	expect_status 0
	(umask 077 && echo apply >"$SANDBOX_STATE/pending")
	touch "$SANDBOX/run/fail-next"
	fx_run reapply
	expect_status 5
	[ -e "$SANDBOX_STATE/pending" ]
	fx_run reapply
	expect_status 0
	served_v2
}

@test "the INI naming another state_dir while apply waits for the lock: refused, nothing in either" {
	local other=$SANDBOX/tandberg/persistent/other
	# hold apply inside flock for 3 s while the INI changes
	# LeakSanitizer cannot run under ptrace (the sanitizer build)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 timeout 120 strace -o /dev/null -e trace=flock -e inject=flock:delay_enter=3000000 \
		"$DNSDROP_BIN" --root "$SANDBOX" -c "$D/dnsdrop.ini" apply >"$T/out" 2>"$T/err" &
	local pid=$!
	sleep 1
	printf '[dnsdrop]\nstate_dir = /tandberg/persistent/other\n' >>"$D/dnsdrop.ini"
	local rc=0
	wait "$pid" || rc=$?
	cat "$T/err"
	[ "$rc" -eq 8 ]
	grep -qF "state_dir" "$T/err"
	[ ! -e "$other/backups" ]
	served_v1
}

@test "--root that does not exist: exit 8 naming it" {
	run --separate-stderr "$DNSDROP_BIN" --root "$T/nonexist" check
	expect_status 8
	grep -qF "$T/nonexist" <<<"$stderr"
}
