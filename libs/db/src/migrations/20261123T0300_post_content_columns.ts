import { type Kysely, sql } from 'kysely';

// Content analysis reads every post of a period: its text length and its hashtags, each counted once
// however it was capitalised or repeated. Computed per request (a character count over texts of up to
// 100k characters, a lower-cased distinct set per post) they were a large share of the statement, so they
// are stored with the row, derived by Postgres from the columns every writer already sets.
export async function up(db: Kysely<unknown>): Promise<void> {
  // A generated column takes only IMMUTABLE functions; lower() is one (it follows the database's collation,
  // as an index on lower(...) would).
  await sql`
    CREATE FUNCTION hashtag_keys(tags text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN ARRAY(SELECT DISTINCT lower(t) FROM unnest(tags) AS t)`.execute(db);
  // One statement, so the table is rewritten once.
  await sql`
    ALTER TABLE posts
      ADD COLUMN text_length int GENERATED ALWAYS AS (char_length(content_text)) STORED,
      ADD COLUMN hashtag_keys text[] GENERATED ALWAYS AS (hashtag_keys(hashtags)) STORED`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE posts DROP COLUMN hashtag_keys, DROP COLUMN text_length`.execute(db);
  await sql`DROP FUNCTION hashtag_keys(text[])`.execute(db);
}
