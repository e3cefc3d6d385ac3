import { Stack } from '@postpulse/stack';
import type { Command } from 'commander';

export function registerStack(program: Command): void {
  const stack = program
    .command('stack')
    .description('the local real stack: Kafka, PostgreSQL, ClickHouse, Redis');
  stack
    .command('install')
    .description('install what is missing: Debian packages and the Kafka jars (idempotent)')
    .action(() => new Stack().install());
  stack
    .command('up')
    .description('install what is missing, start what is not running, wait until every server answers')
    .action(async () => {
      const started = Date.now();
      await new Stack().up();
      console.log(`stack up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });
  stack
    .command('down')
    .description('stop the servers this stack started (by pid)')
    .action(() => new Stack().down());
  stack
    .command('status')
    .description('what runs, and whether it answers; exit code 1 unless everything is ready')
    .action(async () => {
      const statuses = await new Stack().status();
      for (const s of statuses) {
        const state = s.pid === null ? 'stopped' : s.ready ? 'ready' : 'running, not answering';
        console.log(
          `${s.name.padEnd(10)} ${state.padEnd(24)} ${s.listens}${s.pid ? `  (pid ${s.pid})` : ''}`,
        );
      }
      if (!statuses.every((s) => s.ready)) process.exitCode = 1;
    });
  stack
    .command('reset')
    .description('stop everything and delete all stack data')
    .action(() => new Stack().reset());
  stack
    .command('env')
    .description('print the connection variables, for `eval "$(postpulse stack env)"`')
    .action(() => {
      for (const [k, v] of Object.entries(new Stack().env)) console.log(`export ${k}=${v}`);
    });
}
