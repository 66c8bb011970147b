#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# concurrency.bats - 20 administrators (or scripts) run `apply` on one
# appliance at the same instant, each with its own INI (-c FILE) and all
# sharing the appliance's state dir, lock and conf-dir. DESIGN.md 7: one
# holds the lock, the others exit 6 naming it; nothing is torn or mixed.
#
# Every run exits 0 (it held the lock and applied) or 6 (locked out). After
# the storm: the installed drop-ins are exactly the render of one INI whose
# run exited 0, and dnsmasq serves it; every backup is whole; the audit log
# has one "action=apply exit=0" line per run that exited 0; the restart
# count grew by the same number; no temp file or staging copy is left.

bats_require_minimum_version 1.5.0

N=20

setup() {
	# shellcheck source=../lib/sandbox.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/sandbox.bash"
	# shellcheck source=../lib/faults.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/faults.bash"
	fx_require flock cmp
	T=$BATS_TEST_TMPDIR
	sandbox_create "$T/box"
	sandbox_start >/dev/null
}

teardown() {
	local p
	for p in "${PIDS[@]}"; do
		kill -9 "$p" 2>/dev/null || true
	done
	sandbox_settle || true
	sandbox_destroy
}

# The INI of run I: one name every run sets differently, one name of its
# own, an SRV record of its own priority.
ini_of() {
	local i=$1
	cat <<EOF
; run $i of $N
[dnsdrop]
verify = 127.0.0.1:$SANDBOX_PORT

[hosts]
race.example.local = 10.20.$i.1
own$i.example.local = 10.30.$i.$i, fd00::$i

[srv]
_sip._tcp.example.com = own$i.example.local:5060 $i 10

[cname]
alias.example.local = own$i.example.local
EOF
}

# Which render (0 = the baseline, 1..N = the runs) FILE of KIND is; empty if none.
render_index() {
	local file=$1 kind=$2 i
	for ((i = 0; i <= N; i++)); do
		if cmp -s "$file" "$D/r$i.$kind"; then
			echo "$i"
			return 0
		fi
	done
}

