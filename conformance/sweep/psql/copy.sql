-- \copy out and in (psql runs in the work folder that holds copy_in.txt and bad_in.txt)
\copy (SELECT * FROM sweep.book WHERE id <= 80 ORDER BY id) TO 'book.csv' WITH (FORMAT csv, HEADER)
\copy sweep.author TO 'author.txt'
\copy (SELECT id, title FROM sweep.book ORDER BY id) TO 'two.csv' WITH (FORMAT csv, HEADER)
TRUNCATE sweep.copy_target;
\copy sweep.copy_target FROM 'copy_in.txt'
\copy sweep.copy_target (a, b) FROM 'two.csv' WITH (FORMAT csv, HEADER)
\copy sweep.copy_target FROM 'bad_in.txt'
SELECT count(*) FROM sweep.copy_target;
