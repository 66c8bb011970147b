#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# import.bats - `dnsdrop import FILE...` against the real binary: the command
# line (exit codes 0, 2, 3, 8; what goes to stdout and stderr), the round
# trip through every golden INI (render, import, render again: the same
# records), and the migration of hand-made drop-ins in a sandbox appliance
# (tests/lib/sandbox.bash) served by a real dnsmasq, checked with dig.

bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

setup() {
	# shellcheck source=../lib/sandbox.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/sandbox.bash"
	# shellcheck source=../lib/faults.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/faults.bash"
	unset SANDBOX
	T=$BATS_TEST_TMPDIR
	[ -x "$DNSDROP_BIN" ] || {
		echo "no dnsdrop binary at $DNSDROP_BIN (run make)" >&2
		return 1
	}
}

teardown() {
	sandbox_destroy
}

imp() {
	"$DNSDROP_BIN" import "$@"
}

# --- the command line -----------------------------------------------------------

@test "import: no FILE is a usage error (exit 2)" {
	run --separate-stderr imp
	expect_status 2
	[ -z "$output" ]
	grep -q 'usage: import FILE' <<<"$stderr"
}

@test "import: a missing file, a directory, a symlink: exit 8, nothing on stdout" {
	echo 'host-record=a.example,10.0.0.1' >"$T/ok.conf"
	ln -s "$T/ok.conf" "$T/link.conf"
	for bad in "$T/missing.conf" "$T" "$T/link.conf"; do
		run --separate-stderr imp "$T/ok.conf" "$bad"
		expect_status 8
		[ -z "$output" ]
		grep -qF "$bad" <<<"$stderr"
	done
}

@test "import: a line with an invalid value is left out with its line and reason (exit 1); the rest is imported" {
	printf '%s\n' '# hand-made' 'host-record=a.example,10.0.0.1' \
		'host-record=b_c.example,10.0.0.2' 'srv-host=_sip._tcp.example.com,t.example,0' \
		>"$T/bad.conf"
	run --separate-stderr imp "$T/bad.conf"
	expect_status 1
	grep -q "^$T/bad.conf:3: warning: not imported: host-record: name \"b_c.example\"" <<<"$stderr"
	grep -q "^$T/bad.conf:4: warning: not imported: srv-host: port 0" <<<"$stderr"
	grep -q '2 left out, kept as comments (see the warnings; exit 1)' <<<"$stderr"
	grep -qxF "; $T/bad.conf:3: host-record=b_c.example,10.0.0.2" <<<"$output"
	grep -qF ';   ^ why: host-record: name "b_c.example"' <<<"$output"
	grep -qxF 'a.example = 10.0.0.1' <<<"$output"
	(umask 077 && printf '%s\n' "$output" >"$T/i.ini")
	run --separate-stderr "$DNSDROP_BIN" -c "$T/i.ini" check
	expect_status 0
}

# --- fixtures in the shape of real hand-made files (tests/import/README) -----

@test "import: Pi-hole custom.list (hosts format) with its cname file: the targets resolve" {
	d=$REPO/tests/import/pihole
	run --separate-stderr imp "$d/custom.list" "$d/05-pihole-custom-cname.conf"
	expect_status 1	# the 0.0.0.0 blocklist line is left out
	grep -qxF 'expc2.example.local = 10.0.10.12, fd00::12' <<<"$output"
	grep -qxF 'cucm1.example.local = 10.0.20.21' <<<"$output"
	grep -qxF 'cucm.example.local = cucm1.example.local' <<<"$output"
	grep -qxF 'exp-c.example.local = expc1.example.local' <<<"$output"
	grep -qxF "; $d/custom.list:5: 0.0.0.0 ads.example.com" <<<"$output"
	grep -q "^$d/custom.list:5: warning: not imported: hosts line: address \"0.0.0.0\"" <<<"$stderr"
	(umask 077 && printf '%s\n' "$output" >"$T/p.ini")
	run --separate-stderr "$DNSDROP_BIN" -c "$T/p.ini" check
	expect_status 0
	# the cname file alone: its targets are nowhere, so the aliases are comments
	run --separate-stderr imp "$d/05-pihole-custom-cname.conf"
	expect_status 1
	grep -qxF '; cucm.example.local = cucm1.example.local' <<<"$output"
}

