# shellcheck shell=bash
# fixtures.bash - the v1/v2 INIs and what dnsmasq must serve for each, shared
# by faults.bats and killmatrix.bats (source it after sandbox.bash and
# faults.bash, for sandbox_ini and expect_answer). Functions only.
#
#   ini_v1          write v1 as the sandbox's INI
#   ini_v2          write v2: every drop-in changes (a host moves, one is
#                   added, an SRV priority changes)
#   served_v1       dnsmasq serves v1 (and not v2's additions)
#   served_v2       dnsmasq serves v2
#   old_backed_up   some backup holds exactly the files kept in $OLD

ini_v1() {
	sandbox_ini "$SANDBOX" <<'EOF'
[hosts]
expc1.example.local = 10.0.10.11
expc2.example.local = 10.0.10.12, fd00::12

[srv]
_cisco-uds._tcp.example.com = cucm1.example.local:8443 10 10

[cname]
expc.example.local = expc1.example.local
EOF
}

ini_v2() {
	sandbox_ini "$SANDBOX" <<'EOF'
[hosts]
expc1.example.local = 10.0.10.111
expc2.example.local = 10.0.10.12, fd00::12
expc3.example.local = 10.0.10.13

[srv]
_cisco-uds._tcp.example.com = cucm1.example.local:8443 20 10

[cname]
expc.example.local = expc1.example.local
EOF
}

# Chained with &&: called under "if !", errexit is off, and each check must
# still count (not only the last one).
served_v1() {
	expect_answer expc1.example.local A 10.0.10.11 &&
		expect_answer expc2.example.local AAAA fd00::12 &&
		expect_answer expc3.example.local A &&
		expect_answer _cisco-uds._tcp.example.com SRV "10 10 8443 cucm1.example.local." &&
		expect_answer expc.example.local CNAME expc1.example.local.
}

served_v2() {
	expect_answer expc1.example.local A 10.0.10.111 &&
		expect_answer expc2.example.local AAAA fd00::12 &&
		expect_answer expc3.example.local A 10.0.10.13 &&
		expect_answer _cisco-uds._tcp.example.com SRV "20 10 8443 cucm1.example.local." &&
		expect_answer expc.example.local CNAME expc1.example.local.
}

old_backed_up() {
	local b f
	for b in "$SANDBOX_STATE"/backups/*/; do
		for f in "$OLD"/*; do
			cmp -s "$f" "$b/${f##*/}" || continue 2
		done
		return 0
	done
	echo "no backup in $SANDBOX_STATE/backups holds the old drop-ins"
	return 1
}
