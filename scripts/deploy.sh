#!/bin/sh
# deploy.sh - put dnsdrop and one INI on an Expressway over SSH, show the
# diff, apply it, and pass dnsdrop's exit code back.
#
#   deploy.sh [-n] [-f] [-m NOTE] HOST INI
#                                    HOST is [user@]host (user default root);
#                                    INI is a file, or - for standard input
#   deploy.sh -k INI                 only validate INI here; contact nothing
#
#   -n   dry run: upload, show `dnsdrop diff`, leave the appliance as it was
#        (exit 0 nothing differs, 1 something would change)
#   -f   pass --force to apply (drop-ins edited by hand go into the backup)
#   -m   the change note (ticket number), passed to `dnsdrop apply -m`: it
#        goes into the appliance's audit log, syslog and `dnsdrop backups`
# dnsdrop never asks for confirmation here: its standard input is not a
# terminal (the diff is shown, then applied; -n is the way to look first).
#
# What happens:
#   1. INI is checked here with the binary about to be uploaded, when it runs
#      on this machine (invalid: exit 3 before any connection).
#   2. ssh #1 uploads the binary to a temporary name in the persistent dir.
#   3. ssh #2 streams the INI to a temporary name (mode 0600) and runs a POSIX
#      sh script there: it takes a deploy lock, renames the INI over
#      dnsdrop.ini (keeping the old one), runs `dnsdrop diff` (-n) or
#      `dnsdrop apply` with the uploaded binary, and then either keeps the new
#      INI and installs the binary (apply succeeded) or puts the old INI back
#      (dry run, or any failure): a failed or dry deploy changes nothing.
#      The last line it prints is `deploy: result: WORD`, WORD one of
#      unchanged, changed, pending (dry run, something would change), failed.
# Why -n swaps the INI in too: the drop-ins' header names the INI they come
# from, so `dnsdrop diff -c OTHER_FILE` would always differ. The swap is
# under the deploy lock and undone on exit (also on INT/TERM). A first
# deploy, even with -n, creates the persistent dnsdrop folder.
# The appliance needs only a POSIX sh with cat, mkdir, rmdir, chmod, ln, mv,
# rm, cmp, find, id and kill: no scp/sftp server, no Python, no bash.
#
# Exit: dnsdrop's code (0 ok, 1 differences, 3 invalid INI, 4 failed and
# restored, 5 restore failed, 6 locked, 7 edited by hand, 8 environment);
# 2 usage; 8 also for a local or SSH problem (unknown host key, no
# connection). Exit 6 also when another deploy runs on the same appliance.
#
# Environment:
#   DNSDROP_BIN          binary to upload (default: build/dnsdrop of this repo)
#   DEPLOY_SSH_OPTS      extra ssh options, split on blanks (no quoting), e.g.
#                        "-p 2222 -i KEY -o UserKnownHostsFile=FILE"
#   DEPLOY_REMOTE_ROOT   a prefix on the remote (test sandboxes): files go to
#                        PREFIX/tandberg/persistent/dnsdrop/ and dnsdrop runs
#                        with --root PREFIX
#   DEPLOY_LOCAL_CHECK   0 skips step 1 (tests of the remote-side check)
#   DEPLOY_INI_NAME      how messages name an INI read from stdin (default stdin)
# ssh always runs with BatchMode=yes and StrictHostKeyChecking=yes: an
# unknown host key stops the deploy with the steps to add it.
set -u

prog=deploy.sh

usage() {
	cat >&2 <<'EOF'
usage: deploy.sh [-n] [-f] [-m NOTE] HOST INI    upload dnsdrop and INI, diff, apply
       deploy.sh -k INI                validate INI locally, contact nothing
  -n  dry run: show the diff, change nothing (exit 1 when something differs)
  -f  apply --force (drop-ins edited by hand are backed up and replaced)
  -m  change note for the audit log and backups, e.g. -m 'CHG0012345'
  HOST is [user@]host (default user root); INI - reads standard input.
  env: DNSDROP_BIN, DEPLOY_SSH_OPTS, DEPLOY_REMOTE_ROOT (see the script)
EOF
}

err() {
	printf '%s: %s\n' "$prog" "$*" >&2
}

dry=0
force=0
localonly=0
note=
while getopts nfkhm: opt; do
	case $opt in
	n) dry=1 ;;
	f) force=1 ;;
	m) note=$OPTARG ;;
	k) localonly=1 ;;
	h)
		usage
		exit 0
		;;
	*)
		usage
		exit 2
		;;
	esac
