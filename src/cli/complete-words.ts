/**
 * What `hoopctl __complete WORD…` answers: the candidates for the last word, read from the
 * commander program itself (commands, flags, flag choices), plus connection names and session ids
 * for the arguments that take them, through `dynamic` (the gateway, cached briefly).
 */
import type { Command, Option } from 'commander';

/** Values only the gateway knows; each returns [] on any failure. */
export interface DynamicValues {
  connections(): Promise<string[]>;
  sessions(): Promise<string[]>;
}

const visible = (c: Command): boolean => !(c as unknown as { _hidden?: boolean })._hidden && !c.name().startsWith('__');

function findOption(cmd: Command, flag: string): Option | undefined {
  for (let c: Command | null = cmd; c !== null; c = c.parent) {
    const o = c.options.find((x) => x.long === flag || x.short === flag);
    if (o !== undefined) return o;
  }
  return undefined;
}

/** Candidates for `words[words.length - 1]` (the word being typed, possibly empty) after `words` (the arguments after `hoopctl`). */
export async function completeWords(program: Command, words: string[], dynamic: DynamicValues): Promise<string[]> {
  const current = words.at(-1) ?? '';
  let cmd = program;
  let positional = 0;
  for (let i = 0; i < words.length - 1; i++) {
    const w = words[i]!;
    if (w === '--') return []; // what follows is another program's command line
    if (w.startsWith('-')) {
      const o = findOption(cmd, w.split('=')[0]!);
      if (o !== undefined && (o.required || o.optional) && !w.includes('=')) i++;
      continue;
    }
    const sub = cmd.commands.find((c) => c.name() === w || c.aliases().includes(w));
    if (sub !== undefined && positional === 0) cmd = sub;
    else positional++;
  }
  const previous = words.length >= 2 ? words[words.length - 2]! : '';
  const valueOf = previous.startsWith('-') ? findOption(cmd, previous) : undefined;
  let out: string[];
  if (valueOf !== undefined && (valueOf.required || valueOf.optional)) {
    out = valueOf.argChoices ?? [];
  } else if (current.startsWith('-')) {
    const flags: string[] = [];
    for (let c: Command | null = cmd; c !== null; c = c.parent) {
      for (const o of c.options) if (!o.hidden) flags.push(...[o.long, o.short].filter((f): f is string => f !== undefined));
    }
    out = flags;
  } else if (positional === 0 && cmd.commands.some(visible)) {
    out = cmd.commands.filter(visible).map((c) => c.name());
  } else {
    const arg = cmd.registeredArguments[positional];
    const name = arg?.name() ?? '';
    out = name === 'connection' ? await dynamic.connections() : name === 'session' ? await dynamic.sessions() : (arg?.argChoices ?? []);
  }
  return [...new Set(out)].filter((c) => c.startsWith(current)).sort();
}
