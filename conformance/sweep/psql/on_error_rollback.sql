-- ON_ERROR_ROLLBACK on: psql sets a savepoint before each statement inside a transaction
\set ON_ERROR_ROLLBACK on
BEGIN;
INSERT INTO sweep.copy_target VALUES (1, 'a', 1);
SELECT 1/0;
INSERT INTO sweep.copy_target VALUES (2, 'b', 2);
SELECT count(*) FROM sweep.copy_target WHERE a IN (1, 2);
SAVEPOINT mine;
SELECT no_such_column FROM sweep.book;
ROLLBACK TO mine;
ROLLBACK;
