#!/usr/bin/env bash
# hot.sh - the zero-outage figures of hosts_mode = hot (bench.sh block 5;
# also runs alone: tests/bench/hot.sh). Side by side in one run, with one
# query every 10 ms (tests/bench/dnsprobe.c) during each event:
#   (0) idle; (a) a bare init-script restart; (r) a host-only change
#   through apply in restart mode; (h) the same change in hot mode;
# failed queries and the longest gap between good answers; and whether a
# name answered by an upstream dnsmasq before the change is still answered
# from the cache after it (the upstream is stopped first, so only the cache
# can answer). Figures only: the exit status is not zero only when a step
# breaks. The upstream answers with a TTL of 300 s (dnsmasq caches no TTL
# 0 answer). Knob: BENCH_HOT_RUNS (default 5).
set -euo pipefail
export LC_ALL=C

BENCH_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_SRC/../.." && pwd)
# shellcheck source=SCRIPTDIR/../lib/sandbox.bash disable=SC1091
. "$REPO/tests/lib/sandbox.bash"
OUT=$REPO/build/bench/hot
RUNS=${BENCH_HOT_RUNS:-5}
IV=10
PROBE_PID='' UP_PID=''

die() {
	echo "bench hot: $*" >&2
	exit 1
}

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	[ -z "$PROBE_PID" ] || kill "$PROBE_PID" 2>/dev/null || true
	[ -z "$UP_PID" ] || kill "$UP_PID" 2>/dev/null || true
	[ -z "${SANDBOX:-}" ] || sandbox_destroy
	return 0
}
trap cleanup EXIT

rm -rf "$OUT"
mkdir -p "$OUT"
chmod 0755 "$OUT"
command -v musl-gcc >/dev/null || die "musl-gcc missing (Debian musl-tools)"
musl-gcc -static -O2 -o "$OUT/dnsprobe" "$BENCH_SRC/dnsprobe.c"
sandbox_create "$OUT/box" >/dev/null
# dnsdrop writes BOX/BOX/hd; dnsmasq (not chrooted) reads it as BOX/hd.
sandbox_hosts_dir hd || die "cannot make the hosts dir"
# The upstream: a second dnsmasq with one name, behind the sandbox's.
UP_PORT=$((SANDBOX_PORT + 1))
dnsmasq --conf-file=/dev/null --port="$UP_PORT" --listen-address=127.0.0.1 --bind-interfaces \
	--no-resolv --no-hosts --local-ttl=300 --host-record=up.example.com,192.0.2.7 --pid-file="$OUT/up.pid" ||
	die "cannot start the upstream dnsmasq on port $UP_PORT"
UP_PID=$(cat "$OUT/up.pid")
echo "server=127.0.0.1#$UP_PORT" >"$SANDBOX/tandberg/etc/dnsmasq.d/upstream.conf"
sandbox_start >/dev/null
ddr() { "$DNSDROP_BIN" --root "$SANDBOX" "$@"; }

put_ini() { # MODE ADDRESS
	sandbox_ini "$SANDBOX" <<EOF
[dnsdrop]
verify = 127.0.0.1:$SANDBOX_PORT
keep_backups = 3
hosts_mode = $1
hosts_dir = $HD

[hosts]
expc1.example.local = 10.0.10.11
expc2.example.local = 10.0.10.12, fd00::12
flip.example.local = $2
cucm1.example.local = 10.0.20.21

[srv]
_cisco-uds._tcp.example.com = cucm1.example.local:8443 10 10

[cname]
cucm.example.local = cucm1.example.local
EOF
}

probe() { # FILE CMD...: "maxgap failed" of one run of CMD
	local file=$1 res
	shift
	"$OUT/dnsprobe" "$SANDBOX_PORT" expc1.example.local 10.0.10.11 "$IV" >"$OUT/.probe" &
	PROBE_PID=$!
	sleep 0.3
	"$@" >"$OUT/.event" 2>&1 || { cat "$OUT/.event" >&2; die "event failed: $*"; }
	sleep 0.3
	kill -TERM "$PROBE_PID"
	wait "$PROBE_PID" || die "dnsprobe failed"
	PROBE_PID=
	res=$(cat "$OUT/.probe")
	[[ $res =~ failed=([0-9]+)\ maxgap_ms=([0-9.]+) ]] || die "dnsprobe said: $res"
	echo "${BASH_REMATCH[2]} ${BASH_REMATCH[1]}" >>"$file"
}

flip() { # MODE: apply with flip.example.local moved
	n=$((n + 1))
	put_ini "$1" "10.0.30.$((n % 200 + 1))"
	ddr apply
}

n=0
for m in restart hot; do : >"$OUT/$m"; done
: >"$OUT/idle" && : >"$OUT/init"
put_ini restart 10.0.30.1
ddr -q apply >/dev/null || die "the first apply failed"
for ((i = 0; i < RUNS; i++)); do
	probe "$OUT/idle" sleep 0.5
	probe "$OUT/init" "$SANDBOX/etc/init.d/dnsmasq" restart
	probe "$OUT/restart" flip restart
done
flip hot >/dev/null # the switch: one restart
r0=$(sandbox_restarts)
for ((i = 0; i < RUNS; i++)); do
	probe "$OUT/hot" flip hot
done
r_hot=$(($(sandbox_restarts) - r0))

# The cache: resolve up.example.com through the sandbox, stop the upstream,
# change a host, ask again: only the cache can answer now.
cache_kept() { # MODE
	local got
	flip "$1" >/dev/null
	[ "$(sandbox_dig up.example.com)" = 192.0.2.7 ] || die "the upstream name does not resolve"
	kill -STOP "$UP_PID"
	flip "$1" >/dev/null
	got=$(dig @127.0.0.1 -p "$SANDBOX_PORT" +short +time=1 +tries=1 up.example.com A || true)
	kill -CONT "$UP_PID"
	[ "$got" = 192.0.2.7 ] && echo yes || echo no
}
cache_hot=$(cache_kept hot)
cache_restart=$(cache_kept restart)

row() { # LABEL FILE
	awk -v l="$1" '{ g += $1; f += $2; if ($1 > m) m = $1 }
		END { printf "%-42s %8.1f %8.1f %10.1f\n", l, g / NR, m, f / NR }' "$2"
}
echo "== 5. hosts_mode = hot: a host-only change, $RUNS runs each, one query every $IV ms =="
printf '%-42s %8s %8s %10s\n' event "gap ms" "max ms" "failed"
row "(0) idle (sleep 0.5)" "$OUT/idle"
row "(a) init.d/dnsmasq restart" "$OUT/init"
row "(r) dnsdrop apply, hosts_mode = restart" "$OUT/restart"
row "(h) dnsdrop apply, hosts_mode = hot" "$OUT/hot"
echo "restarts during (h): $r_hot (expected 0)"
echo "upstream answer still cached after the change: hot $cache_hot, restart $cache_restart"
