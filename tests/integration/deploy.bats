#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# deploy.bats - scripts/deploy.sh against a real OpenSSH server
# (tests/lib/sshd.bash) in front of a sandbox appliance with a real dnsmasq
# (tests/lib/sandbox.bash). The server runs every command through dash and
# has no sftp subsystem: what works here needs only a POSIX sh remotely.

bats_require_minimum_version 1.5.0

# setup_file and teardown_file (the sshd) come from remote.bash.
# shellcheck source=../lib/remote.bash disable=SC1091
source "$BATS_TEST_DIRNAME/../lib/remote.bash"

setup() {
	remote_setup
	sandbox_create "$T/box"
	sandbox_start >/dev/null
	DEPLOY=$SANDBOX_REPO/scripts/deploy.sh
	export DEPLOY_SSH_OPTS=$SSHD_SSH_OPTS
	export DEPLOY_REMOTE_ROOT=$SANDBOX
	HOST=127.0.0.1
}

teardown() {
	sandbox_destroy
}

# The local INI (what the administrator keeps in git), for this sandbox.
ini_v1() {
	cat >"$T/site.ini" <<EOF
; Expressway-E: the Expressway-C cluster and CUCM on the inside
[hosts]
expc1.example.local = 10.0.10.11
expc2.example.local = 10.0.10.12
cucm1.example.local = 10.0.20.21

[srv]
_cisco-uds._tcp.example.com = cucm1.example.local:8443 10 10

[dnsdrop]
verify = 127.0.0.1:$SANDBOX_PORT
EOF
}

ini_v2() {
	cat >"$T/site.ini" <<EOF
; Expressway-E: the Expressway-C cluster and CUCM on the inside
[hosts]
expc1.example.local = 10.0.10.111
expc2.example.local = 10.0.10.12
expc3.example.local = 10.0.10.13
cucm1.example.local = 10.0.20.21

[srv]
_cisco-uds._tcp.example.com = cucm1.example.local:8443 10 10

[dnsdrop]
verify = 127.0.0.1:$SANDBOX_PORT
EOF
}

# SSHD_SSH_OPTS with another known_hosts file.
opts_with_known_hosts() {
	printf '%s' "${SSHD_SSH_OPTS/UserKnownHostsFile=$SSHD_KNOWN_HOSTS/UserKnownHostsFile=$1}"
}

