#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# hostile.bats - a hostile INI and a hostile appliance. Every refusal must
# name what is wrong and what to do, exit per the contract (3 invalid INI,
# 8 environment), stay within bounded memory and time, and write nothing:
# not a drop-in, not a byte of the state dir, not a restart. Accepted oddities
# (CRLF, a leading BOM) must have a defined meaning: the same render.
#
# Each test starts from a sandbox appliance (tests/lib/sandbox.bash) with v1
# applied and served and v2 written as the INI, so that a run which got too
# far would change something visible; BEFORE is the appliance at that point.
#
# "Read-only conf-dir" is exercised twice, for real: EROFS by a read-only
# bind mount in a private mount namespace (the Expressway's root filesystem
# is read-only), and EACCES by a chmod 0555 conf-dir with dnsdrop run as root
# but without CAP_DAC_OVERRIDE (setpriv), since plain root ignores modes.

bats_require_minimum_version 1.5.0

MIB=1048576
RSS_MAX_KB=65536 # 64 MiB

setup() {
	# shellcheck source=../lib/sandbox.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/sandbox.bash"
	# shellcheck source=../lib/faults.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/faults.bash"
	fx_require /usr/bin/time timeout unshare mount setpriv mkfifo sha256sum
	T=$BATS_TEST_TMPDIR
	sandbox_create "$T/box"
	sandbox_start >/dev/null
	ini_v1
	fx_run apply
	expect_status 0
	served_v1
	ini_v2
	D=$(fx_ini_dir)
	BEFORE=$(fx_snapshot)
}

teardown() {
	sandbox_destroy
}

ini_v1() {
	sandbox_ini "$SANDBOX" <<'EOF'
[hosts]
expc1.example.local = 10.0.10.11
expc2.example.local = 10.0.10.12, fd00::12

[srv]
_cisco-uds._tcp.example.com = cucm1.example.local:8443 10 10
EOF
}

ini_v2() {
	sandbox_ini "$SANDBOX" <<EOF
[hosts]
expc1.example.local = 10.0.10.111
expc2.example.local = 10.0.10.12, fd00::12

[srv]
_cisco-uds._tcp.example.com = cucm1.example.local:8443 20 10
$1
EOF
}

# v2 with a [dnsdrop] section holding the given settings (and verify).
ini_v2_with() {
	ini_v2 "$(printf '\n[dnsdrop]\nverify = 127.0.0.1:%s\n' "$SANDBOX_PORT"; printf '%s\n' "$@")"
}

served_v1() {
	expect_answer expc1.example.local A 10.0.10.11 &&
		expect_answer _cisco-uds._tcp.example.com SRV "10 10 8443 cucm1.example.local."
}

served_v2() {
	expect_answer expc1.example.local A 10.0.10.111 &&
		expect_answer _cisco-uds._tcp.example.com SRV "20 10 8443 cucm1.example.local."
}

# stderr holds every fixed string given.
stderr_has() {
	local s
	for s in "$@"; do
		if ! grep -qF -- "$s" <<<"$stderr"; then
			echo "stderr does not mention '$s':"
			printf '%s\n' "$stderr" | head -n 20
			return 1
		fi
	done
}

# refused CODE TEXT...: the last fx_run -m exited CODE, stayed under 64 MiB,
# changed nothing and named every TEXT. (Whether it says what to do is
# checked last, by the callers, so that a poor message never hides the rest.)
refused() {
	local code=$1
	shift
	expect_status "$code"
	expect_rss_below "$RSS_MAX_KB"
	expect_unchanged "$BEFORE"
	served_v1
	stderr_has "$@"
}

# ini_refused FILE CODE TEXT...: apply and check with -c FILE both refuse,
# and say what to do.
ini_refused() {
	local f=$1 code=$2 apply_err
	shift 2
	fx_run -m -c "$f" apply
	refused "$code" "$@"
	apply_err=$stderr
	fx_run -m -c "$f" check
	refused "$code" "$@"
	says_fix "$apply_err"
}

# Problems reported as FILE:LINE: error: ..., with LINE given.
error_at_line() {
	if ! awk -v p="$1:$2: error: " 'index($0, p) == 1 { f = 1 } END { exit !f }' <<<"$stderr"; then
		echo "no '$1:$2: error:' line in stderr:"
		printf '%s\n' "$stderr" | head -n 10
		return 1
	fi
}

