#!/usr/bin/env bash
# bench.sh - dnsdrop's figures (`make bench` runs it after building).
#
# Prints the stripped size and the code line count of src/ per folder, one
# block per benchmark, then a summary for the README:
#   0. the figures of issue 13, side by side in one run: check of the typical
#      30-record INI against dnsmasq --test on its render; check+render of
#      100k hosts + 100k SRV against dnsmasq --test (time, peak RSS);
#      verify of 1000 records on loopback
#   1. check + render scaling (1k, 10k, 100k hosts + as many SRV records),
#      against dnsmasq --test on the rendered files
#   2. apply --no-restart --no-verify in a sandbox appliance
#   3. diff: dnsdrop's diff module (tests/bench/diffcmp.c) against GNU diff -u,
#      and `dnsdrop diff` with 100k records installed
#   4. the DNS outage window of a restart, an apply and a no-op reapply
#   5. hosts_mode = hot against restart mode and a bare restart (hot.sh)
#
# Figures only: nothing here passes or fails on time. The exit status is not
# zero only when a step breaks (a command fails, an output is wrong).
# Inputs, helper binaries and sandboxes go to build/bench/.
#
# Knobs (environment):
#   BENCH_SIZES  record counts for block 1 (default "1000 10000 100000"); the
#                largest is also the "big" INI of blocks 2 and 3
#   BENCH_RUNS   runs per figure in block 1 (default 5; 3 at 100k and up)
#   BENCH_OUTAGE_RUNS  runs per event in block 4 (default 10: a restart's
#                outage is bimodal, see block 4)
#   DNSDROP_BIN  the binary (default build/dnsdrop)
# Needs: GNU time (/usr/bin/time, Debian package `time`), musl-gcc, dnsmasq,
# GNU diff, awk; the sandbox's own needs (tests/lib/sandbox.bash).
set -euo pipefail
export LC_ALL=C

BENCH_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$BENCH_SRC/../.." && pwd)
# shellcheck source=SCRIPTDIR/../lib/sandbox.bash disable=SC1091
. "$REPO/tests/lib/sandbox.bash"
DNSDROP=$DNSDROP_BIN
OUT=$REPO/build/bench
SIZES=${BENCH_SIZES:-"1000 10000 100000"}
OUTAGE_RUNS=${BENCH_OUTAGE_RUNS:-10}
GTIME=/usr/bin/time
CC_BENCH=${CC_BENCH:-musl-gcc}
INTERVAL_MS=10 # block 4: one query every INTERVAL_MS

bench_start=$SECONDS
declare -a SANDBOXES=()
PROBE_PID=
FAILED=0

die() {
	echo "bench: $*" >&2
	exit 1
}

# A wrong result that does not stop the other blocks: reported, exit 1 at the end.
flag() {
	echo "bench: FAILED: $*" >&2
	FAILED=1
}

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local d
	if [ -n "$PROBE_PID" ]; then
		kill "$PROBE_PID" 2>/dev/null || true
		wait "$PROBE_PID" 2>/dev/null || true
	fi
	for d in "${SANDBOXES[@]}"; do
		[ -d "$d/run" ] || continue
		sandbox_use "$d" && sandbox_destroy
	done
	return 0
}
trap cleanup EXIT

# calc FORMAT EXPR: awk arithmetic, printf-formatted.
calc() {
	awk "BEGIN { printf \"$1\", $2 }"
}

# ---------------------------------------------------------------- measuring

# run_once OK_CODES OUTFILE CMD...: run CMD once under GNU time, stdout to
# OUTFILE; sets ONE_US (wall, microseconds) and ONE_KIB (peak RSS of CMD and
# the children it waited for). An exit status outside OK_CODES (a space
# separated list) stops the bench with CMD's stderr.
run_once() {
	local ok=$1 outfile=$2 t0 t1 rc
	shift 2
	t0=${EPOCHREALTIME/./}
	set +e
	"$GTIME" -f %M -o "$OUT/.rss" "$@" >"$outfile" 2>"$OUT/.stderr"
	rc=$?
	set -e
	t1=${EPOCHREALTIME/./}
	ONE_US=$((t1 - t0))
	case " $ok " in
	*" $rc "*) ;;
	*)
		sed -n '1,20p' "$OUT/.stderr" >&2
		die "exit $rc (expected $ok) from: $*"
		;;
	esac
	ONE_KIB=$(tail -n 1 "$OUT/.rss")
}

