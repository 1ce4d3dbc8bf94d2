-- the server ends an idle session (FATAL 57P05) while psql sleeps; psql sends its next Query anyway
SET idle_session_timeout = '300ms';
\! sleep 1
SELECT 1;
