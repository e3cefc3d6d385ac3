import { describe, expect, it } from 'vitest';
import { ident, join, literal, quoteString, raw, sql } from '../src/index.js';

describe('ClickHouse literal escaping', () => {
  it.each([
    ["it's", "'it\\'s'"],
    ['back\\slash', "'back\\\\slash'"],
    ['nul\u0000byte', "'nul\\x00byte'"],
    ['line\nbreak\ttab', "'line\\x0abreak\\x09tab'"],
    ['del\u007f', "'del\\x7f'"],
    ['ünïcødé 👍', "'ünïcødé 👍'"],
  ])('quotes %j', (input, expected) => {
    expect(quoteString(input)).toBe(expected);
  });

  it('never leaves an unescaped quote inside the literal', () => {
    const hostile = ["'", "\\'", "\\\\'", "'; DROP TABLE t; --", '\\x27', "''"];
    for (const value of hostile) {
      const inner = quoteString(value).slice(1, -1);
      // Every quote inside must be preceded by an odd number of backslashes.
      for (const m of inner.matchAll(/(\\*)'/g)) expect((m[1] ?? '').length % 2).toBe(1);
    }
  });

  it('renders numbers, booleans, null, dates and arrays', () => {
    expect(literal(42)).toBe('42');
    expect(literal(-1.5)).toBe('-1.5');
    expect(literal(2n ** 64n - 1n)).toBe('18446744073709551615');
    expect(literal(true)).toBe('1');
    expect(literal(null)).toBe('NULL');
    expect(literal(new Date('2026-01-02T03:04:05.678Z'))).toBe("toDateTime('2026-01-02 03:04:05', 'UTC')");
    expect(literal(['a', "b'c"])).toBe("['a', 'b\\'c']");
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY])('refuses %s', (n) => {
    expect(() => literal(n)).toThrow(TypeError);
  });

  it('refuses an invalid date and unsupported types', () => {
    expect(() => literal(new Date('nope'))).toThrow(TypeError);
    expect(() => literal({} as never)).toThrow(TypeError);
  });

  it('accepts only plain identifiers', () => {
    expect(ident('post_metrics_v1').text).toBe('post_metrics_v1');
    for (const bad of ['a-b', 'a b', '`x`', 'x;', '1abc', '', 'a'.repeat(129)])
      expect(() => ident(bad)).toThrow(TypeError);
  });

  it('builds queries from fragments and literals', () => {
    const conds = join([sql`tenant_id = ${'t'}`, sql`n > ${3}`], ' AND ');
    expect(sql`SELECT ${raw('count()')} FROM ${ident('x')} WHERE ${conds}`.text).toBe(
      "SELECT count() FROM x WHERE tenant_id = 't' AND n > 3",
    );
  });
});