# measure RUNS OK_CODES OUTFILE CMD...: RUNS runs of CMD; sets M_US (median
# wall time, microseconds) and M_KIB (largest peak RSS, KiB).
measure() {
	local runs=$1 ok=$2 outfile=$3 i
	local -a us=()
	shift 3
	M_KIB=0
	for ((i = 0; i < runs; i++)); do
		run_once "$ok" "$outfile" "$@"
		us+=("$ONE_US")
		if ((ONE_KIB > M_KIB)); then M_KIB=$ONE_KIB; fi
	done
	M_US=$(median "${us[@]}")
}

# measure_loop RUNS CMD...: M_US, the mean wall time of RUNS runs of CMD
# started straight from this shell (no GNU time around it: at a few ms its
# own start would be half the figure). Each run must exit 0.
measure_loop() {
	local runs=$1 i t0
	shift
	t0=${EPOCHREALTIME/./}
	for ((i = 0; i < runs; i++)); do
		"$@" >/dev/null 2>&1 || die "exit $? from: $*"
	done
	M_US=$(((${EPOCHREALTIME/./} - t0) / runs))
}

median() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
		END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

mib() { calc '%.1f' "$1 / 1024"; }
sec() { calc '%.3f' "$1 / 1e6"; }
msec() { calc '%.1f' "$1 / 1e3"; }

# ---------------------------------------------------------------- inputs

# gen_ini N FILE [EDITED]: N hosts and N SRV records, all names unique,
# every record valid and warning-free. EDITED=1 changes the address of 10
# hosts spread over the file (the "10 records edited" variant).
gen_ini() {
	local n=$1 file=$2 edited=${3:-0}
	awk -v n="$n" -v edited="$edited" 'BEGIN {
		step = int(n / 10); if (step < 1) step = 1
		print "; generated by tests/bench/bench.sh: " n " hosts, " n " srv records"
		print "[hosts]"
		for (i = 0; i < n; i++) {
			if (edited && i % step == int(step / 2) && i / step < 10)
				addr = "10.255.0." (int(i / step) + 1)
			else
				addr = "10." int(i / 62500) % 250 "." int(i / 250) % 250 "." (i % 250 + 1)
			print "h" i ".example.local = " addr
		}
		print "[srv]"
		for (i = 0; i < n; i++)
			print "_sip._tcp.s" i ".example.com = h" i ".example.local:5060 10 10"
	}' >"$file"
	chmod 0600 "$file"
}

