# shellcheck shell=bash
# appliance.bash - the appliance twin: an Expressway-like box built from
# namespaces and a chroot, for tests/twin/twin.bats. Functions only.
#
# The box: its own mount, network and pid namespaces (run as root; no user
# namespace). Its root is a read-only bind of an image holding Debian's
# busybox-static (/bin/sh and every tool), /usr/sbin/dnsmasq with the shared
# libraries ldd names, /etc/dnsmasq.conf (conf-dir=/tandberg/etc/dnsmasq.d,
# *.conf) and /etc/init.d/dnsmasq (tests/twin/dnsmasq.init).
# Only /tandberg is writable (plus /proc and a small /dev tmpfs that holds
# the syslog socket). dnsmasq listens on 127.0.0.1:53 of the box's own
# loopback; busybox syslogd writes /tandberg/var/log/messages; /var/run is
# /tandberg/var/run. The real static build/dnsdrop runs as
# /tandberg/persistent/dnsdrop/dnsdrop with its default paths.
#
#   twin_require          every host tool, and namespaces that work, or fail
#   twin_image DIR        build the read-only image in DIR (once per file)
#   twin_boot             boot a box on $TWIN_IMAGE in $BATS_TEST_TMPDIR (or
#                         $TWIN_DIR); sets TWIN_TB (the host path of its
#                         /tandberg) and TWIN_PID1
#   twin_variant NAME     how its init script restarts from now on (see
#                         tests/twin/dnsmasq.init: good early async slow
#                         failstart)
#   twin_exec CMD...      run CMD inside the box (chroot, clean environment)
#                         in a session of its own; exit status is CMD's
#   twin_dnsdrop ARGS...  twin_exec /tandberg/persistent/dnsdrop/dnsdrop ARGS
#   twin_dig NAME [TYPE]  dig +short at 127.0.0.1:53 in the box's network
#   twin_settle           wait until no init script run is left in the box
#   twin_destroy          kill the box (all its processes go with pid 1)