# ---------------------------------------------------------------- the INI

@test "INI is a symlink (to a valid INI): refused, exit 8, nothing written" {
	cp "$SANDBOX_INI" "$D/real.ini"
	ln -s "$D/real.ini" "$D/link.ini"
	ini_refused "$D/link.ini" 8 "$D/link.ini" symlink
}

@test "INI is a FIFO: refused at once (no hang), exit 8, nothing written" {
	mkfifo -m 0600 "$D/fifo.ini"
	FX_LIMIT=10 ini_refused "$D/fifo.ini" 8 "$D/fifo.ini" FIFO
}

@test "INI is a directory: refused, exit 8, nothing written" {
	mkdir -m 0700 "$D/dir.ini"
	ini_refused "$D/dir.ini" 8 "$D/dir.ini" directory
}

@test "INI is a device (-c /dev/null, -c /dev/zero): refused, exit 8, nothing written" {
	ini_refused /dev/null 8 /dev/null device
	FX_LIMIT=10 ini_refused /dev/zero 8 /dev/zero device
}

@test "INI is world-writable: refused, exit 8, nothing written" {
	cp "$SANDBOX_INI" "$D/ww.ini"
	chmod 0606 "$D/ww.ini"
	ini_refused "$D/ww.ini" 8 "$D/ww.ini" writable "chmod go-w"
}

@test "INI is group-writable: refused, exit 8, nothing written" {
	cp "$SANDBOX_INI" "$D/gw.ini"
	chmod 0620 "$D/gw.ini"
	ini_refused "$D/gw.ini" 8 "$D/gw.ini" writable "chmod go-w"
}

@test "INI in a world-writable directory (no sticky bit): refused, exit 8" {
	mkdir -m 0777 "$T/open"
	chmod 0777 "$T/open" # whatever the umask
	cp "$SANDBOX_INI" "$T/open/dnsdrop.ini"
	ini_refused "$T/open/dnsdrop.ini" 8 "$T/open" writable
}

@test "INI owned by another user (nobody): refused, exit 8, nothing written" {
	cp "$SANDBOX_INI" "$D/nobody.ini"
	chown nobody "$D/nobody.ini"
	ini_refused "$D/nobody.ini" 8 "$D/nobody.ini" "uid $(id -u nobody)" chown
}

@test "INI over 16 MiB: invalid INI, exit 3, bounded memory; exactly 16 MiB is read" {
	# comments only: the size is the one thing wrong with it
	yes '; a comment line that only pads the file out' | head -c $((16 * MIB)) >"$D/limit.ini"
	chmod 0600 "$D/limit.ini"
	fx_run -m -c "$D/limit.ini" check
	expect_status 0
	expect_rss_below "$RSS_MAX_KB"

	cp "$D/limit.ini" "$D/big.ini"
	printf ';\n' >>"$D/big.ini"
	# README: "files over 16 MiB are errors" among the INI rules (NUL bytes,
	# over-long lines), so exit 3, invalid configuration, like them
	ini_refused "$D/big.ini" 3 "$D/big.ini" 16777216
}

@test "INI with a NUL byte: exit 3, the line named, nothing written" {
	printf '[hosts]\nexpc1.example.local = 10.0.10.111\n; x\000y\n' >"$D/nul.ini"
	chmod 0600 "$D/nul.ini"
	ini_refused "$D/nul.ini" 3 NUL
	error_at_line "$D/nul.ini" 3
}

@test "INI with invalid UTF-8 (bad byte, overlong, surrogate, cut at EOF): exit 3, line named" {
	local bytes n=0
	for bytes in '\377' '\300\200' '\355\240\200' '\342\202'; do
		n=$((n + 1))
		# shellcheck disable=SC2059 # the format carries the octal escapes
		printf "[hosts]\nexpc1.example.local = 10.0.10.111\n; caf$bytes" >"$D/utf$n.ini"
		chmod 0600 "$D/utf$n.ini"
		ini_refused "$D/utf$n.ini" 3 UTF-8
		error_at_line "$D/utf$n.ini" 3
	done
}

