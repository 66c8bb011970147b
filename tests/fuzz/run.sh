#!/bin/bash
# run.sh [SECONDS] - fuzz the pure core (INI bytes -> load -> validate ->
# render) with libFuzzer, ASan and UBSan for SECONDS in all (default 60),
# then check a sample of what the core accepted against the real dnsmasq.
#
#   1. build, with clang, build/fuzz/fuzz_core (fuzz_core.c: the oracle on
#      what the core accepts), build/fuzz/fuzz_oom (fuzz_oom.c: every
#      allocation failing in turn) and build/fuzz/fuzz_driver (fuzz_core.c
#      with a main(), driver.c), and fuzz_driver_musl with musl-gcc;
#   2. replay tests/fuzz/regress/* (inputs that once broke the core);
#   3. fuzz with fuzz_core for 3/4 of SECONDS (-max_len=4096), then with
#      fuzz_oom for the rest (-max_len=1024), each on its own corpus under
#      build/fuzz (kept between runs, never the tree), seeded from
#      tests/fuzz/corpus, conf.d.example, tests/golden and tests/invalid,
#      with tests/fuzz/ini.dict;
#   4. run the driver over that corpus, built twice: with glibc and the
#      sanitizers, and static with musl as the shipped binary is; both must
#      accept the same inputs and render the same bytes;
#   5. for the accepted inputs (at most FUZZ_TEST_MAX, default 300)
#      `dnsmasq --test` must pass, and for at most FUZZ_SERVE_MAX (default
#      50) a dnsmasq on 127.0.0.1 must answer the first host-record, cname
#      and srv-host as written.
#
# Prints the executions, every crash (reproduce with the driver line it
# prints) and a last line "fuzz: N passed, N failed"; exits 1 on any crash,
# oracle failure or missing tool. Needs clang with the libFuzzer runtime
# (Debian: clang, libclang-rt-14-dev), libinih-dev, musl-tools, dnsmasq-base
# and dig (bind9-dnsutils); it installs nothing.
# Environment: FUZZ_JOBS=N fuzzes in N processes (libFuzzer -fork);
# FUZZ_FRESH=1 starts from the seeds alone; CC (default clang).
set -u

repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo" || exit 1
secs=${1:-60}
cc=${CC:-clang}
case $cc in cc | gcc* | musl-gcc) cc=clang ;; esac # make's CC is the musl build
out=build/fuzz
jobs=${FUZZ_JOBS:-1}
test_max=${FUZZ_TEST_MAX:-300}
serve_max=${FUZZ_SERVE_MAX:-50}
pass=0
fail=0

ok() {
	pass=$((pass + 1))
	echo "ok - $*"
}
not_ok() {
	fail=$((fail + 1))
	echo "not ok - $*"
}
finish() {
	echo "fuzz: $pass passed, $fail failed"
	[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
	exit
}

case $secs in '' | *[!0-9]*)
	echo "usage: tests/fuzz/run.sh [SECONDS]" >&2
	exit 2
	;;
esac

# ---- 1. build ----

# The whole pure core: a module that validate or render start to call is
# linked without a list to keep up to date.
inih=/usr/lib/x86_64-linux-gnu/libinih.a
mkdir -p "$out" || exit 1

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "run.sh: $cc not found: install Debian packages clang and libclang-rt-14-dev (scripts/deps.sh test)" >&2
	not_ok "build: no $cc"
	finish
fi
if [ ! -e "$inih" ] || [ ! -e /usr/include/ini.h ]; then
	echo "run.sh: $inih or /usr/include/ini.h missing: install Debian package libinih-dev" >&2
	not_ok "build: no libinih"
	finish
fi
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return (int)(d && n) * 0; }\n' >"$out/probe.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined -o "$out/probe" "$out/probe.c" >"$out/probe.log" 2>&1; then
	cat "$out/probe.log" >&2
	echo "run.sh: $cc cannot link a libFuzzer target (the runtime libclang_rt.fuzzer is missing): install Debian package libclang-rt-14-dev (scripts/deps.sh test)" >&2
	not_ok "build: no libFuzzer runtime"
	finish
fi

# shellcheck disable=SC2054 # the commas belong to -fsanitize=
cflags=(-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -Wall -Wextra -Wshadow
	-Wno-unused-parameter -Ibuild/include -Isrc/core -Itests/fuzz
	-fsanitize=address,undefined -fno-sanitize-recover=all)