# Everything a deploy may change on the appliance, as one text.
appliance_state() {
	(
		cd "$SANDBOX" || exit 1
		# files: name, size, mode, mtime, inode; folders: name and mode (their
		# mtime moves with the deploy's temporary files)
		find tandberg ! -type d -print0 | sort -z | xargs -0 -r stat -c '%n %s %a %Y %i'
		find tandberg -type d -print0 | sort -z | xargs -0 -r stat -c '%n %a'
		cat tandberg/etc/dnsmasq.d/*.conf tandberg/persistent/dnsdrop/dnsdrop.ini 2>/dev/null
		echo "restarts $(sandbox_restarts)"
	)
}

no_leftovers() {
	run -0 find "$SANDBOX_STATE" -name '.deploy*'
	[ -z "$output" ]
}

@test "every tool is there (never skipped)" {
	sshd_require
	sandbox_require
	command -v shellcheck
	command -v dash
}

@test "deploy.sh and the script it runs remotely are POSIX sh, shellcheck clean" {
	run -0 head -1 "$DEPLOY"
	[ "$output" = '#!/bin/sh' ]
	shellcheck -s sh "$DEPLOY"
	dash -n "$DEPLOY"
	sed -n "/<<'REMOTE'/,/^REMOTE\$/p" "$DEPLOY" | sed '1d;$d' >"$T/remote.sh"
	[ -s "$T/remote.sh" ]
	shellcheck -s sh "$T/remote.sh"
	dash -n "$T/remote.sh"
	# nothing that needs more than a POSIX sh and its utilities on the appliance
	run ! grep -nE 'python|bash|base64|mktemp|flock|readlink|realpath|local ' "$T/remote.sh"
}

@test "usage errors exit 2 and contact nothing" {
	run -2 "$DEPLOY"
	[[ $output == *usage:* ]]
	run -2 "$DEPLOY" "$HOST"
	run -2 "$DEPLOY" -x "$HOST" "$T/site.ini"
	run -2 "$DEPLOY" -- -oProxyCommand=evil "$T/site.ini"
	run -8 "$DEPLOY" "$HOST" "$T/does-not-exist.ini"
	[ "$(sandbox_restarts)" = 0 ]
	[ ! -e "$SANDBOX_STATE/dnsdrop.ini" ]
}

@test "deploy -n shows the diff, exits 1 and changes nothing" {
	ini_v1
	before=$(appliance_state)
	run -1 "$DEPLOY" -n "$HOST" "$T/site.ini"
	[[ $output == *'+host-record=expc1.example.local,10.0.10.11'* ]]
	[[ $output == *'+srv-host=_cisco-uds._tcp.example.com,cucm1.example.local,8443,10,10'* ]]
	[[ $output == *'deploy: result: pending'* ]]
	[ "$(sandbox_restarts)" = 0 ]
	[ ! -e "$SANDBOX_CONFDIR/hosts.conf" ]
	[ ! -e "$SANDBOX_CONFDIR/srv.conf" ]
	[ ! -e "$SANDBOX_INI" ]
	[ ! -e "$SANDBOX_STATE/dnsdrop" ]
	[ "$(appliance_state)" = "$before" ]
	no_leftovers
	run -0 sandbox_dig expc1.example.local A
	[ -z "$output" ]
}

@test "deploy applies: records served, INI 0600, binary installed; again: nothing to do" {
	ini_v1
	run -0 "$DEPLOY" "$HOST" "$T/site.ini"
	[[ $output == *'deploy: result: changed'* ]]
	[ "$(sandbox_restarts)" = 1 ]
	run -0 sandbox_dig expc1.example.local A
	[ "$output" = 10.0.10.11 ]
	run -0 sandbox_dig _cisco-uds._tcp.example.com SRV
	[ "$output" = '10 10 8443 cucm1.example.local.' ]
	cmp "$T/site.ini" "$SANDBOX_INI"
	[ "$(stat -c '%a %U' "$SANDBOX_INI")" = '600 root' ]
	cmp "$DNSDROP_BIN" "$SANDBOX_STATE/dnsdrop"
	[ -x "$SANDBOX_STATE/dnsdrop" ]
	no_leftovers

	# the same INI again: exit 0, no restart, nothing touched
	before=$(appliance_state)
	run -0 "$DEPLOY" "$HOST" "$T/site.ini"
	[[ $output == *'nothing to apply'* ]]
	[[ $output == *'deploy: result: unchanged'* ]]
	[ "$(sandbox_restarts)" = 1 ]
	[ "$(appliance_state)" = "$before" ]
	run -0 "$DEPLOY" -n "$HOST" "$T/site.ini"
	[[ $output == *'deploy: result: unchanged'* ]]
	no_leftovers

	# a changed INI: the diff, then a new state
	ini_v2
	run -1 "$DEPLOY" -n "$HOST" "$T/site.ini"
	[[ $output == *'-host-record=expc1.example.local,10.0.10.11'* ]]
	[[ $output == *'+host-record=expc1.example.local,10.0.10.111'* ]]
	[ "$(sandbox_restarts)" = 1 ]
	run -0 "$DEPLOY" "$HOST" "$T/site.ini"
	[ "$(sandbox_restarts)" = 2 ]
	run -0 sandbox_dig expc1.example.local A
	[ "$output" = 10.0.10.111 ]
	run -0 sandbox_dig expc3.example.local A
	[ "$output" = 10.0.10.13 ]
	cmp "$T/site.ini" "$SANDBOX_INI"
	no_leftovers
}

@test "the INI can come from standard input" {
	ini_v1
	run -0 "$DEPLOY" "$HOST" - <"$T/site.ini"
	cmp "$T/site.ini" "$SANDBOX_INI"
	run -0 sandbox_dig expc2.example.local A
	[ "$output" = 10.0.10.12 ]
}

@test "an invalid INI gives 3 and changes nothing (checked locally, then remotely)" {
	ini_v1
	run -0 "$DEPLOY" "$HOST" "$T/site.ini"
	cp "$T/site.ini" "$T/good.ini"
	cat >"$T/site.ini" <<EOF
[hosts]
expc1.example.local = 10.0.10.311
bad_name.example.local = 10.0.10.12
[dnsdrop]
verify = 127.0.0.1:$SANDBOX_PORT
EOF
	before=$(appliance_state)

	# caught here, before any connection; messages name the local file
	logins=$(grep -c 'Accepted publickey' "$SSHD_DIR/sshd.log")
	run -3 "$DEPLOY" "$HOST" "$T/site.ini"
	[[ $output == *"$T/site.ini:2: error"* ]]
	[[ $output == *"$T/site.ini:3: error"* ]]
	[[ $output == *'nothing was sent'* ]]
	[ "$(grep -c 'Accepted publickey' "$SSHD_DIR/sshd.log")" = "$logins" ]
	run -3 "$DEPLOY" -n "$HOST" "$T/site.ini"
	run -3 "$DEPLOY" -k "$T/site.ini"
	run -0 "$DEPLOY" -k "$T/good.ini"

	# the appliance's own check (the binary may not run on the deploying
	# machine): exit 3, the previous INI stays, nothing restarted
	DEPLOY_LOCAL_CHECK=0 run -3 "$DEPLOY" "$HOST" "$T/site.ini"
	[[ $output == *'error'* ]]
	[[ $output == *'deploy: result: failed'* ]]
	DEPLOY_LOCAL_CHECK=0 run -3 "$DEPLOY" -n "$HOST" "$T/site.ini"
	[ "$(appliance_state)" = "$before" ]
	cmp "$T/good.ini" "$SANDBOX_INI"
	[ "$(sandbox_restarts)" = 1 ]
	no_leftovers
}

@test "an unknown host key: a clear message, exit 8, nothing changed" {
	ini_v1
	: >"$T/empty_known_hosts"
	before=$(appliance_state)
	DEPLOY_SSH_OPTS=$(opts_with_known_hosts "$T/empty_known_hosts") \
		run -8 "$DEPLOY" "$HOST" "$T/site.ini"
	[[ $output == *'host key of 127.0.0.1 is not known'* ]]
	[[ $output == *"ssh-keyscan -p $SSHD_PORT 127.0.0.1"* ]]
	[[ $output == *'ssh-keygen -lf'* ]]
	[[ $output == *'console'* ]]
	[[ $output == *'Nothing was changed'* ]]
	[ "$(appliance_state)" = "$before" ]
	[ ! -e "$SANDBOX_INI" ]
	[ "$(sandbox_restarts)" = 0 ]
	# the options given cannot weaken host key checking
	DEPLOY_SSH_OPTS="-o StrictHostKeyChecking=no $(opts_with_known_hosts "$T/empty_known_hosts")" \
		run -8 "$DEPLOY" "$HOST" "$T/site.ini"
	[ ! -e "$SANDBOX_INI" ]
	[ ! -s "$T/empty_known_hosts" ]
}

@test "a changed host key: refused with a warning, nothing changed" {
	ini_v1
	ssh-keygen -q -t ed25519 -N '' -f "$T/other_host_key"
	printf '[127.0.0.1]:%s %s\n' "$SSHD_PORT" "$(cut -d' ' -f1,2 "$T/other_host_key.pub")" >"$T/kh"
	DEPLOY_SSH_OPTS=$(opts_with_known_hosts "$T/kh") \
		run -8 "$DEPLOY" "$HOST" "$T/site.ini"
	[[ $output == *'has CHANGED'* ]]
	[ ! -e "$SANDBOX_INI" ]
	[ "$(sandbox_restarts)" = 0 ]
}

@test "deploy -m NOTE: the note reaches the appliance's audit log and backups" {
	ini_v1
	run -0 "$DEPLOY" -m "CHG0012345 it's new" "$HOST" "$T/site.ini"
	[[ $output == *'deploy: result: changed'* ]]
	grep -qF "note=\"CHG0012345 it's new\"" "$SANDBOX_STATE/dnsdrop.log"
	ini_v2
	run -0 "$DEPLOY" -m CHG0012346 "$HOST" "$T/site.ini"
	run -0 dd backups
	[[ $output == *'note "CHG0012346"'* ]]
}

@test "a failed restart: exit 4 from dnsdrop, old records and old INI back" {
	ini_v1
	run -0 "$DEPLOY" "$HOST" "$T/site.ini"
	cp "$T/site.ini" "$T/v1.ini"
	hosts_before=$(cat "$SANDBOX_CONFDIR/hosts.conf")
	ini_v2
	touch "$SANDBOX/run/fail-next"
	run -4 "$DEPLOY" "$HOST" "$T/site.ini"
	[[ $output == *'simulated failure'* ]]
	[[ $output == *"deploy.sh now puts the appliance's previous dnsdrop.ini back"* ]]
	[[ $output == *'deploy: result: failed'* ]]
	[ "$(cat "$SANDBOX_CONFDIR/hosts.conf")" = "$hosts_before" ]
	cmp "$T/v1.ini" "$SANDBOX_INI"
	run -0 sandbox_dig expc1.example.local A
	[ "$output" = 10.0.10.11 ]
	no_leftovers
	# and the next deploy goes through
	run -0 "$DEPLOY" "$HOST" "$T/site.ini"
	run -0 sandbox_dig expc1.example.local A
	[ "$output" = 10.0.10.111 ]
}

@test "drop-ins edited by hand: exit 7, -f forces (hand-made files backed up)" {
	ini_v1
	run -0 "$DEPLOY" "$HOST" "$T/site.ini"
	echo 'host-record=byhand.example.local,10.9.9.9' >>"$SANDBOX_CONFDIR/hosts.conf"
	ini_v2
	run -7 "$DEPLOY" "$HOST" "$T/site.ini"
	grep -q byhand "$SANDBOX_CONFDIR/hosts.conf"
	run -0 "$DEPLOY" -f "$HOST" "$T/site.ini"
	run ! grep -q byhand "$SANDBOX_CONFDIR/hosts.conf"
	run -0 sandbox_dig expc3.example.local A
	[ "$output" = 10.0.10.13 ]
}

@test "another deploy in progress on the appliance: exit 6, nothing changed" {
	ini_v1
	mkdir "$SANDBOX_STATE/.deploy.lock"
	sleep 600 >/dev/null 2>&1 3>&- &
	holder=$!
	echo "$holder" >"$SANDBOX_STATE/.deploy.lock/pid"
	run -6 "$DEPLOY" "$HOST" "$T/site.ini"
	kill "$holder"
	[[ $output == *"another deploy (pid $holder)"* ]]
	[ ! -e "$SANDBOX_INI" ]
	[ "$(sandbox_restarts)" = 0 ]
	# a stale lock (its process is gone) is taken over
	run -0 "$DEPLOY" "$HOST" "$T/site.ini"
	[ ! -e "$SANDBOX_STATE/.deploy.lock" ]
}

@test "remote arguments are quoted: a root with blanks, quotes and \$( )" {
	sandbox_destroy
	sandbox_create "$T/we ird'\$(touch \$HOME-pwned)\`touch pwned2\`;x" >/dev/null
	sandbox_start >/dev/null
	export DEPLOY_REMOTE_ROOT=$SANDBOX
	ini_v1
	run -1 "$DEPLOY" -n "$HOST" "$T/site.ini"
	run -0 "$DEPLOY" "$HOST" "$T/site.ini"
	run -0 sandbox_dig expc1.example.local A
	[ "$output" = 10.0.10.11 ]
	cmp "$T/site.ini" "$SANDBOX_INI"
	[ ! -e "$HOME-pwned" ]
	[ ! -e /root/pwned2 ] && [ ! -e "$HOME/pwned2" ]
}
