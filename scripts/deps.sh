#!/bin/sh
# deps.sh [build|test|all] - install the Debian packages dnsdrop needs, only
# those that are missing, and say what it installs. Called by make, so a new
# Debian machine needs nothing else. Exit 0 when everything is there.
set -eu

want=${1:-all}

# package:probe pairs; a probe is a command name or an absolute file path.
build_pkgs="lld:ld.lld musl-tools:musl-gcc libinih-dev:/usr/include/ini.h libinih-dev:/usr/lib/x86_64-linux-gnu/libinih.a make:make gcc:gcc"
test_pkgs="time:/usr/bin/time libcmocka-dev:/usr/include/cmocka.h dnsmasq-base:/usr/sbin/dnsmasq bind9-dnsutils:dig bind9-utils:named-checkzone bats:bats strace:strace procps:pkill util-linux:flock util-linux:unshare util-linux:nsenter util-linux:setsid busybox-static:/bin/busybox openssh-server:/usr/sbin/sshd openssh-client:ssh ansible-core:ansible-playbook tmux:tmux shellcheck:shellcheck mandoc:mandoc valgrind:valgrind cppcheck:cppcheck clang-tidy:clang-tidy clang:clang libclang-rt-14-dev:/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a"

case $want in
build) list=$build_pkgs ;;
test | all) list="$build_pkgs $test_pkgs" ;;
*)
	echo "usage: deps.sh [build|test|all]" >&2
	exit 2
	;;
esac

missing=
for pair in $list; do
	pkg=${pair%%:*}
	probe=${pair#*:}
	case $probe in
	/*) [ -e "$probe" ] && continue ;;
	*) command -v "$probe" >/dev/null 2>&1 && continue ;;
	esac
	case " $missing " in
	*" $pkg "*) ;;
	*) missing="$missing $pkg" ;;
	esac
done

[ -z "$missing" ] && exit 0

echo "deps.sh: installing missing Debian packages:$missing"
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "deps.sh: need root to install:$missing" >&2
		exit 1
	fi
else
	SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
# A new machine's package lists may be empty or stale: refresh them once.
$SUDO apt-get update -qq
# shellcheck disable=SC2086 # the package list is split on purpose
$SUDO apt-get install -y -qq --no-install-recommends $missing
