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

# The error paths, each with both builds: a missing --root, a state_dir of
# which no part exists (nothing under / by that name), a state_dir that is
# not trusted, an unknown backup ID, a tampered backup.
mkdir -p "$work/conf"
printf '[dnsdrop]\nconf_dir = %s\nstate_dir = /dnsdrop-vg-missing-%s\nverify = off\ndnsmasq = off\nrestart = /bin/true\n[hosts]\na.example.local = 10.0.0.1\n' \
	"$work/conf" "$$" >"$work/bare.ini"
chmod 0600 "$work/bare.ini"
id=$(find "$SANDBOX/tandberg/persistent/dnsdrop/backups" -mindepth 1 -maxdepth 1 -name '2*' -printf '%f\n' | sort | tail -n 1)
for b in "$static" "$host"; do
	kind=$([ "$b" = "$static" ] && echo static || echo host)
	vg "$kind --root that does not exist" "$b" --root "$work/nonexist" check
	vg "$kind diff, no part of state_dir exists" "$b" -c "$work/bare.ini" diff
	chmod g+w "$SANDBOX/tandberg/persistent/dnsdrop"
	vg "$kind apply, state_dir group-writable" "$b" --root "$SANDBOX" apply
	chmod g-w "$SANDBOX/tandberg/persistent/dnsdrop"
	vg "$kind rollback of an unknown ID" "$b" --root "$SANDBOX" rollback 20000101T000000Z-000
	cp "$SANDBOX/tandberg/persistent/dnsdrop/backups/$id/hosts.conf" "$work/hosts.keep"
	echo 'address=/evil.example.com/10.6.6.6' >>"$SANDBOX/tandberg/persistent/dnsdrop/backups/$id/hosts.conf"
	vg "$kind rollback of a tampered backup" "$b" --root "$SANDBOX" rollback "$id"
	cp "$work/hosts.keep" "$SANDBOX/tandberg/persistent/dnsdrop/backups/$id/hosts.conf"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
