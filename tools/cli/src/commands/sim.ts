import { runSimCli } from '@postpulse/platform-sim';
import type { Command } from 'commander';

export function registerSim(program: Command): void {
  program
    .command('sim')
    .description('run the platform simulator (X, LinkedIn, Meta); `postpulse sim --help` lists its flags')
    .argument('[args...]', 'passed to the simulator: [truth] [--port N] [--seed N] [--fault-5xx-rate R] …')
    .helpOption(false)
    .allowUnknownOption()
    .action(async (args: string[]) => {
      await runSimCli(args);
    });
}