# The typical INI: conf.d.example/expressway-e.ini without its [dnsdrop]
# section (the sandbox supplies one) plus more records, 30 in all.
# FLIP picks the address of bench-flip (a one-record change).
gen_typical() {
	local flip=$1
	awk -v flip="$flip" '
	function extra(s) {
		if (s == "hosts") {
			print "expc3.example.local = 10.0.10.13"
			print "expc4.example.local = 10.0.10.14, fd00::14"
			print "cucm3.example.local = 10.0.10.23"
			print "cucm4.example.local = 10.0.10.24"
			print "imp2.example.local  = 10.0.10.32"
			print "unity1.example.local = 10.0.10.41"
			print "tftp1.example.local = 10.0.10.51"
			print "tms1.example.local  = 10.0.10.61"
			print "cms1.example.local  = 10.0.10.71"
			print "cms2.example.local  = 10.0.10.72"
			print "bench-flip.example.local = 10.0.20." flip
		} else if (s == "srv") {
			print "_cisco-uds._tcp.example.local = cucm3.example.local:8443 30 10"
			print "_cuplogin._tcp.example.local  = imp2.example.local:8443 20 10"
			print "_sip._tcp.example.local  = expc1.example.local:5060"
			print "_sip._tcp.example.local  = expc2.example.local:5060 20 10"
			print "_sips._tcp.example.local = expc1.example.local:5061"
			print "_sips._tcp.example.local = expc2.example.local:5061 20 10"
			print "_xmpp-client._tcp.example.local = imp1.example.local:5222"
			print "_xmpp-server._tcp.example.local = imp1.example.local:5269"
			print "_sip._udp.example.local  = ."
		} else if (s == "cname") {
			print "cms.example.local = cms1.example.local"
		}
	}
	/^[ \t]*\[/ {
		s = tolower($0); gsub(/[][ \t]|;.*/, "", s)
		if (s == "dnsdrop") { skip = 1; next }
		skip = 0; print; extra(s); next
	}
	!skip' "$REPO/conf.d.example/expressway-e.ini"
}

# [dnsdrop] settings for a sandbox INI: its verify port, few backups (the
# big INI would otherwise fill build/bench with 20 copies of itself).
sandbox_settings() {
	printf '\n[dnsdrop]\nverify = 127.0.0.1:%s\nkeep_backups = 3\n' "$SANDBOX_PORT"
}

# A new sandbox appliance under build/bench (an old one left by a killed
# run is stopped and removed first), started, made current.
new_sandbox() {
	local dir=$OUT/$1
	if [ -d "$dir/run" ]; then
		sandbox_use "$dir" && sandbox_destroy
	fi
	rm -rf "$dir"
	sandbox_create "$dir" >/dev/null
	SANDBOXES+=("$SANDBOX")
	sandbox_start >/dev/null
}

ddr() { "$DNSDROP" --root "$SANDBOX" "$@"; }

# put_ini FILE: FILE plus sandbox_settings becomes the sandbox's INI.
put_ini() {
	{ cat "$1"; sandbox_settings; } | sandbox_ini "$SANDBOX"
}

# -------------------------------------------------------------- set-up

[ -x "$GTIME" ] || die "$GTIME missing: install Debian package 'time' (apt-get install time)"
command -v "$CC_BENCH" >/dev/null || die "$CC_BENCH missing (Debian musl-tools)"
command -v diff >/dev/null || die "GNU diff missing (Debian diffutils)"
sandbox_require
mkdir -p "$OUT"
chmod go-w "$OUT" # dnsdrop refuses an INI in a group/world-writable folder

# diffcmp links dnsdrop's own objects (make's flags) when `make` built them.
# (render.o: diff counts records with render_is_record)
diff_objs=("$REPO/build/obj/core/diff.o" "$REPO/build/obj/core/buf.o" "$REPO/build/obj/core/render.o")
DIFFCMP_HOW="dnsdrop's build/obj/diff.o, as make built it"
for o in "${diff_objs[@]}"; do
	src=$REPO/src/core/$(basename "$o" .o).c
	if [ ! -e "$o" ] || [ "$src" -nt "$o" ]; then
		diff_objs=("$REPO/src/core/diff.c" "$REPO/src/core/buf.c" "$REPO/src/core/render.c")
		DIFFCMP_HOW="src/core/diff.c, $CC_BENCH -Os"
		break
	fi
done
"$CC_BENCH" -static -O2 -I"$REPO/src/core" -o "$OUT/diffcmp" "$BENCH_SRC/diffcmp.c" "${diff_objs[@]}"
"$CC_BENCH" -static -O2 -o "$OUT/dnsprobe" "$BENCH_SRC/dnsprobe.c"

BIG=0
for n in $SIZES; do if ((n > BIG)); then BIG=$n; fi; done
((BIG > 0)) || die "BENCH_SIZES is empty"

echo "dnsdrop benchmarks: $("$DNSDROP" --version), $(/usr/sbin/dnsmasq --version | sed -n '1s/  Copyright.*//p')"
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), Linux $(uname -r); $(date -u '+%Y-%m-%d %H:%M UTC')"
size=$(stat -c %s "$REPO/build/dnsdrop")
echo "binary: build/dnsdrop $size bytes stripped, static ($((size / 1024)) KiB; DESIGN.md budget 128 KiB, see README Decisions)"
# code_lines DIR: lines of C in DIR's .c and .h files that are neither blank
# nor comment (a /* */ block, or a // line). A counter, not a parser: a "/*"
# inside a string literal would count wrong (src/ has none).
code_lines() {
	cat "$1"/*.[ch] | awk '
		{
			line = $0; out = ""
			while (line != "") {
				if (inc) {
					i = index(line, "*/")
					if (!i) { line = ""; break }
					line = substr(line, i + 2); inc = 0
				} else {
					i = index(line, "/*"); j = index(line, "//")
					if (j && (!i || j < i)) { out = out substr(line, 1, j - 1); line = ""; break }
					if (!i) { out = out line; line = ""; break }
					out = out substr(line, 1, i - 1); line = substr(line, i + 2); inc = 1
				}
			}
			if (out ~ /[^ \t]/) n++
		}
		END { print n + 0 }'
}
loc_core=$(code_lines "$REPO/src/core") loc_sys=$(code_lines "$REPO/src/sys") loc_cmd=$(code_lines "$REPO/src/cmd")
LOC_TOTAL=$((loc_core + loc_sys + loc_cmd))
LOC="core $loc_core, sys $loc_sys, cmd $loc_cmd: $LOC_TOTAL"
echo "code lines of src/ (no comments, no blank lines): $LOC (issue 13 aims at <= 5500)"
echo "times: wall clock, median of the runs; RSS: peak resident set (GNU time), largest of the runs"

