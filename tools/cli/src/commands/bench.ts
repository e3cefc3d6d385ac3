import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@postpulse/stack';
import type { Command } from 'commander';

const benchDir = join(repoRoot, 'bench');
const subjects = () => readdirSync(benchDir).filter((d) => existsSync(join(benchDir, d, 'run.ts')));

export function registerBench(program: Command): void {
  program
    .command('bench')
    .argument('[subject]', 'a folder of bench/ with a run.ts')
    .argument('[args...]', 'passed to the benchmark')
    .description(
      'run a benchmark against the local stack (figures go to stdout; record them in bench/RESULTS.md)',
    )
    .action((subject: string | undefined, args: string[]) => {
      if (!subject || !subjects().includes(subject)) {
        console.log(`benchmarks: ${subjects().join(', ') || 'none'}`);
        if (subject) process.exitCode = 2;
        return;
      }
      const run = spawnSync(
        process.execPath,
        ['--import', 'tsx', join(benchDir, subject, 'run.ts'), ...args],
        {
          stdio: 'inherit',
          cwd: repoRoot,
        },
      );
      process.exitCode = run.status ?? 1;
    });
}