_twin_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TWIN_REPO=$(cd "$_twin_lib_dir/../.." && pwd)
DNSDROP_BIN=${DNSDROP_BIN:-$TWIN_REPO/build/dnsdrop}
case $DNSDROP_BIN in /*) ;; *) DNSDROP_BIN=$PWD/$DNSDROP_BIN ;; esac
TWIN_BIN=/tandberg/persistent/dnsdrop/dnsdrop
# A bound on every wait here: far above any normal run, it only stops a
# wedged suite.
TWIN_LIMIT=${TWIN_LIMIT:-120}

_twin_die() {
	echo "twin: $*" >&2
	return 1
}

twin_require() {
	local t
	[ "$(id -u)" -eq 0 ] || _twin_die "the twin needs root (mount, net and pid namespaces, chroot)" || return 1
	for t in unshare nsenter chroot mount ldd dig timeout setsid; do
		command -v "$t" >/dev/null 2>&1 ||
			_twin_die "missing tool: $t (run scripts/deps.sh test)" || return 1
	done
	[ -x /bin/busybox ] || _twin_die "missing /bin/busybox (Debian busybox-static)" || return 1
	if ! ldd /bin/busybox 2>&1 | grep -qE 'not a dynamic|statically linked'; then
		_twin_die "/bin/busybox is not static: apt-get install busybox-static (it replaces busybox)" || return 1
	fi
	[ -x /usr/sbin/dnsmasq ] || _twin_die "missing /usr/sbin/dnsmasq (Debian dnsmasq-base)" || return 1
	[ -x "$DNSDROP_BIN" ] || _twin_die "no dnsdrop binary at $DNSDROP_BIN (run make)" || return 1
	if ! ldd "$DNSDROP_BIN" 2>&1 | grep -qE 'not a dynamic|statically linked'; then
		_twin_die "$DNSDROP_BIN is not a static binary: the box has no libc for it" || return 1
	fi
	unshare --mount --net --pid --fork --propagation private true ||
		_twin_die "cannot create mount, net and pid namespaces here (a container without CAP_SYS_ADMIN?)"
}

# Copy FILE into image DIR at the same path, with every library ldd names.
_twin_copy_with_libs() {
	local dir=$1 file=$2 lib
	install -D -m 0755 "$file" "$dir$file" || return 1
	for lib in $(ldd "$file" | grep -oE '/[^ ]+'); do
		[ -e "$dir$lib" ] && continue
		install -D -m 0755 "$(readlink -f "$lib")" "$dir$lib" || return 1
	done
}

twin_image() {
	local dir=$1 d
	mkdir -p "$dir" || return 1
	for d in bin sbin usr/bin usr/sbin etc/init.d var tandberg proc dev; do
		mkdir -p "$dir/$d" || return 1
	done
	cp /bin/busybox "$dir/bin/busybox" || return 1
	chroot "$dir" /bin/busybox --install -s || return 1
	_twin_copy_with_libs "$dir" /usr/sbin/dnsmasq || return 1
	ln -s /tandberg/var/run "$dir/var/run"
	ln -s /tandberg/var/log "$dir/var/log"
	ln -s /tandberg/tmp "$dir/tmp"
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$dir/etc/passwd"
	printf 'root:x:0:\ndip:x:30:\nnogroup:x:65534:\n' >"$dir/etc/group"
	cat >"$dir/etc/dnsmasq.conf" <<'EOF'
# /etc/dnsmasq.conf - the appliance twin's local resolver
listen-address=127.0.0.1
bind-interfaces
no-resolv
no-hosts
domain-needed
bogus-priv

# Static records dropped in by the administrator (and dnsdrop).
conf-dir=/tandberg/etc/dnsmasq.d,*.conf
EOF
	install -m 0755 "$_twin_lib_dir/dnsmasq.init" "$dir/etc/init.d/dnsmasq" || return 1
	# pid 1 of the box: loopback up, syslogd, dnsmasq, then reap orphans.
	cat >"$dir/sbin/twin-init" <<'EOF'
#!/bin/sh
ip link set lo up || exit 1
syslogd -n -O /var/log/messages &
n=0
while [ ! -S /dev/log ] && [ "$n" -lt 2000 ]; do sleep 0.05; n=$((n + 1)); done
/etc/init.d/dnsmasq start >/var/run/boot.out 2>&1 || exit 1
: >/var/run/booted
while :; do sleep 1; done
EOF
	chmod 0755 "$dir/sbin/twin-init"
}

# Boot a box with the init script VARIANT. Its writable /tandberg holds the
# conf-dir (with an unrelated local.conf) and the state dir with dnsdrop.
twin_boot() {
	local dir=${TWIN_DIR:-$BATS_TEST_TMPDIR} n unshare_pid f
	[ -d "$TWIN_IMAGE/usr/sbin" ] || _twin_die "no image: call twin_image first" || return 1
	TWIN_TB=$dir/tandberg
	mkdir -p "$TWIN_TB/etc/dnsmasq.d" "$TWIN_TB/persistent/dnsdrop" "$TWIN_TB/var/run" \
		"$TWIN_TB/var/log" "$TWIN_TB/tmp" "$dir/mnt" || return 1
	chmod 0700 "$TWIN_TB/persistent/dnsdrop"
	chmod 1777 "$TWIN_TB/tmp"
	printf '# local.conf - unrelated site settings, not dnsdrop'"'"'s\ncache-size=150\n' \
		>"$TWIN_TB/etc/dnsmasq.d/local.conf"
	install -m 0755 "$DNSDROP_BIN" "$TWIN_TB/persistent/dnsdrop/dnsdrop" || return 1
	f=$dir/boot.sh
	cat >"$f" <<EOF
set -e
mount --bind '$TWIN_IMAGE' '$dir/mnt'
mount --bind '$TWIN_TB' '$dir/mnt/tandberg'
mount -t proc proc '$dir/mnt/proc'
mount -t tmpfs -o size=256k,mode=0755 tmpfs '$dir/mnt/dev'
for d in null zero urandom random; do
	touch "$dir/mnt/dev/\$d"
	mount --bind "/dev/\$d" "$dir/mnt/dev/\$d"
done
mount -o remount,bind,ro '$dir/mnt'
exec chroot '$dir/mnt' /sbin/twin-init
EOF
	unshare --mount --net --pid --fork --propagation private bash "$f" \
		</dev/null >"$dir/boot.log" 2>&1 3>&- &
	unshare_pid=$!
	echo "$unshare_pid" >"$dir/unshare.pid"
	for ((n = 0; n < TWIN_LIMIT * 20; n++)); do
		[ -e "$TWIN_TB/var/run/booted" ] && break
		if ! kill -0 "$unshare_pid" 2>/dev/null; then
			cat "$dir/boot.log" "$TWIN_TB/var/run/boot.out" 2>/dev/null
			_twin_die "the box did not boot"
			return 1
		fi
		sleep 0.05
	done
	[ -e "$TWIN_TB/var/run/booted" ] || _twin_die "the box did not boot in ${TWIN_LIMIT}s" || return 1
	TWIN_PID1=$(cat "/proc/$unshare_pid/task/$unshare_pid/children")
	TWIN_PID1=${TWIN_PID1%% *}
	TWIN_PIDNS=$(readlink "/proc/$TWIN_PID1/ns/pid")
	TWIN_MNT=$dir/mnt
	export TWIN_TB TWIN_PID1 TWIN_PIDNS TWIN_MNT
}

twin_variant() {
	echo "$1" >"$TWIN_TB/var/run/init-variant"
}

# Run CMD inside the box: its namespaces, its root, a clean environment as
# an SSH login would have, in a new session (so that a test can signal its
# process group as a lost terminal or Ctrl-C would, and reach nothing else).
twin_exec() {
	timeout --foreground -k 10 "$TWIN_LIMIT" \
		nsenter -t "$TWIN_PID1" -m -n -p -- \
		setsid chroot "$TWIN_MNT" /usr/bin/env -i PATH=/sbin:/bin:/usr/sbin:/usr/bin \
		HOME=/ LOGNAME=twinadmin SHELL=/bin/sh "$@"
}

twin_dnsdrop() {
	twin_exec "$TWIN_BIN" "$@"
}

# dig from the host, in the box's network namespace.
twin_dig() {
	nsenter --net="/proc/$TWIN_PID1/ns/net" \
		dig @127.0.0.1 -p 53 +short +time=2 +tries=3 -q "$1" -t "${2:-A}"
}

# The pid of the dnsmasq serving the box (its pid file), or nothing.
twin_dnsmasq_pid() {
	cat "$TWIN_TB/var/run/dnsmasq.pid" 2>/dev/null
}

# An init script run (or a piece it left in the background) is at work.
_twin_busy() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/ns/pid" 2>/dev/null)" = "$TWIN_PIDNS" ] || continue
		tr '\0' ' ' <"$p/cmdline" 2>/dev/null | grep -q 'init.d/dnsmasq' && return 0
	done
	return 1
}

twin_settle() {
	local n
	for ((n = 0; n < TWIN_LIMIT * 10; n++)); do
		_twin_busy || return 0
		sleep 0.1
	done
	_twin_die "an init script run is still at work after ${TWIN_LIMIT}s"
}

twin_destroy() {
	local dir=${TWIN_DIR:-$BATS_TEST_TMPDIR} pid
	pid=$(cat "$dir/unshare.pid" 2>/dev/null) || return 0
	[ -n "${TWIN_PID1:-}" ] && kill -9 "$TWIN_PID1" 2>/dev/null
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	rm -f "$dir/unshare.pid"
	return 0
}
