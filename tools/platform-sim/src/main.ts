// Standalone entry: `npx tsx tools/platform-sim/src/main.ts [truth] [--flags]` (same as `postpulse sim`).
import { runSimCli } from './cli.js';

runSimCli(process.argv.slice(2)).catch(() => {
  process.exitCode = 2;
});
