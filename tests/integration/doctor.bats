#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# doctor.bats - `dnsdrop doctor` and the SRV target checks against real
# dnsmasq: a sandbox appliance whose dnsmasq forwards to an "outside"
# dnsmasq that serves the public view (sandbox_outside). Each finding is
# checked line by line: a typo'd SRV target, a public _cisco-uds, an AAAA
# leak, a PTR mismatch, a missing _collab-edge; then a clean picture (exit
# 0), the CSV form, and --format zone against its golden file and
# named-checkzone (Debian bind9-utils).

bats_require_minimum_version 1.5.0

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)

setup() {
	# shellcheck source=../lib/sandbox.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/sandbox.bash"
	# shellcheck source=../lib/faults.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/faults.bash"
	sandbox_create "$BATS_TEST_TMPDIR/box"
	T=$BATS_TEST_TMPDIR
}

teardown() {
	sandbox_destroy
}

# The public view: what the customer's outside DNS answers today.
outside_broken() {
	sandbox_outside <<'EOF2'
local=/acme.com/
local=/acme.local/
host-record=expe.acme.com,198.51.100.10,2001:db8::10
srv-host=_cisco-uds._tcp.acme.com,expe.acme.com,8443,10,10
EOF2
}

outside_good() {
	sandbox_outside <<'EOF2'
local=/acme.com/
local=/acme.local/
host-record=expe.acme.com,198.51.100.10
srv-host=_collab-edge._tls.acme.com,expe.acme.com,8443,10,10
EOF2
}

# An Expressway-E for acme.com: the C, CUCM (the SRV target cucm-sub is a
# typo of cucm-sub1), two IM&P nodes given the same address by mistake.
ini_acme() {
	sandbox_ini "$SANDBOX" <<'EOF2'
[hosts]
expc1.acme.local = 10.0.10.11
expe.acme.com = 10.0.20.5
cucm-pub.acme.local = 10.0.10.21
cucm-sub1.acme.local = 10.0.10.22
imp1.acme.local = 10.0.10.31
imp2.acme.local = 10.0.10.31

[srv]
_cisco-uds._tcp.acme.com = cucm-pub.acme.local:8443 10 10
_cisco-uds._tcp.acme.com = cucm-sub.acme.local:8443 20 10
_cuplogin._tcp.acme.com = imp1.acme.local:8443

[mra]
public_fqdn = expe.acme.com
public_address = 198.51.100.10
EOF2
}

has_line() {
	grep -qxF -- "$1" <<<"$output" || {
		echo "missing line: $1" >&2
		echo "$output" >&2
		return 1
	}
}

@test "check: an SRV target one edit off a host: did you mean (a warning, exit 0)" {
	ini_acme
	run --separate-stderr dd check
	expect_status 0
	grep -qxF "$SANDBOX_INI:11: warning: SRV target cucm-sub.acme.local is not in [hosts]: did you mean cucm-sub1.acme.local?" <<<"$stderr"
}

@test "apply and verify: an SRV target that resolves nowhere is a warning with its INI line" {
	outside_broken
	sandbox_start >/dev/null
	ini_acme
	run --separate-stderr dd apply
	expect_status 0
	grep -qxF "$SANDBOX_INI:11: warning: SRV target cucm-sub.acme.local resolves to no address (asked 127.0.0.1:$SANDBOX_PORT); check the spelling, or add it under [hosts]" <<<"$stderr"
	run --separate-stderr dd verify
	expect_status 0
	grep -qF "$SANDBOX_INI:11: warning: SRV target cucm-sub.acme.local resolves to no address" <<<"$stderr"
	# the public target is found through the upstream: no warning for it
	sed -i 's/^_cuplogin.*/_cuplogin._tcp.acme.com = expe.acme.com:8443/; s/^imp2.*//' "$SANDBOX_INI"
	sed -i 's/^expe.acme.com = .*//' "$SANDBOX_INI"
	run --separate-stderr dd apply
	expect_status 0
	[ "$(grep -cF "expe.acme.com resolves to no address" <<<"$stderr")" -eq 0 ]
}

