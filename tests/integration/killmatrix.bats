#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# killmatrix.bats - apply of a changed INI killed (SIGKILL, by strace's fault
# injection) at every write, fsync, rename and unlink syscall it makes, one
# kill point after the other on one sandbox appliance: a change of every
# drop-in (restart mode), and a host-only change in hosts_mode = hot (the
# hosts file into hosts_dir, no restart). DESIGN.md 7: "A kill
# at any instant leaves every file either old or new, never torn; running
# apply or reapply again converges without --force, and the previous version
# is always in the backups."
#
# Calibration: one clean traced apply counts each syscall; then for every
# syscall S and N = 1..count, apply is killed on entry to its Nth S (the
# call is not made), and N = count + 1 must run through (so the count was
# all of them). After each kill:
#   - each managed file is byte for byte the old or the new render
#   - no non-dot entry in the conf-dir that dnsmasq would load
#   - every backup is whole (meta and the files it names); when a drop-in
#     is new, a backup holds the old ones
#   - reapply (no --force) exits 0, installs the new render, and dnsmasq
#     serves the new records (dig)
#   - after that reapply no temp file or directory is left: none in the
#     conf-dir (the write probe's too), hosts_dir, the state dir, applied/,
#     backups/
# Between points the appliance goes back to "v1 applied, v2 in the INI" by
# copying back a snapshot of tandberg/ (conf-dir and state dir; and of
# hosts_dir) taken after
# v1 was applied, and restarting dnsmasq on it: cheaper than a new sandbox
# or an apply --force, and exact (the same bytes, modes and owners).
#
# strace traces dnsdrop alone (no -f): the restart's children (the init
# script, dnsmasq) are not traced, so their syscalls are not kill points.
# Every failing point is collected and shown; the test fails at the end.

bats_require_minimum_version 1.5.0

SYSCALLS="write writev pwrite64 pwritev pwritev2 fsync fdatasync rename renameat renameat2 unlink unlinkat"

setup() {
	# shellcheck source=../lib/sandbox.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/sandbox.bash"
	# shellcheck source=../lib/faults.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/faults.bash"
	# shellcheck source=../lib/fixtures.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/fixtures.bash"
	fx_require strace cmp cp
	T=$BATS_TEST_TMPDIR
	sandbox_create "$T/box"
	sandbox_hosts_dir hd
	sandbox_start >/dev/null
	# restart mode: every drop-in changes (fixtures.bash's v1 and v2)
	FILES="hosts.conf srv.conf" CHANGED=$FILES V2_PRIO=20 INI_V1=ini_v1 INI_V2=ini_v2 CAL_RESTARTS=
}

# hosts_mode = hot: v1, and v2 with only host addresses changed (the same
# hosts as fixtures.bash's v2, v1's SRV record): only the hosts file in
# hosts_dir changes.
hot_ini() {
	local expc1=10.0.10.11 expc3=
	[ "$1" = v2 ] && expc1=10.0.10.111 expc3='expc3.example.local = 10.0.10.13'
	sandbox_ini "$SANDBOX" <<EOF
[dnsdrop]
verify = 127.0.0.1:$SANDBOX_PORT
hosts_mode = hot
hosts_dir = $HD

[hosts]
expc1.example.local = $expc1
expc2.example.local = 10.0.10.12, fd00::12
$expc3

[srv]
_cisco-uds._tcp.example.com = cucm1.example.local:8443 10 10

[cname]
expc.example.local = expc1.example.local
EOF
}

# Where managed file F is installed.
installed() {
	case $1 in
	hosts) echo "$SANDBOX$HD/hosts" ;;
	*) echo "$SANDBOX_CONFDIR/$1" ;;
	esac
}

teardown() {
	sandbox_settle || true
	sandbox_destroy
}

# served_v2 of fixtures.bash, but every mismatch is reported (not only the
# first); non-zero if any.
served_v2_all() {
	local bad=0
	expect_answer expc1.example.local A 10.0.10.111 || bad=1
	expect_answer expc2.example.local AAAA fd00::12 || bad=1
	expect_answer expc3.example.local A 10.0.10.13 || bad=1
	expect_answer _cisco-uds._tcp.example.com SRV "$V2_PRIO 10 8443 cucm1.example.local." || bad=1
	expect_answer expc.example.local CNAME expc1.example.local. || bad=1
	return "$bad"
}

# Part of served_v1 of fixtures.bash, every mismatch reported: checked after
# each reset.
served_v1_some() {
	local bad=0
	expect_answer expc1.example.local A 10.0.10.11 || bad=1
	expect_answer expc3.example.local A || bad=1
	expect_answer _cisco-uds._tcp.example.com SRV "10 10 8443 cucm1.example.local." || bad=1
	return "$bad"
}