@test "INI with CRLF line ends: accepted, renders exactly as with LF; a bare CR is an error" {
	local text
	text='; Expressway-E
[dnsdrop]
verify = 127.0.0.1:53 ; inline comment
[hosts]
expc1.example.local = 10.0.10.111 ; inline comment
expc2.example.local = 10.0.10.12, fd00::12

[srv]
_cisco-uds._tcp.example.com = cucm1.example.local:8443 20 10
_sip._udp.example.com = .
[cname]
expc.example.local = expc1.example.local'
	# one path for both, as the render's header names the INI
	printf '%s\n' "$text" | fx_put_ini "$D/e.ini"
	fx_run -c "$D/e.ini" render
	expect_status 0
	lf=$output
	printf '%s\n' "$text" | sed 's/$/\r/' | fx_put_ini "$D/e.ini"
	grep -q $'\r' "$D/e.ini"
	fx_run -m -c "$D/e.ini" render
	expect_status 0
	expect_rss_below "$RSS_MAX_KB"
	[ "$output" = "$lf" ]
	[ -z "$stderr" ]
	expect_unchanged "$BEFORE"

	# a CR that is not a line end is a control character, not a line break
	printf '[hosts]\nexpc1.example.local = 10.0.10.111\rexpc9.example.local = 10.0.10.9\n' |
		fx_put_ini "$D/cr.ini"
	ini_refused "$D/cr.ini" 3 'x0d'
	error_at_line "$D/cr.ini" 2
}

@test "INI with a BOM at the start: accepted, renders exactly as without" {
	local text='[hosts]
expc1.example.local = 10.0.10.111
[srv]
_cisco-uds._tcp.example.com = cucm1.example.local:8443 20 10'
	printf '%s\n' "$text" | fx_put_ini "$D/b.ini"
	fx_run -c "$D/b.ini" render
	expect_status 0
	plain=$output
	{ printf '\357\273\277'; printf '%s\n' "$text"; } | fx_put_ini "$D/b.ini"
	fx_run -m -c "$D/b.ini" render
	expect_status 0
	[ "$output" = "$plain" ]
	[ -z "$stderr" ]
	fx_run -c "$D/b.ini" check
	expect_status 0
	expect_unchanged "$BEFORE"
}

@test "INI with a BOM in the middle (or a second one at the start): exit 3, line named" {
	printf '[hosts]\nexpc1.example.local = 10.0.10.111\n\357\273\277expc2.example.local = 10.0.10.12\n' |
		fx_put_ini "$D/mid.ini"
	ini_refused "$D/mid.ini" 3 BOM
	error_at_line "$D/mid.ini" 3
	printf '\357\273\277\357\273\277[hosts]\nexpc1.example.local = 10.0.10.111\n' |
		fx_put_ini "$D/two.ini"
	ini_refused "$D/two.ini" 3 BOM
	error_at_line "$D/two.ini" 1
}

@test "INI with 100k sections: bounded memory (< 64 MiB); 100k unknown ones: capped errors" {
	awk 'BEGIN { for (i = 0; i < 100000; i++)
		printf "[hosts]\nh%d.example.local = 10.%d.%d.%d\n", i, int(i / 65536), int(i / 256) % 256, i % 256 + 0 }' |
		fx_put_ini "$D/many.ini"
	fx_run -m -c "$D/many.ini" check
	expect_status 0
	expect_rss_below "$RSS_MAX_KB"
	grep -qF '100000 hosts' <<<"$output"
	fx_run -m -c "$D/many.ini" render hosts.conf
	expect_status 0
	expect_rss_below "$RSS_MAX_KB"
	[ "$(grep -c '^host-record=' <<<"$output")" -eq 100001 ]	# and the generation marker

	awk 'BEGIN { for (i = 0; i < 100000; i++) printf "[bogus%d]\nk = v\n", i }' |
		fx_put_ini "$D/unknown.ini"
	ini_refused "$D/unknown.ini" 3 "unknown section"
	[ "$(grep -c ': error: ' <<<"$stderr")" -le 200 ]
	grep -qE 'more problems not shown' <<<"$stderr"
	[ "${#stderr}" -lt $((256 * 1024)) ]
}

@test "INI with a 10 MB line: exit 3 naming its line, short message, bounded memory" {
	{
		printf '[hosts]\n'
		head -c 10000000 /dev/zero | tr '\0' a
		printf ' = 10.0.10.111\n'
	} | fx_put_ini "$D/long.ini"
	ini_refused "$D/long.ini" 3 "line" "1000"
	error_at_line "$D/long.ini" 2
	[ "${#stderr}" -lt 4096 ]

	# the whole file one line, without a newline at all
	head -c 10000000 /dev/zero | tr '\0' a | fx_put_ini "$D/one.ini"
	ini_refused "$D/one.ini" 3 "line"
	error_at_line "$D/one.ini" 1
	[ "${#stderr}" -lt 4096 ]
}