# ------------------------------------------------ 0. the issue 13 figures

echo
echo "== 0. the issue 13 figures, side by side =="
new_sandbox sb-fig
gen_typical 1 >"$OUT/typical-a.ini"
chmod 0600 "$OUT/typical-a.ini"
mkdir -p "$OUT/typical.d"
"$DNSDROP" -q -c "$OUT/typical-a.ini" render hosts.conf >"$OUT/typical.d/hosts.conf"
"$DNSDROP" -q -c "$OUT/typical-a.ini" render srv.conf >"$OUT/typical.d/srv.conf"
typ_n=$("$DNSDROP" -c "$OUT/typical-a.ini" check | sed -n 's/.*: ok: \([0-9]*\) hosts, \([0-9]*\) srv, \([0-9]*\) cname.*/\1 \2 \3/p' |
	awk '{ print $1 + $2 + $3 }')
measure_loop 41 "$DNSDROP" -q -c "$OUT/typical-a.ini" check
F0_CHECK_US=$M_US
measure_loop 41 /usr/sbin/dnsmasq --test --conf-file=/dev/null --conf-dir="$OUT/typical.d"
F0_TEST_US=$M_US
F0_BIG=100000
gen_ini "$F0_BIG" "$OUT/f0.ini"
mkdir -p "$OUT/f0.d"
"$DNSDROP" -q -c "$OUT/f0.ini" render hosts.conf >"$OUT/f0.d/hosts.conf"
"$DNSDROP" -q -c "$OUT/f0.ini" render srv.conf >"$OUT/f0.d/srv.conf"
# The runs alternate: a change in the machine's load reaches both sides.
f0_a=() f0_b=() F0_RENDER_KIB=0 F0_BTEST_KIB=0
for ((i = 0; i < 5; i++)); do
	measure 1 0 /dev/null "$DNSDROP" -q -c "$OUT/f0.ini" render
	f0_a+=("$M_US")
	if ((M_KIB > F0_RENDER_KIB)); then F0_RENDER_KIB=$M_KIB; fi
	measure 1 0 /dev/null /usr/sbin/dnsmasq --test --conf-file=/dev/null --conf-dir="$OUT/f0.d"
	f0_b+=("$M_US")
	if ((M_KIB > F0_BTEST_KIB)); then F0_BTEST_KIB=$M_KIB; fi
done
F0_RENDER_US=$(median "${f0_a[@]}") F0_BTEST_US=$(median "${f0_b[@]}")
# 1000 records (500 hosts + 500 SRV) served by the sandbox's dnsmasq on loopback
gen_ini 500 "$OUT/v1000.ini"
put_ini "$OUT/v1000.ini"
ddr -q apply >/dev/null || die "the apply of 1000 records failed"
measure 5 0 /dev/null "$DNSDROP" --root "$SANDBOX" -q verify
F0_VERIFY_US=$M_US
sandbox_destroy
F0_ROW='%-58s %10s %10s %7s %s\n'
# shellcheck disable=SC2059 # one format for the header and the rows
printf "$F0_ROW" figure dnsdrop "dnsmasq" ratio target
# shellcheck disable=SC2059
printf "$F0_ROW" "check, typical INI ($typ_n records) / --test on its render" \
	"$(msec "$F0_CHECK_US") ms" "$(msec "$F0_TEST_US") ms" "$(calc '%.2f' "$F0_CHECK_US / $F0_TEST_US")" "<= 2 ms, <= 0.5"
# shellcheck disable=SC2059
printf "$F0_ROW" "check+render, ${F0_BIG} hosts + ${F0_BIG} SRV / --test, time" \
	"$(sec "$F0_RENDER_US") s" "$(sec "$F0_BTEST_US") s" "$(calc '%.2f' "$F0_RENDER_US / $F0_BTEST_US")" "<= 1.0"
# shellcheck disable=SC2059
printf "$F0_ROW" "check+render, ${F0_BIG} hosts + ${F0_BIG} SRV / --test, peak RSS" \
	"$(mib "$F0_RENDER_KIB") MiB" "$(mib "$F0_BTEST_KIB") MiB" "$(calc '%.2f' "$F0_RENDER_KIB / $F0_BTEST_KIB")" "<= 1.0"
# shellcheck disable=SC2059
printf "$F0_ROW" "verify, 1000 records on loopback" "$(sec "$F0_VERIFY_US") s" "-" "-" "< 1 s"

