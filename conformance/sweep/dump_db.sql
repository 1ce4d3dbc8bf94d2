-- conformance/sweep/dump_db.sql — trims database sweep_dump (made from
-- template0) before the fixture is loaded into it, so that pg_dump's session
-- stays small: pg_dump reads every catalog comment (pg_description, about
-- 290 kB of rows), every collation (800 rows with ICU) and everything of
-- information_schema. Run as the superuser pgw_trust, not recorded.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
DROP SCHEMA information_schema CASCADE;
DELETE FROM pg_catalog.pg_description;
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT oid::regcollation AS c FROM pg_collation WHERE oid >= 12000 LOOP
    EXECUTE 'DROP COLLATION ' || r.c;
  END LOOP;
END$$;
