#!/bin/bash
# run.sh [SRC_DIR] - `make compat`: build every dnsmasq release archive of
# SRC_DIR (default ../shared/dnsmasq; build.sh) and run, against each one
# and against the system's /usr/sbin/dnsmasq (Debian 12: 2.90), the
# compatibility checks (compat.bats) and the sandbox suites that serve and
# test with that dnsmasq (golden, apply: DNSMASQ_BIN reaches both). Prints
# a matrix (version x check: ok, ok* = an expected difference, listed
# below it with its reason, FAIL) and exits 1 on any FAIL. COMPAT_JOBS
# versions run at a time (default 4: the suites mostly wait on restarts and
# queries, one version takes well under a core), each with its two suites
# side by side.
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
src=${1:-$repo/../shared/dnsmasq}
out=$repo/build/compat
cd "$repo" || exit 1
start=$SECONDS

tests/compat/build.sh "$src" || exit 1
[ -x build/dnsdrop ] || { echo "run.sh: no build/dnsdrop (run make)" >&2; exit 1; }
rm -rf "$out" && mkdir -p "$out" || exit 1
export DNSDROP_BIN=$repo/build/dnsdrop

# The versions: each archive of SRC built into build/dnsmasq/V, then the
# system's. VERSION|BINARY lines.
versions() {
	local ar v
	for ar in "$src"/dnsmasq-*.tar.*; do
		v=${ar##*/dnsmasq-}
		v=${v%.tar.*}
		echo "$v|$repo/build/dnsmasq/$v/dnsmasq"
	done
	if [ -x /usr/sbin/dnsmasq ]; then
		v=$(/usr/sbin/dnsmasq --version | sed -n '1s/.*version \([0-9][0-9.]*\).*/\1/p')
		echo "${v:-2.90}-system|/usr/sbin/dnsmasq"
	fi
}

# The tests of golden.bats and apply.bats that serve and --test with the
# dnsmasq under test: the answers, and apply's whole flow with rollback (the
# others test dnsdrop's own logic, the same on every version; `make test`
# runs them all with Debian's).
SUITE_FILTER='dnsmasq --test accepts|a real dnsmasq answers|^flow:|^reapply after|restart fails once|serves other records|rejects the staged'

# run_one VERSION BINARY: TAP of every check into OUT/VERSION.tap.
run_one() {
	local v=$1 bin=$2
	export DNSMASQ_BIN=$bin DNSMASQ_VERSION=${v%-system} COMPAT_NOTES=$out/$v.notes
	# Both suites at once: each sandbox has its own folder and port.
	bats --tap tests/compat/compat.bats >"$out/$v.compat.tap" 2>&1 &
	bats --tap --filter "$SUITE_FILTER" tests/integration/golden.bats \
		tests/integration/apply.bats >"$out/$v.suites.tap" 2>&1
	wait
	cat "$out/$v.compat.tap" "$out/$v.suites.tap" >"$out/$v.tap"
}

# DNSMASQ_BIN must reach the sandbox: with /bin/false as dnsmasq, apply's
# flow cannot pass (were it hard-coded, every column below would test
# Debian's dnsmasq whatever the version).
if DNSMASQ_BIN=/bin/false bats --tap --filter '^flow:' tests/integration/apply.bats \
	>"$out/bin-false.tap" 2>&1; then
	echo "run.sh: apply passes with DNSMASQ_BIN=/bin/false: the suites ignore DNSMASQ_BIN" >&2
	exit 1
fi
echo "DNSMASQ_BIN reaches the sandbox: apply fails with /bin/false as dnsmasq (as it must)"

mapfile -t vs < <(versions)
pids=()
for line in "${vs[@]}"; do
	run_one "${line%%|*}" "${line#*|}" &
	pids+=($!)
	if [ "${#pids[@]}" -ge "${COMPAT_JOBS:-4}" ]; then
		wait "${pids[0]}"
		pids=("${pids[@]:1}")
	fi
done
wait

# The matrix: a column per compat.bats check ([tag]), one for golden.bats
# and one for apply.bats (all of their tests). A version with no TAP
# result at all fails every column.
cols="test aaaa leak srv15 confdir status import golden apply"
cell() {
	local tap=$1 notes=$2 col=$3 pat
	case $col in
	golden) pat='^(not )?ok [0-9]+ (dnsmasq --test accepts|a real dnsmasq)' ;;
	apply) pat='^(not )?ok [0-9]+ ' ;;
	*) pat="^(not )?ok [0-9]+ \\[$col\\]" ;;
	esac
	local lines
	lines=$(grep -E "$pat" "$tap")
	if [ "$col" = apply ]; then
		lines=$(grep -vE '\[|dnsmasq --test accepts|a real dnsmasq' <<<"$lines")
	fi
	if [ -z "$lines" ] || grep -q '^not ok' <<<"$lines"; then
		echo FAIL
	elif [ "$col" != golden ] && [ "$col" != apply ] && grep -qF "|[$col]" "$notes" 2>/dev/null; then
		echo 'ok*'
	else
		echo ok
	fi
}

fail=0
printf '%-12s' version
for c in $cols; do printf ' %-8s' "$c"; done
echo
for line in "${vs[@]}"; do
	v=${line%%|*}
	printf '%-12s' "$v"
	for c in $cols; do
		r=$(cell "$out/$v.tap" "$out/$v.notes" "$c")
		[ "$r" = FAIL ] && fail=1
		printf ' %-8s' "$r"
	done
	echo
done
echo
echo "ok* = an expected difference of that version:"
for line in "${vs[@]}"; do
	v=${line%%|*}
	[ -s "$out/$v.notes" ] && sed 's/^\([^|]*\)|\[\([a-z0-9]*\)\][^|]*|/  \1 [\2] /' "$out/$v.notes"
done
if [ "$fail" -ne 0 ]; then
	echo
	echo "FAILED checks (full TAP in $out/VERSION.tap):"
	for line in "${vs[@]}"; do
		v=${line%%|*}
		grep -A8 '^not ok' "$out/$v.tap" | sed "s/^/  $v: /" | head -40
	done
fi
echo "make compat: ${#vs[@]} dnsmasq versions in $((SECONDS - start)) s"
exit "$fail"
