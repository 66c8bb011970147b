#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# compat.bats - what `make compat` asks of one dnsmasq release (tests/compat/
# run.sh runs it once per version with DNSMASQ_BIN and DNSMASQ_VERSION set;
# the sandbox and tests/lib/dnsmasq.bash both use DNSMASQ_BIN). Each test
# asserts what that version does as measured; where a version differs, the
# test says why in a line "expected on VERSION: ..." (run.sh collects them).

bats_require_minimum_version 1.5.0

load ../lib/dnsmasq

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

setup() {
	: "${DNSMASQ_VERSION:?run through tests/compat/run.sh (DNSMASQ_VERSION unset)}"
	# shellcheck source=../lib/sandbox.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/sandbox.bash"
	T=$BATS_TEST_TMPDIR
}

teardown() {
	sandbox_destroy
	dnsmasq_stop
	DNSMASQ_PID=${UP_PID:-} dnsmasq_stop
}

# older_than X.YY: DNSMASQ_VERSION is before release X.YY.
older_than() {
	local a=${DNSMASQ_VERSION#*.} b=${1#*.}
	((${DNSMASQ_VERSION%%.*} * 100 + 10#$a < ${1%%.*} * 100 + 10#$b))
}

# expected REASON: note a difference this version is known to have.
expected() {
	echo "expected on $DNSMASQ_VERSION: $*"
	[[ -z ${COMPAT_NOTES:-} ]] || echo "$DNSMASQ_VERSION|$BATS_TEST_DESCRIPTION|$*" >>"$COMPAT_NOTES"
}

# lacks TEXT: $output does not hold TEXT (a bare `! grep` never fails a
# bats test).
lacks() {
	if grep -qF -- "$1" <<<"$output"; then
		echo "unexpected: $1"
		return 1
	fi
}

cases() {
	local f
	for f in "$REPO"/tests/golden/*.hosts.conf; do
		f=${f##*/}
		echo "${f%.hosts.conf}"
	done
}

# golden_dir NAME DIR: the hand-checked files of case NAME (golden.bats
# proves render prints exactly these) as a conf-dir DIR.
golden_dir() {
	mkdir -p "$2"
	cp "$REPO/tests/golden/$1.hosts.conf" "$2/hosts.conf"
	cp "$REPO/tests/golden/$1.srv.conf" "$2/srv.conf"
}

@test "[test] --test accepts every golden pair, with and without ,*.conf" {
	local name bad=0 dir
	for name in $(cases); do
		dir=$T/$name
		golden_dir "$name" "$dir"
		"$DNSMASQ_BIN" --test --conf-file=/dev/null --conf-dir="$dir" ||
			{ echo "$name: refused"; bad=1; }
		"$DNSMASQ_BIN" --test --conf-file=/dev/null --conf-dir="$dir,*.conf" ||
			{ echo "$name: refused with ,*.conf"; bad=1; }
	done
	((bad == 0))
}

# aaaa_all PORT NAME...: one dig for all NAMEs (AAAA); a line per NAME:
# "NAME RCODE [ADDRESS...]" (the CNAME alone gives just "NAME NOERROR").
aaaa_all() {
	local port=$1 n args=()
	shift
	(($# > 0)) || return 0
	for n in "$@"; do args+=(-q "$n" -t AAAA); done
	dig @127.0.0.1 -p "$port" +time=2 +tries=2 "${args[@]}" |
		awk '/status:/ { s = $6; sub(",", "", s) }
			/^;; QUESTION SECTION:/ { getline; q = substr($1, 2, length($1) - 2); st[q] = s; o[++n] = q }
			$4 == "AAAA" && $1 !~ /^;/ { a[q] = a[q] " " $5 }
			END { for (i = 1; i <= n; i++) print o[i], st[o[i]] a[o[i]] }'
}

# v6_of DIR NAME: DIR/hosts.conf gives NAME an IPv6 address.
v6_of() {
	grep -qE "^host-record=$2,.*:" "$1/hosts.conf"
}

@test "[aaaa] AAAA of IPv4-only names is empty; of aliases the CNAME alone (2.81+)" {
	local name dir line rest n bad=0 want
	local -a hosts aliases
	for name in $(cases); do
		dir=$T/$name
		golden_dir "$name" "$dir"
		hosts=() aliases=()
		while IFS= read -r line; do
			case $line in
			host-record=*)
				rest=${line#host-record=}
				v6_of "$dir" "${rest%%,*}" || hosts+=("${rest%%,*}")
				;;
			cname=*)
				rest=${line#cname=}
				v6_of "$dir" "${rest#*,}" || aliases+=("${rest%%,*}")
				;;
			esac
		done <"$dir/hosts.conf"
		if ((${#hosts[@]})); then mapfile -t hosts < <(printf '%s\n' "${hosts[@]}" | sort -u); fi
		dnsmasq_start "$dir"
		# no upstream: dnsmasq refuses (or answers empty) what it cannot answer
		while read -r n rest; do
			[[ $rest == REFUSED || $rest == NOERROR ]] || { echo "  $n AAAA: got [$rest]"; bad=1; }
		done < <(aaaa_all "$DNSMASQ_PORT" "${hosts[@]}")
		want=NOERROR
		if older_than 2.81; then want=REFUSED; fi
		while read -r n rest; do
			[[ $rest == "$want" ]] || { echo "  $n AAAA (alias): want $want, got [$rest]"; bad=1; }
		done < <(aaaa_all "$DNSMASQ_PORT" "${aliases[@]}")
		echo "$name: ${#hosts[@]} IPv4-only hosts, ${#aliases[@]} aliases asked"
		dnsmasq_stop
	done
	if older_than 2.81; then expected "AAAA of an alias to an IPv4-only host is REFUSED (2.81 answers the CNAME)"; fi
	((bad == 0))
}

# outside_view: a second dnsmasq, the public view, started as UP_PORT.
outside_view() {
	mkdir -p "$T/outside"
	cat >"$T/outside/outside.conf" <<'OUT'
host-record=expc1.example.local,198.51.100.7,2001:db8::7
host-record=cucm.example.local,2001:db8::99
host-record=cucm1.example.local,198.51.100.21,2001:db8::21
host-record=sub.guarded.example.local,198.51.100.8
OUT
	dnsmasq_start "$T/outside"
	UP_PORT=$DNSMASQ_PORT UP_PID=$DNSMASQ_PID
	unset DNSMASQ_PID DNSMASQ_PORT
}

leak_ini() {
	sandbox_ini "$SANDBOX" <<'INI'
[hosts]
expc1.example.local = 10.0.10.11
expc2.example.local = 10.0.10.12, fd00::12
cucm1.example.local = 10.0.10.21
guarded.example.local = 10.0.10.40

[cname]
cucm.example.local = cucm1.example.local
INI
}

@test "[leak] an upstream's AAAA for an inside name: apply and verify name it and what to add" {
	outside_view
	sandbox_create "$T/box"
	echo "server=127.0.0.1#$UP_PORT" >>"$SANDBOX/etc/dnsmasq.conf"
	sandbox_start
	leak_ini
	run -0 dd apply
	echo "$output"
	grep -F 'split-DNS leak: expc1.example.local AAAA is answered 2001:db8::7' <<<"$output"
	grep -F 'add local=/expc1.example.local/' <<<"$output"
	grep -F 'dnsdrop.ini:2: warning: split-DNS leak' <<<"$output"
	run -0 dd verify
	grep -F 'expc1.example.local AAAA is answered 2001:db8::7' <<<"$output"
	lacks 'expc2.example.local AAAA is answered'
	if older_than 2.81; then
		grep -F 'cucm.example.local AAAA is answered 2001:db8::99' <<<"$output"
		expected "AAAA of an alias goes upstream: the outside address leaks (verify warns)"
	else
		lacks 'cucm.example.local AAAA is answered'
	fi
	# The fix verify names: local=/NAME/ ends the leak for NAME and keeps
	# its A record, but also takes the names below it (its documented limit).
	echo "local=/expc1.example.local/" >"$SANDBOX_CONFDIR/site.conf"
	echo "local=/guarded.example.local/" >>"$SANDBOX_CONFDIR/site.conf"
	"$SANDBOX/etc/init.d/dnsmasq" restart
	run -0 dd verify
	lacks 'expc1.example.local AAAA is answered'
	[[ $(sandbox_dig expc1.example.local A) == 10.0.10.11 ]]
	[[ -z $(sandbox_dig expc1.example.local AAAA) ]]
	[[ -z $(sandbox_dig sub.guarded.example.local A) ]]
}

@test "[srv15] 15 SRV records with dual-stack targets: apply verifies (2.76/2.77 over TCP)" {
	local i
	sandbox_create "$T/box"
	sandbox_start
	{
		echo "[hosts]"
		for i in $(seq 1 15); do echo "sip$i.example.local = 10.0.1.$i, fd00::1:$i"; done
		echo "[srv]"
		for i in $(seq 1 15); do echo "_sips._tcp.example.local = sip$i.example.local:5061 10 $i"; done
	} | sandbox_ini "$SANDBOX"
	run -0 dd apply
	echo "$output"
	run -0 dd verify
	if dig @127.0.0.1 -p "$SANDBOX_PORT" -q _sips._tcp.example.local -t SRV |
		grep -q 'malformed'; then
		expected "the UDP reply to the 15 SRV records is malformed (ARCOUNT counts a missing OPT): dnsdrop asks over TCP"
	fi
}

@test "[confdir] conf-dir=DIR,*.conf: what loads, and what discovery and status say" {
	sandbox_create "$T/box"
	echo "host-record=other.example.local,192.0.2.5" >"$SANDBOX_CONFDIR/other.conf.bak"
	sandbox_start
	echo "[hosts]
a.example.local = 10.0.0.1" | sandbox_ini "$SANDBOX"
	run -0 dd apply
	run -0 dd status
	echo "$output"
	if older_than 2.72; then
		[[ $(sandbox_dig other.example.local A) == 192.0.2.5 ]]
		grep -F 'reads *.conf as a suffix to skip' <<<"$output"
		expected "*.conf is a suffix to skip (no filters before 2.72): other.conf.bak loads too"
	else
		[[ -z $(sandbox_dig other.example.local A) ]]
		lacks 'suffix to skip'
	fi
	# The conflict check reads the conf-dir as this version does: where
	# other.conf.bak loads, its name clashes with the INI's.
	echo "[hosts]
other.example.local = 10.0.0.2" | sandbox_ini "$SANDBOX"
	if older_than 2.72; then
		run -3 dd apply
		grep -F 'other.conf.bak:1: error: duplicate' <<<"$output"
	else
		run -0 dd apply
		[[ $(sandbox_dig other.example.local A) == 10.0.0.2 ]]
	fi
	# A conf-dir line whose filter loads no .conf file is a candidate only
	# where "*" filters do not exist.
	mkdir -p "$SANDBOX/tandberg/etc/bak.d"
	echo "conf-dir=/tandberg/etc/bak.d,*.bak" >>"$SANDBOX/etc/dnsmasq.conf"
	if older_than 2.72; then
		run -8 dd status
		grep -F 'bak.d' <<<"$output"
	else
		run -0 dd status
	fi
}

@test "[status] status names the version (or what --version said) and its behaviours" {
	local said guess
	sandbox_create "$T/box"
	sandbox_start
	echo "[hosts]
a.example.local = 10.0.0.1
[cname]
al.example.local = a.example.local" | sandbox_ini "$SANDBOX"
	run -0 dd apply
	run -0 dd status
	echo "$output"
	said=$("$DNSMASQ_BIN" --version | head -1)
	grep -F "$said" <<<"$output"
	if [[ $said == *UNKNOWN* ]]; then
		guess=$(sed -n "s/^version      unknown: .*; taken as \([0-9.]*\) .*/\1/p" <<<"$output")
		echo "taken as: $guess"
		# a guess from the copyright year: never newer than the real one
		[[ -n $guess ]]
		if older_than "$guess"; then false; fi
		expected "--version prints UNKNOWN: status takes the first release of its copyright year"
	else
		grep -F "version      dnsmasq $DNSMASQ_VERSION (" <<<"$output"
	fi
	run -0 dd check
	if older_than 2.81; then
		grep -F 'dnsdrop.ini:4: warning:' <<<"$output"
		grep -F 'refuses AAAA queries for alias al.example.local' <<<"$output"
	else
		lacks 'refuses AAAA'
	fi
	# check reads the version in the binary (dmprobe_peek) and runs
	# dnsmasq --version only when the binary says UNKNOWN
	strace -f -qq -e trace=execve -o "$T/check.strace" "$DNSDROP_BIN" --root "$SANDBOX" -q check
	cat "$T/check.strace"
	if [[ $said == *UNKNOWN* ]]; then
		grep -F -- '--version' "$T/check.strace"
	else
		[[ $(grep -c 'execve(' "$T/check.strace") -eq 1 ]]
	fi
}

@test "[import] import --dnsmasq VERSION warns where that version reads a line otherwise" {
	local f rc name
	mkdir -p "$T/lines"
	printf '%s\n' 'host-record="q.example.local",10.0.0.1' >"$T/lines/quoted.conf"
	printf '%s\n' 'host-record=t.example.local,10.0.0.2,300' >"$T/lines/hostttl.conf"
	printf '%s\n' 'cname=c.example.local,t.example.local,60' >"$T/lines/cnamettl.conf"
	printf '%s\n' 'cname=c.example.local,d.example.local,t.example.local' >"$T/lines/cnamemulti.conf"
	printf '%s\n' 'srv-host=_sip._udp.example.local,' >"$T/lines/srvcomma.conf"
	echo 'host-record=t.example.local,10.0.0.2' >"$T/lines/target.conf"
	for f in quoted hostttl cnamettl cnamemulti srvcomma; do
		mkdir -p "$T/one-$f"
		cp "$T/lines/$f.conf" "$T/lines/target.conf" "$T/one-$f/"
		rc=0
		"$DNSMASQ_BIN" --test --conf-file=/dev/null --conf-dir="$T/one-$f" >/dev/null 2>&1 || rc=$?
		# with target.conf: a cname's target is then defined (import leaves
		# out, exit 1, a cname whose target it does not hold)
		run -0 "$DNSDROP_BIN" import --dnsmasq "$DNSMASQ_VERSION" "$T/lines/$f.conf" "$T/lines/target.conf"
		echo "$f: dnsmasq --test exit $rc; import says: $output"
		if ((rc != 0)); then
			# a line this version refuses: import must say so
			grep -F "$f.conf:1: warning: dnsmasq $DNSMASQ_VERSION" <<<"$output"
			expected "$f line fails --test here; import warns"
		fi
	done
	# accepted by 2.75-, but a TTL is read as a name and a cname with a
	# third field serves nothing (measured): import says so
	run -0 "$DNSDROP_BIN" import --dnsmasq "$DNSMASQ_VERSION" "$T/lines/hostttl.conf"
	if older_than 2.76; then
		grep -F 'reads the TTL field as one more host name' <<<"$output"
		run -0 "$DNSDROP_BIN" import --dnsmasq "$DNSMASQ_VERSION" "$T/lines/cnamettl.conf" "$T/lines/target.conf"
		grep -F 'serves nothing' <<<"$output"
	else
		lacks 'reads the TTL field'
	fi
	run -2 "$DNSDROP_BIN" import --dnsmasq 2.x "$T/lines/target.conf"
}
