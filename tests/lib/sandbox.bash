# shellcheck shell=bash
# sandbox.bash - a whole Expressway-like appliance in a folder, served by a
# real dnsmasq on a loopback port, for the integration tests and the demo.
# Source it from bash (bats files, scripts/demo.sh); it defines functions only.
#
#   sandbox_create DIR   build the appliance in DIR, pick a free port, make DIR
#                        the current sandbox (exports SANDBOX, SANDBOX_PORT);
#                        dnsmasq is not started: call sandbox_start
#   sandbox_use DIR      make an existing sandbox the current one (also
#                        exports SANDBOX_STATE, SANDBOX_CONFDIR, SANDBOX_INI)
#   sandbox_ini [DIR]    write stdin as the INI (mode 0600); adds a [dnsdrop]
#                        section with `verify = 127.0.0.1:PORT` at the end
#                        unless the text has its own [dnsdrop]
#   dd ARGS...           run "$DNSDROP_BIN" --root "$SANDBOX" ARGS... (bounded)
#   sandbox_dig NAME TYPE          dig +short against the sandbox's dnsmasq
#   sandbox_outside      start an "outside" dnsmasq (the public view) that
#                        serves the dnsmasq lines on stdin on a port of its
#                        own, and make it the appliance's upstream: a
#                        `server=127.0.0.1#PORT` line in etc/dnsmasq.conf
#                        (call before sandbox_start; stopped by destroy)
#   sandbox_hosts_dir [NAME]  make a hosts_dir (NAME: hd) for hosts_mode =
#                        hot: sets HD=$SANDBOX/NAME, the
#                        path for the INI and dnsmasq (not chrooted), a
#                        symlink to $SANDBOX$HD, the one dnsdrop --root
#                        manages; dnsmasq's user (nobody) can reach it
#   sandbox_start, sandbox_stop    the init script's start and stop
#   sandbox_restarts     how many times the init script was asked to restart
#   sandbox_settle       wait until no init script run is in progress
#   sandbox_destroy      stop dnsmasq (and a hung init script), free the port
#
# Layout of DIR (appliance paths, as dnsdrop --root DIR sees them):
#   etc/dnsmasq.conf           conf-dir=/tandberg/etc/dnsmasq.d,*.conf + others
#   etc/init.d/dnsmasq         POSIX sh init script, DIR and PORT baked in
#   usr/sbin/dnsmasq           symlink to DNSMASQ_BIN (default /usr/sbin/dnsmasq)
#   tandberg/etc/dnsmasq.d/    the conf-dir (holds an unrelated local.conf)
#   tandberg/persistent/dnsdrop/         state_dir; dnsdrop.ini goes here
# and, not part of the appliance, the sandbox's own run/ folder:
#   run/port, run/dnsmasq.conf (DIR-prefixed copy the daemon reads),
#   run/dnsmasq.pid, run/dnsmasq.log, run/restarts (one line per restart),
#   run/wrong.d/ (the records `serve-wrong` serves instead), run/init.lock
#   (held while the init script runs), run/start.out (dnsmasq's last words).
# Fault knobs: files a test creates in DIR/run/; the init script reads them.
#   fail-next    next restart exits 1 without touching dnsmasq (one-shot)
#   serve-wrong  next start loads run/wrong.d instead of the conf-dir (one-shot)
#   hang         next restart stops dnsmasq, then sleeps 600 s (one-shot;
#                its pid goes to run/hang.pid)
#   gate         every restart waits (up to 300 s) until the test removes
#                this file, then goes on: a slow restart the test ends
#   spew         every restart first prints 5 MB to stdout, then goes on as
#                it would (with the knobs above too); stays until removed
# Init scripts as the field has them (each stays until removed unless noted;
# a knob file may hold a number of seconds):
#   slow         restart stops dnsmasq, sleeps (2 s), then starts it
#   async        restart returns at once, before the old dnsmasq exits; the
#                stop and start happen in the background (1 s) later
#   fail-late    next restart returns 0 at once; in the background it then
#                stops dnsmasq and fails to start the new one (one-shot)
#   lose-pid     next restart first loses the pid file, so it cannot stop
#                the running dnsmasq and the start fails (one-shot; the
#                orphan's pid goes to run/lost.pid)
# run/restart.log gets "begin N" and "end N" per restart run (N: its pid):
# a test can see that no two runs of the script overlapped.

_sandbox_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SANDBOX_REPO=$(cd "$_sandbox_lib_dir/../.." && pwd)
export SANDBOX_REPO

