-- \connect: psql opens a new connection (md5 user, then SCRAM, then back) and closes the old one each time
SELECT current_user;
\connect pgw pgw_md5
SELECT current_user;
\connect - pgw_scram
SELECT current_user;
\connect - pgw_trust
SELECT current_user, current_database();
