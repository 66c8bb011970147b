# shellcheck shell=bash
# Bash completion for dnsdrop: commands, options and backup IDs.
# Install: source it from ~/.bashrc, or copy to /etc/bash_completion.d/dnsdrop.

# _dnsdrop_global_args: the -c/--root options already on the line, so backup
# IDs are listed for the same INI and sandbox the command will use.
_dnsdrop_global_args() {
	local i
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-c | --root) printf '%s\n%s\n' "${COMP_WORDS[i]}" "${COMP_WORDS[i + 1]}" ;;
		esac
	done
}

_dnsdrop() {
	local cur prev cmd i
	local commands="check render diff apply reapply status backups rollback import verify doctor help"
	local global="-c --root -q -v --no-color --help --version"
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}

	case $prev in
	-c)
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
		;;
	--root)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return
		;;
	-m | --message)
		COMPREPLY=() # free text: the change note
		return
		;;
	esac

	cmd=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-c | --root | -m | --message) ((i++)) ;;
		-*) ;;
		*)
			cmd=${COMP_WORDS[i]}
			break
			;;
		esac
	done

	case $cmd in
	'') mapfile -t COMPREPLY < <(compgen -W "$commands $global" -- "$cur") ;;
	apply) mapfile -t COMPREPLY < <(compgen -W "-n --dry-run --force --no-restart --no-verify -y --yes -m $global" -- "$cur") ;;
	reapply) mapfile -t COMPREPLY < <(compgen -W "-m $global" -- "$cur") ;;
	render) mapfile -t COMPREPLY < <(compgen -W "hosts.conf srv.conf" -- "$cur") ;;
	help) mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur") ;;
	import) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	doctor)
		if [ "$prev" = --format ]; then
			mapfile -t COMPREPLY < <(compgen -W "text csv zone" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "--format $global" -- "$cur")
		fi
		;;
	rollback)
		local -a args ids
		mapfile -t args < <(_dnsdrop_global_args)
		mapfile -t ids < <("${COMP_WORDS[0]}" "${args[@]}" -q backups 2>/dev/null | awk '/^[^ ]/ { print $1 }')
		mapfile -t COMPREPLY < <(compgen -W "--no-verify --whole-ini -y --yes -m ${ids[*]}" -- "$cur")
		;;
	*) mapfile -t COMPREPLY < <(compgen -W "$global" -- "$cur") ;;
	esac
}

complete -F _dnsdrop dnsdrop
