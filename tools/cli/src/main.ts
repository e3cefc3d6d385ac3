import { Command } from 'commander';
import { registerAccounts } from './commands/accounts.js';
import { registerBench } from './commands/bench.js';
import { registerDemo } from './commands/demo.js';
import { registerMigrate } from './commands/migrate.js';
import { registerNormalize } from './commands/normalize.js';
import { registerRetention } from './commands/retention.js';
import { registerSim } from './commands/sim.js';
import { registerStack } from './commands/stack.js';
import { registerTenants } from './commands/tenants.js';

const program = new Command('postpulse').description('PostPulse operator CLI').showHelpAfterError();
registerStack(program);
registerMigrate(program);
registerTenants(program);
registerAccounts(program);
registerNormalize(program);
registerRetention(program);
registerDemo(program);
registerBench(program);
registerSim(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(`postpulse: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