@test "20 applies at once, 20 INIs: each exits 0 or 6, the last winner's render is installed and served" {
	# not "i": bats 1.8 (run with flags) sets a global i in its version check
	local r p f b k ini rc
	D=$(fx_ini_dir)

	# the baseline, applied from the appliance's own INI
	sandbox_ini "$SANDBOX" <<'EOF'
[hosts]
race.example.local = 10.20.0.1
EOF
	fx_run apply
	expect_status 0
	expect_answer race.example.local A 10.20.0.1
	cp "$SANDBOX_INI" "$D/0.ini"
	for f in hosts.conf srv.conf; do cp "$SANDBOX_CONFDIR/$f" "$D/r0.${f%.conf}"; done

	for ((r = 1; r <= N; r++)); do
		ini_of "$r" | fx_put_ini "$D/$r.ini"
		fx_run -c "$D/$r.ini" check
		expect_status 0
		for f in hosts srv; do
			# to a file: $output would lose the last newline
			"$DNSDROP_BIN" --root "$SANDBOX" -c "$D/$r.ini" render "$f.conf" >"$D/r$r.$f"
		done
	done
	log_before=$(grep -c 'action=apply exit=0' "$SANDBOX_STATE/dnsdrop.log")
	restarts_before=$(sandbox_restarts)
	backups_before=$(find "$SANDBOX_STATE/backups" -mindepth 1 -maxdepth 1 ! -name '.*' | wc -l)

	# the starting gate: every run waits for a shared lock on it while the
	# test holds it exclusively, then all go at once
	: >"$T/gate"
	exec {gate}>"$T/gate"
	flock -x "$gate"
	PIDS=() PID_OF=()
	for ((r = 1; r <= N; r++)); do
		(
			exec {gate}>&- 3>&-
			exec 9<"$T/gate"
			touch "$T/ready.$r"
			flock -s 9 || exit 99
			exec 9<&- "$DNSDROP_BIN" --root "$SANDBOX" -c "$D/$r.ini" apply
		) >"$T/out.$r" 2>"$T/err.$r" &
		PIDS[r]=$!
		PID_OF[r]=$! # the subshell execs dnsdrop: the same pid
	done
	for ((k = 0; k < 600; k++)); do
		[ "$(find "$T" -maxdepth 1 -name 'ready.*' | wc -l)" -eq "$N" ] && break
		sleep 0.05
	done
	exec {gate}>&- # go

	# hang guard: every run is over within 120 s, or is killed (and fails)
	for ((k = 0; k < 1200; k++)); do
		alive=0
		for p in "${PIDS[@]}"; do
			kill -0 "$p" 2>/dev/null && alive=$((alive + 1))
		done
		[ "$alive" -eq 0 ] && break
		sleep 0.1
	done
	for p in "${PIDS[@]}"; do
		kill -9 "$p" 2>/dev/null || true
	done
	applied=() locked=() bad=0
	for ((r = 1; r <= N; r++)); do
		rc=0
		wait "${PIDS[r]}" || rc=$?
		case $rc in
		0) applied+=("$r") ;;
		6) locked+=("$r") ;;
		*)
			echo "run $r exited $rc (want 0 or 6):"
			cat "$T/out.$r" "$T/err.$r"
			bad=1
			;;
		esac
	done
	PIDS=()
	echo "# $N applies at once: ${#applied[@]} applied (runs ${applied[*]}), ${#locked[@]} locked out (exit 6)" >&3
	[ "$bad" -eq 0 ]
	[ "${#applied[@]}" -ge 1 ]
	sandbox_settle

	# exit 6 names the holder: a pid of a run that applied (or, if it lost
	# the race to read the pid, the lock file)
	named=0
	winner_pids=" "
	for r in "${applied[@]}"; do winner_pids+="${PID_OF[r]} "; done
	for r in "${locked[@]}"; do
		[ ! -s "$T/out.$r" ] || { echo "run $r (locked out) printed progress:"; cat "$T/out.$r"; false; }
		holder=$(grep -oE 'pid [0-9]+' "$T/err.$r" | head -n 1 | cut -d' ' -f2)
		if [ -n "$holder" ]; then
			if [[ $winner_pids != *" $holder "* ]]; then
				echo "run $r names pid $holder, not a run that applied ($winner_pids):"
				cat "$T/err.$r"
				false
			fi
			named=$((named + 1))
		else
			grep -qF "$SANDBOX_STATE/lock" "$T/err.$r"
		fi
	done
	echo "# locked-out runs naming the holder's pid: $named of ${#locked[@]}" >&3

	# the installed drop-ins: both exactly the render of one INI, of a winner
	hi=$(render_index "$SANDBOX_CONFDIR/hosts.conf" hosts)
	si=$(render_index "$SANDBOX_CONFDIR/srv.conf" srv)
	echo "installed: hosts.conf of INI '${hi:-none}', srv.conf of INI '${si:-none}'"
	[ -n "$hi" ] && [ "$hi" = "$si" ]
	[[ " ${applied[*]} " == *" $hi "* ]]
	fx_run -c "$D/$hi.ini" verify
	expect_status 0
	expect_answer race.example.local A "10.20.$hi.1"
	fx_run -c "$D/$hi.ini" diff
	expect_status 0
	restarts=$(sandbox_restarts)
	fx_run -c "$D/$hi.ini" reapply
	expect_status 0
	[ -z "$output" ]
	[ "$(sandbox_restarts)" -eq "$restarts" ]

	# one restart and one audit line per run that applied
	[ "$(sandbox_restarts)" -eq $((restarts_before + ${#applied[@]})) ]
	log_after=$(grep -c 'action=apply exit=0' "$SANDBOX_STATE/dnsdrop.log")
	echo "audit: $log_before lines before, $log_after after"
	[ "$((log_after - log_before))" -eq "${#applied[@]}" ]
	if grep -vE 'action=apply exit=0' "$SANDBOX_STATE/dnsdrop.log"; then
		echo "the audit log has lines for runs that did not apply (above)"
		false
	fi

	# every backup whole: meta, the files it names, each a known render or
	# INI (the INI also passes check)
	backups_whole
	backups_after=$(find "$SANDBOX_STATE/backups" -mindepth 1 -maxdepth 1 ! -name '.*' | wc -l)
	[ "$backups_after" -eq $((backups_before + ${#applied[@]})) ]
	for b in "$SANDBOX_STATE"/backups/*/; do
		b=${b%/}
		for f in hosts srv; do
			if [ -e "$b/$f.conf" ] && [ -z "$(render_index "$b/$f.conf" "$f")" ]; then
				echo "$b/$f.conf is no render of any INI"
				false
			fi
		done
		if [ -e "$b/dnsdrop.ini" ]; then
			ini=''
			for ((r = 0; r <= N; r++)); do
				cmp -s "$b/dnsdrop.ini" "$D/$r.ini" && ini=$r
			done
			[ -n "$ini" ] || { echo "$b/dnsdrop.ini is none of the INIs"; false; }
			fx_run -c "$b/dnsdrop.ini" check
			expect_status 0
		fi
	done

	# nothing left behind
	[ -z "$(find "$SANDBOX_CONFDIR" -mindepth 1 -name '.*')" ]
	[ -z "$(stray_entries)" ]
	[ -z "$(find "$SANDBOX_STATE/backups" -mindepth 1 -maxdepth 1 -name '.*')" ]
	[ -z "$(find "$SANDBOX_STATE" -mindepth 1 -maxdepth 1 -name 'dnsdrop-stage*')" ]
}

# A second admin's status while an apply waits in its restart: the change
# is in progress, not "pending: run reapply"; and status takes no lock, so
# it never makes that apply fail.
@test "status during another admin's apply: in progress with its pid, and the apply still succeeds" {
	local pid out rc=0
	ini_of 1 | sandbox_ini
	touch "$SANDBOX/run/gate"
	dd apply >"$T/apply.out" 2>&1 &
	pid=$!
	PIDS+=("$pid")
	for ((i = 0; i < 600; i++)); do
		grep -qs restart "$SANDBOX/run/restarts" && break
		sleep 0.1
	done
	grep -qs restart "$SANDBOX/run/restarts"
	out=$(dd status 2>&1) || true
	grep -qE '^in progress  dnsdrop \(pid [0-9]+\) is changing the appliance now' <<<"$out"
	[[ $out != *"pending "* && $out != *"run 'dnsdrop reapply'"* ]]
	rm "$SANDBOX/run/gate"
	wait "$pid" || rc=$?
	cat "$T/apply.out"
	[ "$rc" -eq 0 ]
	out=$(dd status 2>&1) || true
	[[ $out != *"in progress"* ]]
}
