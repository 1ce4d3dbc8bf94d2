-- a pipeline whose second statement fails: pgbench aborts the client
\startpipeline
SELECT 1;
SELECT 1 / 0;
SELECT 2;
\endpipeline