# Back to v1 applied and served, v2 in the INI.
reset_box() {
	sandbox_settle || return 1
	rm -rf "$SANDBOX/tandberg" "${SANDBOX:?}$HD" || return 1
	cp -a "$T/snap" "$SANDBOX/tandberg" && cp -a "$T/snaphd" "$SANDBOX$HD" || return 1
	"$SANDBOX/etc/init.d/dnsmasq" restart >/dev/null || return 1
	served_v1_some
}

# traced_apply SYSCALLS [INJECT]: apply under strace; status/output/stderr.
traced_apply() {
	local args=()
	[ -n "${2:-}" ] && args=(-e "inject=$2")
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		run --separate-stderr timeout -k 5 120 strace -o "$T/trace" -y \
		-e "trace=${1// /,}" "${args[@]}" "$DNSDROP_BIN" --root "$SANDBOX" apply
}

# Temp files and directories of dnsdrop: dot entries in the conf-dir,
# hosts_dir, the state dir, applied/ and backups/, and staging copies; one
# a line.
leftovers() {
	find "$SANDBOX_CONFDIR" "$SANDBOX$HD" "$SANDBOX_STATE" "$SANDBOX_STATE/applied" "$SANDBOX_STATE/backups" \
		-mindepth 1 -maxdepth 1 \( -name '.*' -o -name 'dnsdrop-stage*' \) -printf '%P\n' 2>/dev/null
}

# check_point WHAT: the checks after a kill, each one run and reported;
# non-zero if any failed. Counts outcomes in the globals below.
check_point() {
	local what=$1 f state='' any_new=0 bad=0 stray
	sandbox_settle # the killed run's restart may still be at work
	for f in $FILES; do
		if cmp -s "$OLD/$f" "$(installed "$f")"; then
			# a file that v1 and v2 render alike says nothing of old or new
			[[ " $CHANGED " == *" $f "* ]] && state+=" $f=old"
		elif cmp -s "$NEW/$f" "$(installed "$f")"; then
			state+=" $f=new"
			any_new=1
		else
			echo "$what: $f is neither the old nor the new render:"
			diff -u "$NEW/$f" "$(installed "$f")" | head -n 20
			state+=" $f=TORN"
			bad=1
		fi
	done
	case $state in
	*TORN*) ;;
	*old*new* | *new*old*) MIXED=$((MIXED + 1)) ;;
	*new*) ALLNEW=$((ALLNEW + 1)) ;;
	*) ALLOLD=$((ALLOLD + 1)) ;;
	esac
	stray=$(stray_entries)
	if [ -n "$stray" ]; then
		echo "$what: dnsmasq would load stray entries of the conf-dir: $stray"
		bad=1
	fi
	TEMPS=$((TEMPS + $(find "$SANDBOX_CONFDIR" "$SANDBOX$HD" "$SANDBOX_STATE" "$SANDBOX_STATE/applied" -mindepth 1 -maxdepth 1 -name '.*' | wc -l)))
	TMPBACKUPS=$((TMPBACKUPS + $(find "$SANDBOX_STATE/backups" -mindepth 1 -maxdepth 1 -name '.*' | wc -l)))
	STAGES=$((STAGES + $(find "$SANDBOX_STATE" -mindepth 1 -maxdepth 1 -name 'dnsdrop-stage*' | wc -l)))
	backups_whole || { echo "$what: a backup is not whole"; bad=1; }
	if [ "$any_new" -eq 1 ]; then
		old_backed_up || { echo "$what:$state, but the old version is in no backup"; bad=1; }
		[ "$(sandbox_dig expc1.example.local A)" = 10.0.10.11 ] && UNSERVED=$((UNSERVED + 1))
	fi
	local restarts
	restarts=$(sandbox_restarts)
	run --separate-stderr timeout -k 5 120 "$DNSDROP_BIN" --root "$SANDBOX" reapply
	[ "$(sandbox_restarts)" -eq "$restarts" ] || RESTARTED=$((RESTARTED + 1))
	if [ "$status" -ne 0 ]; then
		echo "$what (left:$state): reapply exited $status, want 0: $stderr"
		bad=1
	fi
	for f in $FILES; do
		if ! cmp -s "$NEW/$f" "$(installed "$f")"; then
			echo "$what (left:$state): after reapply $f is not the new render"
			bad=1
		fi
	done
	if ! served_v2_all >"$T/served.out"; then
		echo "$what (left:$state): after reapply (exit $status) dnsmasq does not serve the new records ($(head -n 2 "$T/served.out" | tr -s ' \n' ' '))"
		bad=1
	fi
	# every temp file or directory the kill left is gone after reapply
	stray=$(leftovers)
	if [ -n "$stray" ]; then
		echo "$what (left:$state): still there after reapply: $stray"
		LEFT=$((LEFT + $(wc -l <<<"$stray")))
		bad=1
	fi
	return "$bad"
}

