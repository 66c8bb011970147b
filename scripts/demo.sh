#!/bin/bash
# demo.sh - `make demo`: dnsdrop on a sandbox Expressway in build/demo, with a
# real dnsmasq on a loopback port: a first install, a change, a rollback.
# Builds nothing (make did); stops its dnsmasq when it ends, however it ends.
set -u

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 1
# shellcheck source-path=SCRIPTDIR/.. source=tests/lib/sandbox.bash disable=SC1091
source tests/lib/sandbox.bash
example=conf.d.example/expressway-e.ini
demo=build/demo

if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
	bold=$'\e[1m' dim=$'\e[2m' off=$'\e[0m'
else
	bold='' dim='' off=''
fi

die() {
	echo "demo: $*" >&2
	exit 1
}

# A heading, and one line on what the step shows.
step() {
	printf '\n%s==> %s%s\n' "$bold" "$1" "$off"
	[ -n "${2:-}" ] && printf '%s%s%s\n' "$dim" "$2" "$off"
	return 0
}

# Show and run a dnsdrop command; stop the demo on an unexpected exit code.
run_dnsdrop() {
	local want=$1 rc=0
	shift
	printf '$ dnsdrop %s\n' "$*"
	dd "$@" || rc=$?
	[ "$rc" -eq "$want" ] || die "dnsdrop $* exited $rc (expected $want)"
	[ "$rc" -eq 0 ] || printf '%s(exit %s)%s\n' "$dim" "$rc" "$off"
}

# dig NAME TYPE, on one line.
dig_one() {
	local answer
	answer=$(sandbox_dig "$1" "$2" | paste -sd ',' - | sed 's/,/, /g')
	printf '  %-32s %-5s -> %s\n' "$1" "$2" "${answer:-(no answer)}"
}

# dig every record of the INI.
dig_records() {
	local name type
	awk '
		/^[ \t]*\[/ { sec = $0; sub(/^[ \t]*/, "", sec); sub(/\].*/, "]", sec); next }
		/^[ \t]*[;#]/ || !/=/ { next }
		{ name = $0; sub(/[ \t]*=.*/, "", name); value = $0; sub(/^[^=]*=/, "", value); sub(/;.*/, "", value) }
		sec == "[hosts]" { print name, "A"; if (value ~ /:/) print name, "AAAA" }
		sec == "[srv]" && !seen[name]++ { print name, "SRV" }
		sec == "[cname]" { print name, "CNAME" }
	' "$SANDBOX_INI" | while read -r name type; do
		dig_one "$name" "$type"
	done
}

[ -r "$example" ] || die "$example is missing"

# A previous demo's dnsmasq goes first.
if [ -s "$demo/run/port" ]; then
	sandbox_use "$demo" && sandbox_destroy
fi
rm -rf "$demo"
sandbox_create "$demo" || die "cannot build the sandbox in $demo"
trap 'sandbox_destroy' EXIT
trap 'exit 130' INT TERM

step "A sandbox Expressway in $demo" \
	"Every command below runs as: build/dnsdrop --root $demo COMMAND"
cat <<EOF
  $demo/etc/dnsmasq.conf         says conf-dir=/tandberg/etc/dnsmasq.d,*.conf
  $demo/etc/init.d/dnsmasq       the init script dnsdrop runs to restart dnsmasq
  $demo/tandberg/persistent/dnsdrop/dnsdrop.ini   the INI: the source of truth
EOF
sandbox_start >/dev/null || die "dnsmasq did not start"
echo "  dnsmasq is listening on 127.0.0.1#$SANDBOX_PORT"

# The example INI, with the sandbox's dnsmasq as the verification server.
awk -v v="verify       = 127.0.0.1:$SANDBOX_PORT" '
	{ print } /^\[dnsdrop\]/ { print "; the demo sandbox: dnsmasq listens on a loopback port"; print v }
' "$example" | sandbox_ini "$SANDBOX" || die "cannot write the INI"

step "The INI (from $example, comments left out)" \
	"One line per record; dnsdrop renders hosts.conf and srv.conf from it."
grep -vE '^[[:space:]]*(;|$)' "$SANDBOX_INI" | sed 's/^/  /'

step "dnsdrop check" "Validation: every problem with its line, nothing written."
run_dnsdrop 0 check

step "dnsdrop diff" "What apply would change (a dry run; exit 1 means: there are differences)."
run_dnsdrop 1 diff

step "dnsdrop apply" \
	"Back up, write the drop-ins atomically, restart dnsmasq, check every record by DNS."
run_dnsdrop 0 apply

step "dnsdrop status" "What is installed, how the conf-dir was found, whether dnsmasq answers."
run_dnsdrop 0 status

step "dig @127.0.0.1 -p $SANDBOX_PORT" "dnsmasq now answers for every record of the INI."
dig_records

step "dnsdrop reapply" \
	"After an Expressway upgrade: applies only what is missing; silent when all is in place."
restarts=$(sandbox_restarts)
run_dnsdrop 0 reapply
echo "  dnsmasq restarts: $restarts before, $(sandbox_restarts) after"

step "Edit the INI: move expc1 to 10.0.10.15, add expc3" \
	"The change window: the administrator edits one file."
sed -i -e 's/^\(expc1\.example\.local *= *\)10\.0\.10\.11\b/\110.0.10.15/' \
	-e '/^expc2\.example\.local *=/a expc3.example.local = 10.0.10.13' "$SANDBOX_INI"
if ! grep -q '^expc1\.example\.local *= *10\.0\.10\.15' "$SANDBOX_INI" ||
	! grep -q '^expc3\.example\.local = 10\.0\.10\.13' "$SANDBOX_INI"; then
	die "$example no longer has expc1 = 10.0.10.11 and expc2: update scripts/demo.sh"
fi
grep -E '^expc[0-9]' "$SANDBOX_INI" | sed 's/^/  /'

step "dnsdrop diff" "Exactly the lines that will change."
run_dnsdrop 1 diff

step "dnsdrop apply" "The old drop-ins go into a backup first."
run_dnsdrop 0 apply
dig_one expc1.example.local A
dig_one expc3.example.local A

step "dnsdrop backups" "Every earlier state, newest first."
run_dnsdrop 0 backups

step "dnsdrop rollback" "Second thoughts: the previous drop-ins and INI come back, verified by DNS."
run_dnsdrop 0 rollback
dig_one expc1.example.local A
dig_one expc3.example.local A

step "Done" "dnsmasq of the sandbox stops now. Run it again with: make demo"
