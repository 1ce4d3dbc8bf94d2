-- the server ends a session idle inside a transaction (FATAL 25P03) while psql sleeps
SET idle_in_transaction_session_timeout = '300ms';
BEGIN;
SELECT 1;
\! sleep 1
SELECT 2;
