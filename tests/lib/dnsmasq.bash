# shellcheck shell=bash
# dnsmasq.bash - run a real dnsmasq on 127.0.0.1 and a free high port for
# bats tests, and ask it with dig. Source it from a .bats file:
#
#   load ../lib/dnsmasq
#   setup_file()    { dnsmasq_require; }
#   @test ... {
#       dnsmasq_test "$dir"            # dnsmasq --test over that conf-dir
#       dnsmasq_start "$dir"           # exports DNSMASQ_PORT, DNSMASQ_PID
#       dig_short host.example.local A
#       dnsmasq_stop
#   }
#   teardown()      { dnsmasq_stop; }  # safe when nothing runs
#
# Nothing here installs anything: a missing dnsmasq or dig is a loud failure
# (return 1 with a message), never a skip. Only the dnsmasq started here is
# ever stopped, by its own pid.
#
# Settings (environment, optional):
#   DNSMASQ_BIN     dnsmasq binary (default /usr/sbin/dnsmasq)
#   DNSMASQ_RUNDIR  where the pid file and logs go (default: a new temp dir
#                   under BATS_TEST_TMPDIR, BATS_FILE_TMPDIR or TMPDIR)

: "${DNSMASQ_BIN:=/usr/sbin/dnsmasq}"
# A name no test uses: each dnsmasq started here answers it with its own token.
_DNSMASQ_PROBE=probe.dnsmasq-bash.invalid

# dnsmasq_require: fail with a message unless dnsmasq and dig are usable.
dnsmasq_require() {
	if [[ ! -x $DNSMASQ_BIN ]]; then
		echo "dnsmasq.bash: $DNSMASQ_BIN not found: install Debian package dnsmasq-base (make test-deps)" >&2
		return 1
	fi
	if ! command -v dig >/dev/null 2>&1; then
		echo "dnsmasq.bash: dig not found: install Debian package bind9-dnsutils (make test-deps)" >&2
		return 1
	fi
}

# dnsmasq_test CONFDIR: dnsmasq --test over exactly the files of CONFDIR
# (never /etc/dnsmasq.conf). Prints dnsmasq's verdict; returns its status.
dnsmasq_test() {
	local dir=${1:?dnsmasq_test: CONFDIR}
	dnsmasq_require || return 1
	"$DNSMASQ_BIN" --test --conf-file=/dev/null --conf-dir="$dir" 2>&1
}

# A fresh private directory for one dnsmasq's pid file and logs.
_dnsmasq_rundir() {
	local base=${BATS_TEST_TMPDIR:-${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}}
	if [[ -n ${DNSMASQ_RUNDIR:-} ]]; then
		mkdir -p "$DNSMASQ_RUNDIR" && echo "$DNSMASQ_RUNDIR"
	else
		mktemp -d "$base/dnsmasq.XXXXXX"
	fi
}

# _dnsmasq_port_busy PORT: 0 when any local TCP or UDP socket (IPv4 or
# IPv6) is bound to PORT. Checked before starting because dnsmasq binds with
# SO_REUSEADDR: a second dnsmasq of the same user on a taken port starts fine
# and the two then share the queries.
_dnsmasq_port_busy() {
	local hex
	printf -v hex '%04X' "$1"
	awk -v p=":$hex" 'FNR > 1 && substr($2, length($2) - 4) == p { found = 1 }
		END { exit !found }' /proc/net/tcp /proc/net/tcp6 /proc/net/udp \
		/proc/net/udp6 2>/dev/null
}

# _dnsmasq_wait PID PORT TOKEN: 0 once the dnsmasq PID answers on PORT (its
# own TXT record TOKEN, so not some other server there), 1 if it exited, 2
# if it neither answered nor exited within about 10 seconds.
_dnsmasq_wait() {
	local pid=$1 port=$2 token=$3 i
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || return 1
		if [[ $(dig @127.0.0.1 -p "$port" +time=1 +tries=1 +short \
			"$_DNSMASQ_PROBE" TXT 2>/dev/null) == "\"$token\"" ]]; then
			return 0
		fi
		sleep 0.2
	done
	return 2
}

