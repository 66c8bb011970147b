#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# faults.bats - apply killed at every rename, fsync and write, and apply on a
# full or failing disk, by strace's fault injection on the real binary, with
# a real dnsmasq in a sandbox appliance (tests/lib/sandbox.bash).
# DESIGN.md 7: a kill at any instant leaves every drop-in old or new, never
# torn; apply or reapply again converges without --force; the previous
# version is in the backups. An I/O error: exit 8, nothing changed.
#
# strace traces dnsdrop alone (no -f): the drop-ins, backups and log are
# written by dnsdrop itself, and following its children would follow the
# dnsmasq daemon the init script starts, which never exits.

bats_require_minimum_version 1.5.0

RENAMES="rename renameat renameat2"
FSYNCS="fsync fdatasync"
WRITES="write writev pwrite64 pwritev pwritev2 copy_file_range sendfile"
OPENS="open openat creat"

setup() {
	# shellcheck source=../lib/sandbox.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/sandbox.bash"
	# shellcheck source=../lib/faults.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/faults.bash"
	# shellcheck source=../lib/fixtures.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/fixtures.bash"
	if ! command -v strace >/dev/null 2>&1; then
		echo "strace is missing (scripts/deps.sh test installs it)"
		return 1
	fi
	T=$BATS_TEST_TMPDIR
	: >"$T/boxes"
}

teardown() {
	local box
	while read -r box; do
		if sandbox_use "$box"; then sandbox_destroy; fi
	done <"$T/boxes"
}

# A new sandbox NAME with v1 applied and served, v2 written as the INI;
# v1's drop-ins kept in $OLD, v2's render in $NEW.
fresh_box() {
	local f
	sandbox_create "$T/$1"
	echo "$SANDBOX" >>"$T/boxes"
	sandbox_start >/dev/null
	ini_v1
	if ! dd apply >"$SANDBOX/run/v1.out" 2>&1; then
		echo "setting up $1: apply of v1 failed:"
		cat "$SANDBOX/run/v1.out"
		return 1
	fi
	served_v1
	OLD=$SANDBOX/run/old
	NEW=$SANDBOX/run/new
	mkdir "$OLD" "$NEW"
	ini_v2
	for f in hosts.conf srv.conf; do
		cp "$SANDBOX_CONFDIR/$f" "$OLD/$f"
		dd render "$f" >"$NEW/$f"
		if cmp -s "$OLD/$f" "$NEW/$f"; then
			echo "setting up $1: v1 and v2 render $f alike"
			return 1
		fi
	done
}

# strace_apply SYSCALLS INJECT: apply under strace, only SYSCALLS traced
# (fds shown as paths) to $SANDBOX/run/trace, INJECT as the tamper (none if
# empty). Sets status, output, stderr like `run`.
strace_apply() {
	local set=${1// /,} args=()
	[ -n "$2" ] && args=(-e "inject=$2")
	# LeakSanitizer cannot work under ptrace (for the sanitizer build)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		run --separate-stderr timeout 300 strace -o "$SANDBOX/run/trace" -y \
		-e "trace=$set" "${args[@]}" "$DNSDROP_BIN" --root "$SANDBOX" apply
}

# How many times each syscall of the trace was called: "NAME COUNT" lines.
trace_counts() {
	awk 'match($0, /^[a-z0-9_]+\(/) { n[substr($0, 1, RLENGTH - 1)]++ }
		END { for (s in n) print s, n[s] }' "$1" | LC_ALL=C sort
}

# The first call in trace $1 whose line matches regex $2, as "SYSCALL N"
# (the Nth call of that syscall); nothing if none does.
trace_first() {
	awk -v re="$2" 'match($0, /^[a-z0-9_]+\(/) {
		s = substr($0, 1, RLENGTH - 1); n[s]++
		if ($0 ~ re) { print s, n[s]; exit }
	}' "$1"
}

temp_entries() {
	find "$SANDBOX_CONFDIR" -mindepth 1 -maxdepth 1 -name '.*' -printf '%f\n'
}

