-- \watch: psql 15's \watch repeats until the query fails (a count, c=N, is psql 16+):
-- this one fails with division by zero at its fourth run
SELECT setval('sweep.watch_seq', 1);
SELECT nextval('sweep.watch_seq') AS n, 10 / (5 - currval('sweep.watch_seq')) AS q \watch 0.2
SELECT 'after watch' AS done;
