-- psql large objects: \lo_import, \lo_export, \lo_list, \lo_unlink (fast-path FunctionCall: lo_creat, lo_open, lowrite, loread, lo_close, lo_unlink)
\lo_import 'copy_in.txt' 'imported by psql'
\set oid :LASTOID
\lo_list
\lo_export :oid 'exported.txt'
\lo_unlink :oid
SELECT count(*) FROM pg_largeobject_metadata;
