/**
 * `/readyz`: the gateway is ready when every named condition holds. Conditions are small functions that
 * return a problem (or undefined), so each concern (store reachable, store healthy, draining) adds its own.
 */

/** One condition: undefined when it holds, else a short problem for the probe's body. */
export type ReadinessCheck = () => string | undefined | Promise<string | undefined>;

/** The conditions of one gateway. */
export interface Readiness {
  /** Adds (or replaces) the condition `name`. */
  add(name: string, check: ReadinessCheck): void;
  /** Problems of the conditions that do not hold (empty: ready); a condition that throws counts as its message. */
  problems(): Promise<string[]>;
}

/** Combines checks: every failing one's `name: problem`. */
export async function combineReadiness(checks: Iterable<[string, ReadinessCheck]>): Promise<string[]> {
  const results = await Promise.all(
    [...checks].map(async ([name, check]) => {
      try {
        const problem = await check();
        return problem === undefined ? undefined : `${name}: ${problem}`;
      } catch (e) {
        return `${name}: ${(e as Error).message}`;
      }
    }),
  );
  return results.filter((r): r is string => r !== undefined);
}

/** Creates an empty set of conditions. */
export function createReadiness(): Readiness {
  const checks = new Map<string, ReadinessCheck>();
  return {
    add: (name, check) => {
      checks.set(name, check);
    },
    problems: () => combineReadiness(checks),
  };
}
