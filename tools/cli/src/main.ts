import { Command } from 'commander';
import { registerBench } from './commands/bench.js';
import { registerDemo } from './commands/demo.js';
import { registerMigrate } from './commands/migrate.js';
import { registerStack } from './commands/stack.js';

const program = new Command('postpulse').description('PostPulse operator CLI').showHelpAfterError();
registerStack(program);
registerMigrate(program);
registerDemo(program);
registerBench(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(`postpulse: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
