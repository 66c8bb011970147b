# shellcheck shell=bash source-path=SCRIPTDIR
# remote.bash - the frame shared by deploy.bats and fleet.bats: one real
# loopback OpenSSH server per .bats file (tests/lib/sshd.bash) in front of
# sandbox appliances (tests/lib/sandbox.bash). Source it at the top of the
# .bats file; it defines that file's hooks
#
#   setup_file      start the sshd in $BATS_FILE_TMPDIR/sshd
#   teardown_file   stop it
#
# and, to call first in setup:
#
#   remote_setup    source sandbox.bash and sshd.bash, set T, and point
#                   DNSDROP_BIN (exported) at a private copy of the binary:
#                   a rebuild of build/dnsdrop during the run cannot change
#                   the bytes under test

setup_file() {
	# shellcheck source=sshd.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/sshd.bash"
	sshd_start "$BATS_FILE_TMPDIR/sshd"
}

teardown_file() {
	# shellcheck source=sshd.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/sshd.bash"
	sshd_stop
}

remote_setup() {
	# shellcheck source=sandbox.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/sandbox.bash"
	# shellcheck source=sshd.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/sshd.bash"
	T=$BATS_TEST_TMPDIR
	cp "$DNSDROP_BIN" "$T/dnsdrop.bin"
	DNSDROP_BIN=$T/dnsdrop.bin
	export DNSDROP_BIN
}
