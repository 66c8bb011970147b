#!/bin/bash
# build.sh [SRC_DIR [OUT_DIR]] - build every dnsmasq-VERSION.tar.* of SRC_DIR
# (default ../shared/dnsmasq from the repo) into OUT_DIR/VERSION/dnsmasq
# (default build/dnsmasq), two at a time. A version already built from the
# same archive (its checksum is kept next to the binary) is not rebuilt.
# Prints one line per version; exits 1 naming each one that failed to build.
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
src=${1:-$repo/../shared/dnsmasq}
out=${2:-$repo/build/dnsmasq}
[ -d "$src" ] || { echo "build.sh: no directory $src (DNSMASQ_SRC=DIR)" >&2; exit 1; }
src=$(cd "$src" && pwd)
mkdir -p "$out" || exit 1

# build_one ARCHIVE VERSION: unpack into OUT/VERSION/src and make. Old
# releases need -fcommon and no -Werror with a current gcc; 2.80 includes
# <linux/sockios.h> nowhere it needs it.
build_one() {
	local ar=$1 v=$2 d=$out/$2 sum
	sum=$(sha256sum "$ar" | cut -d' ' -f1)
	if [ -x "$d/dnsmasq" ] && [ "$(cat "$d/archive.sha256" 2>/dev/null)" = "$sum" ]; then
		echo "dnsmasq $v: cached in $d"
		return 0
	fi
	rm -rf "$d" && mkdir -p "$d/src" || return 1
	tar -xf "$ar" -C "$d/src" --strip-components=1 || return 1
	if ! make -C "$d/src" COPTS="-fcommon -Wno-error -include linux/sockios.h" \
		CFLAGS="-O2 -w" >"$d/build.log" 2>&1; then
		echo "dnsmasq $v: build failed, see $d/build.log" >&2
		tail -5 "$d/build.log" >&2
		return 1
	fi
	cp "$d/src/src/dnsmasq" "$d/dnsmasq" && echo "$sum" >"$d/archive.sha256" || return 1
	rm -rf "$d/src"
	echo "dnsmasq $v: built into $d"
}

shopt -s nullglob
pids=() vers=()
for ar in "$src"/dnsmasq-*.tar.*; do
	v=${ar##*/dnsmasq-}
	v=${v%.tar.*}
	build_one "$ar" "$v" &
	pids+=($!) vers+=("$v")
	# two builds at a time: the machine has two cores
	if [ "${#pids[@]}" -ge 2 ]; then
		wait "${pids[0]}" || failed+=" ${vers[0]}"
		pids=("${pids[@]:1}") vers=("${vers[@]:1}")
	fi
done
for i in "${!pids[@]}"; do
	wait "${pids[$i]}" || failed+=" ${vers[$i]}"
done
[ -n "${vers[*]}${failed:-}" ] || { echo "build.sh: no dnsmasq-*.tar.* in $src" >&2; exit 1; }
[ -z "${failed:-}" ] || { echo "build.sh: failed:${failed}" >&2; exit 1; }