@test "import: a file with lines it cannot take keeps every other record (nothing lost)" {
	f=$REPO/tests/import/mixed.conf
	run --separate-stderr imp "$f"
	expect_status 1
	grep -q "^$f:3: warning: not imported: address: name \"cucm 1.example.local\" has a blank" <<<"$stderr"
	grep -q "^$f:5: warning: not imported: srv-host target: name \"10.0.20.21\"" <<<"$stderr"
	grep -qxF "; $f:3: address=/cucm 1.example.local/10.0.20.21" <<<"$output"
	grep -qxF "; $f:5: srv-host=_cisco-uds._tcp.example.com,10.0.20.21,8443,10,10" <<<"$output"
	grep -qxF 'expc1.example.local = 10.0.10.11' <<<"$output"
	grep -qxF 'cucm2.example.local = 10.0.20.22' <<<"$output"
	grep -qxF '_cisco-uds._tcp.example.com = cucm2.example.local:8443 20 10' <<<"$output"
	grep -qxF 'cucm.example.local = cucm2.example.local' <<<"$output"
	# address= becomes a host-record: the PTR answer it adds is said
	grep -q "^$f:4: warning: address=/cucm2.example.local/ .*also answers the reverse (PTR) lookup of 10.0.20.22 with cucm2.example.local" <<<"$stderr"
}

@test "import: a host-record shadowed by interface-name is a warning naming both lines" {
	f=$REPO/tests/import/ifname.conf
	run --separate-stderr imp "$f"
	expect_status 1
	grep -qxF "$f:2: warning: dnsmasq answered expe.example.com from interface-name=expe.example.com,lo ($f:1), with that interface's address, never with this host-record: the INI gives 192.0.2.10 instead; check which address is right" <<<"$stderr"
	grep -qxF 'expe.example.com = 192.0.2.10' <<<"$output"
}

@test "import: other lines become comments and warnings; the INI passes check" {
	printf '%s\n' 'host-record=a.example,10.0.0.1,600' 'server=/corp.example/10.1.1.1' \
		'cname=www.example,elsewhere.example' >"$T/d.conf"
	run --separate-stderr imp "$T/d.conf"
	expect_status 1
	grep -qxF "$T/d.conf:1: warning: host-record: TTL 600 dropped: dnsdrop writes no TTL (dnsmasq then uses local-ttl, 0 by default)" <<<"$stderr"
	grep -q "^$T/d.conf:2: warning: not imported: \"server\"" <<<"$stderr"
	[[ $stderr != *"apply --force replaces this file"* ]]	# d.conf is not dnsdrop's
	grep -q "^$T/d.conf:3: warning: not imported: cname www.example,elsewhere.example" <<<"$stderr"
	grep -qxF "; $T/d.conf:2: server=/corp.example/10.1.1.1" <<<"$output"
	grep -qxF '; www.example = elsewhere.example' <<<"$output"
	grep -qxF 'a.example = 10.0.0.1' <<<"$output"
	# in a hosts.conf, which apply --force replaces, the forwarder would go
	mkdir -p "$T/cd" && cp "$T/d.conf" "$T/cd/hosts.conf"
	run --separate-stderr imp "$T/cd/hosts.conf"
	grep -qF "$T/cd/hosts.conf:2: warning: not imported: \"server\": dnsdrop holds host-record, address=/NAME/ADDRESS, srv-host and cname only; apply --force replaces this file, and this line with it: move it to a file of your own in the conf-dir first" <<<"$stderr"
	run --separate-stderr imp "$T/d.conf"
	(umask 077 && printf '%s\n' "$output" >"$T/i.ini")
	run --separate-stderr "$DNSDROP_BIN" -c "$T/i.ini" check
	expect_status 0

	# -q: errors only
	run --separate-stderr "$DNSDROP_BIN" -q import "$T/d.conf"
	expect_status 1
	[ -z "$stderr" ]
}