done
shift $((OPTIND - 1))

if [ "$localonly" = 1 ]; then
	if [ $# -ne 1 ] || [ "$dry" = 1 ] || [ "$force" = 1 ]; then
		usage
		exit 2
	fi
	host=
	ini=$1
else
	if [ $# -ne 2 ]; then
		usage
		exit 2
	fi
	host=$1
	ini=$2
	case $host in
	'' | -* | *[[:space:]]* | @* | *@)
		err "bad host: '$host'"
		exit 2
		;;
	*@*) ;;
	*) host=root@$host ;;
	esac
fi

here=$(cd "$(dirname "$0")" && pwd) || exit 8
bin=${DNSDROP_BIN:-$here/../build/dnsdrop}
if [ ! -f "$bin" ] || [ ! -r "$bin" ]; then
	err "no dnsdrop binary at $bin (run make, or set DNSDROP_BIN)"
	exit 8
fi

rroot=${DEPLOY_REMOTE_ROOT:-}
case $rroot in
'' | /) rroot= ;;
/*)
	while :; do
		case $rroot in
		*/) rroot=${rroot%/} ;;
		*) break ;;
		esac
	done
	;;
*)
	err "DEPLOY_REMOTE_ROOT must be an absolute path: '$rroot'"
	exit 2
	;;
esac
nl='
'
case $rroot in
*"$nl"*)
	err "DEPLOY_REMOTE_ROOT holds a newline"
	exit 2
	;;
esac
rdir=$rroot/tandberg/persistent/dnsdrop

# A private local scratch folder (mkdir is atomic and fails if it exists).
umask 077
tmp=
i=0
while :; do
	tmp=${TMPDIR:-/tmp}/dnsdrop-deploy.$$.$i
	mkdir -m 0700 "$tmp" 2>/dev/null && break
	i=$((i + 1))
	if [ "$i" -gt 50 ]; then
		err "cannot make a scratch folder in ${TMPDIR:-/tmp}"
		exit 8
	fi
done
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# The INI, read once: the bytes checked here are the bytes uploaded.
if [ "$ini" = - ]; then
	iname=${DEPLOY_INI_NAME:-stdin}
	cat >"$tmp/dnsdrop.ini" || {
		err "cannot read the INI from standard input"
		exit 8
	}
else
	iname=$ini
	if [ ! -f "$ini" ] || [ ! -r "$ini" ]; then
		err "cannot read INI file '$ini'"
		exit 8
	fi
	cat <"$ini" >"$tmp/dnsdrop.ini" || exit 8
fi
chmod 0600 "$tmp/dnsdrop.ini" || exit 8

# Print FILE with every occurrence of the scratch INI's path replaced by the
# INI's name as the user gave it.
rename_ini() {
	A=$tmp/dnsdrop.ini B=$iname awk '{
		a = ENVIRON["A"]; b = ENVIRON["B"]; out = ""
		while ((i = index($0, a)) > 0) {
			out = out substr($0, 1, i - 1) b; $0 = substr($0, i + length(a))
		}
		print out $0
	}' "$1"
}

# Step 1: check the INI here, when the binary runs on this machine.
if [ "${DEPLOY_LOCAL_CHECK:-1}" != 0 ] || [ "$localonly" = 1 ]; then
	"$bin" -c "$tmp/dnsdrop.ini" check >"$tmp/check.out" 2>&1 </dev/null
	rc=$?
	case $rc in
	0)
		if [ "$localonly" = 1 ]; then
			rename_ini "$tmp/check.out"
			exit 0
		fi
		;;
	126 | 127)
		if [ "$localonly" = 1 ]; then
			err "cannot run $bin on this machine to check the INI"
			exit 8
		fi
		;; # not runnable here (another architecture): the appliance checks
	*)
		rename_ini "$tmp/check.out" >&2
		err "$iname: dnsdrop check failed (exit $rc); nothing was sent${host:+ to $host}"
		exit "$rc"
		;;
	esac
fi

# Quote $1 as one word for a POSIX sh.
shq() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# The ssh command line: fixed safety options first (ssh keeps the first value
# it sees for an option, so DEPLOY_SSH_OPTS cannot turn them off).
set -f
# shellcheck disable=SC2086 # DEPLOY_SSH_OPTS is split on blanks on purpose
set -- -o BatchMode=yes -o StrictHostKeyChecking=yes -o ConnectTimeout=20 \
	-o ServerAliveInterval=15 -o ServerAliveCountMax=4 \
	${DEPLOY_SSH_OPTS:-}
