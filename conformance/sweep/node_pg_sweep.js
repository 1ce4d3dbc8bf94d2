// conformance/sweep/node_pg_sweep.js SCENARIO URL — node-postgres traffic
// for the real-traffic sweep (run by conformance/sweep/record through
// `pgw record`; NODE_PATH names the folder the packages were installed in).
// Scenarios: query, cursor, copy, binary, terminate.
'use strict';
const { Client } = require('pg');
const Cursor = require('pg-cursor');
const { from: copyFrom, to: copyTo } = require('pg-copy-streams');
const { pipeline } = require('stream/promises');
const { Readable, Writable } = require('stream');

async function query(c) {
  console.log((await c.query('SELECT $1::int + 1 AS n, $2::text AS t', [41, 'x'])).rows);
  for (let i = 0; i < 3; i++) {
    await c.query({ name: 'by-id', text: 'SELECT id, title FROM sweep.book WHERE id = $1', values: [i + 1] });
  }
  try { await c.query('SELECT * FROM no_such_table WHERE a = $1', [1]); } catch (e) { console.log('error', e.code); }
  await c.query('BEGIN');
  try { await c.query('SELECT 1/0'); } catch (e) { console.log('error', e.code); }
  await c.query('ROLLBACK');
  // several queries at once: node-postgres queues them
  const r = await Promise.all([c.query('SELECT 1 AS a'), c.query('SELECT pg_sleep(0.01)'), c.query({ text: 'SELECT $1::int[] AS arr', values: [[1, 2, 3]], rowMode: 'array' })]);
  console.log(r.map((x) => x.rows));
  console.log((await c.query('SELECT 1; SELECT 2')).length, 'results');
}

async function cursor(c) {
  await c.query('BEGIN');
  const cur = c.query(new Cursor('SELECT id, title, extra FROM sweep.book WHERE id > $1 ORDER BY id', [5]));
  let n = 0, rows;
  do { rows = await cur.read(30); n += rows.length; } while (rows.length > 0);
  await cur.close();
  console.log('cursor rows', n);
  const early = c.query(new Cursor('SELECT * FROM sweep.reading ORDER BY id'));
  console.log('early', (await early.read(10)).length);
  await early.close();
  await c.query('COMMIT');
  const bad = c.query(new Cursor('SELECT id, 1 / (50 - id) FROM sweep.book ORDER BY id'));
  try { for (;;) { const r = await bad.read(20); if (!r.length) break; } } catch (e) { console.log('cursor error', e.code); }
  console.log((await c.query('SELECT 1 AS ok')).rows);
}

async function copy(c) {
  await c.query('TRUNCATE sweep.copy_target');
  const lines = [];
  for (let i = 0; i < 300; i++) lines.push(`${i}\tnode ${i}\t${i / 8}\n`);
  await pipeline(Readable.from(lines), c.query(copyFrom('COPY sweep.copy_target FROM STDIN')));
  let bytes = 0;
  await pipeline(c.query(copyTo('COPY (SELECT * FROM sweep.book ORDER BY id) TO STDOUT (FORMAT csv, HEADER)')),
    new Writable({ write(chunk, enc, cb) { bytes += chunk.length; cb(); } }));
  console.log('copied out', bytes);
  try {
    await pipeline(Readable.from(['1\n', '2\n', 'x\n']), c.query(copyFrom('COPY sweep.copy_target (a) FROM STDIN')));
  } catch (e) { console.log('copy error', e.code); }
  // the server refuses the second line while the client still sends: a slow
  // source of 40 kB, in two halves 700 ms apart
  async function* slow() {
    yield '1\n' + 'two\n' + '3\n'.repeat(10000);
    await new Promise((res) => setTimeout(res, 700));
    yield '4\n'.repeat(10000);
  }
  try {
    await pipeline(Readable.from(slow()), c.query(copyFrom('COPY sweep.copy_target (a) FROM STDIN')));
  } catch (e) { console.log('copy error while sending', e.code); }
  // the client aborts a COPY FROM STDIN itself (CopyFail)
  try {
    const s = c.query(copyFrom('COPY sweep.copy_target (a) FROM STDIN'));
    s.write('7\n');
    await new Promise((res, rej) => { s.on('error', rej); s.on('finish', res); s.destroy(new Error('client gave up')); });
  } catch (e) { console.log('copy aborted', e.code || e.message); }
  console.log((await c.query('SELECT count(*) FROM sweep.copy_target')).rows);
}

async function binary(c) {
  // binary: true asks for every result column in binary (format 1)
  const r = await c.query({ text: 'SELECT id, title, price, tags, extra, 1.5::float8 AS f FROM sweep.book WHERE id <= $1 ORDER BY id', values: [5], binary: true });
  console.log('binary rows', r.rows.length);
  await c.query({ name: 'bin', text: 'SELECT $1::int AS a', values: [7], binary: true });
  await c.query({ name: 'bin', text: 'SELECT $1::int AS a', values: [8], binary: true });
  // a text and a binary query queued together with an error in between
  const all = await Promise.allSettled([c.query('SELECT 1'), c.query('SELECT 1/0'), c.query({ text: 'SELECT 2', binary: true })]);
  console.log(all.map((x) => x.status));
}

async function terminate(c) {
  // a second client runs pg_terminate_backend on this one in the middle of a
  // slow COPY FROM STDIN: FATAL 57P01 inside CopyIn, then the rest of the
  // data in flight
  const pid = (await c.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  c.on('error', (e) => console.log('client error', e.code || e.message));
  async function* slow() {
    yield '1\n'.repeat(2000);
    const k = new Client({ connectionString: process.argv[3], application_name: 'node-postgres-killer' });
    await k.connect();
    await k.query('SELECT pg_terminate_backend($1)', [pid]);
    await k.end();
    await new Promise((res) => setTimeout(res, 300));
    yield '2\n'.repeat(2000);
  }
  try {
    await pipeline(Readable.from(slow()), c.query(copyFrom('COPY sweep.copy_target (a) FROM STDIN')));
  } catch (e) { console.log('copy error', e.code || e.message); }
}

(async () => {
  const [scenario, url] = process.argv.slice(2);
  const c = new Client({ connectionString: url, application_name: 'node-postgres' });
  await c.connect();
  await ({ query, cursor, copy, binary, terminate })[scenario](c);
  if (scenario !== 'terminate') await c.end();
})().catch((e) => { console.error(e); process.exit(1); });
