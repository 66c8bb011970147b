# shellcheck shell=bash disable=SC2154
# (status, output and stderr are set by bats' run)
# faults.bash - helpers shared by hostile.bats, concurrency.bats,
# killmatrix.bats, faults.bats, apply.bats and import.bats (source it after
# sandbox.bash). Functions only; every helper is errexit-safe: it returns
# non-zero (with a message) on a mismatch and never hides a failure behind a
# later success, so it works both as a plain statement in a bats test and
# inside `if`.
#
#   fx_require TOOL...       fail loudly (never skip) unless every tool runs
#   fx_run [-m] ARGS...      run dnsdrop --root $SANDBOX ARGS (hang guard
#                            FX_LIMIT s); sets status, output, stderr like
#                            `run --separate-stderr`; -m also sets FX_RSS_KB
#   fx_run_env ENV... -- ARGS...   the same with extra environment settings
#   expect_status N [M...]   $status is one of N M...; else show the output
#   expect_answer NAME TYPE WANT...   dig answers exactly WANT (any order)
#   expect_rss_below KB      FX_RSS_KB < KB
#   fx_snapshot              the appliance (every path, type, mode, owner,
#                            size, checksum, link target) + restart count
#   expect_unchanged BEFORE  fx_snapshot still equals BEFORE; else the diff
#   fx_ini_dir               a private (0700) directory for -c INIs: prints it
#   fx_put_ini FILE          stdin -> FILE, mode 0600 (and no [dnsdrop] added)
#   says_fix TEXT            TEXT tells the administrator what to do
#   backups_whole            every backup dir has meta and the files it names
#   stray_entries            non-dot entries of the conf-dir dnsdrop did not make

FX_LIMIT=${FX_LIMIT:-60}

fx_require() {
	local t
	for t in "$@"; do
		if ! command -v "$t" >/dev/null 2>&1; then
			echo "missing tool: $t (scripts/deps.sh test installs the test tools)" >&2
			return 1
		fi
	done
}

# The last `run` exited with one of the arguments; otherwise show what it printed.
expect_status() {
	local want
	for want in "$@"; do
		[ "$status" -eq "$want" ] && return 0
	done
	echo "exit status $status, want ${*// / or }"
	echo "--- stdout (first 40 lines):"
	printf '%s\n' "$output" | head -n 40
	echo "--- stderr (first 40 lines):"
	printf '%s\n' "${stderr:-}" | head -n 40
	return 1
}

_fx_exec() {
	local rss=$1
	shift
	if [ -n "$rss" ]; then
		timeout -k 5 "$FX_LIMIT" /usr/bin/time -q -o "$rss" -f '%M' "$@"
	else
		timeout -k 5 "$FX_LIMIT" "$@"
	fi
}

fx_run() {
	local rss=''
	if [ "${1:-}" = -m ]; then
		rss=$BATS_TEST_TMPDIR/fx.rss
		rm -f "$rss"
		shift
	fi
	run --separate-stderr _fx_exec "$rss" "$DNSDROP_BIN" --root "$SANDBOX" "$@"
	FX_RSS_KB=
	if [ -n "$rss" ]; then
		FX_RSS_KB=$(tail -n 1 "$rss" 2>/dev/null)
	fi
	if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
		echo "dnsdrop $* did not finish within $FX_LIMIT s (hang guard)"
	fi
	return 0
}

# fx_run_env VAR=VALUE... -- ARGS...: dnsdrop with extra environment.
fx_run_env() {
	local envs=()
	while [ "$#" -gt 0 ] && [ "$1" != -- ]; do
		envs+=("$1")
		shift
	done
	shift
	run --separate-stderr timeout -k 5 "$FX_LIMIT" \
		/usr/bin/env "${envs[@]}" "$DNSDROP_BIN" --root "$SANDBOX" "$@"
}

expect_rss_below() {
	if ! [[ ${FX_RSS_KB:-} =~ ^[0-9]+$ ]]; then
		echo "no max RSS measured (got '${FX_RSS_KB:-}')"
		return 1
	fi
	if [ "$FX_RSS_KB" -ge "$1" ]; then
		echo "max RSS $FX_RSS_KB KiB, want below $1 KiB"
		return 1
	fi
}

# dig NAME TYPE answers exactly the remaining arguments (in any order).
expect_answer() {
	local name=$1 type=$2 got want
	shift 2
	got=$(sandbox_dig "$name" "$type" | LC_ALL=C sort)
	want=$(if [ "$#" -gt 0 ]; then printf '%s\n' "$@"; fi | LC_ALL=C sort)
	if [ "$got" != "$want" ]; then
		printf 'dig %s %s:\n  got:  %s\n  want: %s\n' "$name" "$type" \
			"${got//$'\n'/ | }" "${want//$'\n'/ | }"
		return 1
	fi
}

# Everything of the appliance dnsdrop could touch (not the sandbox's run/),
# and how often the init script was asked to restart.
fx_snapshot() {
	(
		cd "$SANDBOX" || exit 1
		find etc tandberg usr -printf '%p %y %m %u %s %l\n' | LC_ALL=C sort
		find etc tandberg usr -type f -exec sha256sum {} + | LC_ALL=C sort -k2
		echo "restarts $(sandbox_restarts)"
	)
}

expect_unchanged() {
	local now
	now=$(fx_snapshot)
	if [ "$now" != "$1" ]; then
		echo "the appliance changed:"
		diff <(printf '%s\n' "$1") <(printf '%s\n' "$now") || true
		return 1
	fi
}

fx_ini_dir() {
	local d=$BATS_TEST_TMPDIR/inis
	mkdir -p "$d" && chmod 0700 "$d" && echo "$d"
}

fx_put_ini() {
	(
		umask 077
		cat >"$1"
	) && chmod 0600 "$1"
}

# TEXT names a remedy: a command, a setting or an action to take.
says_fix() {
	if ! grep -qiE 'fix|instead|chmod|chown|create|remove|move|save|give|write|set |use |name |point|check|run |copy|replace|put |pass |edit' <<<"$1"; then
		echo "the message does not say what to do:"
		printf '%s\n' "$1"
		return 1
	fi
}

# Every backup directory (not the .tmp-* being written) is whole: meta
# present with its time, action and files keys, and every file it names there.
backups_whole() {
	local b f files bad=0
	[ -d "$SANDBOX_STATE/backups" ] || return 0
	for b in "$SANDBOX_STATE"/backups/*/; do
		[ -d "$b" ] || continue
		b=${b%/}
		if [ ! -s "$b/meta" ]; then
			echo "backup $b has no meta"
			bad=1
			continue
		fi
		for f in time action files; do
			if ! grep -q "^$f=" "$b/meta"; then
				echo "backup $b: meta has no $f= line"
				bad=1
			fi
		done
		files=$(sed -n 's/^files=//p' "$b/meta")
		for f in ${files//,/ }; do
			if [ ! -f "$b/$f" ]; then
				echo "backup $b: meta names $f, which is missing"
				bad=1
			fi
		done
	done
	return "$bad"
}

stray_entries() {
	find "$SANDBOX_CONFDIR" -mindepth 1 -maxdepth 1 ! -name '.*' \
		! -name local.conf ! -name hosts.conf ! -name srv.conf -printf '%f\n'
}
