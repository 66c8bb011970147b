#!/usr/bin/env bats
# golden.bats - rendered output against hand-checked golden files, and the
# same output fed to a real dnsmasq.
#
# Cases: every tests/golden/NAME.hosts.conf (with NAME.srv.conf) is one case.
# Its INI is tests/golden/NAME.ini, or for the shipped examples
# conf.d.example/NAME.ini. The expected files were written by hand against
# DESIGN.md section 5 and the INI, then checked against dnsdrop's output.
#
# Paths: the header of each file names the INI exactly as given with -c, and
# dnsdrop refuses an INI that is group- or world-writable (a checkout under
# umask 002 makes it so). So setup_file copies the INIs, mode 0600, into a
# private tree at the same relative paths ($BATS_FILE_TMPDIR/tree/tests/golden,
# .../conf.d.example), and dnsdrop runs there with -c tests/golden/NAME.ini
# or -c conf.d.example/NAME.ini: the headers match the golden files whatever
# the umask, and the checkout is never touched.
#
# The records a real dnsmasq, loaded with the rendered files, must answer are
# read from the golden files: A and AAAA per name (the whole set), PTR per
# address, CNAME per alias, SRV per name (the whole set; "." as target ".").
#
# Needs build/dnsdrop (or DNSDROP=path), /usr/sbin/dnsmasq and dig; a missing
# one fails every test loudly, nothing is installed or skipped here.

load ../lib/dnsmasq

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

bats_require_minimum_version 1.5.0

setup_file() {
	local ini
	dnsmasq_require || return 1
	DNSDROP=$(readlink -f "${DNSDROP:-${DNSDROP_BIN:-$REPO/build/dnsdrop}}")
	if [[ ! -x $DNSDROP ]]; then
		echo "golden.bats: no dnsdrop binary at $DNSDROP: run make (or set DNSDROP)" >&2
		return 1
	fi
	export DNSDROP
	export GOLDEN_TREE=$BATS_FILE_TMPDIR/tree
	mkdir -p "$GOLDEN_TREE/tests/golden" "$GOLDEN_TREE/conf.d.example"
	for ini in "$REPO"/tests/golden/*.ini "$REPO"/conf.d.example/*.ini; do
		install -m 0600 "$ini" "$GOLDEN_TREE/${ini#"$REPO"/}" || return 1
	done
}

teardown() {
	dnsmasq_stop
}

# The golden case names, one a line.
cases() {
	local f
	for f in "$REPO"/tests/golden/*.hosts.conf; do
		f=${f##*/}
		echo "${f%.hosts.conf}"
	done
}

# ini_of NAME: the INI of a case, relative to the tree (as given to -c).
ini_of() {
	if [[ -f $REPO/tests/golden/$1.ini ]]; then
		echo "tests/golden/$1.ini"
	else
		echo "conf.d.example/$1.ini"
	fi
}

# dnsdrop_in_tree ARG...: run dnsdrop from the private tree.
dnsdrop_in_tree() {
	(cd "$GOLDEN_TREE" && "$DNSDROP" "$@")
}

# render_case NAME DIR: render both files of case NAME into DIR (nothing
# else goes there: DIR is then a dnsmasq conf-dir).
render_case() {
	local name=$1 dir=$2 ini f
	ini=$(ini_of "$name")
	mkdir -p "$dir"
	for f in hosts.conf srv.conf; do
		if ! dnsdrop_in_tree -c "$ini" render "$f" >"$dir/$f" 2>"$dir.$f.err"; then
			echo "$name: dnsdrop -c $ini render $f failed:" >&2
			cat "$dir.$f.err" >&2
			return 1
		fi
	done
}

@test "every golden INI and every example has its golden files" {
	local ini name bad=0
	for ini in "$REPO"/tests/golden/*.ini "$REPO"/conf.d.example/*.ini; do
		name=${ini##*/}
		name=${name%.ini}
		for f in hosts.conf srv.conf; do
			if [[ ! -f $REPO/tests/golden/$name.$f ]]; then
				echo "missing tests/golden/$name.$f for ${ini#"$REPO"/}"
				bad=1
			fi
		done
	done
	for name in $(cases); do
		if [[ ! -f $REPO/$(ini_of "$name") ]]; then
			echo "tests/golden/$name.hosts.conf has no INI"
			bad=1
		fi
	done
	((bad == 0))
}