# dnsmasq_start CONFDIR [DNSMASQ-OPTION...]: start dnsmasq in the background
# on 127.0.0.1 and a free high port, serving only CONFDIR (no resolv.conf, no
# /etc/hosts, no upstream), and wait until it answers. Exports DNSMASQ_PORT,
# DNSMASQ_PID and DNSMASQ_LOG (its stderr and query log). A port found taken
# is retried with another; any other failure prints dnsmasq's message.
dnsmasq_start() {
	local dir=${1:?dnsmasq_start: CONFDIR} run port pid try rc token
	shift
	dnsmasq_require || return 1
	if [[ -n ${DNSMASQ_PID:-} ]]; then
		echo "dnsmasq_start: dnsmasq $DNSMASQ_PID still runs; dnsmasq_stop first" >&2
		return 1
	fi
	run=$(_dnsmasq_rundir) || return 1
	for ((try = 0; try < 20; try++)); do
		port=$((20000 + RANDOM % 40000))
		_dnsmasq_port_busy "$port" && continue
		token=$BASHPID-$port-$RANDOM
		# -k keeps it a child of ours (its pid is $!, stopped by that pid);
		# fd 3 is closed or bats would wait for the daemon to exit.
		"$DNSMASQ_BIN" -k --conf-file=/dev/null --no-resolv --no-hosts \
			--bind-interfaces --listen-address=127.0.0.1 --port="$port" \
			--pid-file="$run/dnsmasq.pid" --log-queries \
			--log-facility="$run/dnsmasq.log" --conf-dir="$dir" \
			--txt-record="$_DNSMASQ_PROBE,$token" "$@" \
			</dev/null >"$run/dnsmasq.err" 2>&1 3>&- &
		pid=$!
		rc=0
		_dnsmasq_wait "$pid" "$port" "$token" || rc=$?
		if ((rc == 0)); then
			export DNSMASQ_PORT=$port DNSMASQ_PID=$pid DNSMASQ_LOG=$run/dnsmasq.log
			return 0
		fi
		if ((rc == 2)); then
			kill "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			echo "dnsmasq_start: dnsmasq on port $port did not answer within 10 s:" >&2
			cat "$run/dnsmasq.err" "$run/dnsmasq.log" >&2 2>/dev/null
			return 1
		fi
		wait "$pid" 2>/dev/null
		grep -q 'Address already in use' "$run/dnsmasq.err" && continue
		echo "dnsmasq_start: dnsmasq exited at start:" >&2
		cat "$run/dnsmasq.err" >&2
		return 1
	done
	echo "dnsmasq_start: no free port found in $try tries" >&2
	return 1
}

# dnsmasq_stop: stop the dnsmasq that dnsmasq_start started (by its pid) and
# wait for it. Does nothing when none runs.
dnsmasq_stop() {
	local pid=${DNSMASQ_PID:-} i
	[[ -n $pid ]] || return 0
	kill "$pid" 2>/dev/null
	# wait reaps it when this shell started it; from another shell (bats's
	# teardown_file after setup_file) poll until the pid is gone.
	wait "$pid" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	unset DNSMASQ_PID DNSMASQ_PORT
	if kill -0 "$pid" 2>/dev/null; then
		echo "dnsmasq_stop: dnsmasq $pid did not exit after SIGTERM" >&2
		return 1
	fi
	return 0
}

# dig_short NAME TYPE: the answer section, one record a line, as dig +short
# prints it (names end with '.'). For PTR, NAME is an address (dig -x).
# Fails (status of dig, with its message) when dnsmasq does not answer.
dig_short() {
	local name=${1:?dig_short: NAME} type=${2:?dig_short: TYPE}
	if [[ -z ${DNSMASQ_PORT:-} ]]; then
		echo "dig_short: no dnsmasq running (dnsmasq_start first)" >&2
		return 1
	fi
	if [[ $type == PTR ]]; then
		dig @127.0.0.1 -p "$DNSMASQ_PORT" +short +time=2 +tries=2 -x "$name"
	else
		# -q/-t: a name that spells a type or class ("a", "in") stays a name.
		dig @127.0.0.1 -p "$DNSMASQ_PORT" +short +time=2 +tries=2 -q "$name" -t "$type"
	fi
}
