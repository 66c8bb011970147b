# shellcheck shell=bash
# sshd.bash - a real OpenSSH server (Debian openssh-server, /usr/sbin/sshd) on
# a free loopback port, in front of the sandbox appliances, for the deploy
# and fleet tests. Source it from bash; it defines functions only.
#
#   sshd_start DIR   generate a host key, a client key pair, authorized_keys,
#                    known_hosts and sshd_config in DIR, start sshd -D (not
#                    daemonized) in the background and wait until it accepts
#                    a login. Exports:
#                      SSHD_DIR SSHD_PORT SSHD_PID
#                      SSHD_KEY          the client's private key
#                      SSHD_KNOWN_HOSTS  holds the server's host key
#                      SSHD_SSH_OPTS     ssh options for a client (split on
#                                        blanks; DIR must hold no blanks)
#   sshd_stop        stop that sshd (only that one, by its pid and config)
#   sshd_ssh CMD     run CMD on the server as root, with SSHD_SSH_OPTS
#
# The server is deliberately minimal, like an appliance: no sftp subsystem
# (so nothing may rely on scp/sftp), no forwarding, public keys only, and
# every session command run by dash (`ForceCommand`), so anything that works
# through it needs only a POSIX sh on the remote side. Logs: DIR/sshd.log.
# Must run as root (sshd privilege separation, root login like an appliance).

SSHD_BIN=/usr/sbin/sshd
SSHD_SHELL=/bin/dash

_sshd_die() {
	echo "sshd: $*" >&2
	return 1
}

sshd_require() {
	local t
	for t in ssh ssh-keygen; do
		command -v "$t" >/dev/null 2>&1 ||
			_sshd_die "missing tool: $t (Debian openssh-client)" || return 1
	done
	[ -x "$SSHD_BIN" ] ||
		_sshd_die "missing $SSHD_BIN (Debian openssh-server)" || return 1
	[ -x "$SSHD_SHELL" ] ||
		_sshd_die "missing $SSHD_SHELL (Debian dash)" || return 1
	[ "$(id -u)" = 0 ] ||
		_sshd_die "the SSH tests run sshd and log in as root: run them as root" || return 1
}

# PORT is bound by no TCP socket (v4 or v6).
_sshd_port_unused() {
	local hex
	hex=$(printf ':%04X ' "$1")
	! grep -qsF -- "$hex" /proc/net/tcp /proc/net/tcp6
}

_sshd_write_config() {
	local dir=$1 port=$2
	cat >"$dir/sshd_config" <<EOF
# sshd_config of a dnsdrop test server (tests/lib/sshd.bash)
Port $port
ListenAddress 127.0.0.1
AddressFamily inet
HostKey $dir/host_ed25519
PidFile $dir/sshd.pid
AuthorizedKeysFile $dir/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
HostbasedAuthentication no
UsePAM no
StrictModes no
PermitUserEnvironment no
AllowTcpForwarding no
AllowAgentForwarding no
AllowStreamLocalForwarding no
X11Forwarding no
PermitTunnel no
PrintMotd no
PrintLastLog no
UseDNS no
MaxStartups 64:30:128
MaxSessions 32
LoginGraceTime 20
LogLevel VERBOSE
ForceCommand exec $SSHD_SHELL -c "\$SSH_ORIGINAL_COMMAND"
EOF
}