set +f

# The port given in DEPLOY_SSH_OPTS, for the host key hint.
ssh_port() {
	p=
	take=0
	for a in "$@"; do
		if [ "$take" = 1 ]; then
			p=$a
			take=0
			continue
		fi
		case $a in
		-p) take=1 ;;
		-p*) p=${a#-p} ;;
		[Pp]ort=*) p=${a#*=} ;;
		esac
	done
	printf '%s' "$p"
}

# Explain an ssh failure whose stderr is in file $1; the rest: ssh's options.
ssh_failed() {
	f=$1
	shift
	cat "$f" >&2
	h=${host#*@}
	if grep -q 'REMOTE HOST IDENTIFICATION HAS CHANGED' "$f"; then
		err "the host key of $h has CHANGED since it was recorded in known_hosts."
		err "Do not deploy: find out why first (reinstalled appliance, or someone in between)."
		err "Nothing was changed on $h."
	elif grep -qiE 'host key verification failed|host key is known' "$f"; then
		p=$(ssh_port "$@")
		if [ -n "$p" ]; then
			ks="ssh-keyscan -p $p $h"
		else
			ks="ssh-keyscan $h"
		fi
		cat >&2 <<EOF
$prog: the SSH host key of $h is not known, and deploy.sh only talks to
  hosts whose key is recorded (StrictHostKeyChecking=yes). Nothing was changed.
  Add it once, after checking it against the appliance itself:
    $ks >$h.keys
    ssh-keygen -lf $h.keys
  and compare these fingerprints with the ones the appliance itself shows on
  its console (as root):
    for k in /etc/ssh/ssh_host_*_key.pub; do ssh-keygen -lf "\$k"; done
  Only when they match, record the keys and deploy again:
    cat $h.keys >>~/.ssh/known_hosts
  (or into the UserKnownHostsFile given in DEPLOY_SSH_OPTS).
EOF
	else
		err "cannot reach $host over ssh (see above); nothing was changed"
	fi
}

# The remote side. POSIX sh only; arguments: DIR TAG MODE FORCE ROOT NOTE.
# MODE is diff (dry run) or apply; ROOT is empty or the --root prefix;
# NOTE is empty or the -m text for apply.
# Standard input is the INI.
remote_script=$(
	cat <<'REMOTE'
set -u
d=$1 tag=$2 mode=$3 force=$4 root=$5 note=${6-}
bin=$d/dnsdrop
ini=$d/dnsdrop.ini
nbin=$d/.deploy-$tag.bin
nini=$d/.deploy-$tag.ini
keep=$d/.deploy-$tag.keep
lock=$d/.deploy.lock
swapped=0
had=0
locked=0
say() { printf 'deploy: %s\n' "$*"; }
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup() {
	if [ "$swapped" = 1 ]; then
		if [ "$had" = 1 ]; then
			mv -f "$keep" "$ini" || say "could not put back the previous $ini (it is in $keep)" >&2
		else
			rm -f "$ini"
		fi
	fi
	rm -f "$nbin" "$nini" "$keep"
	if [ "$locked" = 1 ]; then
		rm -f "$lock/pid"
		rmdir "$lock" 2>/dev/null
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# A dropped connection must not cut dnsdrop off halfway: ignored signals
# stay ignored in the programs started from here.
trap '' HUP PIPE
umask 077

# One deploy at a time on this appliance (dnsdrop's own lock only covers
# dnsdrop; the INI rename must be covered too).
if ! mkdir "$lock" 2>/dev/null; then
	pid=$(cat "$lock/pid" 2>/dev/null)
	case $pid in
	'' | *[!0-9]*) pid= ;;
	esac
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		say "another deploy (pid $pid) is running on this appliance" >&2
		say "result: failed"
		exit 6
	fi
	rm -f "$lock/pid"
	rmdir "$lock" 2>/dev/null
	if ! mkdir "$lock" 2>/dev/null; then
		say "another deploy holds $lock" >&2
		say "result: failed"
		exit 6
	fi
fi
locked=1
echo $$ >"$lock/pid"

if ! cat >"$nini" || ! chmod 0600 "$nini" || ! chmod 0755 "$nbin"; then
	say "cannot write the uploaded files in $d" >&2
	say "result: failed"
	exit 8
fi
# The same bytes (and a mode dnsdrop accepts) already in place: keep that
# file, so that a deploy with nothing to do touches nothing.
if [ -f "$ini" ] && [ ! -h "$ini" ] && cmp -s "$nini" "$ini" &&
	[ -n "$(find "$ini" -prune -type f -perm 0600 -user "$(id -u)")" ]; then
	rm -f "$nini"
elif [ -e "$ini" ] || [ -h "$ini" ]; then
	if ! ln "$ini" "$keep"; then
		say "cannot keep the current $ini aside" >&2
		say "result: failed"
		exit 8
	fi
	had=1
fi
if [ -e "$nini" ]; then
	swapped=1
	if ! mv -f "$nini" "$ini"; then
		say "cannot rename the uploaded INI to $ini" >&2
		say "result: failed"
		exit 8
	fi
fi

if [ -n "$root" ]; then
	set -- --root "$root"
else
	set --
fi

if [ "$mode" = diff ]; then
	"$nbin" "$@" diff </dev/null
	rc=$?
	# cleanup puts the previous INI back: a dry run changes nothing
	case $rc in
	0) say "result: unchanged" ;;
	1) say "result: pending" ;;
	*) say "result: failed" ;;
	esac
	exit "$rc"
