# shellcheck shell=bash
# tty.bash - drive dnsdrop through a real pseudo-terminal, as a person at
# an SSH prompt would: tmux runs it, the test reads the screen and types.
#
#   tty_run CMD          start CMD (a shell command line) in a detached tmux
#                        session 200x50; when it ends the pane shows
#                        "[exit N]" and stays
#   tty_wait TEXT        wait (up to 60 s) until the screen holds TEXT
#                        (a fixed string); fails with the screen shown
#   tty_type KEYS...     tmux send-keys (e.g. y Enter)
#   tty_screen           the screen, trailing blanks dropped
#   tty_status           N of "[exit N]", after tty_wait '[exit '
#   tty_stop             end the session and its tmux server
# The tmux server has its own socket under BATS_TEST_TMPDIR.

_tty_sock() { echo "$BATS_TEST_TMPDIR/tmux.sock"; }

tty_run() {
	command -v tmux >/dev/null || {
		echo "tty.bash: tmux missing (run scripts/deps.sh test)" >&2
		return 1
	}
	printf '%s\necho "[exit $?]"\nexec sleep 600\n' "$1" >"$BATS_TEST_TMPDIR/tty.sh"
	tmux -S "$(_tty_sock)" -f /dev/null new-session -d -s t -x 200 -y 50 \
		"env TERM=xterm NO_COLOR=1 sh $BATS_TEST_TMPDIR/tty.sh"
}

tty_screen() { tmux -S "$(_tty_sock)" capture-pane -p -t t -S -100 | sed 's/[[:space:]]*$//'; }

tty_wait() {
	local _
	for _ in $(seq 600); do
		tty_screen | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	echo "tty_wait: '$1' never appeared; the screen:" >&2
	tty_screen >&2
	return 1
}

tty_type() { tmux -S "$(_tty_sock)" send-keys -t t "$@"; }

tty_status() { tty_screen | sed -n 's/^\[exit \([0-9]*\)\]$/\1/p' | tail -n 1; }

tty_stop() { tmux -S "$(_tty_sock)" kill-server 2>/dev/null || true; }
