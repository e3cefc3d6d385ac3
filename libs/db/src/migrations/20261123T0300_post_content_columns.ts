import { type Kysely, sql } from 'kysely';

// Content analysis reads every post of a period: its text length and its hashtags, each counted once
// however it was capitalised or repeated. Computed per request (a character count over texts of up to
// 100k characters, a lower-cased distinct set per post) they were a large share of the statement, so the
// writer of `posts` (the aggregator) stores them with the row. Existing rows are filled here.
export async function up(db: Kysely<unknown>): Promise<void> {
  // One statement, so the table is rewritten once.
  await sql`ALTER TABLE posts ADD COLUMN text_length int, ADD COLUMN hashtag_keys text[]`.execute(db);
  await sql`
    UPDATE posts SET text_length = char_length(content_text),
      hashtag_keys = CASE WHEN hashtags IS NOT NULL THEN ARRAY(SELECT DISTINCT lower(t) FROM unnest(hashtags) AS t) END
    WHERE content_text IS NOT NULL OR hashtags IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE posts DROP COLUMN hashtag_keys, DROP COLUMN text_length`.execute(db);
}