@test "doctor: every finding on its line, with what to do; exit 1" {
	outside_broken
	sandbox_start >/dev/null
	ini_acme
	dd apply -q 2>/dev/null
	run --separate-stderr dd doctor
	expect_status 1
	has_line "ok   expc1.acme.local A: inside 10.0.10.11; upstream NXDOMAIN; served inside"
	has_line "ok   10.0.10.11 PTR: inside expc1.acme.local; served expc1.acme.local"
	has_line "ok   expe.acme.com A: inside 10.0.20.5; upstream 198.51.100.10; served inside"
	has_line "WARN expe.acme.com AAAA: inside none; served 2001:db8::10 - the INI gives no AAAA, so dnsmasq forwards it and serves the outside answer: add the inside IPv6 address to this host in [hosts], or have it removed outside"
	has_line "WARN 10.0.10.31 PTR: inside imp2.acme.local; served imp1.acme.local - reverse does not give this name back: give each address to one [hosts] line, and remove other ptr-record lines for it"
	has_line "ok   _cisco-uds._tcp.acme.com SRV: inside cucm-pub.acme.local:8443/10/10 cucm-sub.acme.local:8443/20/10; upstream expe.acme.com:8443/10/10; served inside"
	has_line "ok   _cisco-uds._tcp.acme.com SRV: inside target cucm-pub.acme.local:8443 - resolves"
	has_line "WARN _cisco-uds._tcp.acme.com SRV: inside target cucm-sub.acme.local:8443 - resolves to no address: fix the spelling in [srv], or add the target under [hosts]"
	has_line "WARN _collab-edge._tls.acme.com SRV: upstream NXDOMAIN - missing in public DNS: have the DNS team publish it (dnsdrop doctor --format zone)"
	has_line "WARN _cisco-uds._tcp.acme.com SRV: upstream expe.acme.com:8443/10/10 - the outside view answers it, and Cisco requires it not be resolvable from outside: have it removed from public DNS"
	has_line "ok   _cuplogin._tcp.acme.com SRV: upstream NXDOMAIN - inside only, as Cisco requires"
	[ "$(grep -c '^WARN' <<<"$output")" -eq 5 ]
	# no federation: _xmpp-server is not asked for
	[ "$(grep -c _xmpp-server <<<"$output")" -eq 0 ]
}

@test "doctor: a clean picture exits 0; CSV has one finding a line" {
	outside_good
	sandbox_start >/dev/null
	sandbox_ini "$SANDBOX" <<'EOF2'
[hosts]
expc1.acme.local = 10.0.10.11
cucm-pub.acme.local = 10.0.10.21

[srv]
_cisco-uds._tcp.acme.com = cucm-pub.acme.local:8443

[mra]
public_fqdn = expe.acme.com
public_address = 198.51.100.10
EOF2
	dd apply -q
	run --separate-stderr dd doctor
	expect_status 0
	has_line "ok   _collab-edge._tls.acme.com SRV: upstream expe.acme.com:8443/10/10 - public"
	[ "$(grep -c '^WARN' <<<"$output")" -eq 0 ]
	run --separate-stderr dd doctor --format csv
	expect_status 0
	has_line "level,name,type,inside,upstream,served,todo"
	has_line 'ok,expc1.acme.local,A,10.0.10.11,NXDOMAIN,inside,""'
	[ "$(wc -l <<<"$output")" -eq 10 ] || { echo "$output"; false; }
	# a port off the MRA one is a finding
	sed -i 's/:8443$/:443/' "$SANDBOX_INI"
	dd apply -q 2>/dev/null
	run --separate-stderr dd doctor
	expect_status 1
	has_line "WARN _cisco-uds._tcp.acme.com SRV: inside target cucm-pub.acme.local:443 - port 443, but MRA clients use 8443: fix the port in [srv]"
}

