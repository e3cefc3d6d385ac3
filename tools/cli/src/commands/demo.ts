import { env, parseConfig } from '@postpulse/config';
import { Stack } from '@postpulse/stack';
import type { Command } from 'commander';
import { z } from 'zod';
import { cliConfigSchema } from '../config.js';
import { runDemo } from '../demo/run.js';
import { runMigrations } from './migrate.js';

const demoConfigSchema = z.object({
  DEMO_API_PORT: env.port(8080),
  DEMO_SIM_PORT: env.port(4010),
  DEMO_SEED: env.int(42),
  DEMO_POSTS_PER_ACCOUNT: env.int(120).pipe(z.number().int().min(1).max(5000)),
});

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'start the real stack, the simulated platforms and every service, with a demo tenant; Ctrl-C stops it',
    )
    .action(async () => {
      const cfg = parseConfig(demoConfigSchema);
      const stack = new Stack();
      const wasRunning = (await stack.status()).every((s) => s.ready);
      await stack.up();
      await runMigrations(parseConfig(cliConfigSchema));
      const demo = await runDemo(stack, {
        apiPort: cfg.DEMO_API_PORT,
        simPort: cfg.DEMO_SIM_PORT,
        seed: cfg.DEMO_SEED,
        postsPerAccount: cfg.DEMO_POSTS_PER_ACCOUNT,
      });
      // npm forwards the terminal's Ctrl-C to us as well, so one keypress can arrive twice: only a
      // signal more than a second after the first means "stop waiting and kill".
      let firstSignalAt = 0;
      await new Promise<void>((resolve) => {
        for (const signal of ['SIGINT', 'SIGTERM'] as const) {
          process.on(signal, () => {
            if (firstSignalAt === 0) {
              firstSignalAt = Date.now();
              resolve();
            } else if (Date.now() - firstSignalAt > 1000) {
              console.log('demo: killing the services');
              demo.kill();
              process.exit(130);
            }
          });
        }
      });
      console.log('\ndemo: stopping (Ctrl-C again to kill) …');
      await demo.stop();
      // The stack is shared with tests and other runs: only stop it when the demo started it.
      if (!wasRunning) await stack.down();
    });
}
