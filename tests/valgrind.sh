#!/bin/bash
# valgrind.sh - memcheck on check, render, diff and apply in a sandbox
# appliance: the static musl binary for memory errors, and the glibc host
# build (whose malloc valgrind can follow) for leaks at two input sizes, so
# a leak that grows with the input shows. Prints "N passed, N failed".
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 1
static=$repo/build/dnsdrop
host=$repo/build/host/dnsdrop
for b in "$static" "$host"; do
	if [ ! -x "$b" ]; then
		echo "valgrind.sh: no binary at $b (make all build/host/dnsdrop)" >&2
		exit 1
	fi
done
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is missing (scripts/deps.sh test)" >&2; exit 1; }

# shellcheck source=lib/sandbox.bash disable=SC1091
source tests/lib/sandbox.bash
work=$(mktemp -d "${TMPDIR:-/tmp}/dnsdrop-vg.XXXXXX")
trap 'sandbox_destroy >/dev/null 2>&1; rm -rf "$work"' EXIT
pass=0 fail=0

# gen_ini N: an INI of N hosts, N/2 SRV records and a CNAME.
gen_ini() {
	local n=$1 i
	echo "[hosts]"
	for ((i = 0; i < n; i++)); do echo "h$i.example.local = 10.1.$((i / 250)).$((i % 250 + 1))"; done
	echo "[srv]"
	for ((i = 0; i < n / 2; i++)); do echo "_sip._tcp.s$i.example.com = h$i.example.local:5060"; done
	echo "[cname]"
	echo "alias.example.local = h0.example.local"
}

# vg NAME BIN ARGS...: memcheck; fails on any error, and for the host
# build on any definitely or indirectly lost byte.
vg() {
	local name=$1 bin=$2 log=$work/vg.log rc
	shift 2
	valgrind --quiet --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect --trace-children=no \
		--log-file="$log" "$bin" "$@" >/dev/null 2>"$work/stderr"
	rc=$?
	if [ "$rc" -eq 99 ] || grep -q "ERROR SUMMARY: [1-9]" "$log"; then
		echo "not ok - $name"
		sed 's/^/#   /' "$log" | head -40
		fail=$((fail + 1))
	else
		echo "ok - $name (exit $rc)"
		pass=$((pass + 1))
	fi
}

sandbox_create "$work/box" >/dev/null
sandbox_start >/dev/null
for n in 100 2000; do
	gen_ini "$n" | sandbox_ini "$SANDBOX"
	for b in "$static" "$host"; do
		kind=$([ "$b" = "$static" ] && echo static || echo host)
		vg "$kind check, $n hosts" "$b" --root "$SANDBOX" check
		vg "$kind render, $n hosts" "$b" --root "$SANDBOX" render
		vg "$kind diff, $n hosts" "$b" --root "$SANDBOX" diff
	done
	vg "static apply, $n hosts" "$static" --root "$SANDBOX" apply --force
	gen_ini "$n" | sed 's/^h1\.example\.local = .*/h1.example.local = 10.9.9.9/' | sandbox_ini "$SANDBOX"
	vg "host apply, $n hosts" "$host" --root "$SANDBOX" apply --force
	vg "host rollback, $n hosts" "$host" --root "$SANDBOX" rollback
	vg "host status, $n hosts" "$host" --root "$SANDBOX" status
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