@test "render prints exactly the golden files" {
	local name f out bad=0
	for name in $(cases); do
		out=$BATS_TEST_TMPDIR/$name
		render_case "$name" "$out" || { bad=1; continue; }
		for f in hosts.conf srv.conf; do
			if ! cmp "$REPO/tests/golden/$name.$f" "$out/$f"; then
				diff -u "$REPO/tests/golden/$name.$f" "$out/$f" || true
				bad=1
			fi
		done
	done
	((bad == 0))
}

@test "check accepts every golden INI" {
	local name ini rc bad=0
	for name in $(cases); do
		ini=$(ini_of "$name")
		rc=0
		dnsdrop_in_tree -c "$ini" check || rc=$?
		if ((rc != 0)); then
			echo "$name: dnsdrop -c $ini check exited $rc, not 0"
			bad=1
		fi
	done
	((bad == 0))
}

# Guards the next test: dnsmasq --test with --conf-dir must really read the
# files, or a pass would prove nothing.
@test "dnsmasq --test with --conf-dir reads the files (a broken one fails)" {
	local dir=$BATS_TEST_TMPDIR/broken
	render_case many "$dir"
	run dnsmasq_test "$dir"
	[[ $status -eq 0 ]]
	echo 'host-record=broken' >>"$dir/srv.conf"
	run dnsmasq_test "$dir"
	echo "$output"
	[[ $status -ne 0 ]]
	[[ $output == *srv.conf* ]]
}

@test "dnsmasq --test accepts every rendered pair" {
	local name dir bad=0
	for name in $(cases); do
		dir=$BATS_TEST_TMPDIR/$name
		render_case "$name" "$dir" || { bad=1; continue; }
		if ! dnsmasq_test "$dir"; then
			echo "$name: dnsmasq --test refused the rendered files"
			bad=1
		fi
	done
	((bad == 0))
}

# expect_answer NAME TYPE WANT: WANT (lines, any order) is exactly what
# dnsmasq answers; a "." SRV answer counts as the single line ".".
expect_answer() {
	local name=$1 type=$2 want=$3 got
	if ! got=$(dig_short "$name" "$type"); then
		echo "  $type $name: no answer from dnsmasq: $got"
		return 1
	fi
	[[ $type == SRV ]] && got=$(awk '$4 == "." { print "."; next } { print }' <<<"$got")
	got=$(sort <<<"$got")
	want=$(sort <<<"$want")
	if [[ $got != "$want" ]]; then
		printf '  %s %s: want [%s] got [%s]\n' "$type" "$name" "${want//$'\n'/ | }" \
			"${got//$'\n'/ | }"
		return 1
	fi
}

# expect_ptr ADDRESS NAME: the reverse of ADDRESS includes NAME.
expect_ptr() {
	local got
	got=$(dig_short "$1" PTR) || true
	if ! grep -Fqx "$2." <<<"$got"; then
		printf '  PTR %s: want %s. got [%s]\n' "$1" "$2" "${got//$'\n'/ | }"
		return 1
	fi
}

# query_case NAME: ask the running dnsmasq for every record of the golden
# files of case NAME (not the rendered ones, so that the rendered files
# must mean to dnsmasq what was checked by hand); print each mismatch; fail
# when there is any.
query_case() {
	local golden=$REPO/tests/golden/$1 line rest name key tgt port prio weight addr
	local bad=0
	local -A want=()
	local -a ptrs=()
	while IFS= read -r line; do
		case $line in
		host-record=*)
			rest=${line#host-record=}
			name=${rest%%,*}
			key="$name A"
			addr=${rest#*,}
			if [[ $addr == *:* ]]; then
				key="$name AAAA"
				# as dig prints it: the marker's groups have leading zeros
				addr=$(sed -E 's/:0+([0-9a-f])/:\1/g' <<<"$addr")
			fi
			want[$key]+=$addr$'\n'
			ptrs+=("$addr $name")
			;;
		cname=*)
			rest=${line#cname=}
			want["${rest%%,*} CNAME"]+=${rest#*,}.$'\n'
			;;
		srv-host=*,*)
			IFS=, read -r name tgt port prio weight <<<"${line#srv-host=}"
			want["$name SRV"]+="$prio $weight $port $tgt."$'\n'
			;;
		srv-host=*)
			want["${line#srv-host=} SRV"]+=.$'\n'
			;;
		esac
	done < <(cat "$golden.hosts.conf" "$golden.srv.conf")
	for key in "${!want[@]}"; do
		expect_answer "${key% *}" "${key##* }" "${want[$key]%$'\n'}" || bad=1
	done
	for line in "${ptrs[@]}"; do
		expect_ptr "${line% *}" "${line##* }" || bad=1
	done
	echo "  ${#want[@]} name/type pairs and ${#ptrs[@]} PTRs asked"
	((bad == 0))
}