@test "doctor: no upstream known (no server= line, no nameserver) is a finding" {
	sandbox_start >/dev/null
	printf 'hosts.acme.local = 10.0.0.1\n' | sed 's/^/[hosts]\n/' | sandbox_ini "$SANDBOX"
	dd apply -q
	run --separate-stderr dd doctor
	expect_status 1
	has_line "WARN upstream -: upstream unknown - no server= line in dnsmasq's configuration and no nameserver in its resolv file: the outside view is not checked"
	# the resolv file dnsmasq reads (under --root) names the upstream
	echo 'resolv-file=/etc/resolv.dnsmasq' >>"$SANDBOX/etc/dnsmasq.conf"
	echo 'nameserver 127.0.0.1' >"$SANDBOX/etc/resolv.dnsmasq"
	run --separate-stderr dd doctor
	[ "$(grep -c '^WARN upstream' <<<"$output")" -eq 0 ]
	# no upstream at all: an MRA name is "not checked", never "ok"
	sed -i '/^resolv-file=/d' "$SANDBOX/etc/dnsmasq.conf"
	ini_acme
	dd apply -q 2>/dev/null
	run --separate-stderr dd doctor
	expect_status 1
	has_line "WARN _cisco-uds._tcp.acme.com SRV: upstream unknown - not checked: the upstream gave no answer; check this name in public DNS by hand"
	[ "$(grep -c '^ok .*: upstream unknown' <<<"$output")" -eq 0 ]
	run --separate-stderr dd doctor --format bogus
	expect_status 2
}

@test "doctor --format zone: the golden handover, accepted by named-checkzone" {
	command -v named-checkzone >/dev/null || {
		echo "named-checkzone missing: scripts/deps.sh test installs bind9-utils" >&2
		return 1
	}
	mkdir -p "$T/tree/tests/golden"
	install -m 0600 "$REPO/tests/golden/mra.ini" "$T/tree/tests/golden/mra.ini"
	run --separate-stderr bash -c "cd '$T/tree' && '$DNSDROP_BIN' -c tests/golden/mra.ini doctor --format zone"
	expect_status 0
	diff -u "$REPO/tests/golden/mra.zone" - <<<"$output"
	{
		printf '%s\n@ IN SOA ns1.acme.com. hostmaster.acme.com. 1 7200 900 1209600 300\n' "\$TTL 3600"
		printf '@ IN NS ns1.acme.com.\nns1 IN A 198.51.100.1\n'
		cat "$REPO/tests/golden/mra.zone"
	} >"$T/acme.com.zone"
	run named-checkzone acme.com "$T/acme.com.zone"
	expect_status 0
	# no [mra]: a clear error, exit 3
	printf '[hosts]\na.acme.local = 10.0.0.1\n' | sandbox_ini "$SANDBOX"
	run --separate-stderr dd doctor --format zone
	expect_status 3
	grep -qF "has no [mra] section: add public_fqdn and public_address" <<<"$stderr"
}

@test "check: [mra] is validated (unknown key, missing address, bad federation, bad name)" {
	sandbox_ini "$SANDBOX" <<'EOF2'
[hosts]
a.acme.local = 10.0.0.1

[mra]
public_fqdn = expe_1.acme.com
public_adress = 198.51.100.10
federation = maybe
domains = acme.com, bad_domain.com
EOF2
	run --separate-stderr dd check
	expect_status 3
	grep -qF "$SANDBOX_INI:5: error: public_fqdn:" <<<"$stderr"
	grep -qxF "$SANDBOX_INI:6: error: unknown key \"public_adress\" in [mra]; did you mean public_address?" <<<"$stderr"
	grep -qxF "$SANDBOX_INI:7: error: federation must be yes or no" <<<"$stderr"
	grep -qF "$SANDBOX_INI:8: error: domains \"bad_domain.com\":" <<<"$stderr"
	grep -qF "$SANDBOX_INI:5: error: [mra] needs public_fqdn" <<<"$stderr"
}