# ------------------------------------------------- 1. check + render scaling

echo
echo "== 1. check + render scaling =="
echo "dnsdrop -q check, and render to a file, of INIs of N hosts + N SRV records; then"
echo "dnsmasq --test --conf-file=/dev/null --conf-dir on the rendered hosts.conf + srv.conf."
echo "render loads, checks and renders in one process: its time is the check + render figure."
ROW1='%-15s %6s %4s | %7s %7s %6s | %7s %7s %6s | %7s %7s %6s | %s\n'
printf '%-15s %6s %4s | %-22s | %-22s | %-22s |\n' "" "" "" "check" "render (to a file)" "dnsmasq --test"
# shellcheck disable=SC2059 # one format for the header and the rows
printf "$ROW1" hosts+srv INI runs s us/rec MiB s us/rec MiB s us/rec MiB ratio
declare -A R1_RATIO R1_CHECK R1_RENDER R1_DNSMASQ
max_rss=0
for n in $SIZES; do
	ini=$OUT/n$n.ini
	dir=$OUT/n$n.d
	gen_ini "$n" "$ini"
	mkdir -p "$dir"
	"$DNSDROP" -q -c "$ini" render hosts.conf >"$dir/hosts.conf"
	"$DNSDROP" -q -c "$ini" render srv.conf >"$dir/srv.conf"
	recs=$((2 * n))
	runs=${BENCH_RUNS:-$((n >= 100000 ? 3 : 5))}

	measure "$runs" 0 /dev/null "$DNSDROP" -q -c "$ini" check
	c_us=$M_US c_kib=$M_KIB
	measure "$runs" 0 "$OUT/n$n.render" "$DNSDROP" -q -c "$ini" render
	r_us=$M_US r_kib=$M_KIB
	measure "$runs" 0 /dev/null /usr/sbin/dnsmasq --test --conf-file=/dev/null --conf-dir="$dir"
	m_us=$M_US m_kib=$M_KIB

	if ((c_kib > max_rss)); then max_rss=$c_kib; fi
	if ((r_kib > max_rss)); then max_rss=$r_kib; fi
	ratio=$(calc '%.2f' "$r_us / $m_us")
	R1_RATIO[$n]=$ratio R1_CHECK[$n]=$c_us R1_RENDER[$n]=$r_us R1_DNSMASQ[$n]=$m_us
	# shellcheck disable=SC2059
	printf "$ROW1" \
		"$n+$n" "$(calc '%.1fM' "$(stat -c %s "$ini") / 1e6")" "$runs" \
		"$(sec "$c_us")" "$(calc '%.2f' "$c_us / $recs")" "$(mib "$c_kib")" \
		"$(sec "$r_us")" "$(calc '%.2f' "$r_us / $recs")" "$(mib "$r_kib")" \
		"$(sec "$m_us")" "$(calc '%.2f' "$m_us / $recs")" "$(mib "$m_kib")" \
		"$ratio"
done
echo "ratio = dnsdrop render (load + check + render) / dnsmasq --test; us/rec = wall time / records (process start included)"
met() { if awk "BEGIN { exit !($1) }"; then echo met; else echo MISSED; fi; }
echo "target: ratio <= 1 at $((2 * BIG)) records: ${R1_RATIO[$BIG]} ($(met "${R1_RATIO[$BIG]} <= 1"))" \
	"| peak RSS < 64 MiB: $(mib "$max_rss") MiB ($(met "$max_rss < 65536"))"

# ------------------------------------------------------------------ 2. apply

echo
echo "== 2. apply --no-restart --no-verify in a sandbox appliance =="
echo "Load, check, diff, dnsmasq --test on a staging copy, backup, atomic write; no restart, no DNS"
echo "queries. RSS includes the dnsmasq --test child."
new_sandbox sb-apply
gen_typical 1 >"$OUT/typical-a.ini"
gen_typical 2 >"$OUT/typical-b.ini"
gen_ini "$BIG" "$OUT/big-b.ini" 1
put_ini "$OUT/typical-a.ini"
typical_recs=$("$DNSDROP" -c "$SANDBOX_INI" check | sed -n 's/.*: ok: \([0-9]*\) hosts, \([0-9]*\) srv, \([0-9]*\) cname.*/\1 \2 \3/p')
read -r th ts tc <<<"$typical_recs"
typical_n=$((th + ts + tc))

