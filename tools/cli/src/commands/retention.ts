import { parseConfig } from '@postpulse/config';
import { createDb, dropExpiredSnapshotPartitions } from '@postpulse/db';
import { createOlap, dropExpiredOlapPartitions } from '@postpulse/olap';
import { type Command, InvalidArgumentError } from 'commander';
import { cliConfigSchema } from '../config.js';

const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};

export function registerRetention(program: Command): void {
  program
    .command('retention')
    .description('data retention by dropping whole monthly partitions')
    .command('run')
    .description(
      'drop Postgres snapshot partitions and ClickHouse rollup partitions past retention (DATABASE_URL, CLICKHOUSE_URL, CLICKHOUSE_DATABASE)',
    )
    .option('--postgres-days <days>', 'keep raw snapshots at least this many days', positiveInt, 90)
    .option(
      '--clickhouse-months <months>',
      'keep rollups for this many months before the current one',
      positiveInt,
      13,
    )
    .action(async (opts: { postgresDays: number; clickhouseMonths: number }) => {
      const cfg = parseConfig(cliConfigSchema);
      const db = createDb({ url: cfg.DATABASE_URL, applicationName: 'postpulse-retention' });
      try {
        const dropped = await dropExpiredSnapshotPartitions(db, opts.postgresDays);
        console.log(`postgres: ${dropped.length ? `dropped ${dropped.join(', ')}` : 'nothing to drop'}`);
      } finally {
        await db.destroy();
      }
      const olap = createOlap({ url: cfg.CLICKHOUSE_URL, database: cfg.CLICKHOUSE_DATABASE });
      try {
        const dropped = await dropExpiredOlapPartitions(olap, opts.clickhouseMonths);
        console.log(`clickhouse: ${dropped.length ? `dropped ${dropped.join(', ')}` : 'nothing to drop'}`);
      } finally {
        await olap.close();
      }
    });
}
