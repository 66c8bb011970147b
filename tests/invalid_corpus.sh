#!/bin/bash
# invalid_corpus.sh - every tests/invalid/*.ini must be rejected by `check`.
# Each file opens with "; expect-line: N" and may add "; expect-text: TEXT".
# A case passes when `dnsdrop -c COPY check` (COPY: a 0600 copy, same
# basename) exits 3, prints a stderr line starting "COPY:N: error:" (holding
# TEXT, if given), renders nothing on stdout and writes nothing in the
# appliance tree it runs under. Prints "ok"/"not ok" per file and a summary;
# exits 1 when any case fails or there are none.
set -u

here=$(cd "$(dirname "$0")" && pwd)
bin=${DNSDROP_BIN:-$here/../build/dnsdrop}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac

if [ ! -x "$bin" ]; then
	echo "invalid_corpus: no dnsdrop binary at $bin" >&2
	exit 1
fi

shopt -s nullglob
cases=("$here"/invalid/*.ini)
if [ "${#cases[@]}" -eq 0 ]; then
	echo "not ok - invalid corpus: no tests/invalid/*.ini found"
	echo "corpus: 0 passed, 1 failed"
	exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/dnsdrop-corpus.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

# A bare appliance per case for --root, so that the host's own
# /etc/dnsmasq.conf and /tandberg never matter; nothing may appear in it.
make_root() {
	mkdir -p "$1/etc" "$1/tandberg/etc/dnsmasq.d" "$1/tandberg/persistent/dnsdrop" &&
		echo 'conf-dir=/tandberg/etc/dnsmasq.d,*.conf' >"$1/etc/dnsmasq.conf"
}
snapshot() { (cd "$1" && find . -printf '%p %s %m\n' | LC_ALL=C sort); }

# The value of header KEY in the first lines of FILE (BOM and CR dropped).
header() {
	head -n 5 "$2" | sed -e '1s/^\xef\xbb\xbf//' -e 's/\r$//' |
		sed -n "s/^; *$1: *//p" | head -n 1
}

pass=0
fail=0
for src in "${cases[@]}"; do
	name=$(basename "$src")
	why=
	line=$(header expect-line "$src")
	text=$(header expect-text "$src")
	case $line in
	'' | *[!0-9]*) why="no '; expect-line: N' header" ;;
	esac
	if [ -z "$why" ]; then
		dir=$work/case
		root=$work/root
		rm -rf "$dir" "$root" && mkdir "$dir" && make_root "$root" || exit 1
		before=$(snapshot "$root")
		copy=$dir/$name
		install -m 0600 "$src" "$copy"
		NO_COLOR=1 timeout 30 "$bin" --root "$root" -c "$copy" check \
			>"$work/out" 2>"$work/err" </dev/null
		rc=$?
		prefix="$copy:$line: error:"
		if [ "$rc" -ne 3 ]; then
			why="exit $rc, want 3"
		elif ! awk -v p="$prefix" -v t="$text" \
			'index($0, p) == 1 && index($0, t) { found = 1 } END { exit !found }' \
			"$work/err"; then
			why="no stderr line '$prefix${text:+ ...$text...}'"
		elif grep -qE '^(host-record|srv-host|cname)=' "$work/out"; then
			why="stdout shows rendered lines"
		elif [ "$(snapshot "$root")" != "$before" ]; then
			why="files appeared under --root"
		elif ! cmp -s "$src" "$copy"; then
			why="the INI itself was changed"
		fi
	fi
	if [ -z "$why" ]; then
		pass=$((pass + 1))
		echo "ok - $name"
	else
		fail=$((fail + 1))
		echo "not ok - $name: $why"
		[ -s "$work/err" ] && sed 's/^/#   stderr: /' "$work/err" | head -n 20
		rm -f "$work/err"
	fi
	rm -f "$work/out" "$work/err"
done

echo "corpus: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
