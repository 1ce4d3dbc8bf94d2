-- pg_terminate_backend from a second psql while this one waits in pg_sleep(5): FATAL 57P01 in the middle of the query
SELECT pg_backend_pid() AS pid \gset
\setenv SWEEP_VICTIM :pid
\! (sleep 0.7; "$SWEEP_PSQL" -X -q -h 127.0.0.1 -p "$SWEEP_PORT" -U pgw_trust -d pgw -c "SELECT pg_terminate_backend($SWEEP_VICTIM)") >/dev/null &
SELECT pg_sleep(5);
