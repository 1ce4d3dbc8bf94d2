-- Roles for pgw's throwaway test servers. Shared by scripts/pg (local servers)
-- and docker-compose.yml (the official images run it from
-- /docker-entrypoint-initdb.d). Runs as a superuser connected to database pgw.
--
--   pgw_trust  trust (no password); superuser, replication (physical + logical)
--   pgw_md5    md5,           password md5pass   (stored as an MD5 hash)
--   pgw_scram  scram-sha-256, password scrampass (stored as a SCRAM verifier)
--   pgw_clear  password (cleartext on the wire), password clearpass
--   pgw_ssl    scram-sha-256 over TLS only (hostssl), password sslpass
--   pgw_nossl  trust, without TLS only (hostnossl)
\set ON_ERROR_STOP on
CREATE ROLE pgw_trust LOGIN SUPERUSER REPLICATION;
-- The hash must be MD5 for md5 authentication to really happen: with a SCRAM
-- verifier the server silently upgrades an md5 pg_hba line to SCRAM.
SET password_encryption = 'md5';
CREATE ROLE pgw_md5 LOGIN PASSWORD 'md5pass';
SET password_encryption = 'scram-sha-256';
CREATE ROLE pgw_scram LOGIN PASSWORD 'scrampass';
CREATE ROLE pgw_clear LOGIN PASSWORD 'clearpass';
CREATE ROLE pgw_ssl LOGIN PASSWORD 'sslpass';
CREATE ROLE pgw_nossl LOGIN;
RESET password_encryption;
-- Let every test role create tables (PostgreSQL 15 took CREATE from PUBLIC).
GRANT CREATE ON SCHEMA public TO PUBLIC;
