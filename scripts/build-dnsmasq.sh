#!/bin/sh
# build-dnsmasq.sh VERSION - build dnsmasq VERSION from
# ../shared/dnsmasq/dnsmasq-VERSION.tar.xz into build/dnsmasq/VERSION/dnsmasq
# (flags as in that folder's README), for tests against old releases.
# Does nothing when the binary is already there.
set -eu
v=$1
repo=$(cd "$(dirname "$0")/.." && pwd)
out=$repo/build/dnsmasq/$v
[ -x "$out/dnsmasq" ] && exit 0
tar=$repo/../shared/dnsmasq/dnsmasq-$v.tar.xz
[ -f "$tar" ] || { echo "build-dnsmasq.sh: no $tar" >&2; exit 1; }
rm -rf "$out.src"
mkdir -p "$out.src"
tar -xJf "$tar" -C "$out.src" --strip-components=1
make -s -C "$out.src" CFLAGS="-O2 -fcommon -Wno-error -include linux/sockios.h" >"$out.src.log" 2>&1 ||
	{ cat "$out.src.log" >&2; exit 1; }
cp "$out.src/src/dnsmasq" "$out/dnsmasq.tmp" 2>/dev/null || { mkdir -p "$out" && cp "$out.src/src/dnsmasq" "$out/dnsmasq.tmp"; }
mv "$out/dnsmasq.tmp" "$out/dnsmasq"
rm -rf "$out.src" "$out.src.log"