@test "import: Active Directory SRV names ('_' labels in the domain) are taken, lowercase" {
	printf '%s\n' 'host-record=dc1.corp.example.com,10.0.30.11' \
		'srv-host=_ldap._tcp.dc._msdcs.corp.example.com,dc1.corp.example.com,389,0,100' \
		'srv-host=_kerberos._tcp.Default-First-Site-Name._sites.dc._msdcs.corp.example.com,dc1.corp.example.com,88' \
		'srv-host=_sip._tcp.a_b.example.com,dc1.corp.example.com,5060' >"$T/ad.conf"
	run --separate-stderr imp "$T/ad.conf"
	expect_status 1	# never lose a file: the bad line is a warning and a comment
	grep -q "^$T/ad.conf:4: warning: not imported: srv-host: name \"_sip._tcp.a_b.example.com\"" <<<"$stderr"
	grep -qxF "; $T/ad.conf:4: srv-host=_sip._tcp.a_b.example.com,dc1.corp.example.com,5060" <<<"$output"
	sed -i '$d' "$T/ad.conf"
	run --separate-stderr imp "$T/ad.conf"
	expect_status 0
	grep -qxF '_ldap._tcp.dc._msdcs.corp.example.com = dc1.corp.example.com:389 0 100' <<<"$output"
	grep -qxF '_kerberos._tcp.default-first-site-name._sites.dc._msdcs.corp.example.com = dc1.corp.example.com:88 0 0' <<<"$output"
	(umask 077 && printf '%s\n' "$output" >"$T/i.ini")
	run --separate-stderr "$DNSDROP_BIN" -c "$T/i.ini" check
	expect_status 0
}

@test "import: a FILE is taken as given, not under --root" {
	mkdir "$T/root"
	echo 'host-record=a.example,10.0.0.1' >"$T/d.conf"
	run --separate-stderr "$DNSDROP_BIN" --root "$T/root" import "$T/d.conf"
	expect_status 0
	grep -qxF 'a.example = 10.0.0.1' <<<"$output"
}

# --- round trip -------------------------------------------------------------------

# The records of file $1: not its comments, nor the generation marker (a
# digest of the whole render, header included, so of the INI's path too).
records() {
	grep -v -e '^#' -e '^host-record=dnsdrop-generation\.invalid,' "$1" || true
}