srcs=()
for s in src/core/*.c; do srcs+=("$s"); done
oracle_srcs=(tests/fuzz/fuzz_core.c tests/fuzz/fuzz_grammar.c)
if "$cc" "${cflags[@]}" -fsanitize=fuzzer -o "$out/fuzz_core" "${oracle_srcs[@]}" \
	"${srcs[@]}" "$inih" >"$out/build.log" 2>&1 &&
	"$cc" "${cflags[@]}" -o "$out/fuzz_driver" tests/fuzz/driver.c "${oracle_srcs[@]}" \
		"${srcs[@]}" "$inih" >>"$out/build.log" 2>&1; then
	ok "build $out/fuzz_core and $out/fuzz_driver ($cc, ASan+UBSan)"
else
	cat "$out/build.log"
	not_ok "build (see above)"
	finish
fi
wrap=-Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup
if "$cc" "${cflags[@]}" -fsanitize=fuzzer "$wrap" -o "$out/fuzz_oom" tests/fuzz/fuzz_oom.c \
	"${srcs[@]}" "$inih" >"$out/build.log" 2>&1; then
	ok "build $out/fuzz_oom ($cc, ASan+UBSan, allocations wrapped)"
else
	cat "$out/build.log"
	not_ok "build (see above)"
	finish
fi
# musl-gcc searches no /usr/include: ini.h comes from a directory of its own.
mkdir -p "$out/include" && cp /usr/include/ini.h "$out/include/" || exit 1
if musl-gcc -std=c11 -D_GNU_SOURCE -O1 -static -I"$out/include" -Isrc/core -Itests/fuzz \
	-o "$out/fuzz_driver_musl" tests/fuzz/driver.c "${oracle_srcs[@]}" "${srcs[@]}" "$inih" \
	>"$out/build-musl.log" 2>&1; then
	ok "build $out/fuzz_driver_musl (musl-gcc, static)"
else
	cat "$out/build-musl.log"
	echo "run.sh: musl-gcc failed (Debian package musl-tools)" >&2
	not_ok "build with musl (see above)"
	finish
fi

# The sanitizers' reports must end the process: a UBSan finding is a crash.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

# ---- 2. regressions ----

shopt -s nullglob
regress=(tests/fuzz/regress/*.ini)
if [ "${#regress[@]}" -gt 0 ]; then
	rm -rf "$out/regress-out" && mkdir -p "$out/regress-out"
	for f in "${regress[@]}"; do
		if "$out/fuzz_driver" "$out/regress-out" "$f" >/dev/null 2>"$out/regress.log"; then
			ok "regress $f"
		else
			tail -n 5 "$out/regress.log"
			not_ok "regress $f (reproduce: $out/fuzz_driver /tmp $f)"
		fi
	done
fi

# ---- 3. fuzz ----

rm -rf "$out/seeds" "$out/crashes"
mkdir -p "$out/seeds" "$out/crashes" || exit 1
# Not tests/fuzz/regress: step 2 replays those, and one still open would
# stop libFuzzer at loading, before any fuzzing.
for f in tests/fuzz/corpus/* conf.d.example/*.ini tests/golden/*.ini tests/invalid/*.ini; do
	cp "$f" "$out/seeds/$(echo "$f" | tr / _)"
done

# fuzz TARGET SECONDS MAX_LEN: run build/fuzz/TARGET on build/fuzz/corpus-TARGET.
fuzz() {
	local target=$1 t=$2 max_len=$3 corpus=$out/corpus-$1 log=$out/$1.log rc execs args crashes
	[ "${FUZZ_FRESH:-0}" = 1 ] && rm -rf "$corpus"
	mkdir -p "$corpus" "$out/crashes/$target" || exit 1
	args=(-max_total_time="$t" -max_len="$max_len" -dict=tests/fuzz/ini.dict -timeout=20
		-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/crashes/$target/")
	[ "$jobs" -gt 1 ] && args+=(-fork="$jobs" -ignore_crashes=0)
	echo "== $target for ${t}s ($jobs process(es)), corpus $corpus"
	timeout -k 10 $((t + 300)) "$out/$target" "${args[@]}" "$corpus" "$out/seeds" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	[ -z "$execs" ] && execs=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')
	crashes=("$out/crashes/$target"/*)
	grep -E '^(INFO: Seed|stat::)' "$log"
	echo "$target: ${execs:-unknown} executions; corpus: $(find "$corpus" -type f | wc -l) inputs; crashes: ${#crashes[@]}"
	if [ "$rc" -eq 0 ] && [ "${#crashes[@]}" -eq 0 ]; then
		ok "$target ${t}s, ${execs:-?} executions, no crash"
		return
	fi
	grep -E 'fuzz_oom:|fuzz oracle:|ERROR: |SUMMARY: |runtime error' "$log" | head -n 20
	for c in "${crashes[@]}"; do
		case $target in
		fuzz_core) echo "# crash: $c (reproduce: $out/fuzz_driver /tmp $c)" ;;
		*) echo "# crash: $c (reproduce: FUZZ_OOM_TRACE=1 $out/$target $c)" ;;
		esac
	done
	not_ok "$target exited $rc with ${#crashes[@]} crash file(s); log: $log"
}

oom_secs=$((secs / 4))
fuzz fuzz_core $((secs - oom_secs)) 4096
[ "$oom_secs" -gt 0 ] && fuzz fuzz_oom "$oom_secs" 1024

# ---- 4. glibc and musl builds agree ----

oracle=$out/oracle
rm -rf "$oracle" && mkdir -p "$oracle/out" "$oracle/out_musl" "$oracle/run" || exit 1
# Seeds first (the known shapes), then the corpus in its hash order.
{
	find "$out/seeds" -type f | LC_ALL=C sort
	find "$out/corpus-fuzz_core" -type f | LC_ALL=C sort
} >"$oracle/inputs"
for v in "" _musl; do
	if ! "$out/fuzz_driver$v" "$oracle/out$v" <"$oracle/inputs" >"$oracle/accepted$v" \
		2>"$oracle/driver$v.log"; then
		tail -n 20 "$oracle/driver$v.log"
		not_ok "fuzz_driver$v over the corpus (log: $oracle/driver$v.log)"
	fi
done
echo "== $(wc -l <"$oracle/accepted") of $(wc -l <"$oracle/inputs") inputs accepted"
if diff -u "$oracle/accepted" "$oracle/accepted_musl" >"$oracle/musl.diff" &&
	diff -r "$oracle/out" "$oracle/out_musl" >>"$oracle/musl.diff"; then
	ok "glibc and musl builds accept the same $(wc -l <"$oracle/accepted") inputs and render the same bytes"
else
	head -n 40 "$oracle/musl.diff"
	not_ok "glibc and musl builds differ (inputs: $oracle/inputs; diff: $oracle/musl.diff)"
fi

# ---- 5. the dnsmasq oracle ----

# shellcheck source=/dev/null
. tests/lib/dnsmasq.bash
if ! dnsmasq_require; then
	not_ok "dnsmasq oracle: dnsmasq or dig missing"
	finish
fi
export DNSMASQ_RUNDIR=$repo/$oracle/run
trap 'dnsmasq_stop >/dev/null 2>&1' EXIT

# field LINE N: the Nth comma field of a rendered line after its '='.
field() { echo "${1#*=}" | cut -d, -f"$2"; }

# served DIR: dnsmasq answers the first host-record, cname and srv-host of
# DIR as written; prints what differs.
served() {
	local dir=$1 line name addr type got want bad=0
	line=$(grep -m1 '^host-record=' "$dir/hosts.conf")
	if [ -n "$line" ]; then
		name=$(field "$line" 1) addr=$(field "$line" 2) type=A
		# dig prints an AAAA without leading zeros (the generation marker has them)
		case $addr in *:*) type=AAAA addr=$(sed -E 's/:0+([0-9a-f])/:\1/g' <<<"$addr") ;; esac
		got=$(dig_short "$name" "$type")
		grep -qxF "$addr" <<<"$got" || { echo "  $name $type: want $addr, got: $got"; bad=1; }
	fi
	line=$(grep -m1 '^cname=' "$dir/hosts.conf")
	if [ -n "$line" ]; then
		name=$(field "$line" 1) want=$(field "$line" 2).
		got=$(dig_short "$name" CNAME)
		[ "$got" = "$want" ] || { echo "  $name CNAME: want $want, got: $got"; bad=1; }
	fi
	line=$(grep -m1 '^srv-host=' "$dir/srv.conf")
	if [ -n "$line" ]; then
		name=$(field "$line" 1)
		got=$(dig_short "$name" SRV)
		if [ "$line" = "srv-host=$name" ]; then # "." is served as "0 0 1 ."
			grep -qE '^[0-9]+ [0-9]+ [0-9]+ \.$' <<<"$got" || { echo "  $name SRV: want target \".\", got: $got"; bad=1; }
		else
			want="$(field "$line" 4) $(field "$line" 5) $(field "$line" 3) $(field "$line" 2)."
			grep -qxF "$want" <<<"$got" || { echo "  $name SRV: want $want, got: $got"; bad=1; }
		fi
	fi
	return $bad
}

tested=0 tested_bad=0 serve=0 serve_bad=0
while read -r n file; do
	[ "$tested" -ge "$test_max" ] && break
	dir=$repo/$oracle/out/$n
	tested=$((tested + 1))
	if ! msg=$(dnsmasq_test "$dir"); then
		tested_bad=$((tested_bad + 1))
		not_ok "dnsmasq --test refuses the drop-ins of $file: $msg (files: $dir)"
		continue
	fi
	[ "$serve" -ge "$serve_max" ] && continue
	serve=$((serve + 1))
	rm -f "$DNSMASQ_RUNDIR"/*
	if ! dnsmasq_start "$dir" 2>"$oracle/start.log"; then
		serve_bad=$((serve_bad + 1))
		not_ok "dnsmasq does not start on the drop-ins of $file: $(head -c 500 "$oracle/start.log") (files: $dir)"
		continue
	fi
	if ! diff=$(served "$dir"); then
		serve_bad=$((serve_bad + 1))
		not_ok "dnsmasq serves the drop-ins of $file otherwise than written (files: $dir):"
		echo "$diff"
	fi
	dnsmasq_stop
done <"$oracle/accepted"
[ "$tested_bad" -eq 0 ] && [ "$tested" -gt 0 ] && ok "dnsmasq --test passes on $tested accepted inputs"
[ "$tested" -eq 0 ] && not_ok "dnsmasq oracle: no accepted input to test"
[ "$serve_bad" -eq 0 ] && [ "$serve" -gt 0 ] && ok "dnsmasq on 127.0.0.1 serves $serve accepted inputs as written"
finish
