// A Runner that records every call and answers from a script of rules.
import type { RunOptions, RunResult, Runner } from "../../src/util/run.ts";

export interface Call {
  argv: string[];
  opts?: RunOptions;
}

export type Rule = (argv: string[], opts?: RunOptions) => Partial<RunResult> | undefined;

export function fakeRunner(rules: Rule[] = []): { runner: Runner; calls: Call[] } {
  const calls: Call[] = [];
  const runner: Runner = async (argv, opts) => {
    calls.push({ argv, opts });
    for (const r of rules) {
      const res = r(argv, opts);
      if (res) return { argv, code: 0, stdout: "", stderr: "", ...res };
    }
    return { argv, code: 0, stdout: "", stderr: "" };
  };
  return { runner, calls };
}

/** Does argv start with these words? */
export const startsWith = (argv: string[], ...words: string[]) => words.every((w, i) => argv[i] === w);
