/**
 * The one way ClickHouse SQL is built. ClickHouse 18.16 has no query parameters, so every value is
 * rendered as a literal here, by type, and nothing else is ever concatenated into a query.
 */

export type SqlValue = string | number | bigint | boolean | Date | null | readonly SqlValue[];

const RAW = Symbol('clickhouse-sql');

export interface Sql {
  readonly [RAW]: true;
  readonly text: string;
}

function fragment(text: string): Sql {
  return { [RAW]: true, text };
}

function isSql(value: unknown): value is Sql {
  return typeof value === 'object' && value !== null && RAW in value;
}

/**
 * Every byte that could end the literal or confuse a parser is escaped: backslash and quote, and all
 * control characters as \xHH (NUL included). Anything else, unicode too, is passed through as UTF-8.
 */
export function quoteString(value: string): string {
  let out = "'";
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}'`;
}

/** DateTime literal in UTC, second precision (what DateTime holds). */
function quoteDate(value: Date): string {
  if (Number.isNaN(value.getTime())) throw new TypeError('invalid Date in ClickHouse SQL');
  return `toDateTime(${quoteString(value.toISOString().slice(0, 19).replace('T', ' '))}, 'UTC')`;
}

export function literal(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'string') return quoteString(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`non-finite number ${value} in ClickHouse SQL`);
    return Number.isInteger(value) && !Number.isSafeInteger(value) ? BigInt(value).toString() : String(value);
  }
  if (value instanceof Date) return quoteDate(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  throw new TypeError(`unsupported value of type ${typeof value} in ClickHouse SQL`);
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** A table, column or database name; only plain identifiers are accepted, never quoted input. */
export function ident(name: string): Sql {
  if (!IDENTIFIER.test(name)) throw new TypeError(`invalid ClickHouse identifier ${JSON.stringify(name)}`);
  return fragment(name);
}

/** Trusted SQL text written in our code (a keyword, a direction picked from an enum). */
export function raw(text: string): Sql {
  return fragment(text);
}

/** Joins fragments, e.g. a list of conditions with ' AND '. */
export function join(parts: readonly Sql[], separator: string): Sql {
  return fragment(parts.map((p) => p.text).join(separator));
}

/** Tagged template: interpolations are rendered as literals, nested `sql` fragments as they are. */
export function sql(strings: TemplateStringsArray, ...values: readonly (SqlValue | Sql)[]): Sql {
  let text = strings[0] ?? '';
  values.forEach((value, i) => {
    text += isSql(value) ? value.text : literal(value);
    text += strings[i + 1] ?? '';
  });
  return fragment(text);
}