apply_row() { # LABEL RUNS: the INI(s) are already in place
	printf '%-44s %4s %9s %8s\n' "$1" "$2" "$(sec "$M_US")" "$(mib "$M_KIB")"
}
# apply_alternate RUNS INI_A INI_B: apply B, A, B, ... (each a real change);
# median and largest RSS over the runs. Ends with the last one installed.
apply_alternate() {
	local runs=$1 a=$2 b=$3 i src
	local -a us=()
	M_KIB=0
	for ((i = 0; i < runs; i++)); do
		src=$b
		((i % 2)) && src=$a
		put_ini "$src"
		run_once 0 /dev/null "$DNSDROP" --root "$SANDBOX" -q apply --no-restart --no-verify
		us+=("$ONE_US")
		if ((ONE_KIB > M_KIB)); then M_KIB=$ONE_KIB; fi
	done
	M_US=$(printf '%s\n' "${us[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
}

printf '%-44s %4s %9s %8s\n' "case" runs "wall s" "RSS MiB"
measure 1 0 /dev/null "$DNSDROP" --root "$SANDBOX" -q apply --no-restart --no-verify
apply_row "typical ($typical_n records), first apply" 1
apply_alternate 3 "$OUT/typical-a.ini" "$OUT/typical-b.ini"
apply_row "typical, one record changed" 3
A2_TYP_US=$M_US
put_ini "$OUT/n$BIG.ini"
measure 1 0 /dev/null "$DNSDROP" --root "$SANDBOX" -q apply --no-restart --no-verify
apply_row "$((2 * BIG)) records over the typical state" 1
apply_alternate 3 "$OUT/n$BIG.ini" "$OUT/big-b.ini"
apply_row "$((2 * BIG)) records, 10 records changed" 3
A2_BIG_US=$M_US A2_BIG_KIB=$M_KIB
# the last apply installed big-b.ini: block 3 edits 10 records back

# ------------------------------------------------------------------- 3. diff

echo
echo "== 3. diff of two $((BIG + 2))-line renders differing in 10 lines =="
echo "dnsdrop's diff module (build/bench/diffcmp: $DIFFCMP_HOW) against GNU diff -u,"
echo "same files, same run, 5 runs each; then dnsdrop diff with that state installed."
old=$OUT/n$BIG.d/hosts.conf
new=$OUT/diff-new.hosts.conf
lines=$(wc -l <"$old")
awk -v n="$lines" 'BEGIN { step = int((n - 2) / 10) }
	NR > 2 && (NR - 3) % step == int(step / 2) && changed < 10 {
		sub(/,[^,]*$/, ",10.255.0." (++changed)); print; next } { print }' "$old" >"$new"
# count +/- lines of a unified diff (not its ---/+++ header lines)
pm_count() {
	awk '/^(---|\+\+\+) / && !body { next } /^@@/ { body = 1 }
		/^\+/ { p++ } /^-/ { m++ } END { printf "+%d -%d\n", p, m }' "$1"
}
printf '%-30s %9s %8s %9s %s\n' tool "wall ms" "RSS MiB" "+/- lines" "exit"
measure 5 1 "$OUT/diff.diffcmp" "$OUT/diffcmp" "$old" "$new"
d_us=$M_US
d_pm=$(pm_count "$OUT/diff.diffcmp")
printf '%-30s %9s %8s %9s %s\n' "diffcmp (dnsdrop diff.c)" "$(msec "$M_US")" "$(mib "$M_KIB")" "$d_pm" 1
measure 5 1 "$OUT/diff.gnu" diff -u --label "$old" --label "$new" "$old" "$new"
g_us=$M_US
g_pm=$(pm_count "$OUT/diff.gnu")
printf '%-30s %9s %8s %9s %s\n' "GNU diff -u" "$(msec "$M_US")" "$(mib "$M_KIB")" "$g_pm" 1
diff_ratio=$(calc '%.2f' "$d_us / $g_us")
same=no
cmp -s "$OUT/diff.diffcmp" "$OUT/diff.gnu" && same=yes
echo "ratio diffcmp / GNU diff: $diff_ratio; same +/- counts: $([ "$d_pm" = "$g_pm" ] && echo yes || echo NO);" \
	"byte-identical output: $same"
[ "$d_pm" = "$g_pm" ] || flag "diffcmp ($d_pm) and GNU diff ($g_pm) disagree: see $OUT/diff.*"
[ "$d_pm" = "+10 -10" ] || flag "expected +10 -10 changed lines, diffcmp says $d_pm"

put_ini "$OUT/n$BIG.ini"
measure 3 1 "$OUT/diff.dnsdrop" "$DNSDROP" --root "$SANDBOX" diff
dd_pm=$(pm_count "$OUT/diff.dnsdrop")
D3_DD_US=$M_US D3_DD_KIB=$M_KIB
printf '%-30s %9s %8s %9s %s\n' "dnsdrop diff (sandbox, 10 edited)" "$(msec "$M_US")" "$(mib "$M_KIB")" "$dd_pm" 1
# the 10 edited records, and hosts.conf's generation marker (new digest)
[ "$dd_pm" = "+11 -11" ] || flag "dnsdrop diff: expected +11 -11 changed lines (10 records, the marker), got $dd_pm (see $OUT/diff.dnsdrop)"
sandbox_destroy

# --------------------------------------------------------- 4. outage window

echo
echo "== 4. DNS outage window ($OUTAGE_RUNS runs each, sandbox with $typical_n records) =="
echo "build/bench/dnsprobe asks expc1.example.local/A every $INTERVAL_MS ms during the event (+300 ms either side);"
echo "outage = longest gap between good answers (≈ $INTERVAL_MS ms when DNS never stops); failed = unanswered queries."
new_sandbox sb-outage
put_ini "$OUT/typical-a.ini"
ddr -q apply >/dev/null || die "the first apply of the typical INI failed"
expect_addr=10.0.10.11
[ "$(sandbox_dig expc1.example.local A)" = "$expect_addr" ] || die "the sandbox does not serve expc1.example.local"

# probe_event OUTFILE CMD...: the probe around one run of CMD; appends
# "cmd_ms maxgap_ms failed" to OUTFILE.
probe_event() {
	local file=$1 res t0 t1
	shift
	"$OUT/dnsprobe" "$SANDBOX_PORT" expc1.example.local "$expect_addr" "$INTERVAL_MS" >"$OUT/.probe" &
	PROBE_PID=$!
	sleep 0.3
	t0=${EPOCHREALTIME/./}
	"$@" >"$OUT/.event" 2>&1 || { cat "$OUT/.event" >&2; die "event failed: $*"; }
	t1=${EPOCHREALTIME/./}
	sleep 0.3
	kill -TERM "$PROBE_PID"
	wait "$PROBE_PID" || die "dnsprobe failed"
	PROBE_PID=
	res=$(cat "$OUT/.probe")
	[[ $res =~ failed=([0-9]+)\ maxgap_ms=([0-9.]+) ]] || die "dnsprobe said: $res"
	echo "$(((t1 - t0) / 1000)) ${BASH_REMATCH[2]} ${BASH_REMATCH[1]}" >>"$file"
}

# shellcheck disable=SC2317 # called through probe_event
apply_flip() { # the typical INI with bench-flip's address changed, then apply
	put_ini "$OUT/$1"
	ddr apply
}

restarts_before_c=0 restarts_in_c=0
: >"$OUT/outage.idle" && : >"$OUT/outage.a" && : >"$OUT/outage.b" && : >"$OUT/outage.c"
for ((i = 0; i < OUTAGE_RUNS; i++)); do
	probe_event "$OUT/outage.idle" sleep 0.5
	probe_event "$OUT/outage.a" "$SANDBOX/etc/init.d/dnsmasq" restart
	if ((i % 2)); then flip=typical-a.ini; else flip=typical-b.ini; fi
	probe_event "$OUT/outage.b" apply_flip "$flip"
	restarts_before_c=$(sandbox_restarts)
	probe_event "$OUT/outage.c" ddr reapply
	restarts_in_c=$((restarts_in_c + $(sandbox_restarts) - restarts_before_c))
done

ROW4='%-38s %6s | %6s %6s %11s | %6s %9s\n'
# shellcheck disable=SC2059 # one format for the header and the rows
printf '%-38s %6s | %-25s | %s\n' "" "" "outage (longest gap), ms" "failed queries"
# shellcheck disable=SC2059
printf "$ROW4" event "cmd ms" mean median "min-max" mean "x $INTERVAL_MS ms"
declare -A OUTAGE
outage_row() { # LABEL FILE
	local s c g med range f fms
	s=$(sort -n -k 2,2 "$2" | awk -v iv="$INTERVAL_MS" '{ c += $1; g += $2; f += $3; v[NR] = $2 }
		END { med = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.0f %.1f %.1f %.0f-%.0f %.1f %.0f", c / NR, g / NR, med, v[1], v[NR], f / NR, f / NR * iv }')
	read -r c g med range f fms <<<"$s"
	OUTAGE[$2]=$g
	# shellcheck disable=SC2059
	printf "$ROW4" "$1" "$c" "$g" "$med" "$range" "$f" "$fms"
}
outage_row "(0) idle (sleep 0.5)" "$OUT/outage.idle"
outage_row "(a) init.d/dnsmasq restart" "$OUT/outage.a"
outage_row "(b) dnsdrop apply (restart + verify)" "$OUT/outage.b"
outage_row "(c) dnsdrop reapply, nothing to do" "$OUT/outage.c"
echo "expected: (b) ≈ (a): dnsdrop adds no outage beyond the restart itself; (c) ≈ (0): no restart."
echo "A restart's outage is about 20 ms or about 70 ms, depending on whether the sandbox's init script"
echo "finds dnsmasq gone at once or sleeps 50 ms before it looks again: compare means over many runs."
echo "restarts during (c): $restarts_in_c (expected 0)"
((restarts_in_c == 0)) || flag "dnsdrop reapply restarted dnsmasq with nothing to do"
sandbox_destroy

# ------------------------------------------------------------ 5. hot mode

echo
DNSDROP_BIN=$DNSDROP "$BENCH_SRC/hot.sh" || flag "block 5 (tests/bench/hot.sh) broke"

# ---------------------------------------------------------------- summary

echo
echo "== summary (for README.md, section Benchmarks) =="
cat <<EOF
\`make bench\` on $(nproc) × $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(date -u +%Y-%m-%d), $("$DNSDROP" --version), $(/usr/sbin/dnsmasq --version | sed -n '1s/  Copyright.*//p'):

| benchmark | figure |
|---|---|
| stripped binary | $size bytes ($((size / 1024)) KiB; budget 131072) |
| code lines of src/ (no comments, no blanks) | $LOC |
| check, typical INI ($typ_n records) / dnsmasq --test on its render | $(msec "$F0_CHECK_US") ms / $(msec "$F0_TEST_US") ms ($(calc '%.2f' "$F0_CHECK_US / $F0_TEST_US")x; target <= 2 ms, <= 0.5x) |
| check+render, $F0_BIG hosts + $F0_BIG SRV / dnsmasq --test on the result | $(sec "$F0_RENDER_US") s, $(mib "$F0_RENDER_KIB") MiB / $(sec "$F0_BTEST_US") s, $(mib "$F0_BTEST_KIB") MiB ($(calc '%.2f' "$F0_RENDER_US / $F0_BTEST_US")x time, $(calc '%.2f' "$F0_RENDER_KIB / $F0_BTEST_KIB")x memory; target <= 1.0x both) |
| verify, 1000 records on loopback | $(sec "$F0_VERIFY_US") s (target < 1 s) |
| check, $((2 * BIG)) records ($BIG hosts + $BIG SRV) | $(sec "${R1_CHECK[$BIG]}") s |
| render, $((2 * BIG)) records | $(sec "${R1_RENDER[$BIG]}") s |
| dnsmasq --test on the rendered files | $(sec "${R1_DNSMASQ[$BIG]}") s |
| render (load + check + render) / dnsmasq --test | ${R1_RATIO[$BIG]} (target ≤ 1) |
| peak RSS, check or render, any size | $(mib "$max_rss") MiB (target < 64) |
| apply --no-restart --no-verify, $typical_n records, one changed | $(sec "$A2_TYP_US") s |
| apply --no-restart --no-verify, $((2 * BIG)) records, 10 changed | $(sec "$A2_BIG_US") s, $(mib "$A2_BIG_KIB") MiB |
| dnsdrop diff, $((2 * BIG)) records installed, 10 edited | $(sec "$D3_DD_US") s, $(mib "$D3_DD_KIB") MiB |
| diff module, two $((BIG + 2))-line files, 10 lines differ | $(msec "$d_us") ms (GNU diff -u: $(msec "$g_us") ms) |
| DNS outage (mean of $OUTAGE_RUNS): dnsmasq restart / dnsdrop apply / reapply | ${OUTAGE[$OUT/outage.a]} / ${OUTAGE[$OUT/outage.b]} / ${OUTAGE[$OUT/outage.c]} ms (idle: ${OUTAGE[$OUT/outage.idle]} ms, one query every $INTERVAL_MS ms) |
EOF
echo
echo "bench: done in $((SECONDS - bench_start)) s$([ "$FAILED" = 0 ] || echo ', with FAILURES (see above)')"
exit "$FAILED"
