-- run with PGOPTIONS='-c client_min_messages=debug5': DEBUG notices from the
-- start of the session on, and inside COPY in both directions
SELECT 1;
COPY sweep.copy_target (a, b) FROM STDIN;
1	one
2	two
\.
COPY (SELECT a, b FROM sweep.copy_target WHERE a < 3) TO STDOUT;
BEGIN;
CREATE TEMP TABLE t5 (a int);
COMMIT;
