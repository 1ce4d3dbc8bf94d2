-- conformance/sweep/fixture.sql — the small database the sweep dumps,
-- restores and queries (run by conformance/sweep/record as pgw_trust on
-- database pgw, not through the recorder).
SET client_min_messages = warning;
DROP SCHEMA IF EXISTS sweep CASCADE;
RESET client_min_messages;
CREATE SCHEMA sweep;
SET search_path = sweep;
CREATE TABLE author (id int PRIMARY KEY, name text NOT NULL, born date);
CREATE TABLE book (
  id serial PRIMARY KEY,
  author_id int NOT NULL REFERENCES author (id),
  title text NOT NULL,
  price numeric(8,2),
  tags text[],
  extra jsonb
);
CREATE INDEX book_author_idx ON book (author_id);
CREATE TABLE reading (id bigint GENERATED ALWAYS AS IDENTITY, book_id int, at timestamptz, pages int);
CREATE TABLE copy_target (a int, b text, c numeric);
CREATE VIEW book_view AS
  SELECT b.id, a.name, b.title, b.price FROM book b JOIN author a ON a.id = b.author_id;
CREATE FUNCTION sweep.twice(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT 2 * x';
CREATE SEQUENCE watch_seq;
INSERT INTO author
  SELECT g, 'author ' || g, DATE '1900-01-01' + g * 400 FROM generate_series(1, 20) g;
INSERT INTO book (author_id, title, price, tags, extra)
  SELECT 1 + g % 20, 'book ' || g, (g * 1.25)::numeric(8,2), ARRAY['t' || g % 3, 'x'],
         jsonb_build_object('n', g, 'odd', g % 2 = 1)
  FROM generate_series(1, 200) g;
INSERT INTO reading (book_id, at, pages)
  SELECT 1 + g % 200, TIMESTAMPTZ '2024-01-01 00:00:00+00' + g * INTERVAL '1 hour', g % 50
  FROM generate_series(1, 300) g;
COMMENT ON TABLE book IS 'books of the sweep fixture';
SELECT lo_from_bytea(0, convert_to(repeat('large object bytes ', 20), 'UTF8'));
ANALYZE;
GRANT USAGE ON SCHEMA sweep TO PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA sweep TO PUBLIC;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA sweep TO PUBLIC;
