-- \gexec: every cell of the result is run as a statement; \gset; \gdesc
SELECT format('SELECT count(*) AS %I FROM sweep.%I', 'n_' || tablename, tablename)
  FROM pg_tables WHERE schemaname = 'sweep' ORDER BY 1 \gexec
SELECT 'CREATE TEMP TABLE gx' || g || ' (a int)', 'INSERT INTO gx' || g || ' VALUES (' || g || ')'
  FROM generate_series(1, 3) g \gexec
SELECT 'SELECT 1/0', 'SELECT 2 AS still_runs' \gexec
SELECT max(id) AS maxid FROM sweep.book \gset
SELECT :maxid AS maxid;
SELECT * FROM sweep.book_view \gdesc
