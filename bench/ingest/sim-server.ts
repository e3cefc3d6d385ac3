// The simulator in its own process for the ingest benchmark: prints its URLs as one JSON line, and
// its CPU time on every "cpu" line read from stdin (so the driver can show it is not the bottleneck).
import { startSim } from '@postpulse/platform-sim';

const [tenants = '25', posts = '1000', days = '80'] = process.argv.slice(2);
const big = 100_000_000;
const sim = await startSim({
  port: 0,
  seed: 1,
  tenants: Number(tenants),
  postsPerAccount: Number(posts),
  days: Number(days),
  limits: {
    x: {
      endpoints: {
        tweets_lookup: { perUser: big, perApp: big },
        user_tweets: { perUser: big, perApp: big },
        users_lookup: { perUser: big, perApp: big },
      },
    },
    linkedin: { appDaily: big, memberDaily: big },
    meta: { appPerHour: big, pagePerDay: big, instagramPerDay: big },
  },
});
sim.sim.truth({ posts: false });
process.stdout.write(`${JSON.stringify({ urls: sim.urls })}\n`);
process.stdin.setEncoding('utf8');
// The driver went away: so does the simulator.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('data', (chunk: string) => {
  for (const line of chunk.split('\n')) {
    if (line.trim() === 'cpu') {
      const u = process.cpuUsage();
      process.stdout.write(
        `${JSON.stringify({ cpu_ms: (u.user + u.system) / 1000, violations: sim.sim.violations.total() })}\n`,
      );
    }
    if (line.trim() === 'exit') void sim.close().then(() => process.exit(0));
  }
});
