#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# fleet.bats - scripts/ansible/dnsdrop.yml with Debian's ansible-playbook
# against three sandbox appliances (three sandbox folders, each with its own
# dnsmasq) behind one real loopback sshd (tests/lib/sshd.bash). The peers
# are expe1, expe2, expc1, all ansible_host=127.0.0.1, each with its own
# dnsdrop_remote_root; expe1 and expe2 take their INI from inis/HOST.ini,
# expc1 from the host var dnsdrop_ini. The inventory sets
# ansible_python_interpreter to a path that does not exist: the playbook
# must never need Python on an appliance.

bats_require_minimum_version 1.5.0

PEERS=(expe1 expe2 expc1)

# setup_file and teardown_file (the sshd) come from remote.bash.
# shellcheck source=../lib/remote.bash disable=SC1091
source "$BATS_TEST_DIRNAME/../lib/remote.bash"

setup() {
	remote_setup
	command -v ansible-playbook >/dev/null ||
		{ echo "missing ansible-playbook (Debian ansible-core)" >&2; return 1; }
	local p
	for p in "${PEERS[@]}"; do
		sandbox_create "$T/$p" >/dev/null
		sandbox_start >/dev/null
	done
	mkdir -p "$T/inis"
	PLAYBOOK=$SANDBOX_REPO/scripts/ansible/dnsdrop.yml
	# no ansible.cfg from anywhere, no colour, scratch files in the test dir
	: >"$T/ansible.cfg"
	export ANSIBLE_CONFIG=$T/ansible.cfg ANSIBLE_LOCAL_TEMP=$T/ansible-tmp
	export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_RETRY_FILES_ENABLED=0
	export ANSIBLE_STDOUT_CALLBACK=default
	write_inis 10.0.0
}

teardown() {
	local p
	for p in "${PEERS[@]}"; do
		[ -d "$T/$p/run" ] || continue
		sandbox_use "$T/$p" && sandbox_destroy
	done
}

port_of() {
	cat "$T/$1/run/port"
}

# The three INIs; NET is the first three octets of every address (a new NET
# is a new version of the whole fleet's records).
write_inis() {
	local net=$1 p i=0
	for p in expe1 expe2; do
		i=$((i + 1))
		cat >"$T/inis/$p.ini" <<EOF
; $p: the Expressway-C cluster on the inside
[hosts]
expc.$p.example.local = $net.$i
[srv]
_cisco-uds._tcp.$p.example.com = cucm.$p.example.local:8443
[dnsdrop]
verify = 127.0.0.1:$(port_of "$p")
EOF
	done
	# expc1: its INI is a host var (an indented YAML block)
	{
		cat <<EOF
all:
  children:
    expressway:
      vars:
        ansible_user: root
        ansible_port: $SSHD_PORT
        ansible_ssh_private_key_file: $SSHD_KEY
        ansible_ssh_common_args: >-
          -F /dev/null -o IdentitiesOnly=yes
          -o UserKnownHostsFile=$SSHD_KNOWN_HOSTS -o GlobalKnownHostsFile=/dev/null
        ansible_python_interpreter: /nonexistent/python3
      hosts:
EOF
		for p in "${PEERS[@]}"; do
			printf '        %s:\n' "$p"
			printf '          ansible_host: 127.0.0.1\n'
			printf '          dnsdrop_remote_root: %s\n' "$T/$p"
		done
		cat <<EOF
          dnsdrop_ini: |
            ; expc1: CUCM on the inside
            [hosts]
            cucm1.expc1.example.local = $net.9
            [dnsdrop]
            verify = 127.0.0.1:$(port_of expc1)
EOF
	} >"$T/inventory.yml"
}

playbook() {
	ansible-playbook -i "$T/inventory.yml" "$PLAYBOOK" -e "dnsdrop_ini_dir=$T/inis" "$@"
}

