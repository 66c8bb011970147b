#!/usr/bin/env bats
# shellcheck source-path=SCRIPTDIR
# completion.bats - scripts/dnsdrop-completion.bash completes commands,
# options and the backup IDs of the sandbox named with --root.

setup() {
	# shellcheck source=../lib/sandbox.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../lib/sandbox.bash"
	# shellcheck source=../../scripts/dnsdrop-completion.bash disable=SC1091
	source "$BATS_TEST_DIRNAME/../../scripts/dnsdrop-completion.bash"
}

teardown() {
	if [[ -n ${SANDBOX:-} ]]; then sandbox_destroy; fi
}

# complete WORDS...: run the completion with the cursor on the last word.
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_dnsdrop
}

@test "completes command names" {
	complete_words dnsdrop re
	[[ " ${COMPREPLY[*]} " == *" render "* ]]
	[[ " ${COMPREPLY[*]} " == *" reapply "* ]]
	[[ " ${COMPREPLY[*]} " != *" apply "* ]]
}

@test "completes apply's options" {
	complete_words dnsdrop apply --no
	[[ " ${COMPREPLY[*]} " == *" --no-restart "* ]]
	[[ " ${COMPREPLY[*]} " == *" --no-verify "* ]]
}

@test "completes doctor and its formats" {
	complete_words dnsdrop 'do'
	[[ " ${COMPREPLY[*]} " == *" doctor "* ]]
	complete_words dnsdrop doctor --format ""
	[[ " ${COMPREPLY[*]} " == " text csv zone " ]]
}

@test "completes rollback with the backup IDs of the --root sandbox" {
	sandbox_create "$BATS_TEST_TMPDIR/box"
	sandbox_start >/dev/null
	sandbox_ini "$SANDBOX" <<'INI'
[hosts]
a.example.local = 10.0.0.1
INI
	dd -q apply
	sandbox_ini "$SANDBOX" <<'INI'
[hosts]
a.example.local = 10.0.0.2
INI
	dd -q apply
	mapfile -t ids < <(ls "$SANDBOX/tandberg/persistent/dnsdrop/backups")
	[ "${#ids[@]}" -eq 2 ]
	complete_words "$DNSDROP_BIN" --root "$SANDBOX" rollback ""
	for id in "${ids[@]}"; do
		[[ " ${COMPREPLY[*]} " == *" $id "* ]]
	done
}
