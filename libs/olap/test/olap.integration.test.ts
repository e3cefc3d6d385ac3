import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestOlap, type TestOlap } from '@postpulse/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateOlap, sql } from '../src/index.js';

let olap: TestOlap;
beforeAll(async () => {
  olap = await createTestOlap({ migrate: false });
  await olap.client.command({ query: 'CREATE TABLE kv (k UInt32, v String) ENGINE = MergeTree ORDER BY k' });
});
afterAll(() => olap.drop());

const hostile = [
  "'",
  "\\'",
  "'; DROP TABLE kv; --",
  "\\'); DROP TABLE kv; --",
  'back\\slash\\',
  'nul\u0000in\u0000the\u0000middle',
  `all controls: ${Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('')}\u007f`,
  'ünïcødé, 中文, emoji 👍🏽, RTL \u202e',
  '\\x27 OR 1=1 --',
  "'".repeat(1000) + '\\'.repeat(1000),
  'x'.repeat(1_000_000),
];

describe('literal escaping against the real ClickHouse', () => {
  it('round-trips every hostile string byte for byte and never escapes the literal', async () => {
    for (const [i, value] of hostile.entries()) {
      await olap.client.command({ query: sql`INSERT INTO kv (k, v) VALUES (${i}, ${value})`.text });
    }
    const rows = await (
      await olap.client.query({ query: 'SELECT k, v FROM kv ORDER BY k', format: 'JSONEachRow' })
    ).json<{
      k: number;
      v: string;
    }>();
    expect(rows.map((r) => r.v)).toEqual(hostile);

    for (const value of hostile) {
      const res = await olap.client.query({
        query: sql`SELECT count() AS n FROM kv WHERE v = ${value}`.text,
        format: 'JSONEachRow',
      });
      expect(await res.json()).toEqual([{ n: '1' }]);
    }
  });

  it('renders arrays and dates ClickHouse reads back unchanged', async () => {
    const when = new Date('2026-03-29T01:30:00Z');
    const res = await olap.client.query({
      query: sql`SELECT ${['a', "b'c", 'd\\e']} AS arr, toString(${when}) AS t`.text,
      format: 'JSONEachRow',
    });
    expect(await res.json()).toEqual([{ arr: ['a', "b'c", 'd\\e'], t: '2026-03-29 01:30:00' }]);
  });
});

describe('ClickHouse migration runner', () => {
  it('applies files in order once and records them', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'olap-migrations-'));
    writeFileSync(
      join(folder, '0002_add_rows.sql'),
      "-- second\nINSERT INTO things_v1 VALUES (1, 'one');\nINSERT INTO things_v1 VALUES (2, 'two');\n",
    );
    writeFileSync(
      join(folder, '0001_create_things_v1.sql'),
      'CREATE TABLE things_v1 (id UInt32, name String)\nENGINE = MergeTree ORDER BY id;\n',
    );
    expect(await migrateOlap(olap.client, folder)).toEqual(['0001', '0002']);
    expect(await migrateOlap(olap.client, folder)).toEqual([]);
    const rows = await (
      await olap.client.query({ query: 'SELECT id, name FROM things_v1 ORDER BY id', format: 'JSONEachRow' })
    ).json();
    expect(rows).toEqual([
      { id: 1, name: 'one' },
      { id: 2, name: 'two' },
    ]);
  });

  it('names the failing migration', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'olap-migrations-'));
    writeFileSync(join(folder, '0003_broken.sql'), 'CREATE TABLE nope (id UInt32) ENGINE = NoSuchEngine;\n');
    await expect(migrateOlap(olap.client, folder)).rejects.toThrow(/0003_broken failed/);
  });
});