@test "INI with one host repeated 50k times: one error per duplicate, 200 shown plus a count" {
	{
		printf '[hosts]\n'
		yes 'expc1.example.local = 10.0.10.111' | head -n 50000
	} | fx_put_ini "$D/dup.ini"
	ini_refused "$D/dup.ini" 3 "already defined on line 2"
	shown=$(grep -c ': error: ' <<<"$stderr")
	echo "shown: $shown"
	[ "$shown" -eq 200 ]
	grep -qF '49799 more problems not shown' <<<"$stderr"
	grep -qF '49999 errors' <<<"$stderr"
	[ "${#stderr}" -lt $((256 * 1024)) ]
}

# -------------------------------------------------------- the environment

@test "conf-dir missing: exit 8 naming it, not re-created, nothing written" {
	mv "$SANDBOX_CONFDIR" "$T/confdir.away"
	BEFORE=$(fx_snapshot)
	fx_run -m apply
	expect_status 8
	expect_rss_below "$RSS_MAX_KB"
	expect_unchanged "$BEFORE"
	[ ! -e "$SANDBOX_CONFDIR" ]
	stderr_has "$SANDBOX_CONFDIR"
	says_fix "$stderr"
}

@test "conf-dir is a regular file: exit 8 naming it, nothing written" {
	mv "$SANDBOX_CONFDIR" "$T/confdir.away"
	echo 'not a directory' >"$SANDBOX_CONFDIR"
	BEFORE=$(fx_snapshot)
	fx_run -m apply
	expect_status 8
	expect_unchanged "$BEFORE"
	stderr_has "$SANDBOX_CONFDIR" "not a directory"
	says_fix "$stderr"
}

@test "conf-dir read-only (EROFS: ro bind mount): exit 8 before anything changes, no backup" {
	# dnsdrop runs in a private mount namespace where the conf-dir is a
	# read-only bind mount of itself: every write there fails with EROFS.
	# shellcheck disable=SC2016 # $1 is for the inner sh
	run --separate-stderr timeout -k 5 60 unshare -m /bin/sh -c \
		'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" "$1" || exit 99
		touch "$1/.probe" 2>/dev/null && exit 98
		shift; exec "$@"' sh "$SANDBOX_CONFDIR" \
		"$DNSDROP_BIN" --root "$SANDBOX" apply
	if [ "$status" -ge 98 ]; then
		echo "could not make a read-only bind mount (status $status): $stderr"
		false
	fi
	expect_status 8
	stderr_has "$SANDBOX_CONFDIR" "Read-only file system"
	expect_unchanged "$BEFORE"
	served_v1
}

@test "conf-dir not writable (EACCES: chmod 0555, root without CAP_DAC_OVERRIDE): exit 8, nothing changed" {
	chmod 0555 "$SANDBOX_CONFDIR"
	BEFORE=$(fx_snapshot)
	run --separate-stderr timeout -k 5 60 setpriv \
		--inh-caps=-dac_override,-dac_read_search \
		--bounding-set=-dac_override,-dac_read_search \
		"$DNSDROP_BIN" --root "$SANDBOX" apply
	expect_status 8
	stderr_has "$SANDBOX_CONFDIR" "Permission denied"
	expect_unchanged "$BEFORE"
	served_v1
}

