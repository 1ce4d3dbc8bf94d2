-- a pipeline that succeeds, with a parameter
\set id random(1, 200)
\startpipeline
SELECT title FROM sweep.book WHERE id = :id;
UPDATE sweep.book SET price = price WHERE id = :id;
SELECT count(*) FROM sweep.reading WHERE book_id = :id;
\endpipeline
