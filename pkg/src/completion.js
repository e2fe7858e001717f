/**
 * Shell completion scripts for `gitops-bump completion bash|zsh|fish`, generated from the
 * CLI's own table of commands and options, so a new option completes without anyone
 * editing three scripts. Commands and options complete by name; `--type` and the
 * `completion` argument complete their few values; other option values are left to the
 * user; positional arguments complete as file names.
 *
 * @module gitops-bump/completion
 */

/**
 * @typedef {object} CompletionOption
 * @property {string} name long name, without `--`
 * @property {boolean} takesValue
 * @property {string[]} [values] the values it accepts, when they are a short list
 */

/**
 * @typedef {object} CompletionCommand
 * @property {string} name
 * @property {string} summary
 * @property {CompletionOption[]} options
 * @property {string[]} [words] the values of its positional argument, when they are a short list (else file names)
 */

/** The shells a script can be printed for. */
export const SHELLS = Object.freeze(['bash', 'zsh', 'fish']);

/**
 * The completion script for `shell`.
 * @param {string} shell one of {@link SHELLS}
 * @param {CompletionCommand[]} commands
 * @returns {string}
 */
export function completionScript(shell, commands) {
  switch (shell) {
    case 'bash':
      return bashScript(commands);
    case 'zsh':
      return zshScript(commands);
    case 'fish':
      return fishScript(commands);
    default:
      throw new Error(`no completion for shell ${shell}`);
  }
}

/** The global flags, completed where a command name is expected. */
const GLOBAL_FLAGS = ['--help', '--version'];

/**
 * @param {CompletionCommand[]} commands
 * @returns {string}
 */
function bashScript(commands) {
  const all = commands.flatMap((c) => c.options);
  const valued = [...new Set(all.filter((o) => o.takesValue && !o.values).map((o) => `--${o.name}`))];
  const listed = [...new Map(all.filter((o) => o.values).map((o) => [o.name, o])).values()];
  return `# bash completion for gitops-bump; load it with
#   source <(gitops-bump completion bash)
# or save it as ~/.local/share/bash-completion/completions/gitops-bump
_gitops_bump() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" cmd="" words=""
  if [[ \${COMP_CWORD} -gt 0 ]]; then prev="\${COMP_WORDS[COMP_CWORD-1]}"; fi
  if [[ \${COMP_CWORD} -eq 1 ]]; then
    words="${commands.map((c) => c.name).join(' ')} ${GLOBAL_FLAGS.join(' ')}"
    mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
    return 0
  fi
  cmd="\${COMP_WORDS[1]}"
  case "$prev" in
${listed.map((o) => `    --${o.name}) mapfile -t COMPREPLY < <(compgen -W "${o.values?.join(' ')}" -- "$cur"); return 0 ;;`).join('\n')}
${valued.length > 0 ? `    ${valued.join('|')}) COMPREPLY=(); return 0 ;;\n` : ''}  esac
  case "$cmd" in
${commands.map((c) => `    ${c.name}) words="${[...c.options.map((o) => `--${o.name}`), '--help'].join(' ')}" ;;`).join('\n')}
    *) return 0 ;;
  esac
  if [[ "$cur" == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
    return 0
  fi
  case "$cmd" in
${commands.filter((c) => c.words).map((c) => `    ${c.name}) mapfile -t COMPREPLY < <(compgen -W "${c.words?.join(' ')}" -- "$cur"); return 0 ;;`).join('\n')}
  esac
  mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  compopt -o filenames 2>/dev/null
  return 0
}
complete -F _gitops_bump gitops-bump
`;
}

/**
 * Quotes text for a single-quoted zsh or fish word.
 * @param {string} s
 * @returns {string}
 */
function sq(s) {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

/**
 * Escapes the characters `_arguments` and `_describe` treat specially in descriptions.
 * @param {string} s
 * @returns {string}
 */
function zshText(s) {
  return s.replace(/[[\]:\\]/g, '\\$&');
}

/**
 * @param {CompletionCommand[]} commands
 * @returns {string}
 */
function zshScript(commands) {
  const spec = (/** @type {CompletionOption} */ o) => {
    if (!o.takesValue) return sq(`--${o.name}`);
    const action = o.values ? `(${o.values.join(' ')})` : ' ';
    return sq(`*--${o.name}:${o.name}:${action}`);
  };
  return `#compdef gitops-bump
# zsh completion for gitops-bump; load it with
#   source <(gitops-bump completion zsh)
# or save it as _gitops-bump in a directory on $fpath
_gitops_bump() {
  local -a commands
  commands=(
${commands.map((c) => `    ${sq(`${c.name}:${zshText(c.summary)}`)}`).join('\n')}
  )
  if (( CURRENT == 2 )); then
    _describe -t commands 'gitops-bump command' commands
    _arguments ${GLOBAL_FLAGS.map(sq).join(' ')}
    return
  fi
  case $words[2] in
${commands.map((c) => `    ${c.name}) _arguments -s ${[...c.options.map(spec), sq('--help'), sq(c.words ? `1:${c.name}:(${c.words.join(' ')})` : '*:file:_files')].join(' ')} ;;`).join('\n')}
  esac
}
if [[ "\${funcstack[1]}" == _gitops_bump ]]; then
  _gitops_bump "$@"
else
  compdef _gitops_bump gitops-bump
fi
`;
}

/**
 * @param {CompletionCommand[]} commands
 * @returns {string}
 */
function fishScript(commands) {
  const names = commands.map((c) => c.name).join(' ');
  const lines = [
    '# fish completion for gitops-bump; load it with',
    '#   gitops-bump completion fish | source',
    '# or save it as ~/.config/fish/completions/gitops-bump.fish',
    'complete -c gitops-bump -f',
    `complete -c gitops-bump -n "not __fish_seen_subcommand_from ${names}" -l help -d 'show help'`,
    `complete -c gitops-bump -n "not __fish_seen_subcommand_from ${names}" -l version -d 'print the version'`,
  ];
  for (const c of commands) {
    lines.push(`complete -c gitops-bump -n "not __fish_seen_subcommand_from ${names}" -a ${c.name} -d ${sq(c.summary)}`);
    const when = `-n "__fish_seen_subcommand_from ${c.name}"`;
    for (const o of c.options) {
      if (!o.takesValue) lines.push(`complete -c gitops-bump ${when} -l ${o.name}`);
      else if (o.values) lines.push(`complete -c gitops-bump ${when} -l ${o.name} -x -a ${sq(o.values.join(' '))}`);
      else lines.push(`complete -c gitops-bump ${when} -l ${o.name} -x`);
    }
    lines.push(`complete -c gitops-bump ${when} -l help`);
    lines.push(c.words ? `complete -c gitops-bump ${when} -x -a ${sq(c.words.join(' '))}` : `complete -c gitops-bump ${when} -F`);
  }
  return `${lines.join('\n')}\n`;
}