# sshd is alive and is ours.
_sshd_alive() {
	local pid=$1
	[ -r "/proc/$pid/stat" ] || return 1
	[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || return 1
	grep -aqF -- "$SSHD_DIR/sshd_config" "/proc/$pid/cmdline" 2>/dev/null
}

sshd_start() {
	local dir=$1 port attempt i hostkey
	[ -n "$dir" ] || _sshd_die "usage: sshd_start DIR" || return 1
	sshd_require || return 1
	mkdir -p "$dir" && chmod 0700 "$dir" || return 1
	dir=$(cd "$dir" && pwd) || return 1
	case $dir in *[[:space:]]*) _sshd_die "DIR must hold no blanks: $dir" || return 1 ;; esac
	SSHD_DIR=$dir
	# privilege separation directory (a fresh container may lack it)
	if [ ! -d /run/sshd ]; then
		mkdir -p /run/sshd && chmod 0755 /run/sshd || return 1
	fi
	rm -f "$dir"/host_ed25519* "$dir"/client_ed25519*
	ssh-keygen -q -t ed25519 -N '' -C dnsdrop-test-host -f "$dir/host_ed25519" || return 1
	ssh-keygen -q -t ed25519 -N '' -C dnsdrop-test-client -f "$dir/client_ed25519" || return 1
	cp "$dir/client_ed25519.pub" "$dir/authorized_keys" || return 1
	hostkey=$(awk '{print $1, $2}' "$dir/host_ed25519.pub") || return 1

	# Another test run may take the port between the probe and the bind: then
	# sshd exits at once, and another port is tried.
	for ((attempt = 0; attempt < 20; attempt++)); do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		_sshd_port_unused "$port" || continue
		_sshd_write_config "$dir" "$port" || return 1
		"$SSHD_BIN" -t -f "$dir/sshd_config" 2>"$dir/sshd.test" ||
			_sshd_die "bad sshd_config: $(cat "$dir/sshd.test")" || return 1
		: >"$dir/sshd.log"
		# not a daemon (-D), log to a file (-E); no fd of the caller (bats
		# waits for its fds 1-3 to close) stays open in the server
		"$SSHD_BIN" -D -E "$dir/sshd.log" -f "$dir/sshd_config" \
			</dev/null >/dev/null 2>&1 3>&- &
		SSHD_PID=$!
		SSHD_PORT=$port
		for ((i = 0; i < 200; i++)); do
			grep -q 'Server listening on' "$dir/sshd.log" 2>/dev/null && break
			_sshd_alive "$SSHD_PID" || break
			sleep 0.05
		done
		if grep -q 'Server listening on' "$dir/sshd.log" 2>/dev/null &&
			_sshd_alive "$SSHD_PID"; then
			break
		fi
		kill "$SSHD_PID" 2>/dev/null
		SSHD_PID=
		grep -qi 'address already in use' "$dir/sshd.log" 2>/dev/null ||
			_sshd_die "sshd did not start: $(cat "$dir/sshd.log")" || return 1
	done
	[ -n "$SSHD_PID" ] || _sshd_die "no free loopback port for sshd" || return 1

	printf '[127.0.0.1]:%s %s\n' "$SSHD_PORT" "$hostkey" >"$dir/known_hosts"
	SSHD_KEY=$dir/client_ed25519
	SSHD_KNOWN_HOSTS=$dir/known_hosts
	SSHD_SSH_OPTS="-F /dev/null -p $SSHD_PORT -i $SSHD_KEY -o IdentitiesOnly=yes"
	SSHD_SSH_OPTS+=" -o UserKnownHostsFile=$SSHD_KNOWN_HOSTS -o GlobalKnownHostsFile=/dev/null"
	SSHD_SSH_OPTS+=" -o LogLevel=ERROR"
	export SSHD_DIR SSHD_PORT SSHD_PID SSHD_KEY SSHD_KNOWN_HOSTS SSHD_SSH_OPTS
	echo "$SSHD_PID" >"$dir/sshd.started-pid"

	# It accepts a login (key, host key, root, ForceCommand all work).
	local out
	out=$(sshd_ssh 'echo ok' 2>&1)
	if [ "$out" != ok ]; then
		sshd_stop
		_sshd_die "cannot log in to the test sshd: $out; log: $(cat "$dir/sshd.log")"
		return 1
	fi
}

sshd_ssh() {
	# shellcheck disable=SC2086 # the options are split on purpose
	ssh $SSHD_SSH_OPTS -o BatchMode=yes -o StrictHostKeyChecking=yes \
		-o ConnectTimeout=10 root@127.0.0.1 "$@"
}

# Stop the server started by sshd_start (and nothing else).
sshd_stop() {
	local pid n
	[ -n "${SSHD_DIR:-}" ] || return 0
	pid=${SSHD_PID:-$(cat "$SSHD_DIR/sshd.started-pid" 2>/dev/null)}
	case $pid in '' | *[!0-9]*) return 0 ;; esac
	_sshd_alive "$pid" || return 0
	kill "$pid" 2>/dev/null
	for ((n = 0; n < 100; n++)); do
		_sshd_alive "$pid" || break
		sleep 0.05
	done
	_sshd_alive "$pid" && kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	SSHD_PID=
	return 0
}
