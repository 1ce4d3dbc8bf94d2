-- every notice the server has: client_min_messages = debug5
SET client_min_messages = debug5;
CREATE TEMP TABLE dbg (a int PRIMARY KEY, b text);
INSERT INTO dbg SELECT g, 'v' || g FROM generate_series(1, 20) g;
SELECT count(*) FROM dbg;
DO $$BEGIN RAISE NOTICE 'hello %', 1; RAISE DEBUG 'a debug line'; RAISE WARNING 'a warning' USING HINT = 'a hint'; RAISE INFO 'info'; END$$;
BEGIN; SAVEPOINT s; INSERT INTO dbg VALUES (100, 'x'); ROLLBACK TO s; COMMIT;
ANALYZE dbg;
SELECT 1/0;
RESET client_min_messages;
