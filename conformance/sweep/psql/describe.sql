-- psql's describe meta-commands: catalog queries (\d, \dt+, \df, \dv, \di, \l, \du, \dn, \sf, \sv, \x, \crosstabview, \errverbose)
\d sweep.book
\dt+ sweep.*
\df sweep.*
\dv sweep.*
\di sweep.*
\dn
\sf sweep.twice
\sv sweep.book_view
\x on
SELECT * FROM sweep.author WHERE id = 1;
\x off
SELECT author_id % 3 AS r, author_id % 2 AS c, count(*) FROM sweep.book GROUP BY 1, 2 ORDER BY 1, 2 \crosstabview
SELECT 1/0;
\errverbose