# The matrix, for the mode that setup (or the test) set: FILES, the managed
# files; CHANGED, those that v1 and v2 render differently; V2_PRIO; INI_V1
# and INI_V2, the commands that write v1 and v2; CAL_RESTARTS, how many
# restarts the clean apply makes ("": not checked).
kill_matrix() {
	local sc count n line f
	local -a counts fails=()
	ALLOLD=0 MIXED=0 ALLNEW=0 UNSERVED=0 TEMPS=0 TMPBACKUPS=0 STAGES=0 LEFT=0 RESTARTED=0 points=0

	$INI_V1
	fx_run apply
	expect_status 0
	served_v1_some
	OLD=$T/old NEW=$T/new
	mkdir "$OLD" "$NEW"
	$INI_V2
	for f in $FILES; do
		cp "$(installed "$f")" "$OLD/$f"
		"$DNSDROP_BIN" --root "$SANDBOX" render "$f" >"$NEW/$f"
		if [[ " $CHANGED " == *" $f "* ]] && cmp -s "$OLD/$f" "$NEW/$f"; then
			echo "v1 and v2 render $f alike"
			false
		fi
	done
	cp -a "$SANDBOX/tandberg" "$T/snap"
	cp -a "$SANDBOX$HD" "$T/snaphd"

	# calibration: a clean traced apply
	local restarts
	restarts=$(sandbox_restarts)
	traced_apply "$SYSCALLS"
	expect_status 0
	served_v2_all
	[ -z "$CAL_RESTARTS" ] || [ "$(sandbox_restarts)" -eq $((restarts + CAL_RESTARTS)) ]
	mapfile -t counts < <(awk 'match($0, /^[a-z0-9_]+\(/) { c[substr($0, 1, RLENGTH - 1)]++ }
		END { for (s in c) print s, c[s] }' "$T/trace" | LC_ALL=C sort)
	echo "# calibration: ${counts[*]}" >&3
	[ "${#counts[@]}" -gt 0 ]

	for line in "${counts[@]}"; do
		read -r sc count <<<"$line"
		for ((n = 1; n <= count + 1; n++)); do
			if ! reset_box; then
				fails+=("$sc #$n: cannot reset the sandbox")
				continue
			fi
			traced_apply "$sc" "$sc:signal=KILL:when=$n"
			if [ "$status" -ne 137 ]; then
				# not killed: the run must have gone through (and only the
				# call after the last may be missing)
				[ "$n" -le "$count" ] && echo "# note: $sc #$n not reached (exit $status)" >&3
				if [ "$status" -ne 0 ] || ! served_v2_all; then
					fails+=("$sc #$n: not killed, exit $status: ${stderr:0:300}")
				fi
				continue
			fi
			if [ "$n" -gt "$count" ]; then
				fails+=("$sc: killed at #$n, but calibration counted only $count")
			fi
			points=$((points + 1))
			if ! check_point "killed at $sc #$n" >"$T/check.out" 2>&1; then
				# the full story of the first failure, one line for the others
				[ "${#fails[@]}" -eq 0 ] && cat "$T/check.out"
				fails+=("$(grep -E '^killed at' "$T/check.out" || cat "$T/check.out")")
			fi
		done
	done

	echo "# kill points: $points" >&3
	echo "# kills left: all old $ALLOLD, mixed $MIXED, all new $ALLNEW (new but not yet served: $UNSERVED);" \
		"left by the kills: $TEMPS dot files in the conf-dir, state dir and applied/, $TMPBACKUPS .tmp backups," \
		"$STAGES staging copies; still there after reapply: $LEFT (must be 0); reapplies that restarted: $RESTARTED" >&3
	if [ "${#fails[@]}" -gt 0 ]; then
		echo "${#fails[@]} kill points failed:"
		printf -- '- %s\n' "${fails[@]}"
		false
	fi
	[ "$points" -gt 0 ]
	# MAX_RESTARTED: at most this many reapplies after a kill may restart
	[ -z "${MAX_RESTARTED:-}" ] || [ "$RESTARTED" -le "$MAX_RESTARTED" ]
}

@test "apply killed at every write, fsync, rename and unlink: old or new, whole backups, reapply converges and serves" {
	kill_matrix
}

@test "hot apply (host-only, no restart) killed at every write, fsync, rename and unlink: old or new, reapply converges" {
	# An interrupted hot change needs no restart either: the next reapply
	# writes the hosts file again, or finds dnsmasq serving it already.
	FILES="hosts.conf srv.conf hosts" CHANGED=hosts V2_PRIO=10 INI_V1="hot_ini v1" INI_V2="hot_ini v2" CAL_RESTARTS=0 \
		MAX_RESTARTED=0
	kill_matrix
}
