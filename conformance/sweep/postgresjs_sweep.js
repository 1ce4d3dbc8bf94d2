// conformance/sweep/postgresjs_sweep.js SCENARIO URL — postgres.js traffic
// for the real-traffic sweep (run by conformance/sweep/record through
// `pgw record`; NODE_PATH names the folder the packages were installed in).
// Scenarios: query, cursor, copy, notify, cancel, describe.
'use strict';
const postgres = require('postgres');
const { pipeline } = require('stream/promises');
const { Readable, Writable } = require('stream');

async function query(sql) {
  console.log(await sql`SELECT ${41}::int + 1 AS n, ${'x'} AS t`);
  for (let i = 0; i < 3; i++) await sql`SELECT id, title FROM sweep.book WHERE id = ${i + 1}`;
  try { await sql`SELECT * FROM no_such_table`; } catch (e) { console.log('error', e.code); }
  await sql.begin(async (tx) => {
    await tx`CREATE TEMP TABLE pj (a int PRIMARY KEY)`;
    await tx`INSERT INTO pj VALUES (1)`;
    try { await tx.savepoint(async (sp) => { await sp`INSERT INTO pj VALUES (1)`; }); } catch (e) { console.log('savepoint error', e.code); }
    await tx`INSERT INTO pj VALUES (2)`;
  });
  // pipelined: several queries sent before the first answer
  console.log(await Promise.all([sql`SELECT 1 AS a`, sql`SELECT ${[1, 2, 3]}::int[] AS arr`, sql`SELECT pg_sleep(0.01)`]));
  console.log(await sql.unsafe('SELECT 1 AS a; SELECT 2 AS b'));
  try { await sql`SELECT 1/0`; } catch (e) { console.log('error', e.code); }
}

async function cursor(sql) {
  let n = 0;
  await sql`SELECT id, title, extra FROM sweep.book ORDER BY id`.cursor(25, async (rows) => { n += rows.length; });
  console.log('cursor rows', n);
  for await (const rows of sql`SELECT * FROM sweep.reading ORDER BY id`.cursor(100)) { n += rows.length; break; }
  try { await sql`SELECT id, 1 / (70 - id) FROM sweep.book ORDER BY id`.cursor(20, () => {}); } catch (e) { console.log('cursor error', e.code); }
  console.log(await sql`SELECT 1 AS ok`);
}

async function copy(sql) {
  await sql`TRUNCATE sweep.copy_target`;
  const lines = [];
  for (let i = 0; i < 300; i++) lines.push(`${i}\tpostgres.js ${i}\t${i / 8}\n`);
  await pipeline(Readable.from(lines), await sql`COPY sweep.copy_target FROM STDIN`.writable());
  let bytes = 0;
  await pipeline(await sql`COPY (SELECT * FROM sweep.book ORDER BY id) TO STDOUT (FORMAT csv)`.readable(),
    new Writable({ write(chunk, enc, cb) { bytes += chunk.length; cb(); } }));
  console.log('copied out', bytes);
  // postgres.js 3.4.9 never settles this pipeline when the server refuses
  // the data (ErrorResponse after CopyDone): give it two seconds
  try {
    await Promise.race([
      pipeline(Readable.from(['1\n', 'x\n']), await sql`COPY sweep.copy_target (a) FROM STDIN`.writable()),
      new Promise((res) => setTimeout(() => { console.log('copy error never reported'); res(); }, 2000)),
    ]);
  } catch (e) { console.log('copy error', e.code); }
  console.log(await sql`SELECT count(*) FROM sweep.copy_target`);
}

async function notify(sql) {
  // sql.listen opens a connection of its own for LISTEN
  const got = [];
  const done = new Promise((res) => {
    sql.listen('sweep_channel', (payload) => { got.push(payload); if (got.length === 2) res(); });
  });
  await new Promise((res) => setTimeout(res, 300));
  await sql.notify('sweep_channel', 'one');
  await sql`SELECT pg_notify('sweep_channel', 'two')`;
  await Promise.race([done, new Promise((res) => setTimeout(res, 3000))]);
  console.log('notifications', got);
}

async function cancel(sql) {
  const q = sql`SELECT pg_sleep(10)`;
  const t = setTimeout(() => q.cancel(), 700);
  try { await q; } catch (e) { console.log('cancelled', e.code); }
  clearTimeout(t);
  console.log(await sql`SELECT 1 AS after`);
}

async function describe(sql) {
  // run with prepare: false (unnamed statements each time); describe() sends
  // Parse/Describe/Sync without Bind; simple(), raw(), values(), unsafe with
  // parameters
  const d = await sql`SELECT id, title FROM sweep.book WHERE id = ${1}`.describe();
  console.log('describe', d.types, d.columns.map((c) => c.name));
  console.log(await sql`SELECT 1 AS a; SELECT 2 AS b`.simple());
  console.log((await sql`SELECT id FROM sweep.book WHERE id < ${3} ORDER BY id`.raw()).length);
  console.log(await sql`SELECT id, title FROM sweep.book WHERE id < ${3} ORDER BY id`.values());
  console.log(await sql.unsafe('SELECT $1::text AS t, $2::int AS n', ['x', 5]));
  try { await sql`SELECT ${'not a number'}::int`; } catch (e) { console.log('error', e.code); }
  await sql.begin('read only', async (tx) => { await tx`SELECT count(*) FROM sweep.book`; });
}

(async () => {
  const [scenario, url] = process.argv.slice(2);
  const sql = postgres(url, { max: scenario === 'notify' ? 2 : 1, prepare: scenario !== 'describe', connection: { application_name: 'postgres.js' }, onnotice: () => {} });
  try { await ({ query, cursor, copy, notify, cancel, describe })[scenario](sql); } finally { await sql.end({ timeout: 5 }); }
})().catch((e) => { console.error(e); process.exit(1); });