# The binary under test: DNSDROP_BIN (e.g. the sanitizer build) or the repo's.
DNSDROP_BIN=${DNSDROP_BIN:-$SANDBOX_REPO/build/dnsdrop}
case $DNSDROP_BIN in
/*) ;;
*) DNSDROP_BIN=$PWD/$DNSDROP_BIN ;;
esac
export DNSDROP_BIN

# The dnsmasq the appliance runs (for --test and for serving): DNSMASQ_BIN,
# e.g. one release built by `make compat`, or Debian's.
SANDBOX_DNSMASQ=${DNSMASQ_BIN:-/usr/sbin/dnsmasq}
case $SANDBOX_DNSMASQ in
/*) ;;
*) SANDBOX_DNSMASQ=$PWD/$SANDBOX_DNSMASQ ;;
esac
_sandbox_ports=${TMPDIR:-/tmp}/dnsdrop-sandbox-ports

_sandbox_die() {
	echo "sandbox: $*" >&2
	return 1
}

# Every tool the sandbox needs, or a loud failure naming the missing one.
sandbox_require() {
	local t
	for t in dig flock awk sed timeout; do
		command -v "$t" >/dev/null 2>&1 ||
			_sandbox_die "missing tool: $t (run scripts/deps.sh test)" || return 1
	done
	[ -x "$SANDBOX_DNSMASQ" ] ||
		_sandbox_die "missing $SANDBOX_DNSMASQ (Debian dnsmasq-base)" || return 1
	[ -x "$DNSDROP_BIN" ] ||
		_sandbox_die "no dnsdrop binary at $DNSDROP_BIN (run make)" || return 1
}

# PORT is bound by no TCP/UDP socket (v4 or v6). A match on a remote port
# only makes this more careful.
_sandbox_port_unused() {
	local hex
	hex=$(printf ':%04X ' "$1")
	! grep -qsF -- "$hex" /proc/net/tcp /proc/net/udp /proc/net/tcp6 /proc/net/udp6
}

# Reserve a free port for DIR: mkdir is atomic, so sandboxes of parallel test
# runs never pick the same port. A reservation whose sandbox is gone is stale.
_sandbox_reserve_port() {
	local dir=$1 port i owner
	mkdir -p "$_sandbox_ports" || return 1
	for ((i = 0; i < 500; i++)); do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		_sandbox_port_unused "$port" || continue
		if ! mkdir "$_sandbox_ports/$port" 2>/dev/null; then
			owner=$(cat "$_sandbox_ports/$port/owner" 2>/dev/null) || continue
			[ "$(cat "$owner/run/port" 2>/dev/null)" = "$port" ] && continue
			rm -rf "${_sandbox_ports:?}/$port"
			mkdir "$_sandbox_ports/$port" 2>/dev/null || continue
		fi
		printf '%s\n' "$dir" >"$_sandbox_ports/$port/owner"
		echo "$port"
		return 0
	done
	_sandbox_die "no free loopback port found"
}

# Quote $1 for a POSIX sh single-quoted string.
_sandbox_shquote() {
	printf "'%s'" "${1//\'/\'\\\'\'}"
}

sandbox_create() {
	local dir=$1 port
	[ -n "$dir" ] || _sandbox_die "usage: sandbox_create DIR" || return 1
	sandbox_require || return 1
	mkdir -p "$dir" || return 1
	dir=$(cd "$dir" && pwd) || return 1
	[ -e "$dir/etc" ] && { _sandbox_die "$dir already holds a sandbox" || return 1; }
	mkdir -p "$dir/etc/init.d" "$dir/usr/sbin" "$dir/tandberg/etc/dnsmasq.d" \
		"$dir/tandberg/persistent/dnsdrop" "$dir/run/wrong.d" || return 1
	chmod 0700 "$dir/tandberg/persistent/dnsdrop"
	port=$(_sandbox_reserve_port "$dir") || return 1
	echo "$port" >"$dir/run/port"
	: >"$dir/run/restarts"
	ln -s "$SANDBOX_DNSMASQ" "$dir/usr/sbin/dnsmasq" || return 1

	cat >"$dir/etc/dnsmasq.conf" <<'EOF'
# /etc/dnsmasq.conf - Expressway local resolver (dnsdrop test sandbox)
# Never forward plain names or private reverse lookups upstream.
domain-needed
bogus-priv

# Static records dropped in by the administrator (and dnsdrop).
conf-dir=/tandberg/etc/dnsmasq.d,*.conf
EOF
	cat >"$dir/tandberg/etc/dnsmasq.d/local.conf" <<'EOF'
# local.conf - unrelated site settings, not dnsdrop's
cache-size=150
EOF
	cat >"$dir/run/wrong.d/wrong.conf" <<'EOF'
# served instead of the conf-dir when the serve-wrong knob is set
host-record=wrong.sandbox.test,192.0.2.99
EOF
	_sandbox_write_init "$dir" "$port" || return 1
	sandbox_use "$dir"
}

sandbox_use() {
	local dir
	dir=$(cd "$1" && pwd) || return 1
	[ -s "$dir/run/port" ] || _sandbox_die "$dir is not a sandbox" || return 1
	SANDBOX=$dir
	SANDBOX_PORT=$(cat "$dir/run/port")
	SANDBOX_STATE=$dir/tandberg/persistent/dnsdrop
	SANDBOX_CONFDIR=$dir/tandberg/etc/dnsmasq.d
	SANDBOX_INI=$SANDBOX_STATE/dnsdrop.ini
	export SANDBOX SANDBOX_PORT SANDBOX_STATE SANDBOX_CONFDIR SANDBOX_INI
}

_sandbox_write_init() {
	local dir=$1 port=$2 f=$1/etc/init.d/dnsmasq
	{
		echo '#!/bin/sh'
		echo '# /etc/init.d/dnsmasq of a dnsdrop test sandbox (tests/lib/sandbox.bash).'
		echo '# dnsdrop runs it by execv with a clean environment: all is baked in.'
		echo "ROOT=$(_sandbox_shquote "$dir")"
		echo "PORT=$port"
		cat <<'EOF'
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
RUN=$ROOT/run
PIDFILE=$RUN/dnsmasq.pid
# the appliance's own binary (a link to the dnsmasq under test)
DNSMASQ=$ROOT/usr/sbin/dnsmasq

# Process $1 exists and is not a zombie (nobody may reap orphans here).
alive() {
	[ -r "/proc/$1/stat" ] || return 1
	read -r _ _ st _ <"/proc/$1/stat" 2>/dev/null || return 1
	[ "$st" != Z ]
}

# Our dnsmasq runs: the pid file names a live process reading our config.
running() {
	pid=
	[ -s "$PIDFILE" ] || return 1
	pid=$(cat "$PIDFILE" 2>/dev/null)
	case $pid in '' | *[!0-9]*) return 1 ;; esac
	alive "$pid" || return 1
	grep -aqF "$RUN/dnsmasq.conf" "/proc/$pid/cmdline" 2>/dev/null
}

# The daemon's config: the appliance's, with its absolute conf-dir= and
# conf-file= paths moved under ROOT (or, once, run/wrong.d instead).
make_conf() {
	if [ -e "$RUN/serve-wrong" ]; then
		rm -f "$RUN/serve-wrong"
		grep -v '^[[:space:]]*conf-dir=' "$ROOT/etc/dnsmasq.conf"
		echo "conf-dir=$RUN/wrong.d,*.conf"
	else
		R=$ROOT awk '/^[ \t]*conf-(dir|file)=\// {
			i = index($0, "="); print substr($0, 1, i) ENVIRON["R"] substr($0, i + 1); next
		} { print }' "$ROOT/etc/dnsmasq.conf"
	fi >"$RUN/dnsmasq.conf.tmp" && mv -f "$RUN/dnsmasq.conf.tmp" "$RUN/dnsmasq.conf"
}

do_start() {
	if running; then
		echo "dnsmasq already running (pid $pid)"
		return 0
	fi
	make_conf || return 1
	rm -f "$PIDFILE"
	# dnsmasq reports start-up errors through its exit status; its output goes
	# to a file so that the daemon never holds our caller's pipe open.
	if ! "$DNSMASQ" -C "$RUN/dnsmasq.conf" --port="$PORT" \
		--listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts \
		--pid-file="$PIDFILE" --log-facility="$RUN/dnsmasq.log" \
		</dev/null >"$RUN/start.out" 2>&1 9>&-; then
		cat "$RUN/start.out" >&2
		echo "init.d/dnsmasq: dnsmasq failed to start" >&2
		return 1
	fi
	echo "dnsmasq started on 127.0.0.1#$PORT"
}

do_stop() {
	if running; then
		kill "$pid" 2>/dev/null
		n=0
		while alive "$pid"; do
			n=$((n + 1))
			[ "$n" -eq 100 ] && kill -9 "$pid" 2>/dev/null
			if [ "$n" -gt 200 ]; then
				echo "init.d/dnsmasq: dnsmasq (pid $pid) will not stop" >&2
				return 1
			fi
			sleep 0.05
		done
	fi
	rm -f "$PIDFILE"
	echo "dnsmasq stopped"
}

# The number of seconds knob $1 holds, or $2.
knob() {
	v=$(cat "$RUN/$1" 2>/dev/null)
	case $v in '' | *[!0-9.]*) echo "$2" ;; *) echo "$v" ;; esac
}

# The restart variants of the field's init scripts (see the knobs above).
restart_variant() {
	if [ -e "$RUN/lose-pid" ]; then
		rm -f "$RUN/lose-pid"
		cat "$PIDFILE" >"$RUN/lost.pid" 2>/dev/null
		rm -f "$PIDFILE"
	fi
	if [ -e "$RUN/fail-late" ]; then
		rm -f "$RUN/fail-late"
		(sleep 0.5; do_stop; "$DNSMASQ" --no-such-option) </dev/null >>"$RUN/async.out" 2>&1 &
		echo "dnsmasq restarting in the background"
		return 0
	fi
	if [ -e "$RUN/async" ]; then
		d=$(knob async 1)
		(sleep "$d"; do_stop && do_start) </dev/null >>"$RUN/async.out" 2>&1 &
		echo "dnsmasq restarting in the background"
		return 0
	fi
	if [ -e "$RUN/slow" ]; then
		do_stop || return 1
		sleep "$(knob slow 2)"
		do_start
		return
	fi
	do_stop && do_start
}

do_restart() {
	echo restart >>"$RUN/restarts"
	i=0
	while [ -e "$RUN/gate" ] && [ "$i" -lt 3000 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ -e "$RUN/spew" ]; then
		i=0
		while [ "$i" -lt 5120 ]; do # 5120 lines of 1 KiB
			printf '%01023d\n' 0
			i=$((i + 1))
		done
	fi
	if [ -e "$RUN/fail-next" ]; then
		rm -f "$RUN/fail-next"
		echo "init.d/dnsmasq: simulated failure (fail-next knob)" >&2
		return 1
	fi
	if [ -e "$RUN/hang" ]; then
		rm -f "$RUN/hang"
		do_stop
		echo "init.d/dnsmasq: hanging (hang knob)" >&2
		echo $$ >"$RUN/hang.pid"
		exec 9>&-
		exec sleep 600
	fi
	echo "begin $$" >>"$RUN/restart.log"
	restart_variant
	rc=$?
	echo "end $$" >>"$RUN/restart.log"
	return $rc
}

mkdir -p "$RUN" || exit 1
# One run at a time; the tests wait on this lock for a run to finish.
exec 9>>"$RUN/init.lock"
if ! flock -w 60 9; then
	echo "init.d/dnsmasq: $RUN/init.lock stays busy" >&2
	exit 1
fi

case $1 in
start) do_start ;;
stop) do_stop ;;
restart) do_restart ;;
status)
	if running; then
		echo "dnsmasq is running (pid $pid)"
	else
		echo "dnsmasq is not running"
		exit 3
	fi
	;;
*)
	echo "usage: $0 start|stop|restart|status" >&2
	exit 2
	;;
esac
EOF
	} >"$f" || return 1
	chmod 0755 "$f"
}

# Write stdin as the INI of sandbox DIR (default: the current one).
sandbox_ini() {
	local dir=${1:-$SANDBOX} text port ini
	[ -n "$dir" ] || _sandbox_die "sandbox_ini: no sandbox" || return 1
	port=$(cat "$dir/run/port") || return 1
	ini=$dir/tandberg/persistent/dnsdrop/dnsdrop.ini
	text=$(cat) || return 1
	(
		umask 077
		printf '%s\n' "$text" >"$ini.tmp" || exit 1
		if ! grep -qiE '^[[:space:]]*\[dnsdrop\]' "$ini.tmp"; then
			printf '\n[dnsdrop]\nverify = 127.0.0.1:%s\n' "$port" >>"$ini.tmp" || exit 1
		fi
		chmod 0600 "$ini.tmp" && mv -f "$ini.tmp" "$ini"
	)
}

# Run the binary under test against the current sandbox. (This shadows dd(1)
# wherever the library is sourced: use `command dd` for that one.) A hung
# dnsdrop is stopped after SANDBOX_DD_LIMIT seconds (default 300), exit 124:
# an upper bound against a wedged suite, far above any normal run.
dd() {
	timeout --foreground -k 10 "${SANDBOX_DD_LIMIT:-300}" \
		"$DNSDROP_BIN" --root "$SANDBOX" "$@"
}

sandbox_dig() {
	# -q/-t: a name that spells a type or class ("a", "in") stays a name.
	dig @127.0.0.1 -p "$SANDBOX_PORT" +short +time=1 +tries=2 -q "$1" -t "${2:-A}"
}

sandbox_outside() {
	local port conf=$SANDBOX/run/outside.conf
	port=$(_sandbox_reserve_port "$SANDBOX/run/outside") || return 1
	mkdir -p "$SANDBOX/run/outside" && echo "$port" >"$SANDBOX/run/outside/port"
	cat >"$conf" || return 1
	"$SANDBOX_DNSMASQ" -C "$conf" --port="$port" --listen-address=127.0.0.1 \
		--bind-interfaces --no-resolv --no-hosts \
		--pid-file="$SANDBOX/run/outside.pid" </dev/null >"$SANDBOX/run/outside.out" 2>&1 ||
		_sandbox_die "outside dnsmasq failed: $(cat "$SANDBOX/run/outside.out")" || return 1
	printf 'server=127.0.0.1#%s\n' "$port" >>"$SANDBOX/etc/dnsmasq.conf"
	SANDBOX_OUTSIDE_PORT=$port
	export SANDBOX_OUTSIDE_PORT
}

sandbox_hosts_dir() {
	local d
	HD=$SANDBOX/${1:-hd}
	mkdir -p "$SANDBOX$HD" && chmod 0755 "$SANDBOX$HD" && ln -s "$SANDBOX$HD" "$HD" || return 1
	d=$SANDBOX$HD
	while [ "$d" != / ]; do
		d=$(dirname "$d")
		chmod o+x "$d" || return 1
	done
}

sandbox_start() {
	"$SANDBOX/etc/init.d/dnsmasq" start
}

sandbox_stop() {
	[ -n "$SANDBOX" ] && [ -x "$SANDBOX/etc/init.d/dnsmasq" ] || return 0
	"$SANDBOX/etc/init.d/dnsmasq" stop >/dev/null
}

sandbox_restarts() {
	wc -l <"$SANDBOX/run/restarts" | tr -d ' '
}

# Wait (at most 60 s) until no run of the init script holds its lock: after a
# killed dnsdrop, its restart child may still be at work.
sandbox_settle() {
	flock -w 60 "$SANDBOX/run/init.lock" true
}

# Kill process PID if it is alive and its command line contains TEXT.
_sandbox_kill_if() {
	local pid=$1 text=$2 n
	case $pid in '' | *[!0-9]*) return 0 ;; esac
	grep -aqF -- "$text" "/proc/$pid/cmdline" 2>/dev/null || return 0
	kill "$pid" 2>/dev/null
	for ((n = 0; n < 100; n++)); do
		[ -d "/proc/$pid" ] || return 0
		[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" = Z ] && return 0
		sleep 0.05
	done
	kill -9 "$pid" 2>/dev/null
	return 0
}

# Leave no daemon or hung init script behind; free the port reservation.
sandbox_destroy() {
	[ -n "$SANDBOX" ] && [ -d "$SANDBOX/run" ] || return 0
	_sandbox_kill_if "$(cat "$SANDBOX/run/hang.pid" 2>/dev/null)" sleep
	rm -f "$SANDBOX/run/async" "$SANDBOX/run/fail-late"
	sandbox_settle
	_sandbox_kill_if "$(cat "$SANDBOX/run/lost.pid" 2>/dev/null)" "$SANDBOX/run/dnsmasq.conf"
	sandbox_stop || true
	# the init script may have failed to stop it: go by the pid file too
	_sandbox_kill_if "$(cat "$SANDBOX/run/dnsmasq.pid" 2>/dev/null)" "$SANDBOX/run/dnsmasq.conf"
	if [ "$(cat "$_sandbox_ports/$SANDBOX_PORT/owner" 2>/dev/null)" = "$SANDBOX" ]; then
		rm -rf "${_sandbox_ports:?}/$SANDBOX_PORT"
	fi
	if [ -s "$SANDBOX/run/outside/port" ]; then
		_sandbox_kill_if "$(cat "$SANDBOX/run/outside.pid" 2>/dev/null)" "$SANDBOX/run/outside.conf"
		rm -rf "${_sandbox_ports:?}/$(cat "$SANDBOX/run/outside/port")"
	fi
	return 0
}