@test "a real dnsmasq answers every record: A, AAAA, CNAME, SRV, PTR" {
	local name dir bad=0
	for name in $(cases); do
		dir=$BATS_TEST_TMPDIR/$name
		render_case "$name" "$dir" || { bad=1; continue; }
		dnsmasq_start "$dir"
		echo "$name (dnsmasq on port $DNSMASQ_PORT):"
		query_case "$name" || bad=1
		dnsmasq_stop
	done
	((bad == 0))
}

# The header names the -c path, which may hold any byte: a newline in it
# must not become a second dnsmasq line (here: an address= for a new name).
@test "a hostile -c path stays inside the header comment" {
	local d=$BATS_TEST_TMPDIR/$'evil\naddress=/evil.example.com/192.0.2.66\n\xc3\xa9'
	local dir=$BATS_TEST_TMPDIR/conf
	mkdir -p "$d" "$dir"
	install -m 0600 "$REPO/conf.d.example/minimal.ini" "$d/m.ini"
	"$DNSDROP" -c "$d/m.ini" render hosts.conf >"$dir/hosts.conf"
	"$DNSDROP" -c "$d/m.ini" render srv.conf >"$dir/srv.conf"
	cat "$dir/hosts.conf"
	[[ $(wc -l <"$dir/hosts.conf") -eq 4 ]]	# header, record, generation marker
	[[ $(wc -l <"$dir/srv.conf") -eq 2 ]]
	grep -Fq '/evil?address=/evil.example.com/192.0.2.66???/m.ini. Do not edit' "$dir/hosts.conf"
	[[ $(LC_ALL=C grep -c '[^ -~]' "$dir/hosts.conf") -eq 0 ]]
	dnsmasq_test "$dir"
	dnsmasq_start "$dir"
	[[ $(dig_short expc1.example.local A) == 10.0.10.11 ]]
	[[ -z $(dig_short evil.example.com A) ]]
}

# hosts_mode = hot (tests/golden/hot, hand-checked): hosts.conf holds the
# hostsdir= line and the cnames, the hosts file the addresses and the marker.
@test "hot mode renders exactly the golden files of tests/golden/hot" {
	local f bad=0
	for f in hosts.conf srv.conf hosts; do
		if ! (cd "$REPO/tests/golden/hot" && "$DNSDROP" -c hot.ini render "$f") |
			diff -u "$REPO/tests/golden/hot/hot.$f" -; then
			bad=1
		fi
	done
	((bad == 0))
}

# A line the parser refuses (an unknown section, no '=') hides no other
# error: one check names them all.
@test "check names every error, the records' beside a refused section" {
	local d=$BATS_TEST_TMPDIR/all
	mkdir -p "$d"
	printf '%s\n' '[hosts]' 'a.example.local = 10.0.0.300' '[srvv]' \
		'_x._tcp.example.local = a.example.local:1' 'no equals sign here' '[cname]' \
		'b.example.local = zz.example.local' >"$d/u.ini"
	chmod 600 "$d/u.ini"
	run -3 "$DNSDROP" -c "$d/u.ini" check
	grep -qF "u.ini:2: error: address \"10.0.0.300\"" <<<"$output"
	grep -qF "u.ini:3: error: unknown section \"srvv\"" <<<"$output"
	grep -qF "u.ini:5: error:" <<<"$output"
	grep -qF "u.ini:7: error: target zz.example.local is not in [hosts]" <<<"$output"
	grep -qF "4 errors; nothing was changed" <<<"$output"
}

@test "a misspelt command gets 'did you mean', an unknown one the list; exit 2" {
	run -2 "$DNSDROP" aply
	[[ $output == *"no command 'aply': did you mean 'apply'?"* ]]
	run -2 "$DNSDROP" help rolback
	[[ $output == *"did you mean 'rollback'?"* ]]
	run -2 "$DNSDROP" frobnicate
	[[ $output == *"no command 'frobnicate'; run 'dnsdrop help' for the list"* ]]
}
