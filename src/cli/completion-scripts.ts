/**
 * `hoopctl completion bash|zsh|fish`, kubectl's convention: a script to source that asks
 * `hoopctl __complete WORD…` (the same binary the shell found) for the candidates of the last word.
 */

const BASH = `# bash completion for hoopctl. Load it with: source <(hoopctl completion bash)
_hoopctl() {
  local IFS=$'\\n'
  COMPREPLY=($("\${COMP_WORDS[0]}" __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null))
}
complete -o default -F _hoopctl hoopctl
`;

const ZSH = `#compdef hoopctl
# zsh completion for hoopctl. Load it with: source <(hoopctl completion zsh) (after compinit)
_hoopctl() {
  local -a candidates
  candidates=("\${(@f)$("\${words[1]}" __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  candidates=(\${candidates:#})
  compadd -- "\${candidates[@]}"
}
if (( $+functions[compdef] )); then compdef _hoopctl hoopctl; fi
`;

const FISH = `# fish completion for hoopctl. Load it with: hoopctl completion fish | source
function __hoopctl_complete
    set -l words (commandline -opc)
    $words[1] __complete $words[2..-1] (commandline -ct) 2>/dev/null
end
complete -c hoopctl -f -a '(__hoopctl_complete)'
`;

/** The shells with a completion script. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;

/** The completion script for `shell`. */
export function completionScript(shell: (typeof COMPLETION_SHELLS)[number]): string {
  return shell === 'bash' ? BASH : shell === 'zsh' ? ZSH : FISH;
}
