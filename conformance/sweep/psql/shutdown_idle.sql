-- idle (in \! sleep) while the server shuts down (pg_ctl stop -m fast: FATAL 57P01), then a Query in flight
SELECT 1;
\! sleep 2
SELECT 2;
