// node_driver.js - a client for `pgw certify client`: node-postgres (npm
// pg, installed under .deps/node-pg by clients/run), one fresh connection
// per action, in order (the actions of `pgw certify client --list`).
//
//   NODE_PATH=.deps/node-pg/node_modules node node_driver.js HOST PORT USER PASSWORD DB ACTION...
//
// COPY goes through the pg-copy-streams package (pg itself answers a
// CopyInResponse with CopyFail "No source stream defined"); "copyfail"
// destroys the stream with an error, which sends CopyFail. pg has no
// pipeline API: "pipeline" is three queries issued at once (pg queues them,
// one at a time on the wire). "cancel" is pg's own cancel: a second
// connection sends the CancelRequest (client.processID / secretKey).
'use strict';
const pg = require('pg');
const copy = require('pg-copy-streams');
const [host, port, user, password, database, ...actions] = process.argv.slice(2);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function cancel(c) {
  const q = c.query('SELECT pg_sleep(5)').catch((e) => e);
  await sleep(200);
  // pg's Connection.cancel(processID, secretKey) on a new connection
  const k = new pg.Client({ host, port: Number(port), user, password, database });
  await new Promise((resolve) => {
    k.connection.on('connect', () => {
      k.connection.cancel(c.processID, c.secretKey);
      resolve();
    });
    k.connection.on('error', resolve);
    k.connection.connect(Number(port), host);
  });
  await q;
  k.connection.end();
}

const ACTIONS = {
  query: (c) => c.query('SELECT 1'),
  query2: async (c) => {
    await c.query('SELECT 1').catch((e) => console.log('  ' + e.message));
    await c.query('SELECT 2');
  },
  extended: (c) => c.query('SELECT $1::int', [1]),
  pipeline: (c) => Promise.all([1, 2, 3].map(() => c.query('SELECT $1::int', [1]))),
  copyin: (c) => new Promise((resolve, reject) => {
    const s = c.query(copy.from('COPY certify FROM STDIN'));
    s.on('finish', resolve).on('error', reject);
    s.end('1\n');
  }),
  copyfail: (c) => new Promise((resolve) => {
    const s = c.query(copy.from('COPY certify FROM STDIN'));
    s.on('error', () => resolve());
    s.write('1\n');
    setTimeout(() => s.destroy(new Error('the driver gave up')), 50);
  }),
  copyout: (c) => new Promise((resolve, reject) => {
    const s = c.query(copy.to('COPY certify TO STDOUT'));
    s.on('data', () => {}).on('end', resolve).on('error', reject);
  }),
  cancel,
  listen: async (c) => {
    await c.query('LISTEN certify');
    await sleep(1000);
  },
};

async function main() {
  console.log('node-postgres ' + require('pg/package.json').version);
  let i = 0;
  for (const a of actions) {
    i++;
    const c = new pg.Client({ host, port: Number(port), user, password, database,
      connectionTimeoutMillis: 10000, query_timeout: 20000 });
    c.on('error', () => {});
    try {
      await c.connect();
      await ACTIONS[a](c);
      console.log(i + ' ' + a + ' ok');
    } catch (e) {
      console.log(i + ' ' + a + ' ' + (e && e.message));
    }
    await c.end().catch(() => {});
  }
}
main();
