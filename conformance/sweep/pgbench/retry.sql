-- two clients update the same row under REPEATABLE READ: serialization
-- failures (40001), which pgbench --max-tries retries
\set id random(1, 2)
BEGIN ISOLATION LEVEL REPEATABLE READ;
SELECT price FROM sweep.book WHERE id = :id;
\sleep 20 ms
UPDATE sweep.book SET price = price + 1 WHERE id = :id;
END;
