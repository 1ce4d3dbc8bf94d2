-- FETCH_COUNT: psql wraps a query in BEGIN; DECLARE _psql_cursor; FETCH FORWARD n ...
\set FETCH_COUNT 25
SELECT * FROM sweep.book ORDER BY id;
SELECT * FROM sweep.reading ORDER BY id LIMIT 120;
SELECT id, 1 / (140 - id) FROM sweep.book ORDER BY id;
BEGIN;
SELECT id, title FROM sweep.book ORDER BY id LIMIT 60;
COMMIT;
