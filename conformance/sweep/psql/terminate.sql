-- another connection (a second psql, through the recorder too) runs pg_terminate_backend on this one (FATAL 57P01)
SELECT pg_backend_pid() AS pid \gset
\setenv SWEEP_VICTIM :pid
\! "$SWEEP_PSQL" -X -q -h 127.0.0.1 -p "$SWEEP_PORT" -U pgw_trust -d pgw -c "SELECT pg_terminate_backend($SWEEP_VICTIM)"
\! sleep 0.5
SELECT 1;