# After a killed apply: whole files, nothing stray, old version backed up,
# and reapply (no --force) converges to v2, served. Counts the outcomes in
# ALLOLD, MIXED, ALLNEW and UNSERVED (new files, dnsmasq still on the old).
check_after_kill() {
	local what=$1 f state='' any_new=0 stray
	sandbox_settle # its restart child may still be at work
	for f in hosts.conf srv.conf; do
		if cmp -s "$OLD/$f" "$SANDBOX_CONFDIR/$f"; then
			state+=" $f=old"
		elif cmp -s "$NEW/$f" "$SANDBOX_CONFDIR/$f"; then
			state+=" $f=new"
			any_new=1
		else
			echo "$what: $f is neither the old nor the new version:"
			diff -u "$NEW/$f" "$SANDBOX_CONFDIR/$f" || true
			return 1
		fi
	done
	stray=$(stray_entries)
	if [ -n "$stray" ]; then
		echo "$what: dnsmasq would load stray files: $stray"
		return 1
	fi
	if [ "$any_new" -eq 1 ]; then
		old_backed_up
		[ "$(sandbox_dig expc1.example.local A)" = 10.0.10.11 ] && UNSERVED=$((UNSERVED + 1))
	fi
	case $state in
	*old*new* | *new*old*) MIXED=$((MIXED + 1)) ;;
	*new*) ALLNEW=$((ALLNEW + 1)) ;;
	*) ALLOLD=$((ALLOLD + 1)) ;;
	esac
	run --separate-stderr dd reapply
	if [ "$status" -ne 0 ]; then
		echo "$what (left:$state): reapply does not converge"
		expect_status 0
	fi
	for f in hosts.conf srv.conf; do
		cmp "$NEW/$f" "$SANDBOX_CONFDIR/$f"
	done
	if ! served_v2; then
		echo "$what (left:$state): after reapply (exit 0) dnsmasq does not serve the new records"
		return 1
	fi
}

# kill_every "SYSCALL...": calibrate on a clean apply which of the syscalls are
# used, then for each, kill apply at its 1st, 2nd, ... call until a run
# completes; check every kill. Prints "syscall K=..." on fd 3 (TAP comment).
kill_every() {
	local sc n count line counts total=0 temps=0 summary=''
	ALLOLD=0 MIXED=0 ALLNEW=0 UNSERVED=0
	fresh_box calibrate
	strace_apply "$1" ""
	expect_status 0
	served_v2
	mapfile -t counts < <(trace_counts "$SANDBOX/run/trace")
	sandbox_destroy
	[ "${#counts[@]}" -gt 0 ]
	for line in "${counts[@]}"; do
		read -r sc count <<<"$line"
		for ((n = 1; ; n++)); do
			fresh_box "$sc-$n"
			strace_apply "$sc" "$sc:signal=KILL:when=$n"
			if [ "$status" -ne 137 ]; then
				expect_status 0 # not killed: the run went through
				served_v2
				sandbox_destroy
				break
			fi
			check_after_kill "killed at $sc #$n"
			temps=$((temps + $(temp_entries | wc -l)))
			sandbox_destroy
			if [ "$n" -ge 300 ]; then
				echo "$sc: still killed at call 300"
				return 1
			fi
		done
		total=$((total + n - 1))
		summary+=" $sc K=$((n - 1)) (calibration: $count)"
		if [ "$((n - 1))" -ne "$count" ]; then
			echo "# note: $sc: $count calls traced, $((n - 1)) kill points" >&3
		fi
	done
	echo "#$summary; dot files left by kills: $temps" >&3
	echo "# kills left: all old $ALLOLD, mixed $MIXED, all new $ALLNEW" \
		"(new but not yet served $UNSERVED)" >&3
	[ "$total" -gt 0 ]
}