@test "conf-dir is a symlink: refused naming its target, nothing written there" {
	mv "$SANDBOX_CONFDIR" "$T/real.d"
	ln -s "$T/real.d" "$SANDBOX_CONFDIR"
	BEFORE=$(fx_snapshot)
	target_before=$(cd "$T/real.d" && find . -printf '%p %s\n' | sort && cat ./*)
	fx_run -m apply
	expect_status 8
	expect_unchanged "$BEFORE"
	[ "$(cd "$T/real.d" && find . -printf '%p %s\n' | sort && cat ./*)" = "$target_before" ]
	stderr_has "$SANDBOX_CONFDIR" symlink
	says_fix "$stderr"
	# README: "A symlinked conf-dir is refused with its target named."
	stderr_has "$T/real.d"
}

@test "hosts.conf is a symlink: refused (even with --force), the link and its target untouched" {
	echo '# not for dnsdrop' >"$T/elsewhere.conf"
	rm "$SANDBOX_CONFDIR/hosts.conf"
	ln -s "$T/elsewhere.conf" "$SANDBOX_CONFDIR/hosts.conf"
	BEFORE=$(fx_snapshot)
	for force in '' --force; do
		fx_run -m apply ${force:+"$force"}
		expect_status 8
		expect_unchanged "$BEFORE"
		[ "$(cat "$T/elsewhere.conf")" = '# not for dnsdrop' ]
		[ "$(readlink "$SANDBOX_CONFDIR/hosts.conf")" = "$T/elsewhere.conf" ]
		stderr_has "$SANDBOX_CONFDIR/hosts.conf" symlink
	done
	says_fix "$stderr"
}

@test "hosts.conf is a directory: refused (even with --force), nothing written" {
	rm "$SANDBOX_CONFDIR/hosts.conf"
	mkdir "$SANDBOX_CONFDIR/hosts.conf"
	BEFORE=$(fx_snapshot)
	for force in '' --force; do
		fx_run -m apply ${force:+"$force"}
		expect_status 8
		expect_unchanged "$BEFORE"
		stderr_has "$SANDBOX_CONFDIR/hosts.conf" directory
	done
	says_fix "$stderr"
}

@test "state_dir inside the conf-dir (itself, below, explicit conf_dir): exit 3, nothing created" {
	local setting
	for setting in 'state_dir = /tandberg/etc/dnsmasq.d' \
		'state_dir = /tandberg/etc/dnsmasq.d/state/' \
		$'conf_dir = /tandberg/etc/dnsmasq.d\nstate_dir = /tandberg/etc/dnsmasq.d/x/y'; do
		ini_v2_with "$setting"
		BEFORE=$(fx_snapshot)
		fx_run -m check
		expect_status 3
		stderr_has state_dir
		fx_run -m apply
		expect_status 3
		expect_unchanged "$BEFORE"
		[ -z "$(stray_entries)" ]
		stderr_has state_dir /tandberg/etc/dnsmasq.d
		says_fix "$stderr"
	done
}

@test "state_dir a symlink into the conf-dir: refused, nothing created in the conf-dir" {
	# relative, so that it resolves inside the sandbox root
	ln -s ../etc/dnsmasq.d "$SANDBOX/tandberg/persistent/state"
	ini_v2_with 'state_dir = /tandberg/persistent/state'
	BEFORE=$(fx_snapshot)
	# 3 (as for a state_dir inside the conf-dir by name) or 8 (a path
	# problem of the appliance): both refuse; what matters is that nothing
	# (lock, backups, staging copy) lands where dnsmasq reads its
	# configuration. The new state dir has no record of v1, so the drop-ins
	# look hand-made: the refusal must come before that judgement, and
	# --force (what the 7 message suggests) must not get further either.
	for force in '' --force; do
		fx_run -m apply ${force:+"$force"}
		expect_status 3 8
		ls -la "$SANDBOX_CONFDIR"
		[ -z "$(stray_entries)" ]
		expect_unchanged "$BEFORE"
		stderr_has state_dir
	done
}

@test "--root is a file or a missing directory: exit 8 naming it, nothing created" {
	echo x >"$T/rootfile"
	run --separate-stderr timeout 10 "$DNSDROP_BIN" --root "$T/nowhere/x" apply
	expect_status 8
	[ ! -e "$T/nowhere" ]
	stderr_has "$T/nowhere/x" "No such file or directory"
	says_fix "$stderr"
	run --separate-stderr timeout 10 "$DNSDROP_BIN" --root "$T/rootfile" check
	expect_status 8
	run --separate-stderr timeout 10 "$DNSDROP_BIN" --root "$T/rootfile" apply
	expect_status 8
	expect_unchanged "$BEFORE"
	[ "$(cat "$T/rootfile")" = x ]
	stderr_has "$T/rootfile" "not a directory"
	says_fix "$stderr"
}

@test "restart hangs (restart_timeout = 2): exit 4, old records back and served, no hung child left" {
	ini_v2_with 'restart_timeout = 2'
	restarts=$(sandbox_restarts)
	touch "$SANDBOX/run/hang"
	fx_run -m apply
	expect_status 4
	stderr_has "timed out after 2 s"
	expect_rss_below "$RSS_MAX_KB"
	served_v1
	newest=$(find "$SANDBOX_STATE/backups" -mindepth 1 -maxdepth 1 ! -name '.*' -printf '%f\n' | LC_ALL=C sort | tail -n 1)
	cmp "$SANDBOX_STATE/backups/$newest/hosts.conf" \
		"$SANDBOX_CONFDIR/hosts.conf"
	[ "$(sandbox_restarts)" -eq $((restarts + 2)) ] # the hung one, the rollback's
	hung=$(cat "$SANDBOX/run/hang.pid")
	if [ -d "/proc/$hung" ] && [ "$(awk '{print $3}' "/proc/$hung/stat")" != Z ]; then
		echo "the hung restart (pid $hung) is still running"
		false
	fi
	[ -z "$(find "$SANDBOX_CONFDIR" -mindepth 1 -name '.*')" ]
}

@test "restart prints megabytes: bounded capture (even with -v) and memory, apply works" {
	touch "$SANDBOX/run/spew"
	fx_run -m -v apply
	expect_status 0
	expect_rss_below "$RSS_MAX_KB"
	echo "stdout ${#output} bytes, stderr ${#stderr} bytes"
	[ "$((${#output} + ${#stderr}))" -lt $((256 * 1024)) ]
	served_v2
	rm "$SANDBOX/run/spew"
}

@test "restart program not executable: exit 8 before anything changes (no backup, no write)" {
	chmod a-x "$SANDBOX/etc/init.d/dnsmasq"
	BEFORE=$(fx_snapshot)
	fx_run -m apply
	expect_status 8
	expect_unchanged "$BEFORE"
	stderr_has "$SANDBOX/etc/init.d/dnsmasq" executable
	says_fix "$stderr"
	chmod a+x "$SANDBOX/etc/init.d/dnsmasq"
	served_v1
}

@test "restart with shell syntax is refused at check (exit 3) and never run" {
	local m=$T/marker cmd
	for cmd in "/etc/init.d/dnsmasq restart \$(touch $m)" \
		"/etc/init.d/dnsmasq restart \`touch $m\`" \
		"/etc/init.d/dnsmasq restart;touch $m" \
		"/etc/init.d/dnsmasq restart|touch $m" \
		"/etc/init.d/dnsmasq restart&&touch $m" \
		"/etc/init.d/dnsmasq restart >$m" \
		"/etc/init.d/dnsmasq 'restart'" \
		"/etc/init.d/dnsmasq \"restart\"" \
		"/etc/init.d/dnsmasq restart\\ x"; do
		ini_v2_with "restart = $cmd"
		BEFORE=$(fx_snapshot)
		fx_run -m check
		expect_status 3
		stderr_has restart "shell"
		error_at_line "$SANDBOX_INI" "$(grep -n '^restart' "$SANDBOX_INI" | cut -d: -f1)"
		fx_run -m apply
		expect_status 3
		expect_unchanged "$BEFORE"
		[ ! -e "$m" ]
	done
	served_v1
}

@test "the restart runs without a shell, with exactly PATH=/usr/sbin:/usr/bin:/sbin:/bin" {
	local init=$SANDBOX/etc/init.d/dnsmasq
	mv "$init" "$init.real"
	cat >"$init" <<EOF
#!/bin/sh
tr '\\000' '\\n' </proc/\$\$/environ >'$SANDBOX/run/restart.env'
for a in "\$0" "\$@"; do printf '%s\\n' "\$a"; done >'$SANDBOX/run/restart.argv'
exec '$init.real' "\$@"
EOF
	chmod 0755 "$init"
	# glob, tilde and brace characters: a shell would expand them
	ini_v2_with 'restart = /etc/init.d/dnsmasq restart * ~ {a,b} (x)'
	fx_run check
	expect_status 0
	fx_run_env LD_PRELOAD=/nonexistent.so LD_LIBRARY_PATH=/evil IFS=x PATH=/evil \
		ENV=/evil.sh BASH_ENV=/evil.sh -- apply
	expect_status 0
	served_v2
	echo "environment of the restart:"
	cat "$SANDBOX/run/restart.env"
	[ "$(cat "$SANDBOX/run/restart.env")" = "PATH=/usr/sbin:/usr/bin:/sbin:/bin" ]
	echo "argv of the restart:"
	cat "$SANDBOX/run/restart.argv"
	[ "$(cat "$SANDBOX/run/restart.argv")" = "$(printf '%s\n' "$init" restart '*' '~' '{a,b}' '(x)')" ]
}