fi

"$nbin" "$@" diff >/dev/null 2>&1 </dev/null
drc=$?
if [ "$drc" = 0 ]; then
	rc=0
	word=unchanged
	say "the installed drop-ins already match the INI: nothing to apply"
else
	if [ -n "$note" ]; then
		set -- "$@" -m "$note"
	fi
	if [ "$force" = 1 ]; then
		"$nbin" "$@" apply --force </dev/null
	else
		"$nbin" "$@" apply </dev/null
	fi
	rc=$?
	word=changed
fi
if [ "$rc" != 0 ]; then
	if [ "$swapped" = 0 ]; then
		say "dnsdrop apply failed (exit $rc); dnsdrop.ini was not changed" >&2
	elif [ "$had" = 1 ]; then
		say "dnsdrop apply failed (exit $rc). Its INI there was this deploy's upload; deploy.sh now puts the appliance's previous dnsdrop.ini back, so the appliance is as before: fix your INI here and deploy again" >&2
	else
		say "dnsdrop apply failed (exit $rc): the uploaded dnsdrop.ini is removed again" >&2
	fi
	say "result: failed"
	exit "$rc"
fi
# Success: the new INI stays, and the binary that applied it is installed.
swapped=0
rm -f "$keep"
if [ -f "$bin" ] && cmp -s "$nbin" "$bin"; then
	rm -f "$nbin"
elif mv -f "$nbin" "$bin"; then
	say "installed the uploaded dnsdrop binary as $bin"
	word=changed
else
	say "could not install the dnsdrop binary as $bin" >&2
	say "result: failed"
	exit 8
fi
say "result: $word"
exit 0
REMOTE
)

tag=$(date +%Y%m%d%H%M%S 2>/dev/null).$$
tag=${tag#.}
nbin=$rdir/.deploy-$tag.bin
if [ "$dry" = 1 ]; then
	mode='diff'
else
	mode='apply'
fi

# ssh #1: the binary, to a temporary name (the remote script renames or
# removes it).
upload="umask 077 && mkdir -p $(shq "$rdir") && cat >$(shq "$nbin")"
if ! ssh "$@" -- "$host" "$upload" <"$bin" 2>"$tmp/ssh.err"; then
	ssh_failed "$tmp/ssh.err" "$@"
	exit 8
fi
cat "$tmp/ssh.err" >&2

# ssh #2: the INI on standard input, and the work.
cmd="exec sh -c $(shq "$remote_script") deploy $(shq "$rdir") $(shq "$tag") $mode $force $(shq "$rroot") $(shq "$note")"
ssh "$@" -- "$host" "$cmd" <"$tmp/dnsdrop.ini"
rc=$?
if [ "$rc" = 255 ]; then
	err "ssh to $host failed or the connection was lost (exit 255)."
	err "If it broke during apply, dnsdrop finished or rolled back on the appliance"
	err "by itself; run 'deploy.sh -n $host $iname' to see where it stands."
	err "(A temporary file $nbin may be left on $host.)"
	exit 8
fi
exit "$rc"
