#!/bin/bash
# run.sh [DNSDROP_BIN [SUITE...]] - the integration suites against one dnsdrop
# binary (default build/dnsdrop): the invalid-INI corpus, then bats on every
# tests/integration/*.bats, or only on the SUITEs named (e.g. apply golden). Prints their output and a last line
# "N passed, N failed"; exits 1 when anything failed (or did not run).
set -u

repo=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-build/dnsdrop}
shift || true
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
export DNSDROP_BIN=$bin
cd "$repo" || exit 1

if [ ! -x "$DNSDROP_BIN" ]; then
	echo "run.sh: no dnsdrop binary at $DNSDROP_BIN (run make)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
if ! command -v bats >/dev/null 2>&1; then
	echo "run.sh: bats is missing (scripts/deps.sh test installs it)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi

log=$(mktemp "${TMPDIR:-/tmp}/dnsdrop-run.XXXXXX") || exit 1
trap 'rm -f "$log"' EXIT

pass=0
fail=0
skip=0
# count_tap FILE: add FILE's "ok"/"not ok" lines to the totals.
count_tap() {
	local p s f
	p=$(grep -cE '^ok ' "$1")
	s=$(grep -cE '^ok .*# (skip|SKIP)' "$1")
	f=$(grep -cE '^not ok ' "$1")
	pass=$((pass + p - s))
	skip=$((skip + s))
	fail=$((fail + f))
}

echo "== invalid INI corpus (tests/invalid)"
tests/invalid_corpus.sh >"$log" 2>&1
corpus_rc=$?
cat "$log"
count_tap "$log"
if [ "$corpus_rc" -ne 0 ] && ! grep -q '^not ok ' "$log"; then
	fail=$((fail + 1)) # it failed without naming a case
fi

shopt -s nullglob
if [ "$#" -gt 0 ]; then
	suites=()
	for s in "$@"; do suites+=("tests/integration/$s.bats"); done
else
	suites=(tests/integration/*.bats)
fi
echo "== integration (bats ${suites[*]})"
if [ "${#suites[@]}" -eq 0 ]; then
	echo "not ok - no tests/integration/*.bats found"
	fail=$((fail + 1))
else
	bats --tap "${suites[@]}" 2>&1 | tee "$log"
	bats_rc=${PIPESTATUS[0]}
	count_tap "$log"
	if [ "$bats_rc" -ne 0 ] && ! grep -q '^not ok ' "$log"; then
		fail=$((fail + 1)) # bats itself failed (syntax error, bad file)
	fi
fi

[ "$skip" -gt 0 ] && echo "$skip skipped"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
