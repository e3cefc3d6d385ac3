import { parseConfig } from '@postpulse/config';
import { Stack } from '@postpulse/stack';
import type { Command } from 'commander';
import { cliConfigSchema } from '../config.js';
import { runMigrations } from './migrate.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('provision and start the real stack, migrate, and run PostPulse against simulated platforms')
    .action(async () => {
      const started = Date.now();
      const stack = new Stack();
      await stack.up();
      await runMigrations(parseConfig(cliConfigSchema));
      console.log(
        `\nPostPulse stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s. Connect with:`,
      );
      for (const [k, v] of Object.entries(stack.env)) console.log(`  ${k}=${v}`);
      console.log('Stop the servers with `npx postpulse stack down`.');
    });
}