# Everything the rollout may change on one peer, as one text.
peer_state() {
	(
		cd "$T/$1" || exit 1
		find tandberg ! -type d -print0 | sort -z | xargs -0 -r stat -c '%n %s %a %Y %i'
		cat tandberg/etc/dnsmasq.d/*.conf tandberg/persistent/dnsdrop/dnsdrop.ini 2>/dev/null
		echo "restarts $(wc -l <run/restarts)"
	)
}

restarts() {
	wc -l <"$T/$1/run/restarts" | tr -d ' '
}

dig_peer() {
	dig @127.0.0.1 -p "$(port_of "$1")" +short +time=1 +tries=2 "$2" "${3:-A}"
}

# The PLAY RECAP line of HOST in $output has changed=N and failed=M.
recap() {
	local host=$1 changed=$2 failed=$3
	grep -qE "^$host +: ok=[0-9]+ +changed=$changed +unreachable=0 +failed=$failed " <<<"$output" || {
		echo "no recap line '$host changed=$changed failed=$failed' in:" >&2
		grep -A5 'PLAY RECAP' <<<"$output" >&2
		return 1
	}
}

@test "every tool is there (never skipped)" {
	command -v ansible-playbook
	command -v ansible-inventory
	sshd_require
	sandbox_require
}

@test "the playbook and the example inventory parse" {
	run -0 ansible-playbook --syntax-check -i "$T/inventory.yml" "$PLAYBOOK"
	run -0 ansible-inventory -i "$SANDBOX_REPO/scripts/ansible/inventory.example.ini" --graph
	[[ $output == *exp_e_emea* ]]
	[[ $output == *exp_c_emea* ]]
	[[ $output == *exp_e_amer* ]]
	# the examples' variable files are plain YAML mappings
	local f
	for f in "$SANDBOX_REPO"/scripts/ansible/group_vars.example/*.yml \
		"$SANDBOX_REPO"/scripts/ansible/host_vars.example/*.yml; do
		python3 -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); assert isinstance(d, dict), sys.argv[1]' "$f"
	done
}

@test "check mode: reports every pending peer, changes nothing" {
	local p before=()
	for p in "${PEERS[@]}"; do before+=("$(peer_state "$p")"); done
	run -0 playbook --check
	for p in "${PEERS[@]}"; do
		recap "$p" 1 0
		[[ $output == *"\"$p: pending: hosts.conf: 1 added, 0 removed"* ]]
	done
	local i=0
	for p in "${PEERS[@]}"; do
		[ "$(peer_state "$p")" = "${before[$i]}" ]
		[ ! -e "$T/$p/tandberg/persistent/dnsdrop/dnsdrop.ini" ]
		[ "$(restarts "$p")" = 0 ]
		i=$((i + 1))
	done
	# --diff adds the whole diff
	run -0 playbook --check --diff
	[[ $output == *'+host-record=cucm1.expc1.example.local,10.0.0.9'* ]]
}

@test "a real run applies all three peers; again: nothing to do" {
	run -0 playbook -e 'dnsdrop_note="CHG0012345 fleet"'
	local p
	for p in "${PEERS[@]}"; do
		recap "$p" 1 0
		[ "$(restarts "$p")" = 1 ]
		grep -qF 'note="CHG0012345 fleet"' "$T/$p/tandberg/persistent/dnsdrop/dnsdrop.log"
	done
	[[ $output == *'"expe1: changed: applied: '* ]]
	run -0 dig_peer expe1 expc.expe1.example.local
	[ "$output" = 10.0.0.1 ]
	run -0 dig_peer expe2 expc.expe2.example.local
	[ "$output" = 10.0.0.2 ]
	run -0 dig_peer expe2 _cisco-uds._tcp.expe2.example.com SRV
	[ "$output" = '10 10 8443 cucm.expe2.example.local.' ]
	run -0 dig_peer expc1 cucm1.expc1.example.local
	[ "$output" = 10.0.0.9 ]
	cmp "$T/inis/expe1.ini" "$T/expe1/tandberg/persistent/dnsdrop/dnsdrop.ini"
	grep -qx 'cucm1.expc1.example.local = 10.0.0.9' "$T/expc1/tandberg/persistent/dnsdrop/dnsdrop.ini"
	[ "$(stat -c %a "$T/expc1/tandberg/persistent/dnsdrop/dnsdrop.ini")" = 600 ]
	# no peer's records leak to another
	run -0 dig_peer expe1 expc.expe2.example.local
	[ -z "$output" ]

	run -0 playbook
	for p in "${PEERS[@]}"; do
		recap "$p" 0 0
		[ "$(restarts "$p")" = 1 ]
		[[ $output == *"\"$p: unchanged\""* ]]
	done
	run -0 playbook --check
	for p in "${PEERS[@]}"; do recap "$p" 0 0; done
}

@test "a failed restart stops the rollout: that peer restored (exit 4), later peers untouched" {
	run -0 playbook
	cp "$T/inis/expe2.ini" "$T/expe2-v1.ini"
	write_inis 10.0.1
	before_expc1=$(peer_state expc1)
	touch "$T/expe2/run/fail-next"

	run -2 playbook
	[[ $output == *'expe2: dnsdrop exit 4 (apply failed; the previous drop-ins and INI were restored)'* ]]
	[[ $output == *'simulated failure (fail-next knob)'* ]]
	[[ $output == *'Rollout stopped'* ]]
	recap expe1 1 0
	recap expe2 0 1
	# expe1 (before it, serial order): the new records
	run -0 dig_peer expe1 expc.expe1.example.local
	[ "$output" = 10.0.1.1 ]
	# expe2: its own state restored, old INI back in place
	run -0 dig_peer expe2 expc.expe2.example.local
	[ "$output" = 10.0.0.2 ]
	cmp "$T/expe2-v1.ini" "$T/expe2/tandberg/persistent/dnsdrop/dnsdrop.ini"
	grep -q 'host-record=expc.expe2.example.local,10.0.0.2' "$T/expe2/tandberg/etc/dnsmasq.d/hosts.conf"
	[ -z "$(find "$T/expe2/tandberg/persistent/dnsdrop" -name '.deploy*')" ]
	# expc1 (after it): not touched at all
	[ "$(peer_state expc1)" = "$before_expc1" ]
	[ "$(restarts expc1)" = 1 ]
	run -0 dig_peer expc1 cucm1.expc1.example.local
	[ "$output" = 10.0.0.9 ]

	# the cause fixed (the knob was one-shot), the next run completes
	run -0 playbook
	recap expe1 0 0
	recap expe2 1 0
	recap expc1 1 0
	run -0 dig_peer expc1 cucm1.expc1.example.local
	[ "$output" = 10.0.1.9 ]
}

@test "an invalid INI on the last peer stops everything before the first peer is touched" {
	local p before=()
	for p in "${PEERS[@]}"; do before+=("$(peer_state "$p")"); done
	sed -i 's/= 10.0.0.9$/= 10.0.0.999/' "$T/inventory.yml"
	run -2 playbook
	[[ $output == *'expc1/dnsdrop_ini:3: error: address '*'10.0.0.999'* ]]
	local i=0
	for p in "${PEERS[@]}"; do
		[ "$(peer_state "$p")" = "${before[$i]}" ]
		i=$((i + 1))
	done
	# a missing INI file: the same
	sed -i 's/= 10.0.0.999$/= 10.0.0.9/' "$T/inventory.yml"
	rm "$T/inis/expe2.ini"
	run -2 playbook
	[[ $output == *"cannot read INI file '$T/inis/expe2.ini'"* ]]
	[ "$(restarts expe1)" = 0 ]
}