@test "round trip: every golden INI, rendered, imported and rendered again, gives the same records" {
	local ini name d f n=0
	for ini in "$REPO"/tests/golden/*.ini "$REPO"/conf.d.example/*.ini; do
		name=${ini#"$REPO"/}
		name=${name//\//_}
		d=$T/rt/${name%.ini}
		mkdir -p "$d"
		install -m 0600 "$ini" "$d/orig.ini"
		for f in hosts.conf srv.conf; do
			"$DNSDROP_BIN" -c "$d/orig.ini" render "$f" >"$d/$f"
		done
		run --separate-stderr imp "$d/hosts.conf" "$d/srv.conf"
		expect_status 0
		if grep -q ': error: ' <<<"$stderr"; then
			printf '%s\n' "$stderr"
			return 1
		fi
		(umask 077 && printf '%s\n' "$output" >"$d/imported.ini")
		run --separate-stderr "$DNSDROP_BIN" -c "$d/imported.ini" check
		expect_status 0
		for f in hosts.conf srv.conf; do
			"$DNSDROP_BIN" -c "$d/imported.ini" render "$f" >"$d/again.$f"
			if ! diff -u <(records "$d/$f") <(records "$d/again.$f"); then
				echo "round trip of $ini changed $f"
				return 1
			fi
		done
		n=$((n + 1))
	done
	[ "$n" -ge 5 ]
}

# --- migration on an appliance ------------------------------------------------------

# The answers a client gets for the migrated records, one "NAME TYPE: ..." a line.
answers() {
	local q
	for q in "expc1.example.local A" "expc1.example.local AAAA" "expc1 A" \
		"expc2.example.local A" "expc2.example.local AAAA" "cucm1.example.local A" \
		"expe.example.com A" "cucm.example.local CNAME" "callmanager.example.local CNAME" \
		"_cisco-uds._tcp.example.com SRV" "_collab-edge._tls.example.com SRV" \
		"_sip._udp.example.com SRV"; do
		# shellcheck disable=SC2086
		printf '%s: %s\n' "$q" "$(sandbox_dig $q | LC_ALL=C sort | tr '\n' ' ')"
	done
}

@test "migration: hand-made drop-ins imported, apply refuses, --force backs them up, dig serves the same" {
	sandbox_create "$T/box"
	sandbox_start >/dev/null
	cat >"$SANDBOX_CONFDIR/hosts.conf" <<'EOF'
# hosts.conf - made by hand over SSH for MRA
host-record=expc1.example.local,expc1,10.0.10.11,fd00::11,3600
host-record=expc2.example.local,10.0.10.12
host-record=expc2.example.local,fd00::12
address=/cucm1.example.local/10.0.20.21
host-record = "expe.example.com" , 192.0.2.10   # the E itself
cname=cucm.example.local,callmanager.example.local,cucm1.example.local
EOF
	cat >"$SANDBOX_CONFDIR/srv.conf" <<'EOF'
srv-host=_cisco-uds._tcp.example.com,cucm1.example.local,8443,10,10
srv-host=_cisco-uds._tcp.example.com,cucm2.example.local,8443,20,10
srv-host=_collab-edge._tls.example.com,expe.example.com,8443
srv-host=_sip._udp.example.com
EOF
	cp "$SANDBOX_CONFDIR/hosts.conf" "$T/hand.hosts.conf"
	cp "$SANDBOX_CONFDIR/srv.conf" "$T/hand.srv.conf"
	"$SANDBOX/etc/init.d/dnsmasq" restart >/dev/null
	before=$(answers)
	grep -qF 'expc1.example.local A: 10.0.10.11' <<<"$before"
	grep -qF '_collab-edge._tls.example.com SRV: 0 0 8443 expe.example.com.' <<<"$before"

	# import into the INI, mode 0600; only the verify port is added by hand
	run --separate-stderr dd import "$SANDBOX_CONFDIR/hosts.conf" "$SANDBOX_CONFDIR/srv.conf"
	expect_status 0
	grep -q 'hosts.conf:2: warning: host-record: TTL 3600 dropped' <<<"$stderr"
	grep -q 'hosts.conf:5: warning: address=/cucm1.example.local/ also answered' <<<"$stderr"
	(umask 077 && printf '%s\n\n[dnsdrop]\nverify = 127.0.0.1:%s\n' "$output" "$SANDBOX_PORT" \
		>"$SANDBOX_INI")
	[ "$(stat -c %a "$SANDBOX_INI")" = 600 ]
	grep -qxF 'expc2.example.local = 10.0.10.12, fd00::12' "$SANDBOX_INI"
	grep -qxF '_collab-edge._tls.example.com = expe.example.com:8443 0 0' "$SANDBOX_INI"
	run --separate-stderr dd check
	expect_status 0

	# apply refuses to replace hand-made drop-ins; nothing changes
	run --separate-stderr dd apply
	expect_status 7
	cmp "$T/hand.hosts.conf" "$SANDBOX_CONFDIR/hosts.conf"
	cmp "$T/hand.srv.conf" "$SANDBOX_CONFDIR/srv.conf"

	# --force: the hand-made files go into the first backup, then are replaced
	run --separate-stderr dd apply --force
	expect_status 0
	first=$(find "$SANDBOX_STATE/backups" -mindepth 1 -maxdepth 1 -type d ! -name '.*' \
		-printf '%f\n' | LC_ALL=C sort | head -n 1)
	[ -n "$first" ]
	cmp "$T/hand.hosts.conf" "$SANDBOX_STATE/backups/$first/hosts.conf"
	cmp "$T/hand.srv.conf" "$SANDBOX_STATE/backups/$first/srv.conf"
	grep -q '^# Generated by dnsdrop' "$SANDBOX_CONFDIR/hosts.conf"

	# the same records are served
	after=$(answers)
	if [ "$after" != "$before" ]; then
		diff -u <(printf '%s\n' "$before") <(printf '%s\n' "$after")
		return 1
	fi
	run --separate-stderr dd apply
	expect_status 0
}