@test "each drop-in goes through a dot temp file: O_EXCL|O_NOFOLLOW, fsync, rename, dir fsync" {
	fresh_box box
	strace_apply "$OPENS $WRITES $FSYNCS $RENAMES" ""
	expect_status 0
	served_v2
	tr=$SANDBOX/run/trace
	confdir=$(realpath "$SANDBOX_CONFDIR")
	for f in hosts.conf srv.conf; do
		# the rename that put F in place, and the temp name it came from
		read -r rline tmp < <(awk -v f="$f" '
			function base(p) { sub(/.*\//, "", p); return p }
			/^rename(at2?)?\(/ && / = 0$/ {
				n = 0; s = $0
				while (match(s, /"[^"]*"/)) { q[++n] = substr(s, RSTART + 1, RLENGTH - 2); s = substr(s, RSTART + RLENGTH) }
				if (n >= 2 && base(q[n]) == f) { print NR, base(q[1]); exit }
			}' "$tr")
		echo "$f: renamed from '${tmp:-?}' at trace line ${rline:-?}"
		[ -n "$rline" ]
		[[ $tmp == .* ]]
		head -n "$rline" "$tr" >"$T/before"
		tail -n +"$rline" "$tr" >"$T/after"
		grep -E "^(open|openat|creat)\(.*\"([^\"]*/)?${tmp//./\\.}\".*O_EXCL" "$T/before" >"$T/open"
		grep -q O_NOFOLLOW "$T/open"
		grep -qE "^(write|writev|pwrite64)\([0-9]+<[^>]*/${tmp//./\\.}>" "$T/before"
		grep -qE "^(fsync|fdatasync)\([0-9]+<[^>]*/${tmp//./\\.}>\) = 0" "$T/before"
		grep -qE "^(fsync|fdatasync)\([0-9]+<$confdir>\) = 0" "$T/after"
	done
}

@test "apply killed at every rename: old or new, never torn; reapply converges" {
	kill_every "$RENAMES"
}

@test "apply killed at every fsync: old or new, never torn; reapply converges" {
	kill_every "$FSYNCS"
}

@test "apply killed at every write: old or new, never torn; reapply converges" {
	kill_every "$WRITES"
}

# io_fault NAME REGEX ERRNO: in a reference run find the first write/fsync
# whose line matches REGEX; in a fresh box make that very call fail with
# ERRNO. Leaves the run's status/output/stderr; checks the hit landed.
io_fault() {
	local name=$1 re=$2 errno=$3 sc n
	fresh_box "ref-$name"
	strace_apply "$WRITES $FSYNCS" ""
	expect_status 0
	read -r sc n < <(trace_first "$SANDBOX/run/trace" "$re")
	sandbox_destroy
	if [ -z "$sc" ]; then
		echo "no call matching /$re/ in a clean apply"
		return 1
	fi
	fresh_box "$name"
	RESTARTS=$(sandbox_restarts)
	strace_apply "$sc" "$sc:error=$errno:when=$n"
	echo "# $name: $errno injected at $sc #$n" >&3
	grep -E "INJECTED" "$SANDBOX/run/trace" | grep -qE -- "$re"
}

# Nothing changed: old drop-ins in place and served, no restart, no temp.
nothing_changed() {
	cmp "$OLD/hosts.conf" "$SANDBOX_CONFDIR/hosts.conf"
	cmp "$OLD/srv.conf" "$SANDBOX_CONFDIR/srv.conf"
	served_v1
	[ "$(sandbox_restarts)" -eq "$RESTARTS" ]
	[ -z "$(temp_entries)" ]
	[ -z "$(stray_entries)" ]
}

# Once the disk is fine again, apply converges.
recovers() {
	run --separate-stderr dd apply
	expect_status 0
	served_v2
}

CONFDIR_TEMP='<[^>]*/tandberg/etc/dnsmasq\.d/\.'

@test "ENOSPC writing the first drop-in: exit 8, old files intact and served" {
	io_fault enospc "$CONFDIR_TEMP" ENOSPC
	expect_status 8
	grep -qF 'No space left on device' <<<"$stderr"
	nothing_changed
	recovers
}

@test "EIO on fsync of the first drop-in: exit 8, old files intact and served" {
	io_fault eio "^(fsync|fdatasync)\(.*$CONFDIR_TEMP" EIO
	expect_status 8
	echo "$stderr"
	grep -qE 'I/O error|Input/output error' <<<"$stderr" # musl / glibc
	nothing_changed
	recovers
}

@test "ENOSPC writing the second drop-in: exit 4 or 8, old files intact and served" {
	# which drop-in apply writes first (temp files are .NAME.XXXXXX)
	fresh_box probe
	strace_apply "$WRITES" ""
	expect_status 0
	first=$(grep -oE "${CONFDIR_TEMP}[a-z]+\.conf\." "$SANDBOX/run/trace" | head -n 1)
	sandbox_destroy
	case $first in
	*/.hosts.conf.) second=srv ;;
	*/.srv.conf.) second=hosts ;;
	*) echo "no write to .hosts.conf.* or .srv.conf.* seen: '$first'" && false ;;
	esac
	io_fault enospc2 "${CONFDIR_TEMP}${second}\.conf\." ENOSPC
	echo "apply exited $status"
	[ "$status" -eq 4 ] || [ "$status" -eq 8 ]
	grep -qF 'No space left on device' <<<"$stderr"
	cmp "$OLD/hosts.conf" "$SANDBOX_CONFDIR/hosts.conf"
	cmp "$OLD/srv.conf" "$SANDBOX_CONFDIR/srv.conf"
	served_v1
	[ -z "$(temp_entries)" ]
	[ -z "$(stray_entries)" ]
	recovers
}

@test "ENOSPC writing the backup: exit 8, nothing changed" {
	io_fault backup '<[^>]*/tandberg/persistent/dnsdrop/backups/' ENOSPC
	expect_status 8
	grep -qF 'No space left on device' <<<"$stderr"
	nothing_changed
	left=$(find "$SANDBOX_STATE/backups" -mindepth 1 -maxdepth 1 -name '.*')
	echo "left in backups: $left"
	[ -z "$left" ]
	recovers
}
