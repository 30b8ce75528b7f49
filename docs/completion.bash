# bash completion for chaosrun, through urfave/cli's --generate-bash-completion
# protocol: chaosrun itself lists the commands and flags that fit.
#
#   source docs/completion.bash                                   # this shell
#   sudo cp docs/completion.bash /etc/bash_completion.d/chaosrun  # every shell
#   zsh: autoload -U +X bashcompinit && bashcompinit && source docs/completion.bash
#
# When chaosrun offers nothing (after a scenario file, say), bash completes
# file names as usual.

_chaosrun_complete() {
	local cur="${COMP_WORDS[COMP_CWORD]}" opts
	local words=("${COMP_WORDS[@]:0:COMP_CWORD}")
	COMPREPLY=()
	if [[ "$cur" == -* ]]; then
		opts=$("${words[@]}" "$cur" --generate-bash-completion 2>/dev/null)
	else
		opts=$("${words[@]}" --generate-bash-completion 2>/dev/null)
	fi
	local IFS=$'\n'
	COMPREPLY=($(compgen -W "$opts" -- "$cur"))
	return 0
}

complete -o bashdefault -o default -F _chaosrun_complete chaosrun
